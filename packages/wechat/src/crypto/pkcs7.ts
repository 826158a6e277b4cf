import { WXBizMsgCryptError, WXBizMsgCryptErrorCode } from './errors.js';

/**
 * The block size WeChat pads to. Not AES's 16: Tencent's samples pad to a multiple of 32 bytes ("数据采用PKCS#7
 * 填充至32字节的倍数", https://developer.work.weixin.qq.com/document/path/91144), so pad bytes range over 1..32.
 */
export const WECHAT_PKCS7_BLOCK_SIZE = 32;

/**
 * Append PKCS#7 padding to a multiple of `blockSize` bytes; a full block of padding when the input already is
 * one (as Tencent's `PKCS7Encoder.encode` does). Returns a new Buffer.
 */
export function pkcs7Pad(data: Uint8Array, blockSize: number = WECHAT_PKCS7_BLOCK_SIZE): Buffer {
  const amount = blockSize - (data.length % blockSize);
  return Buffer.concat([data, Buffer.alloc(amount, amount)]);
}

/**
 * Strip PKCS#7 padding (pad byte 1..`blockSize`, every pad byte equal to it) and return a view of the payload.
 *
 * Stricter than Tencent's decoders, which treat an out-of-range pad byte as "no padding": a plaintext whose
 * padding is not well-formed almost always means the wrong EncodingAESKey or a corrupted ciphertext, and
 * saying so beats a later "IllegalBuffer". The code follows Tencent's Go sample (`pKCS7Unpadding` →
 * `DecryptAESError`).
 *
 * @throws WXBizMsgCryptError -40007 (DecryptAES_Error) when the padding is malformed or the input empty.
 */
export function pkcs7Unpad(data: Buffer, blockSize: number = WECHAT_PKCS7_BLOCK_SIZE): Buffer {
  const pad = data.length > 0 ? data[data.length - 1]! : 0;
  if (pad < 1 || pad > blockSize || pad > data.length) {
    throw new WXBizMsgCryptError(
      WXBizMsgCryptErrorCode.DecryptAES,
      `decrypted data has invalid PKCS#7 padding (pad byte ${pad}, block size ${blockSize}): ` +
        'check that the EncodingAESKey matches the one configured in the WeChat admin console',
    );
  }
  let bad = 0;
  for (let i = data.length - pad; i < data.length; i++) bad |= data[i]! ^ pad;
  if (bad !== 0) {
    throw new WXBizMsgCryptError(
      WXBizMsgCryptErrorCode.DecryptAES,
      'decrypted data has inconsistent PKCS#7 padding bytes: ' +
        'check that the EncodingAESKey matches the one configured in the WeChat admin console',
    );
  }
  return data.subarray(0, data.length - pad);
}
