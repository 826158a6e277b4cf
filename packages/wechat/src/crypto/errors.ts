/**
 * Return codes of Tencent's WXBizMsgCrypt sample libraries
 * (https://developer.work.weixin.qq.com/document/path/91144, weworkapi_python
 * `callback_json_python3/ierror.py`). They are library codes, not server errcodes: WeChat never sends them.
 */
export const WXBizMsgCryptErrorCode = {
  ValidateSignature: -40001,
  Parse: -40002,
  ComputeSignature: -40003,
  IllegalAesKey: -40004,
  ValidateReceiveId: -40005,
  EncryptAES: -40006,
  DecryptAES: -40007,
  IllegalBuffer: -40008,
  EncodeBase64: -40009,
  DecodeBase64: -40010,
  GenReturn: -40011,
} as const;

export type WXBizMsgCryptErrorCodeValue =
  (typeof WXBizMsgCryptErrorCode)[keyof typeof WXBizMsgCryptErrorCode];

/** Official names as spelled in the samples (`WXBizMsgCrypt_ValidateSignature_Error`, …), keyed by code. */
const OFFICIAL_NAMES: Record<WXBizMsgCryptErrorCodeValue, string> = {
  [-40001]: 'ValidateSignature_Error',
  [-40002]: 'Parse_Error',
  [-40003]: 'ComputeSignature_Error',
  [-40004]: 'IllegalAesKey',
  [-40005]: 'ValidateCorpid_Error',
  [-40006]: 'EncryptAES_Error',
  [-40007]: 'DecryptAES_Error',
  [-40008]: 'IllegalBuffer',
  [-40009]: 'EncodeBase64_Error',
  [-40010]: 'DecodeBase64_Error',
  [-40011]: 'GenReturn_Error',
};

/**
 * A callback could not be verified, decrypted, parsed or encrypted
 * (https://developer.work.weixin.qq.com/document/path/91144).
 *
 * `code` is the official WXBizMsgCrypt return code (-40001 … -40011), `codeName` its official name. Messages
 * never contain the Token, the EncodingAESKey or decrypted content.
 */
export class WXBizMsgCryptError extends Error {
  override readonly name = 'WXBizMsgCryptError';
  readonly code: WXBizMsgCryptErrorCodeValue;
  readonly codeName: string;

  constructor(code: WXBizMsgCryptErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(`${message} (WXBizMsgCrypt ${code} ${OFFICIAL_NAMES[code]})`, options);
    this.code = code;
    this.codeName = OFFICIAL_NAMES[code];
  }
}

/**
 * A decrypted callback message is well-formed XML/JSON but is not the message the caller asked for (wrong
 * `MsgType`/`Event`, or a required field such as `JobId` is missing or malformed). `field` names the offending
 * field as WeChat spells it.
 */
export class CallbackEventError extends Error {
  override readonly name = 'CallbackEventError';
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/**
 * Bad input to the JS-SDK signature helpers
 * (https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html): an empty field, a non-numeric
 * timestamp, a non-http(s) URL.
 */
export class JssdkSignatureError extends Error {
  override readonly name = 'JssdkSignatureError';
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}
