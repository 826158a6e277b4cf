/**
 * The sandbox's public control surface. Tests across the workspace program against these names:
 * change them only together with every caller.
 */

/** An Official Account the sandbox knows. */
export interface SandboxAccount {
  appId: string;
  appSecret: string;
  /**
   * Verified account (认证). Unverified 公众号 get 48001 from freepublish/*
   * (https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_submit.html). Default true.
   */
  verified?: boolean;
  /**
   * The account's server URL (服务器配置): a finished freepublish job POSTs the `PUBLISHJOBFINISH` event
   * there — plaintext when `encodingAESKey` is absent, 安全模式 (encrypted) when it is set.
   */
  callback?: { url: string; token: string; encodingAESKey?: string };
}

/** A WeCom (企业微信) corp + app the sandbox knows. */
export interface SandboxWecomApp {
  corpId: string;
  corpSecret: string;
  agentId: number;
  /**
   * The app's callback (回调): when set, a finished `media/upload_by_url` job POSTs the encrypted
   * `upload_media_job_finish` event to `url` (https://developer.work.weixin.qq.com/document/path/96219),
   * encrypted with WXBizMsgCrypt (https://developer.work.weixin.qq.com/document/path/91144).
   */
  callback?: { url: string; token: string; encodingAESKey: string };
  /** Member userids in the app's visible range (message/send recipients). Default ['zhangsan', 'lisi']. */
  users?: string[];
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
  /** Fraction of requests whose connection is destroyed without an answer, before anything is done. */
  dropRate?: number;
  /**
   * Fraction of requests answered HTTP 502 with an HTML gateway page (not JSON), before anything is done, as
   * WeChat's front end does when a backend is down. Clients cannot tell it from a 502 after the fact.
   */
  http5xxRate?: number;
  /** Fraction of requests answered 45009 (daily API quota reached), before anything is done. */
  quotaRate?: number;
  /**
   * Fraction of requests carried out and then left unanswered: the handler runs (a draft is added, a message
   * sent) and the connection is destroyed instead of sending the answer, as when the answer is lost on the way
   * back. The client cannot tell whether it happened; repeating a create-type call makes a duplicate.
   */
  dropAnswerRate?: number;
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
  /**
   * API names (e.g. 'media/uploadimg', 'draft/add') whose daily quota is treated as exhausted (45009).
   * A path name hits OA and WeCom alike; prefix 'wecom/' ('wecom/media/upload') to hit WeCom only.
   */
  exhaustedQuotas?: string[];
  /**
   * Token revocation at a chosen moment: after this many more business calls (token endpoints not
   * counted) have been answered, every live access_token (of `revokeTokensOf`, or all) is revoked once,
   * as WeChat may invalidate tokens early. Later calls with them get 40001 (OA) / 40014 (WeCom).
   */
  revokeTokensAfter?: number;
  /** appId / corpId whose tokens `revokeTokensAfter` revokes; default every account. */
  revokeTokensOf?: string;
  /** Outcome of freepublish jobs submitted from now on; default success (status 0). */
  publishFailure?: { status: 2 | 3 | 4; failIdx?: number[] };
  /**
   * Rate faults per API name (`'draft/add'`, `'material/add_material'`, `'wecom/media/upload'`): for that
   * endpoint each given rate replaces the global one, e.g. `{ 'draft/add': { dropAnswerRate: 1 } }`.
   */
  endpoints?: Record<string, SandboxRateFaults>;
}

/** The rate-based faults, settable per endpoint (`SandboxFaults.endpoints`). */
export type SandboxRateFaults = Pick<
  SandboxFaults,
  'busyRate' | 'rateLimitRate' | 'dropRate' | 'dropAnswerRate' | 'http5xxRate' | 'quotaRate'
