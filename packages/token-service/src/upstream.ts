import { setTimeout as sleep } from 'node:timers/promises';
import got, { RequestError } from 'got';
import { UpstreamError } from './errors.js';

/** The WeChat API base used when an account names none. */
export const WECHAT_API_BASE = 'https://api.weixin.qq.com';

/** One Official Account whose AppSecret the service holds. */
export interface TokenServiceAccount {
  appId: string;
  appSecret: string;
  /** WeChat API base, e.g. a sandbox URL; default `https://api.weixin.qq.com`. */
  baseUrl?: string;
}

/** A credential as WeChat issued it. */
export interface Issued {
  value: string;
  /** Remaining lifetime, seconds. */
  expiresIn: number;
}

/**
 * Where the service gets credentials from. The default (`httpTokenSource`) calls WeChat; tests or other
 * deployments may plug in another.
 */
export interface TokenSource {
  /**
   * A new or current access_token
   * (https://developers.weixin.qq.com/doc/subscription/api/base/api_getstableaccesstoken.html stable_token).
   * `forceRefresh` asks WeChat to rotate it (20/day, 30 s apart); the service uses it only when the normal
   * mode hands back a token a client saw rejected.
   * @throws UpstreamError
   */
  accessToken(account: TokenServiceAccount, options: { forceRefresh: boolean }): Promise<Issued>;
  /**
   * A jsapi_ticket issued with `accessToken`
   * (https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html ticket/getticket?type=jsapi).
   * @throws UpstreamError
   */
  jsapiTicket(account: TokenServiceAccount, accessToken: string): Promise<Issued>;
}

export interface HttpTokenSourceOptions {
  /**
   * Local IP address outgoing requests are bound to, e.g. the one address in the account's WeChat IP
   * whitelist on a multi-homed host. Default: chosen by the OS.
   */
  localAddress?: string;
  /** Per-request timeout, milliseconds; default 10 000. */
  timeoutMs?: number;
  /** Extra attempts after network errors, HTTP 5xx, errcode -1 (busy) and 45011 (minute quota); default 2. */
  retries?: number;
  /** First backoff step, milliseconds (doubles each attempt, full jitter); default 200. */
  retryBaseMs?: number;
}

function redact(text: string, secrets: string[]): string {
  let out = text.replace(/(access_token|secret|ticket)=[^&\s"]+/gi, '$1=***');
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out;
}

/**
 * A `TokenSource` that calls WeChat over HTTP(S) with got: `POST /cgi-bin/stable_token`
 * (https://developers.weixin.qq.com/doc/subscription/api/base/api_getstableaccesstoken.html) for
 * access_tokens — the stable flavour, so the service never invalidates tokens other callers hold — and
 * `GET /cgi-bin/ticket/getticket?type=jsapi`
 * (https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html) for tickets. JSON is read from
 * the body whatever the Content-Type (https://github.com/doocs/md/pull/1878). Errors become `UpstreamError`
 * (network failures: errcode -1) with secrets redacted.
 */
export function httpTokenSource(options: HttpTokenSourceOptions = {}): TokenSource {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const retryBaseMs = options.retryBaseMs ?? 200;

  /** One attempt: the JSON answer, or an UpstreamError (`retryable` for network errors, HTTP 5xx, -1, 45011). */
  async function attempt(
    url: string,
    endpoint: string,
    request: { method: 'GET' | 'POST'; json?: unknown; searchParams?: Record<string, string> },
    secrets: string[],
  ): Promise<Record<string, unknown> | { retryable: UpstreamError }> {
    let body: Buffer;
    let status: number;
    try {
      const response = await got(url, {
        method: request.method,
        ...(request.json === undefined ? {} : { json: request.json }),
        ...(request.searchParams ? { searchParams: request.searchParams } : {}),
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        timeout: { request: timeoutMs },
        retry: { limit: 0 },
        throwHttpErrors: false,
        responseType: 'buffer',
        headers: { 'user-agent': 'md2wx-token-service/0.1' },
      });
      body = response.body;
      status = response.statusCode;
    } catch (error) {
      const reason =
        error instanceof RequestError ? `${error.code ?? 'error'} ${error.message}` : String(error);
      return { retryable: new UpstreamError(endpoint, -1, redact(`network error: ${reason}`, secrets)) };
    }
    let parsed: unknown;
    try {
      // WeChat serves JSON as text/plain at times (https://github.com/doocs/md/pull/1878): parse the body
      // whatever the Content-Type.
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      const snippet = redact(body.subarray(0, 120).toString('utf8'), secrets);
      const error = new UpstreamError(endpoint, -1, `HTTP ${status} without a JSON body: ${snippet}`);
      if (status >= 500) return { retryable: error };
      throw error;
    }
    const json = parsed as Record<string, unknown>;
    if (typeof json.errcode === 'number' && json.errcode !== 0) {
      const error = new UpstreamError(endpoint, json.errcode, redact(String(json.errmsg ?? ''), secrets));
      if (json.errcode === -1 || json.errcode === 45011) return { retryable: error };
      throw error;
    }
    return json;
  }

  async function call(
    account: TokenServiceAccount,
    endpoint: string,
    request: { method: 'GET' | 'POST'; json?: unknown; searchParams?: Record<string, string> },
    secrets: string[],
  ): Promise<Record<string, unknown>> {
    const url = `${(account.baseUrl ?? WECHAT_API_BASE).replace(/\/+$/, '')}/${endpoint}`;
    for (let n = 0; ; n++) {
      const result = await attempt(url, endpoint, request, secrets);
      if (!('retryable' in result)) return result;
      if (n >= retries) throw result.retryable;
      // Exponential backoff with full jitter: 0–200 ms, 0–400 ms, …
      await sleep(Math.random() * retryBaseMs * 2 ** n);
    }
  }

  function issued(endpoint: string, json: Record<string, unknown>, field: string): Issued {
    const value = json[field];
    const expiresIn = Number(json.expires_in);
    if (typeof value !== 'string' || value === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new UpstreamError(endpoint, -1, `answer without ${field}/expires_in`);
    }
    return { value, expiresIn };
  }

  return {
    async accessToken(account, { forceRefresh }) {
      const endpoint = 'cgi-bin/stable_token';
      const json = await call(
        account,
        endpoint,
        {
          method: 'POST',
          json: {
            grant_type: 'client_credential',
            appid: account.appId,
            secret: account.appSecret,
            force_refresh: forceRefresh,
          },
        },
        [account.appSecret],
      );
      return issued(endpoint, json, 'access_token');
    },
    async jsapiTicket(account, accessToken) {
      const endpoint = 'cgi-bin/ticket/getticket';
      const json = await call(
        account,
        endpoint,
        { method: 'GET', searchParams: { access_token: accessToken, type: 'jsapi' } },
        [account.appSecret, accessToken],
      );
      return issued(endpoint, json, 'ticket');
    },
  };
}
