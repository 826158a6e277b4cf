/** Why the token service refused to start or could not answer. */
export type TokenServiceErrorCode = 'config' | 'listen';

/** Bad configuration (`startTokenService` options) or a port that cannot be bound. */
export class TokenServiceError extends Error {
  override readonly name = 'TokenServiceError';
  readonly code: TokenServiceErrorCode;

  constructor(code: TokenServiceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * WeChat refused to issue a credential (or could not be reached: `errcode` -1). Served to clients as
 * 502 `{ "error": "upstream", errcode, errmsg }`. `errmsg` has the AppSecret and any token redacted.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly errcode: number;
  readonly errmsg: string;
  /** WeChat's request id (`rid: …` in errmsg), for `openapi/rid/get`; undefined when absent. */
  readonly rid: string | undefined;
  /** The WeChat endpoint, e.g. `cgi-bin/stable_token`. */
  readonly endpoint: string;

  constructor(endpoint: string, errcode: number, errmsg: string) {
    super(`WeChat ${endpoint} answered errcode ${errcode}: ${errmsg}`);
    this.endpoint = endpoint;
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.rid = /\brid:\s*([\w-]+)/.exec(errmsg)?.[1];
  }
}

/**
 * errcodes meaning "this access_token is no good"
 * (https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html).
 */
export const INVALID_TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);