>;

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
  /** Clock (epoch ms) for token expiry, quotas, publish jobs and media lifetime; default `Date.now`. */
  clock?: () => number;
  /**
   * Override daily quotas per API name (e.g. `{ 'draft/add': 3 }`); `'<name>/month'` overrides a monthly
   * quota (only `'wecom/media/uploadimg/month'` has one). See README for the defaults.
   */
  quotas?: Record<string, number>;
  /**
   * Serve some JSON with `Content-Type: text/plain` as WeChat does (uploadimg success, media/get and
   * get/jssdk errors, get_material binaries; https://github.com/doocs/md/pull/1878). Default true.
   */
  contentTypeQuirks?: boolean;
  /** How long a WeCom upload_by_url job stays at status 1 at least, milliseconds; default 50. */
  uploadByUrlDelayMs?: number;
  /**
   * WeCom `media/upload` and `media/uploadimg` refuse (41005) a `media` part whose Content-Disposition has no
   * `filelength=` ("form-data 中必须包含 filename、filelength、content-type"). Default false, since
   * browsers' FormData cannot send it; a declared filelength that differs from the bytes is refused (40006) always.
   */
  requireFilelength?: boolean;
  /**
   * Keep the state in this JSON file: loaded at start, written after every change (debounced) and at close.
   * A restarted sandbox then knows its drafts, media and tokens (`md2wx --sandbox-state`, `md2wx sandbox
   * --state`). It listens on the port it had before when that is free (and `port` is not given), and keeps
   * accepting image URLs of its earlier origins in article content.
   */
  statePath?: string;
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
  /** Permanent materials currently stored (all accounts). */
  materials: number;
  /** Drafts currently in the draft boxes (all accounts). */
  drafts: number;
  /** freepublish/submit jobs accepted since start/reset. */
  publishJobs: number;
  /** Temporary media currently stored (OA + WeCom). */
  temporaryMedia?: number;
  /** WeCom application messages sent. */
  messagesSent?: number;
  /** Token revocations since start/reset (`revokeTokens()`, `revokeTokensAfter`, `POST /__sandbox/revoke`). */
  revocations?: number;
  /** Faults injected since start/reset, by kind ('drop', 'dropAnswer', 'http5xx', 'busy', 'rateLimit', 'quota'). */
  faultsInjected?: Record<string, number>;
}

/** One request as logged, with secrets and tokens redacted. */
export interface SandboxLogEntry {
  time: number;
  method: string;
  /** Path with the query string, `secret`/`access_token`/`corpsecret` values replaced by `***`. */
  url: string;
  ip: string;
  status: number;
  /** Milliseconds from the request's arrival to its answer (or to the dropped connection). */
  ms?: number;
  /** The fault injected into this request, when one was. */
  fault?: 'drop' | 'dropAnswer' | 'http5xx' | 'busy' | 'rateLimit' | 'quota';
  errcode?: number;
  /** API name ('media/uploadimg', 'wecom/gettoken', 'image-host', …). */
  api?: string;
  /** The file parts of a multipart upload, as received (set once the endpoint read the body). */
  files?: SandboxLoggedFile[];
}

/** One multipart file part in the request log. */
export interface SandboxLoggedFile {
  field: string;
  filename: string;
  contentType: string;
  /** Bytes received. */
  bytes: number;
  /** The part's declared `filelength=` (WeCom's wire format), undefined when absent. */
  filelength: number | undefined;
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
  /** Read-only view of what the sandbox holds (drafts as stored after filtering, materials, messages…). */
  inspect?(): SandboxSnapshot;
}

/** What `inspect()` returns. Article objects are as stored (after `<script>`/external `<img>` removal). */
export interface SandboxSnapshot {
  drafts: { media_id: string; appId: string; articles: Record<string, unknown>[] }[];
  materials: {
    media_id: string;
    appId: string;
    type: string;
    filename: string;
    bytes: number;
    url?: string;
  }[];
  temporaryMedia: { media_id: string; principal: string; type: string; filename: string; bytes: number }[];
  publishJobs: { publish_id: number; appId: string; publish_status: number; article_id?: string }[];
  messages: { msgid: string; corpId: string; agentId: number; body: Record<string, unknown> }[];
  /** Callback deliveries (PUBLISHJOBFINISH, upload_media_job_finish); status 0 = delivery failed. */
  callbacks: { url: string; event: string; id: string; status: number; error?: string }[];
}
