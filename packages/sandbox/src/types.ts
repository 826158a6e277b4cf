/**
 * The sandbox's public control surface. Tests across the workspace program against these names:
 * change them only together with every caller.
 */

/** An Official Account the sandbox knows. */
export interface SandboxAccount {
  appId: string;
  appSecret: string;
}

/** A WeCom (企业微信) corp + app the sandbox knows. */
export interface SandboxWecomApp {
  corpId: string;
  corpSecret: string;
  agentId: number;
}

/** Seeded fault injection. Rates are fractions in [0, 1]. */
export interface SandboxFaults {
  /** Fixed latency added to every answer, milliseconds. */
  latencyMs?: number;
  /** Random extra latency in [0, jitterMs), milliseconds. */
  jitterMs?: number;
  /** Fraction of requests answered `{"errcode":-1,"errmsg":"system error"}`. */
  busyRate?: number;
  /** Fraction of requests answered 45011 (API minute-quota reached). */
  rateLimitRate?: number;
  /** Fraction of requests whose connection is destroyed without an answer. */
  dropRate?: number;
  /**
   * Which endpoints the rate-based faults above hit: 'api' = every endpoint but the token endpoints
   * (token, stable_token, gettoken), 'all' = every endpoint. Default 'api'.
   */
  scope?: 'api' | 'all';
  /**
   * IP whitelist: callers whose IP is not in `allowed` get 40164 with their IP in errmsg, as WeChat words it.
   * `appliesTo: 'token'` checks only the token endpoints; 'all' checks every endpoint.
   */
  ipWhitelist?: { allowed: string[]; appliesTo: 'token' | 'all' };
  /** API names (e.g. 'media/uploadimg', 'draft/add') whose daily quota is treated as exhausted (45009). */
  exhaustedQuotas?: string[];
}

export interface SandboxOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Bind address; default '127.0.0.1'. */
  host?: string;
  /** Official Accounts. Default: one account, `DEFAULT_ACCOUNT`. */
  accounts?: SandboxAccount[];
  /** WeCom apps. Default: one app, `DEFAULT_WECOM_APP`. */
  wecom?: SandboxWecomApp[];
  /** access_token lifetime in seconds; default 7200. */
  tokenTtlSeconds?: number;
  /** How long a freepublish job stays "publishing" before it completes, milliseconds; default 200. */
  publishDelayMs?: number;
  /** Accept material/add_news (the retired API) instead of answering its retirement error. */
  legacyAddNews?: boolean;
  /** Seed for every random choice (faults, ids); default 1. */
  seed?: number;
  /** Faults active from the start; change later with `setFaults`. */
  faults?: SandboxFaults;
}

/** Counters read by tests ("exactly 1 token request"). */
export interface SandboxStats {
  /** Successful token issuances (token, stable_token, gettoken) per appId / corpId. */
  tokensIssued: Record<string, number>;
  /** Requests to token endpoints per appId / corpId, successful or not. */
  tokenRequests: Record<string, number>;
  /** Successful uploads per endpoint name, e.g. { 'media/uploadimg': 3, 'material/add_material': 1 }. */
  uploads: Record<string, number>;
  /** Requests per endpoint name, successful or not (faults included). */
  requests: Record<string, number>;
  materials: number;
  drafts: number;
  publishJobs: number;
}

/** One request as logged, with secrets and tokens redacted. */
export interface SandboxLogEntry {
  time: number;
  method: string;
  /** Path with the query string, `secret`/`access_token`/`corpsecret` values replaced by `***`. */
  url: string;
  ip: string;
  status: number;
  errcode?: number;
}

export interface Sandbox {
  /** Official Account base URL: the client's `baseUrl`, e.g. `http://127.0.0.1:54321` (paths `/cgi-bin/...`). */
  url: string;
  /** WeCom base URL (paths `/cgi-bin/...` below it), e.g. `http://127.0.0.1:54321/wecom`. */
  wecomUrl: string;
  /** Where uploaded images are served back, e.g. `http://127.0.0.1:54321` + `/mmbiz_png/<id>/0?wx_fmt=png`. */
  imageHost: string;
  stats(): SandboxStats;
  requestLog(): SandboxLogEntry[];
  /** Replace the active faults (merged over the current ones; pass `{}` fields to clear). */
  setFaults(faults: SandboxFaults): void;
  /** Invalidate every live access_token (of one account, or all): later calls with them get 40001. */
  revokeTokens(appIdOrCorpId?: string): void;
  /** Forget all state (tokens, media, drafts, counters, log) but keep options. */
  reset(): void;
  close(): Promise<void>;
}
