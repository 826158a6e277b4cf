import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { memoryStore } from '../store/memory.js';
import type { Store } from '../store/types.js';
import { type CallbackFields, describeType, getCallbackField, parseCallbackBody } from './callback-body.js';
import { WXBizMsgCryptError, WXBizMsgCryptErrorCode } from './errors.js';
import { createNonce, unixSeconds } from './nonce.js';
import { pkcs7Pad, pkcs7Unpad } from './pkcs7.js';
import { callbackSignature, signaturesEqual } from './signature.js';

/**
 * Settings of one callback URL, as configured in the WeCom app / OA 服务器配置 page
 * (https://developer.work.weixin.qq.com/document/path/91144).
 */
export interface WXBizMsgCryptOptions {
  /** The callback Token ("由英文或数字组成且长度不超过32位"). Secret: never logged. */
  token: string;
  /** The 43-character `[A-Za-z0-9]` EncodingAESKey. Secret: never logged. */
  encodingAESKey: string;
  /**
   * Who messages are encrypted for: the CorpID for a WeCom self-built app (the suite id for third-party suite
   * callbacks), the AppID for an Official Account.
   */
  receiveId: string;
  /**
   * Replay window, seconds: when set, a request whose `timestamp` is not whole Unix seconds within ±`maxAgeSeconds`
   * of now is refused (-40001), and {@link WXBizMsgCrypt.decryptMessageOnce} refuses a request it has already
   * accepted within the window. WeChat retries a callback 3 times over ~15 s with the same signature, so 300 is
   * a sensible value. Default: no window (Tencent's samples check none).
   */
  maxAgeSeconds?: number;
  /**
   * Where `decryptMessageOnce` remembers the signatures it accepted (for `2 × maxAgeSeconds`); share one Store
   * (file, Redis) across processes behind one callback URL. Default: a per-instance `memoryStore()`.
   */
  replayStore?: Store;
}

/** Options of {@link WXBizMsgCrypt.encrypt}; every field has a fresh default. */
export interface EncryptOptions {
  /** Unix seconds; default now. Usually the `timestamp` of the request being answered. */
  timestamp?: string | number;
  /** Default a fresh 16-character nonce. Usually the `nonce` of the request being answered. */
  nonce?: string;
  /** The 16 random prefix bytes; default CSPRNG output. Only tests pin it (to reproduce known vectors). */
  random?: Uint8Array;
}

/**
 * An encrypted message with its signature: the four fields of a passive reply
 * (https://developer.work.weixin.qq.com/document/path/91144).
 */
export interface EncryptedMessage {
  /** Base64 ciphertext (`msg_encrypt`). */
  encrypt: string;
  /** `sha1(sort([token, timestamp, nonce, encrypt]).join(''))`, 40 lowercase hex characters. */
  msg_signature: string;
  /** Unix seconds, as a decimal string. */
  timestamp: string;
  nonce: string;
}

/** A decrypted payload and the receiveId it was encrypted for (already checked against the expected one). */
export interface DecryptedMessage {
  /** The plaintext: an XML or JSON message, or the echostr of a URL verification. */
  message: string;
  receiveId: string;
}

/** The query parameters and body of a POSTed encrypted callback. */
export interface DecryptMessageInput {
  /** Query parameter `msg_signature` (not OA's plaintext `signature`). */
  msg_signature: string;
  /** Query parameter `timestamp` (Unix seconds). */
  timestamp: string | number;
  /** Query parameter `nonce`. */
  nonce: string;
  /** The raw POST body (XML or JSON envelope), or that body already parsed into fields. */
  body: string | Uint8Array | CallbackFields;
}

/** A verified, decrypted callback. */
export interface DecryptedCallback extends DecryptedMessage {
  /** Envelope format of the request; answer in the same format ({@link WXBizMsgCrypt.encryptReply}). */
  format: 'xml' | 'json';
  /**
   * `ToUserName` (CorpID / OA original id) of the decrypted message, when it has one. Read from the signed
   * payload only: the envelope's unsigned `ToUserName` is ignored.
   */
  toUserName?: string;
  /** `AgentID` (WeCom) of the decrypted message, when present; the envelope's unsigned one is ignored. */
  agentId?: string;
}

const ENCODING_AES_KEY = /^[A-Za-z0-9]{43}$/;
const REPLY_NONCE = /^[A-Za-z0-9_.-]{1,128}$/;
const RANDOM_PREFIX_BYTES = 16;
const LENGTH_BYTES = 4;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Undo what URL form-decoding does to a base64 value passed unencoded in a query string: `+` arrives as a
 * space. Base64 has no spaces and no `%`, so either one can only be a transport artifact. Only line breaks (and
 * the indentation around them, from pretty-printed XML) and tabs are stripped: a plain `trim()` would also eat
 * the space that a leading `+` became, and 1 ciphertext in 64 starts with `+`.
 */
