import { hintFor, ipFromErrmsg, type Platform } from './hints.js';

/** Base class of every error this package throws. `code` is a stable machine-readable tag. */
export class WechatError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WechatError';
    this.code = code;
  }

  /**
   * `{ name, code, message, …fields }` for `JSON.stringify` (CLI `--json`, structured logs). Every field is
   * already redacted: no AppSecret, access_token or ticket.
   */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    for (const [key, value] of Object.entries(this))
      if (value !== undefined && !(key in out)) out[key] = value;
    return out;
  }
}

/**
 * The `rid: …` request id WeChat appends to errmsg, usable with `POST /cgi-bin/openapi/rid/get`
 * (https://developers.weixin.qq.com/doc/subscription/api/apimanage/api_getridinfo.html).
 */
export function ridFromErrmsg(errmsg: string): string | undefined {
  return /\brid:\s*([0-9a-zA-Z-]+)/.exec(errmsg)?.[1];
}

/**
 * WeChat answered `{ errcode != 0, errmsg }`. Keeps the raw `errcode`, `errmsg` and `rid`, the endpoint
 * (e.g. `cgi-bin/draft/add`), a `hint` telling the user what to do, and for 40164 the `ip` WeChat saw.
 * The message is already redacted (no AppSecret or access_token).
 */
export class WechatApiError extends WechatError {
  readonly errcode: number;
  readonly errmsg: string;
  readonly rid: string | undefined;
  readonly endpoint: string;
  readonly hint: string | undefined;
  readonly ip: string | undefined;
  readonly platform: Platform;

  constructor(args: { errcode: number; errmsg: string; endpoint: string; platform: Platform }) {
    const hint = hintFor(args.platform, args.errcode, args.errmsg);
    const ip = args.errcode === 40164 ? ipFromErrmsg(args.errmsg) : undefined;
    const where = ip ? ` (caller IP ${ip})` : '';
    super(
      `wechat-${args.errcode}`,
      `${args.endpoint} failed: errcode ${args.errcode} ${args.errmsg}${where}` +
        (hint ? `. Hint: ${hint}` : ''),
    );
    this.name = 'WechatApiError';
    this.errcode = args.errcode;
    this.errmsg = args.errmsg;
    this.rid = ridFromErrmsg(args.errmsg);
    this.endpoint = args.endpoint;
    this.hint = hint;
    this.ip = ip;
    this.platform = args.platform;
  }
}

/**
 * The connection failed, timed out or was dropped, after all bounded retries. `ambiguous` is true when the
 * last attempt of a create-type call (draft/add, freepublish/submit, add_material, message/send, …) may have
 * reached WeChat: it was not repeated, because repeating could create a duplicate; check before calling again.
 */
export class WechatNetworkError extends WechatError {
  readonly endpoint: string;
  readonly attempts: number;
  readonly ambiguous: boolean;
  /**
   * `options.advice`: what to check before calling again when `ambiguous` (e.g. "Check the draft box …"), from
   * `ambiguityAdvice`.
   */
  constructor(
    endpoint: string,
    attempts: number,
    reason: string,
    options: { ambiguous?: boolean; advice?: string } = {},
  ) {
    const ambiguous = options.ambiguous ?? false;
    const advice = options.advice ?? 'Check (e.g. list drafts or materials) before calling again';
    super(
      'network',
      ambiguous
        ? `${endpoint} failed after ${attempts} attempt(s): ${reason}. The request had been sent, so WeChat may have carried it out; it was not repeated to avoid a duplicate. ${advice}.`
        : `${endpoint} failed after ${attempts} attempt(s): ${reason}. Check the network and baseUrl; WeChat may be unreachable.`,
    );
    this.name = 'WechatNetworkError';
    this.endpoint = endpoint;
    this.attempts = attempts;
    this.ambiguous = ambiguous;
  }
}

/** The server answered with an HTTP status outside 2xx, or a body that is neither JSON nor the expected binary. */
export class WechatHttpError extends WechatError {
  readonly endpoint: string;
  readonly status: number;
  constructor(endpoint: string, status: number, detail: string) {
    super('http', `${endpoint} answered HTTP ${status}: ${detail}`);
    this.name = 'WechatHttpError';
    this.endpoint = endpoint;
    this.status = status;
  }
}

/**
 * Input refused before any request (size bounds, real format by magic bytes, article field limits, async upload
 * type). `code`: 'too-small' | 'too-large' | 'bad-format' | 'bad-type' | 'field-too-long' | 'missing-field' |
 * 'bad-argument' | 'not-found'. `subject` names the file or field.
 */
export class WechatInputError extends WechatError {
  readonly subject: string | undefined;
  constructor(code: string, message: string, subject?: string) {
    super(code, message);
    this.name = 'WechatInputError';
    this.subject = subject;
  }
}

/** A local quota counter (WeCom uploadimg 1,000/day, 3,000/month) would be exceeded; nothing was sent. */
export class WechatQuotaError extends WechatError {
  readonly window: 'day' | 'month';
  readonly used: number;
  readonly limit: number;
  constructor(window: 'day' | 'month', used: number, limit: number, what: string) {
    super(
      'quota',
      `${what}: ${used} of ${limit} calls this ${window} already used; refusing before WeChat does. Wait for the next ${window}.`,
    );
    this.name = 'WechatQuotaError';
    this.window = window;
    this.used = used;
    this.limit = limit;
  }
}

/** A token provider (central token service or user function) failed. `status` is the HTTP status if any. */
export class TokenProviderError extends WechatError {
  readonly status: number | undefined;
  readonly errcode: number | undefined;
  constructor(message: string, options: { status?: number; errcode?: number } = {}) {
    super('token-provider', message);
    this.name = 'TokenProviderError';
    this.status = options.status;
    this.errcode = options.errcode;
  }
}

/** A poller (waitForPublish, waitForUploadJob) ran out of time. */
export class WechatTimeoutError extends WechatError {
  constructor(message: string) {
    super('timeout', message);
    this.name = 'WechatTimeoutError';
  }
}
