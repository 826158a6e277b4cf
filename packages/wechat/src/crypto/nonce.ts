import { randomInt } from 'node:crypto';

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random nonce of `length` characters from `[A-Za-z0-9]` (CSPRNG, no modulo bias), for the JS-SDK
 * `nonceStr` (https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html) and for callback
 * replies (https://developer.work.weixin.qq.com/document/path/91144). Default 16 characters, as in the
 * official examples.
 *
 * @throws RangeError when `length` is not an integer in 1..128.
 */
export function createNonce(length = 16): string {
  if (!Number.isInteger(length) || length < 1 || length > 128) {
    throw new RangeError(`nonce length must be an integer from 1 to 128, got ${length}`);
  }
  let nonce = '';
  for (let i = 0; i < length; i++) nonce += NONCE_ALPHABET[randomInt(NONCE_ALPHABET.length)];
  return nonce;
}

/** The current time as WeChat timestamps count it: whole Unix seconds. */
export function unixSeconds(now: Date | number = Date.now()): number {
  return Math.floor((typeof now === 'number' ? now : now.getTime()) / 1000);
}