function normaliseBase64(value: string): string {
  let text = value.replace(/^\s*[\r\n]|[\r\n]\s*$/g, '').replace(/[\t\r\n]/g, '');
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // Leave it: base64 validation reports the problem.
    }
  }
  return text.replace(/ /g, '+');
}

/** `value` as a string when it is one (or a finite number, for timestamps); else a typed -40002 error. */
function requireText(value: unknown, name: string, numbers = false): string {
  if (typeof value === 'string') return value;
  if (numbers && typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new WXBizMsgCryptError(
    WXBizMsgCryptErrorCode.Parse,
    `${name} must be a string${numbers ? ' or a number' : ''}, got ${describeType(value)}`,
  );
}

/** `ToUserName` / `AgentID` of a decrypted (signed) message; none when it is not XML/JSON (an echostr). */
function payloadHeader(message: string): { toUserName?: string; agentId?: string } {
  let fields: CallbackFields;
  try {
    ({ fields } = parseCallbackBody(message));
  } catch {
    return {};
  }
  const out: { toUserName?: string; agentId?: string } = {};
  const toUserName = textField(fields, 'ToUserName');
  if (toUserName !== undefined) out.toUserName = toUserName;
  const agentId = textField(fields, 'AgentID');
  if (agentId !== undefined && agentId !== '') out.agentId = agentId;
  return out;
}

function textField(fields: CallbackFields, name: string): string | undefined {
  const value = getCallbackField(fields, name);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/**
 * WeCom / Official Account callback crypto ("WXBizMsgCrypt",
 * https://developer.work.weixin.qq.com/document/path/91144; WeCom 加解密方案说明, OA 安全模式): SHA-1 `msg_signature`,
 * AES-256-CBC with IV = first 16 key bytes, PKCS#7 padding to 32-byte blocks, plaintext
 * `random(16) ‖ msg_len(4, big-endian) ‖ msg ‖ receiveId`. Used for URL verification, for decrypting pushed
 * messages and events (such as `upload_media_job_finish`,
 * https://developer.work.weixin.qq.com/document/path/96219) and for encrypting passive replies.
 * Interoperates with Tencent's samples, wechatpy and the `wechat-crypto` package.
 *
 * Token and key live in private fields, so neither `console.log` nor `JSON.stringify` of an instance shows them.
 * Every failure is a {@link WXBizMsgCryptError} carrying the official code (-40001 … -40011).
 */
export class WXBizMsgCrypt {
  readonly receiveId: string;
  readonly #token: string;
  readonly #key: Buffer;
  readonly #iv: Buffer;
  readonly #maxAgeSeconds: number | undefined;
  #replayStore: Store | undefined;

  /**
   * @throws WXBizMsgCryptError -40004 (IllegalAesKey) when `encodingAESKey` is not 43 characters of
   *   `[A-Za-z0-9]`; -40003 (ComputeSignature_Error) when `token` is empty; -40005 (ValidateCorpid_Error) when
   *   `receiveId` is empty.
   */
  constructor(options: WXBizMsgCryptOptions) {
    const { token, encodingAESKey, receiveId } = options;
    if (typeof token !== 'string' || token === '') {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.ComputeSignature,
        'token is empty: pass the callback Token configured for this URL',
      );
    }
    if (typeof encodingAESKey !== 'string' || !ENCODING_AES_KEY.test(encodingAESKey)) {
      const length = typeof encodingAESKey === 'string' ? encodingAESKey.length : 0;
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.IllegalAesKey,
        `encodingAESKey must be exactly 43 characters of [A-Za-z0-9] (got ${length} characters): ` +
          'copy the EncodingAESKey from the callback settings page',
      );
    }
    if (typeof receiveId !== 'string' || receiveId === '') {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.ValidateReceiveId,
        'receiveId is empty: pass the CorpID (WeCom) or AppID (Official Account)',
      );
    }
    this.#token = token;
    this.#key = Buffer.from(`${encodingAESKey}=`, 'base64');
    this.#iv = this.#key.subarray(0, 16);
    this.receiveId = receiveId;
    const { maxAgeSeconds } = options;
    if (maxAgeSeconds !== undefined && !(Number.isFinite(maxAgeSeconds) && maxAgeSeconds > 0)) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.ValidateSignature,
        `maxAgeSeconds must be a number of seconds > 0, got ${String(maxAgeSeconds)}`,
      );
    }
    this.#maxAgeSeconds = maxAgeSeconds;
    this.#replayStore = options.replayStore;
  }

  /**
   * `msg_signature` over `(token, timestamp, nonce, encrypt)`: SHA-1 hex of the four strings sorted and
   * concatenated (https://developer.work.weixin.qq.com/document/path/91144). `timestamp` is Unix seconds.
   */
  getSignature(timestamp: string | number, nonce: string, encrypt: string): string {
    return callbackSignature([this.#token, String(timestamp), nonce, encrypt]);
  }

  /**
   * Whether `msg_signature` signs `(timestamp, nonce, encrypt)` with this Token; constant-time comparison,
   * never throws.
   */
  verifySignature(
    msg_signature: string,
    timestamp: string | number,
    nonce: string,
    encrypt: string,
  ): boolean {
    if (typeof msg_signature !== 'string' || msg_signature === '') return false;
    return signaturesEqual(msg_signature, this.getSignature(timestamp, nonce, encrypt));
  }

  /**
   * Answer WeCom's / OA 安全模式's URL verification (`GET url?msg_signature&timestamp&nonce&echostr`,
   * https://developer.work.weixin.qq.com/document/path/91144 [W-cb]): check the signature over the echostr,
   * decrypt it, and return the plaintext the server must send back verbatim (no quotes, BOM or newline)
   * within 1 s. Pass the query values URL-decoded; a `+` that a form decoder turned into a space is restored.
   *
   * @throws WXBizMsgCryptError -40001 bad signature (or, with `maxAgeSeconds`, a timestamp outside the window),
   *   -40002 a parameter that is not a string (a repeated query parameter arrives as an array), -40010 echostr
   *   not base64, -40007 AES/padding failure, -40008 malformed plaintext, -40005 echostr encrypted for another
   *   receiveId.
   */
  verifyUrl(msg_signature: string, timestamp: string | number, nonce: string, echostr: string): string {
    const encrypted = normaliseBase64(requireText(echostr, 'echostr'));
    this.#checkSignature(msg_signature, timestamp, nonce, encrypted);
    return this.decrypt(encrypted).message;
  }

  /**
   * Decrypt a base64 `msg_encrypt` (the `Encrypt` element, or an echostr) and check its receiveId
   * (https://developer.work.weixin.qq.com/document/path/91144). Does not check any signature: use {@link
   * decryptMessage} or {@link verifyUrl} for requests from the network.
   *
   * @returns the UTF-8 message and the receiveId found in it (equal to `this.receiveId`).
   * @throws WXBizMsgCryptError -40010 (DecodeBase64_Error) not base64; -40007 (DecryptAES_Error) length not a
   *   multiple of 16 bytes, AES failure or malformed PKCS#7 padding (usually: wrong EncodingAESKey); -40008
   *   (IllegalBuffer) plaintext too short, length field out of range or message not UTF-8; -40005
   *   (ValidateCorpid_Error) encrypted for another CorpID/AppID.
   */
  decrypt(encrypt: string): DecryptedMessage {
    const text = normaliseBase64(typeof encrypt === 'string' ? encrypt : '');
    // Node's decoder skips invalid characters silently; re-encoding is a native, exact validity check.
    const cipherBytes = Buffer.from(text, 'base64');
    if (text === '' || cipherBytes.toString('base64') !== text) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.DecodeBase64,
        `ciphertext is not canonical base64 (${text.length} characters)`,
      );
    }
    if (cipherBytes.length === 0 || cipherBytes.length % 16 !== 0) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.DecryptAES,
        `ciphertext is ${cipherBytes.length} bytes, not a positive multiple of the 16-byte AES block: it was truncated or is not a WeChat ciphertext`,
      );
    }
    let padded: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.#key, this.#iv);
      decipher.setAutoPadding(false);
      padded = Buffer.concat([decipher.update(cipherBytes), decipher.final()]);
    } catch (error) {
      throw new WXBizMsgCryptError(WXBizMsgCryptErrorCode.DecryptAES, 'AES-256-CBC decryption failed', {
        cause: error,
      });
    }
    const plain = pkcs7Unpad(padded);
    if (plain.length < RANDOM_PREFIX_BYTES + LENGTH_BYTES) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.IllegalBuffer,
        `decrypted payload is ${plain.length} bytes, shorter than the 20-byte random+length header`,
      );
    }
    const length = plain.readUInt32BE(RANDOM_PREFIX_BYTES);
    const start = RANDOM_PREFIX_BYTES + LENGTH_BYTES;
    if (length > plain.length - start) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.IllegalBuffer,
        `decrypted payload declares a ${length}-byte message but only ${plain.length - start} bytes follow`,
      );
    }
    let message: string;
    let receiveId: string;
    try {
      message = utf8.decode(plain.subarray(start, start + length));
      receiveId = utf8.decode(plain.subarray(start + length));
    } catch (error) {
      throw new WXBizMsgCryptError(WXBizMsgCryptErrorCode.IllegalBuffer, 'decrypted payload is not UTF-8', {
        cause: error,
      });
    }
    if (receiveId !== this.receiveId) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.ValidateReceiveId,
        `message was encrypted for receiveId "${receiveId.slice(0, 64)}", expected "${this.receiveId}": ` +
          'check the CorpID/AppID (or suite id) this callback URL belongs to',
      );
    }
    return { message, receiveId };
  }

  /**
   * Encrypt `message` (UTF-8) for this receiveId and sign it
   * (https://developer.work.weixin.qq.com/document/path/91144): base64(AES-256-CBC( random(16) ‖ msg_len(4,
   * big-endian) ‖ msg ‖ receiveId, PKCS#7 to 32 bytes)).
   *
   * @throws WXBizMsgCryptError -40011 (GenReturn_Error) when `timestamp` is not whole seconds or `nonce` has
   *   characters other than `[A-Za-z0-9_.-]` (it is embedded in the reply envelope); -40006 (EncryptAES_Error)
   *   when `random` is not 16 bytes.
   */
  encrypt(message: string, options: EncryptOptions = {}): EncryptedMessage {
    const timestamp = String(options.timestamp ?? unixSeconds());
    const nonce = options.nonce ?? createNonce();
    if (!/^\d{1,12}$/.test(timestamp)) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.GenReturn,
        `timestamp must be whole Unix seconds, got "${timestamp.slice(0, 32)}"`,
      );
    }
    if (!REPLY_NONCE.test(nonce)) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.GenReturn,
        'nonce must be 1-128 characters of [A-Za-z0-9_.-]: reuse the nonce of the request or createNonce()',
      );
    }
    const random = options.random ?? randomBytes(RANDOM_PREFIX_BYTES);
    if (random.length !== RANDOM_PREFIX_BYTES) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.EncryptAES,
        `random prefix must be ${RANDOM_PREFIX_BYTES} bytes, got ${random.length}`,
      );
    }
    const body = Buffer.from(String(message), 'utf8');
    const length = Buffer.alloc(LENGTH_BYTES);
    length.writeUInt32BE(body.length, 0);
    const plain = pkcs7Pad(Buffer.concat([random, length, body, Buffer.from(this.receiveId, 'utf8')]));
    let encrypted: string;
    try {
      const cipher = createCipheriv('aes-256-cbc', this.#key, this.#iv);
      cipher.setAutoPadding(false);
      encrypted = Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
    } catch (error) {
      throw new WXBizMsgCryptError(WXBizMsgCryptErrorCode.EncryptAES, 'AES-256-CBC encryption failed', {
        cause: error,
      });
    }
    return {
      encrypt: encrypted,
      msg_signature: this.getSignature(timestamp, nonce, encrypted),
      timestamp,
      nonce,
    };
  }

  /**
   * Verify and decrypt a POSTed callback (https://developer.work.weixin.qq.com/document/path/91144; the
   * `upload_media_job_finish` event of https://developer.work.weixin.qq.com/document/path/96219 arrives this
   * way): read `Encrypt` from the XML envelope `<xml><ToUserName/><Encrypt/><AgentID/></xml>` or the JSON
   * envelope `{"tousername","encrypt","agentid"}`, check `msg_signature` over it, decrypt, check the
   * receiveId. Parse the returned `message` with `parseCallbackMessage` or `parseUploadMediaJobFinish`.
   *
   * Only `Encrypt` is read from the unsigned envelope; `toUserName` and `agentId` come from the decrypted message.
   * The body is bounded before parsing (1 MiB, 32 levels of nesting: see `parseCallbackBody`).
   *
   * @throws WXBizMsgCryptError -40002 input not an object, a query value not a string, body not XML/JSON,
   *   too large or too deep, or without `Encrypt`; -40001 signature mismatch (or, with `maxAgeSeconds`, a
   *   timestamp outside the window); and the errors of {@link decrypt}.
   */
  decryptMessage(input: DecryptMessageInput): DecryptedCallback {
    if (input === null || typeof input !== 'object') {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.Parse,
        `decryptMessage needs { msg_signature, timestamp, nonce, body }, got ${describeType(input)}`,
      );
    }
    const { body } = input;
    let format: 'xml' | 'json';
    let fields: CallbackFields;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      ({ format, fields } = parseCallbackBody(body));
    } else if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      format = Object.hasOwn(body, 'Encrypt') ? 'xml' : 'json';
      fields = body;
    } else {
      throw new WXBizMsgCryptError(WXBizMsgCryptErrorCode.Parse, 'callback body is missing');
    }
    const encrypt = textField(fields, 'Encrypt');
    if (encrypt === undefined || encrypt === '') {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.Parse,
        `callback ${format.toUpperCase()} body has no ${format === 'xml' ? '<Encrypt> element' : '"encrypt" member'}: ` +
          'is 安全模式/encrypted mode enabled for this callback URL?',
      );
    }
    const encrypted = normaliseBase64(encrypt);
    this.#checkSignature(input.msg_signature, input.timestamp, input.nonce, encrypted);
    const decrypted = this.decrypt(encrypted);
    return { ...decrypted, format, ...payloadHeader(decrypted.message) };
  }

  /**
   * {@link decryptMessage}, then refuse a request already accepted: the signature of every accepted request is
   * kept in `replayStore` for `2 × maxAgeSeconds` (`Store.incr`, atomic across processes sharing the Store), and
   * the timestamp window bounds how old a replay can be. Needs `maxAgeSeconds`.
   *
   * @throws WXBizMsgCryptError -40001 when this request was accepted before (a replay, or WeChat's own retry of
   *   a callback you already handled: answer it with an empty 200 and do not act twice); -40003 when the instance
   *   has no `maxAgeSeconds`; and the errors of {@link decryptMessage}.
   */
  async decryptMessageOnce(input: DecryptMessageInput): Promise<DecryptedCallback> {
    const maxAge = this.#maxAgeSeconds;
    if (maxAge === undefined) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.ComputeSignature,
        'decryptMessageOnce needs maxAgeSeconds (the replay window) in the WXBizMsgCrypt options',
      );
    }
    const result = this.decryptMessage(input);
    this.#replayStore ??= memoryStore();
    const key = `md2wx:callback-seen:${this.receiveId}:${String(input.msg_signature).toLowerCase()}`;
    if ((await this.#replayStore.incr(key, 1, 2 * maxAge)) > 1) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.ValidateSignature,
        `this request (same msg_signature) was already accepted within the last ${2 * maxAge} s: a replay, or a retry of a handled callback`,
      );
    }
    return result;
  }

  /**
   * Encrypt a passive reply and wrap it in the envelope WeChat expects
   * (https://developer.work.weixin.qq.com/document/path/91144): XML
   * `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>` (default), or JSON
   * `{"encrypt","msgsignature","timestamp","nonce"}` for WeCom's JSON callback mode (all four strings).
   *
   * @throws WXBizMsgCryptError as {@link encrypt}.
   */
  encryptReply(message: string, options: EncryptOptions & { format?: 'xml' | 'json' } = {}): string {
    const { encrypt, msg_signature, timestamp, nonce } = this.encrypt(message, options);
    if (options.format === 'json') {
      return JSON.stringify({ encrypt, msgsignature: msg_signature, timestamp, nonce });
    }
    // Every value is base64, hex, digits or [A-Za-z0-9_.-] (checked in encrypt), so none can close a CDATA section.
    return (
      `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt>` +
      `<MsgSignature><![CDATA[${msg_signature}]]></MsgSignature>` +
      `<TimeStamp>${timestamp}</TimeStamp>` +
      `<Nonce><![CDATA[${nonce}]]></Nonce></xml>`
    );
  }

  #checkSignature(msg_signature: string, timestamp: string | number, nonce: string, encrypt: string): void {
    const time = requireText(timestamp, 'timestamp', true);
    const once = requireText(nonce ?? '', 'nonce');
    if (!this.verifySignature(msg_signature, time, once, encrypt)) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.ValidateSignature,
        'msg_signature does not match sha1(sort(token, timestamp, nonce, encrypt)): ' +
          'the request was not signed with this callback Token, or its query/body was altered',
      );
    }
    const maxAge = this.#maxAgeSeconds;
    if (maxAge === undefined) return;
    const seconds = /^\d{1,12}$/.test(time) ? Number(time) : Number.NaN;
    if (!(Math.abs(unixSeconds() - seconds) <= maxAge)) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.ValidateSignature,
        `timestamp "${time.slice(0, 16)}" is not Unix seconds within ±${maxAge} s of now: a replayed or forged request (or a clock far off)`,
      );
    }
  }
}
