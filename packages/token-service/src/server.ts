import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { memoryStore, type Store } from '@md2wx/wechat';
import { bearerChecker, ipAllowList, normalizeIp } from './access.js';
import { type CredentialRecord, SharedCredential } from './credential.js';
import { INVALID_TOKEN_ERRCODES, TokenServiceError, UpstreamError } from './errors.js';
import { httpTokenSource, type TokenServiceAccount, type TokenSource } from './upstream.js';

export interface TokenServiceRateLimit {
  /** Requests allowed per client IP per window (health checks excluded). */
  max: number;
  /** Window length, seconds. */
  windowSeconds: number;
}

export interface TokenServiceOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Bind address; default `127.0.0.1`. Use `0.0.0.0` to serve other machines (then set `allowIps`). */
  host?: string;
  /** The Official Accounts served; the AppSecrets never leave the service. */
  accounts: TokenServiceAccount[];
  /** Bearer secret clients send as `Authorization: Bearer <secret>`; at least 16 characters. */
  secret: string;
  /** Client IPs or CIDR subnets allowed to connect (others get 403); default: every IP. */
  allowIps?: string[];
  /**
   * Where credentials and rate-limit counters live; default an in-process memory store. Pass a Redis store
   * to run several instances of the service behind a load balancer: they then share one token per account.
   */
  store?: Store;
  /** Refresh a credential when fewer than this many seconds are left; default 300. */
  refreshAheadSeconds?: number;
  /** How often the background sweep refreshes due credentials, seconds; default 15. */
  sweepSeconds?: number;
  /** Per-client-IP limit; default 600 requests per 60 s; `false` turns it off. */
  rateLimit?: TokenServiceRateLimit | false;
  /** Local address outgoing WeChat requests are bound to (the whitelisted one on a multi-homed host). */
  localAddress?: string;
  /** Timeout of each WeChat request, milliseconds; default 10 000. */
  timeoutMs?: number;
  /** Where credentials come from; default `httpTokenSource({ localAddress, timeoutMs })`. */
  source?: TokenSource;
  /** Store key prefix of the service's own records; default `token-service:`. */
  keyPrefix?: string;
  /**
   * Receives one line per request and per refresh. Lines carry no secret, token or ticket (query strings are
   * dropped). Default: silent.
   */
  log?: (line: string) => void;
}

/** Counters for tests and monitoring. */
export interface TokenServiceStats {
  requests: number;
  unauthorized: number;
  forbidden: number;
  rateLimited: number;
  /** Successful fetches from WeChat per appId, access_tokens and tickets together. */
  refreshes: Record<string, number>;
  upstreamErrors: number;
}

export interface TokenService {
  /** e.g. `http://127.0.0.1:8787` */
  readonly url: string;
  readonly port: number;
  stats(): TokenServiceStats;
  /** Stop listening (open connections are ended), stop the sweep; closes the store only if the service made it. */
  close(): Promise<void>;
}

