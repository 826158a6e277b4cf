import got from 'got';
import { TokenProviderError } from '../core/errors.js';
import { redactPatterns } from '../core/redact.js';
import type { Transport } from '../core/transport.js';
import type { Store } from '../store/types.js';
import type { IssuedCredential } from './manager.js';
import { credentialScope } from './scope.js';

/** What a token provider answers: WeChat's own shape. `expires_in` is the remaining lifetime in seconds. */
export interface ProvidedToken {
  access_token: string;
  expires_in: number;
}

/**
 * A user-supplied access_token source (e.g. your own central control server). Called on a cache miss, and with
 * `staleToken` when WeChat rejected that token (40001/40014/42001): answer a different, valid token.
 * An optional `jsapiTicket()` lets `jssdkConfig` take tickets from the same place.
 */
export interface TokenProvider {
  (request: { staleToken?: string }): Promise<ProvidedToken>;
  jsapiTicket?: () => Promise<{ ticket: string; expires_in: number }>;
  /**
   * What distinguishes this provider's tokens in the cache key (hashed, never stored as is): e.g. the service
   * URL and its bearer secret, so pointing at another service or secret never reuses the old one's token.
   */
  cacheScope?: string;
}

function issued(body: Record<string, unknown>, what: string): IssuedCredential {
  const value = body.access_token ?? body.ticket;
  const expiresIn = Number(body.expires_in);
  if (typeof value !== 'string' || value === '' || !Number.isFinite(expiresIn)) {
    throw new TokenProviderError(
      `${what} answered without a usable token (fields: ${Object.keys(body).join(', ')}).`,
    );
  }
  return { value, expiresIn };
}

/**
 * https://developers.weixin.qq.com/doc/subscription/api/base/api_getaccesstoken.html:
 * `GET /cgi-bin/token?grant_type=client_credential&appid&secret` (classic; each call rotates the token).
 */
export function classicTokenSource(transport: Transport, appId: string, appSecret: string) {
  return async (): Promise<IssuedCredential> =>
    issued(
      await transport.json({
        method: 'GET',
        path: '/cgi-bin/token',
        query: { grant_type: 'client_credential', appid: appId, secret: appSecret },
      }),
      'cgi-bin/token',
    );
}

/**
 * https://developers.weixin.qq.com/doc/subscription/api/base/api_getstableaccesstoken.html:
 * `POST /cgi-bin/stable_token`. Normal mode (`force_refresh: false`) does not log out other systems on the
 * same AppID. When WeChat rejected a token and normal mode hands the same one back, force_refresh is used,
 * but only within its limits — at least 30 s apart and 20 a day, counted in the Store for every process.
 */
export function stableTokenSource(
  transport: Transport,
  appId: string,
  appSecret: string,
  store: Store,
  keyPrefix: string,
) {
  const call = async (force: boolean) =>
    issued(
      await transport.json({
        method: 'POST',
        path: '/cgi-bin/stable_token',
        json: { grant_type: 'client_credential', appid: appId, secret: appSecret, force_refresh: force },
      }),
      'cgi-bin/stable_token',
    );
  return async ({ staleValue }: { staleValue?: string }): Promise<IssuedCredential> => {
    const normal = await call(false);
    if (staleValue === undefined || normal.value !== staleValue) return normal;
    const lastKey = `${keyPrefix}:force:last`;
    const dayKey = `${keyPrefix}:force:day:${new Date().toISOString().slice(0, 10)}`;
    const last = (await store.get<number>(lastKey)) ?? 0;
    const today = (await store.get<number>(dayKey)) ?? 0;
    if (Date.now() - last < 30_000 || today >= 20) {
      transport.log(
        'warn',
        `stable_token force_refresh skipped for ${appId}: limited to 20 a day, 30 s apart`,
      );
      return normal;
    }
    await store.set(lastKey, Date.now(), 86_400);
    await store.incr(dayKey, 1, 86_400);
    return call(true);
  };
}

