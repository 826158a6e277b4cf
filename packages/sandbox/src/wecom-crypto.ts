/**
 * WXBizMsgCrypt, the WeCom callback encryption (https://developer.work.weixin.qq.com/document/path/91144):
 * AES-256-CBC with the key Base64(EncodingAESKey + "="), IV = key[0..16), PKCS#7 padding to 32-byte blocks,
 * payload random(16) ‖ msg_len(4, big-endian) ‖ msg ‖ receiveid; signature = sha1 of the sorted [token,
 * timestamp, nonce, encrypt] concatenated.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const BLOCK = 32;

function aesKey(encodingAESKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAESKey)) {
    throw new Error(
      'EncodingAESKey must be 43 characters of [A-Za-z0-9] (WXBizMsgCrypt -40004 IllegalAesKey)',
    );
  }
  return Buffer.from(`${encodingAESKey}=`, 'base64');
}

/**
 * Encrypts `message` for `receiveId` (CorpID, or AppID for OA). `random16` fixes the 16-byte prefix
 * (tests); by default it is random. Returns the Base64 `Encrypt` value.
 */
export function wxEncrypt(
  message: string,
  encodingAESKey: string,
  receiveId: string,
  random16?: Buffer,
): string {
  const key = aesKey(encodingAESKey);
  const msg = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length, 0);
  const plain = Buffer.concat([random16 ?? randomBytes(16), len, msg, Buffer.from(receiveId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

/**
 * Decrypts a Base64 `Encrypt` value. Throws when the padding or layout is invalid, or when
 * `expectedReceiveId` is given and differs (WXBizMsgCrypt -40005).
 */
export function wxDecrypt(encrypted: string, encodingAESKey: string, expectedReceiveId?: string): string {
  const key = aesKey(encodingAESKey);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  let pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK) pad = 0;
  const plain = padded.subarray(0, padded.length - pad);
  if (plain.length < 20) throw new Error('WXBizMsgCrypt: decrypted buffer too short (-40008 IllegalBuffer)');
  const len = plain.readUInt32BE(16);
  const message = plain.subarray(20, 20 + len).toString('utf8');
  const receiveId = plain.subarray(20 + len).toString('utf8');
  if (expectedReceiveId !== undefined && receiveId !== expectedReceiveId) {
    throw new Error('WXBizMsgCrypt: receiveid mismatch (-40005 ValidateCorpid_Error)');
  }
  return message;
}

/** msg_signature = sha1(sort([token, timestamp, nonce, encrypt]).join('')), hex. */
export function wxSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
}