interface AccountState {
  account: TokenServiceAccount;
  token: SharedCredential;
  ticket: SharedCredential;
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Start the central token service (中控服务器): it holds the AppSecrets, fetches access_tokens
 * (stable_token, https://developers.weixin.qq.com/doc/subscription/api/base/api_getstableaccesstoken.html)
 * and jsapi_tickets (https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html) from WeChat,
 * refreshes them `refreshAheadSeconds` before expiry, and serves them over HTTP (the protocol of the README's "HTTP protocol"):
 *
 * - `GET /healthz` → 200 `{ "ok": true }` (no auth, not rate-limited).
 * - `GET /v1/accounts/<appId>/access_token[?stale=<token>]` → `{ access_token, expires_in }` (seconds left).
 *   `stale`: WeChat rejected that token (40001/40014/42001); the service refreshes once if it is the current one.
 * - `GET /v1/accounts/<appId>/jsapi_ticket` → `{ ticket, expires_in }`.
 * - Errors: 401 `{ error: 'unauthorized' }`, 413 `{ error: 'request body not allowed' }` (any request with a body;
 *   the body is never read and the connection is closed once answered), 403 `{ error: 'forbidden' }` (IP not in `allowIps`),
 *   404 `{ error: 'unknown account' }` / `{ error: 'not found' }`, 405, 429 `{ error: 'rate limited' }` with
 *   Retry-After, 502 `{ error: 'upstream', errcode, errmsg }`.
 *
 * Order of checks: IP allow-list, rate limit, bearer secret (constant time), then the account — so a wrong
 * secret learns nothing about which accounts exist. Only this process talks to WeChat's token endpoints, so
 * only its address needs to be in the account's IP whitelist (40164).
 *
 * @throws TokenServiceError 'config' (no accounts, duplicate appId, secret < 16 chars, bad allowIps entry,
 *   bad numbers) or 'listen' (port in use, address not available).
 */
export async function startTokenService(options: TokenServiceOptions): Promise<TokenService> {
  const checkBearer = bearerChecker(options.secret);
  const allowed = options.allowIps?.length ? ipAllowList(options.allowIps) : undefined;
  if (!Array.isArray(options.accounts) || options.accounts.length === 0) {
    throw new TokenServiceError('config', 'token service needs at least one account ({ appId, appSecret })');
  }
  const refreshAheadSeconds = options.refreshAheadSeconds ?? 300;
  const sweepSeconds = options.sweepSeconds ?? 15;
  const rateLimit = options.rateLimit === undefined ? { max: 600, windowSeconds: 60 } : options.rateLimit;
  const positive = (name: string, value: number, zeroOk = false) => {
    if (!Number.isFinite(value) || value < 0 || (!zeroOk && value === 0)) {
      throw new TokenServiceError(
        'config',
        `token service option ${name} must be a positive number, got ${value}`,
      );
    }
  };
  positive('refreshAheadSeconds', refreshAheadSeconds, true);
  positive('sweepSeconds', sweepSeconds);
  if (rateLimit) {
    positive('rateLimit.max', rateLimit.max);
    positive('rateLimit.windowSeconds', rateLimit.windowSeconds);
  }
  const ownStore = options.store === undefined;
  const store = options.store ?? memoryStore();
  const prefix = options.keyPrefix ?? 'token-service:';
  const source =
    options.source ??
    httpTokenSource({
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  const log = options.log ?? (() => {});
  const stats: TokenServiceStats = {
    requests: 0,
    unauthorized: 0,
    forbidden: 0,
    rateLimited: 0,
    refreshes: {},
    upstreamErrors: 0,
  };

  const accounts = new Map<string, AccountState>();
  for (const account of options.accounts) {
    if (!account?.appId || !account.appSecret) {
      throw new TokenServiceError('config', 'every token service account needs appId and appSecret');
    }
    if (accounts.has(account.appId)) {
      throw new TokenServiceError('config', `account ${account.appId} is listed twice`);
    }
    const appId = account.appId;
    const counted = (what: string) => (record: CredentialRecord) => {
      stats.refreshes[appId] = (stats.refreshes[appId] ?? 0) + 1;
      log(
        `refreshed ${what} of ${appId}: expires in ${Math.round((record.expiresAt - Date.now()) / 1000)} s`,
      );
    };
    const failed = (what: string) => (error: unknown, servedStale: boolean) => {
      stats.upstreamErrors++;
      const reason =
        error instanceof UpstreamError ? `errcode ${error.errcode} ${error.errmsg}` : 'unexpected error';
      log(
        `refresh of ${what} for ${appId} failed: ${reason}${servedStale ? ' (serving the cached one)' : ''}`,
      );
    };
    const token: SharedCredential = new SharedCredential({
      store,
      key: `${prefix}access_token:${appId}`,
      refreshAheadMs: refreshAheadSeconds * 1000,
      async fetch(stale) {
        const issued = await source.accessToken(account, { forceRefresh: false });
        // Normal mode hands back the current token while WeChat thinks it valid; one a client saw rejected
        // needs the force mode (20/day,
        // https://developers.weixin.qq.com/doc/subscription/api/base/api_getstableaccesstoken.html).
        if (stale !== undefined && issued.value === stale)
          return source.accessToken(account, { forceRefresh: true });
        return issued;
      },
      onRefresh: counted('access_token'),
      onRefreshError: failed('access_token'),
    });
    const ticket = new SharedCredential({
      store,
      key: `${prefix}jsapi_ticket:${appId}`,
      refreshAheadMs: refreshAheadSeconds * 1000,
      async fetch() {
        const current = await token.get();
        try {
          return await source.jsapiTicket(account, current.value);
        } catch (error) {
          if (!(error instanceof UpstreamError && INVALID_TOKEN_ERRCODES.has(error.errcode))) throw error;
          const fresh = await token.replace(current.value);
          return source.jsapiTicket(account, fresh.value);
        }
      },
      onRefresh: counted('jsapi_ticket'),
      onRefreshError: failed('jsapi_ticket'),
    });
    accounts.set(appId, { account, token, ticket });
  }

  /** Fixed window per client IP, opened by its first request; the counter expires with the window. */
  async function overLimit(ip: string): Promise<number | undefined> {
    if (!rateLimit) return undefined;
    const count = await store.incr(`${prefix}rate:${ip}`, 1, rateLimit.windowSeconds);
    return count <= rateLimit.max ? undefined : Math.ceil(rateLimit.windowSeconds);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    stats.requests++;
    const ip = normalizeIp(req.socket.remoteAddress);
    const url = new URL(req.url ?? '/', 'http://token-service.invalid');
    if (allowed && !allowed(ip)) {
      stats.forbidden++;
      json(res, 403, { error: 'forbidden' });
      return 403;
    }
    if (url.pathname === '/healthz') {
      json(res, 200, { ok: true });
      return 200;
    }
    const retryAfter = await overLimit(ip);
    if (retryAfter !== undefined) {
      stats.rateLimited++;
      json(res, 429, { error: 'rate limited' }, { 'retry-after': String(retryAfter) });
      return 429;
    }
    if (!checkBearer(req.headers.authorization)) {
      stats.unauthorized++;
      json(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer realm="md2wx-token-service"' });
      return 401;
    }
    if (hasBody(req)) {
      json(res, 413, { error: 'request body not allowed' });
      return 413;
    }
    const match = /^\/v1\/accounts\/([^/]+)\/(access_token|jsapi_ticket)$/.exec(url.pathname);
    if (!match) {
      json(res, 404, { error: 'not found' });
      return 404;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: 'method not allowed' }, { allow: 'GET' });
      return 405;
    }
    let appId: string;
    try {
      appId = decodeURIComponent(match[1] ?? '');
    } catch {
      appId = '';
    }
    const state = accounts.get(appId);
    if (!state) {
      json(res, 404, { error: 'unknown account' });
      return 404;
    }
    try {
      if (match[2] === 'access_token') {
        const stale = url.searchParams.get('stale');
        const record = stale ? await state.token.replace(stale) : await state.token.get();
        json(res, 200, { access_token: record.value, expires_in: secondsLeft(record) });
      } else {
        const record = await state.ticket.get();
        json(res, 200, { ticket: record.value, expires_in: secondsLeft(record) });
      }
      return 200;
    } catch (error) {
      if (error instanceof UpstreamError) {
        json(res, 502, { error: 'upstream', errcode: error.errcode, errmsg: error.errmsg });
        return 502;
      }
      throw error;
    }
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    // Every endpoint is a GET: a request body is never read. Node would drain whatever the client still sends
    // after we answered (a 2 GB chunked upload with a wrong secret, say) to keep the connection alive; a
    // refused or body-carrying request instead gets `connection: close` and its socket is closed as soon as
    // the answer is out, so at most the socket buffers' worth of body (a few MB) is ever read.
    if (hasBody(req)) res.setHeader('connection', 'close');
    res.on('finish', () => {
      if (!req.complete) req.socket.destroySoon();
    });
    handle(req, res).then(
      (status) => {
        // The path only: a query string may hold a stale token.
        log(
          `${req.method} ${(req.url ?? '/').split('?')[0]} ${status} ${Date.now() - started}ms ip=${normalizeIp(req.socket.remoteAddress)}`,
        );
      },
      () => {
        if (!res.headersSent) json(res, 500, { error: 'internal' });
        else res.destroy();
        log(
          `${req.method} ${(req.url ?? '/').split('?')[0]} 500 ip=${normalizeIp(req.socket.remoteAddress)}`,
        );
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new TokenServiceError(
          'listen',
          `token service cannot listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 0}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const displayHost = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;

  // Background refresh: keep every token (and every ticket someone asked for) ahead of expiry.
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      for (const state of accounts.values()) {
        await state.token.get().catch(() => {});
        if (await state.ticket.read().catch(() => undefined)) await state.ticket.get().catch(() => {});
      }
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), sweepSeconds * 1000);
  timer.unref();
  void sweep();

  let closing: Promise<void> | undefined;
  return {
    url: `http://${displayHost}:${address.port}`,
    port: address.port,
    stats: () => structuredClone(stats),
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        if (ownStore) await store.close?.();
      })();
      return closing;
    },
  };
}

/** True when the request announces a body (chunked, or a non-zero Content-Length): no endpoint takes one. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function secondsLeft(record: CredentialRecord): number {
  return Math.max(0, Math.floor((record.expiresAt - Date.now()) / 1000));
}
