// wechat-crypto (node-webot) is CommonJS without type declarations: the part the interop tests and the crypto
// bench use, as its index.js defines it.
declare module 'wechat-crypto' {
  class WechatCrypto {
    constructor(token: string, encodingAESKey: string, id: string);
    getSignature(timestamp: string, nonce: string, encrypt: string): string;
    encrypt(text: string): string;
    decrypt(text: string): { message: string; id: string };
  }
  export = WechatCrypto;
}
