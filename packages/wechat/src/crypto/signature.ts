import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * WeChat callback signature: SHA-1 hex of the parts sorted lexicographically (by UTF-16 code unit, which equals
 * byte order for the ASCII values WeChat uses) and concatenated without a separator.
 *
 * - Encrypted mode (WeCom, OA 安全模式): parts = `[token, timestamp, nonce, msg_encrypt]` → `msg_signature`.
 * - OA plaintext mode: parts = `[token, timestamp, nonce]` → `signature`.
 *
 * Implements https://developer.work.weixin.qq.com/document/path/91144 (weworkapi_python `SHA1.getSHA1`).
 * Returns 40 lowercase hex characters.
 */
export function callbackSignature(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''), 'utf8')
    .digest('hex');
}

/**
 * Compare a received hex signature with the expected one in constant time (no early exit on the first
 * differing character, so response timing reveals nothing about how much of a forged signature was right).
 * Case-insensitive; a received value of the wrong length is rejected without a content-dependent comparison.
 */
export function signaturesEqual(received: string, expected: string): boolean {
  const a = Buffer.from(received.toLowerCase(), 'utf8');
  const b = Buffer.from(expected.toLowerCase(), 'utf8');
  if (a.length !== b.length) {
    // Still spend one comparison so both paths cost about the same.
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}

/**
 * Check the plaintext-mode `signature` query parameter WeChat sends to an Official Account server URL
 * (`GET ?signature&timestamp&nonce&echostr`, and on every POST): `sha1(sort([token, timestamp, nonce]).join(''))`.
 *
 * Implements https://developer.work.weixin.qq.com/document/path/91144 (OA plaintext-mode signature,
 * [D-crypt-oa]). Returns `true` when it matches; never throws. `timestamp` is Unix seconds, as a string or
 * number.
 */
export function verifyPlainSignature(input: {
  token: string;
  signature: string;
  timestamp: string | number;
  nonce: string;
}): boolean {
  if (!input.token || !input.signature) return false;
  const expected = callbackSignature([input.token, String(input.timestamp), input.nonce]);
  return signaturesEqual(input.signature, expected);
}