/**
 * WeCom https://developer.work.weixin.qq.com/document/path/91039: `GET /cgi-bin/gettoken?corpid&corpsecret`.
 */
export function wecomTokenSource(transport: Transport, corpId: string, corpSecret: string) {
  return async (): Promise<IssuedCredential> =>
    issued(
      await transport.json({
        method: 'GET',
        path: '/cgi-bin/gettoken',
        query: { corpid: corpId, corpsecret: corpSecret },
      }),
      'cgi-bin/gettoken',
    );
}

/** Adapts a user `TokenProvider` to the cache, checking its answer. */
export function providerSource(provider: TokenProvider) {
  return async ({ staleValue }: { staleValue?: string }): Promise<IssuedCredential> => {
    const answer = await provider(staleValue === undefined ? {} : { staleToken: staleValue });
    return issued(answer as unknown as Record<string, unknown>, 'tokenProvider');
  };
}

/**
 * A `TokenProvider` reading tokens from the central token service (`@md2wx/token-service`, its README's "HTTP protocol"):
 * `GET <url>/v1/accounts/<account>/access_token` with `Authorization: Bearer <secret>`, `?stale=<token>` after a
 * rejection; `jsapiTicket()` reads `/jsapi_ticket`. Throws `TokenProviderError` with the HTTP status and, for 502,
 * WeChat's errcode; the bearer secret and tokens never appear in its messages.
 * `timeoutMs`: per request, default 10,000.
 */
export function remoteTokenProvider(options: {
  url: string;
  secret: string;
  account: string;
  timeoutMs?: number;
}): TokenProvider {
  const base = options.url.replace(/\/+$/, '');
  const scrub = (text: string) => redactPatterns(text.split(options.secret).join('***'));
  const fetchJson = async (what: 'access_token' | 'jsapi_ticket', stale?: string) => {
    const url = new URL(`${base}/v1/accounts/${encodeURIComponent(options.account)}/${what}`);
    if (stale) url.searchParams.set('stale', stale);
    let response: import('got').Response<string>;
    try {
      response = await got(url, {
        headers: { authorization: `Bearer ${options.secret}` },
        timeout: { request: options.timeoutMs ?? 10_000 },
        // Only network errors are retried: a 502 carries WeChat's verdict, which a retry would not change.
        retry: { limit: 2, methods: ['GET'], statusCodes: [] },
        throwHttpErrors: false,
      });
    } catch (error) {
      throw new TokenProviderError(
        scrub(
          `token service ${base} unreachable: ${(error as Error).message}. Check the URL and that it is running.`,
        ),
      );
    }
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(response.body) as Record<string, unknown>;
    } catch {}
    if (response.statusCode !== 200) {
      const reason =
        response.statusCode === 401
          ? 'unauthorized: check the bearer secret'
          : response.statusCode === 404
            ? `unknown account ${options.account}: is it configured in the service?`
            : response.statusCode === 429
              ? 'rate limited: slow down'
              : `${String(body.error ?? 'error')}${body.errcode !== undefined ? ` errcode ${String(body.errcode)} ${String(body.errmsg ?? '')}` : ''}`;
      throw new TokenProviderError(scrub(`token service answered HTTP ${response.statusCode}: ${reason}`), {
        status: response.statusCode,
        ...(typeof body.errcode === 'number' ? { errcode: body.errcode } : {}),
      });
    }
    return body;
  };
  const provider: TokenProvider = async ({ staleToken }) => {
    const body = await fetchJson('access_token', staleToken);
    const credential = issued(body, 'token service');
    return { access_token: credential.value, expires_in: credential.expiresIn };
  };
  provider.cacheScope = `remote:${credentialScope(base, options.secret, options.account)}`;
  provider.jsapiTicket = async () => {
    const body = await fetchJson('jsapi_ticket');
    const credential = issued(body, 'token service');
    return { ticket: credential.value, expires_in: credential.expiresIn };
  };
  return provider;
}
