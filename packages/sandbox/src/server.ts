/**
 * The sandbox HTTP server: routing, fault injection, access_token checks, quotas, request log and
 * response encoding. Endpoint logic lives in `routes/`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ControlApi, CONTROL_PREFIX, serveControl } from './control.js';
import { checkWhitelist, dropAnswer, faultsFor, latencyFor, randomFault } from './faults.js';
import { readJsonObject, readMultipart, type MultipartBody } from './http-io.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import type { Reply, Route, RouteContext } from './route.js';
import { serveHosted } from './routes/hosted.js';
import { oaDraftRoutes } from './routes/oa-draft.js';
import { oaMaterialRoutes } from './routes/oa-material.js';
import { oaMediaRoutes } from './routes/oa-media.js';
import { oaMiscRoutes } from './routes/oa-misc.js';
import { oaPublishRoutes, settlePublishJobs } from './routes/oa-publish.js';
import { oaTokenRoutes } from './routes/oa-token.js';
import { wecomRoutes } from './routes/wecom.js';
import { wecomTokenRoutes } from './routes/wecom-token.js';
import { loadState, saveState } from './persist.js';
import { snapshot } from './snapshot.js';
import { bump, type Platform, SandboxState } from './state.js';
import { authenticate, quotaDay, revokeTokens } from './tokens.js';
import type { Sandbox, SandboxLogEntry, SandboxOptions, SandboxSnapshot, SandboxStats } from './types.js';
import { errmsgFor, WxError } from './wx-error.js';

/** What `startSandbox` answers: the `Sandbox` contract plus `inspect()`, the control URL and the clock offset. */
export type SandboxServer = Sandbox & {
  inspect(): SandboxSnapshot;
  /** The control API's base URL, `${url}/__sandbox` (README "Control API"). */
  readonly controlUrl: string;
  /** Milliseconds added to the sandbox's clock (0 unless set). */
  readonly clockOffsetMs: number;
  /** Shifts the sandbox's clock by `ms` milliseconds (token expiry, quotas, publish jobs, media lifetime). */
  setClockOffset(ms: number): void;
  /** Same as `inspect()`, as a property (the issue's `{ url, close(), state, reset() }`). */
  readonly state: SandboxSnapshot;
  readonly options: ResolvedOptions;
};

const JSON_TYPE = 'application/json; encoding=utf-8';
const LOG_LIMIT = 10_000;
const REDACTED_PARAMS = ['secret', 'access_token', 'corpsecret', 'appsecret', 'ticket', 'jsapi_ticket'];

const ALL_ROUTES: Route[] = [
  ...oaTokenRoutes,
  ...oaMediaRoutes,
  ...oaMaterialRoutes,
  ...oaDraftRoutes,
  ...oaPublishRoutes,
  ...oaMiscRoutes,
  ...wecomTokenRoutes,
  ...wecomRoutes,
];

/** The request log's form of a URL: `secret`, `access_token`, `corpsecret`… values become `***`. */
export function redactUrl(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  if (q < 0) return pathAndQuery;
  const params = pathAndQuery
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
      return REDACTED_PARAMS.includes(key) && eq >= 0 ? `${pair.slice(0, eq)}=***` : pair;
    });
  return `${pathAndQuery.slice(0, q)}?${params.join('&')}`;
}

function callerIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function decorate(error: WxError, platform: Platform, state: SandboxState, ip: string, now: number): string {
  const msg = errmsgFor(error, platform);
  if (platform === 'oa') return `${msg} rid: ${state.ids.hex(8)}-${state.ids.hex(8)}-${state.ids.hex(8)}`;
  const hint = `${Math.floor(now / 1000)}_${state.ids.digits(6)}_${state.ids.hex(32)}`;
  return `${msg}, hint: [${hint}], from ip: ${ip}, more info at https://open.work.weixin.qq.com/devtool/query?e=${error.errcode}`;
}

/**
 * Starts a sandbox WeChat server (Official Account at `url`/cgi-bin, WeCom at `wecomUrl`/cgi-bin,
 * uploaded files at `imageHost`). Resolves once it listens; start-up takes a few milliseconds.
 *
 * @param options see `SandboxOptions`; `port: 0` (default) picks a free port on 127.0.0.1.
 * @throws the listen error (e.g. EADDRINUSE) when the port cannot be bound.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxServer> {
  const opts = resolveOptions(options);
  // The control API's clock offset shifts every time the sandbox reads (token expiry, quotas, publish jobs).
  const baseClock = opts.clock;
  let clockOffsetMs = 0;
  opts.clock = () => baseClock() + clockOffsetMs;
  const state = new SandboxState(opts.seed);
  const statePath = opts.statePath;
  const persisted = statePath ? loadState(state, statePath) : undefined;
  const origins = persisted?.origins ?? [];
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = undefined;
    if (statePath) saveState(state, statePath, { origins: [...new Set([...origins, baseUrl])] });
  };
  // Written shortly after the last request rather than per request: a burst of uploads is one write.
  const scheduleSave = () => {
    if (!statePath || saveTimer) return;
    saveTimer = setTimeout(save, 100);
    saveTimer.unref?.();
  };
  const routes = new Map<string, Route>();
  for (const route of ALL_ROUTES) routes.set(`${route.platform} ${route.api}`, route);

  let baseUrl = '';
  /** Latency timers of held requests; close() cancels them (reset() does not). */
  const sleeps = new Set<ReturnType<typeof setTimeout>>();

  /** Business calls answered since `revokeTokensAfter` was set. */
  let answeredSinceArm = 0;
  const countTowardsRevocation = (): void => {
    const after = opts.faults.revokeTokensAfter;
    if (after === undefined) return;
    answeredSinceArm++;
    if (answeredSinceArm >= after) {
      revokeTokens(state, opts.clock(), opts.faults.revokeTokensOf);
      state.counters.revocations++;
      opts.faults = { ...opts.faults, revokeTokensAfter: undefined };
      answeredSinceArm = 0;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, baseUrl);
    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      await serveControl(control, url, req, res);
      return;
    }
    const ip = callerIp(req);
    const arrived = Date.now();
    const entry: SandboxLogEntry = {
      time: opts.clock(),
      method: req.method ?? 'GET',
      url: redactUrl(rawUrl),
      ip,
      status: 0,
    };
    res.on('close', () => {
      entry.status = res.headersSent ? res.statusCode : 0;
      entry.ms = Date.now() - arrived;
      state.log.push(entry);
      if (state.log.length > LOG_LIMIT) state.log.splice(0, state.log.length - LOG_LIMIT);
      scheduleSave();
    });

    let platform: Platform;
    let api: string;
    if (url.pathname.startsWith('/wecom/cgi-bin/')) {
      platform = 'wecom';
      api = url.pathname.slice('/wecom/cgi-bin/'.length);
    } else if (url.pathname.startsWith('/cgi-bin/')) {
      platform = 'oa';
      api = url.pathname.slice('/cgi-bin/'.length);
    } else {
      entry.api = 'image-host';
      req.resume();
      serveHosted(state, url, req, res);
      return;
    }
    const statName = platform === 'oa' ? api : `wecom/${api}`;
    entry.api = statName;
    bump(state.counters.requests, statName);

    const send = (reply: Reply): void => {
      if ('json' in reply) {
        const errcode = reply.json.errcode;
        if (typeof errcode === 'number') entry.errcode = errcode;
        const body = JSON.stringify(reply.json);
        res.writeHead(200, {
          'Content-Type': reply.textPlain && opts.contentTypeQuirks ? 'text/plain' : JSON_TYPE,
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
      } else {
        res.writeHead(reply.status ?? 200, { ...reply.headers, 'Content-Length': String(reply.body.length) });
        res.end(reply.body);
      }
    };
    const sendError = (error: WxError): void => {
      req.resume();
      const now = opts.clock();
      send({
        json: { errcode: error.errcode, errmsg: decorate(error, platform, state, ip, now) },
        textPlain: error.textPlain,
      });
    };

    const route = routes.get(`${platform} ${api}`);
    if (!route) {
      req.resume();
      const body = JSON.stringify({ errcode: 404, errmsg: `sandbox: no such API ${url.pathname}` });
      entry.errcode = 404;
      res.writeHead(404, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }

    let jsonBody: Promise<Record<string, unknown>> | undefined;
    let multipartBody: Promise<MultipartBody> | undefined;
    const ctx: RouteContext = {
      req,
      platform,
      api,
      url,
      query: url.searchParams,
      ip,
      now: opts.clock(),
      state,
      options: opts,
      principal: '',
      baseUrl,
      imageHost: baseUrl,
      json: () => {
        jsonBody ??= readJsonObject(req);
        return jsonBody;
      },
      multipart: () => {
        multipartBody ??= readMultipart(req).then((body) => {
          entry.files = body.files.map((f) => ({
            field: f.field,
            filename: f.filename,
            contentType: f.mimeType,
            bytes: f.data.length,
            filelength: f.filelength,
          }));
          return body;
        });
        return multipartBody;
      },
      consumeQuota: (name, dailyLimit, monthlyLimit) => {
        const limit = opts.quotas[name] ?? dailyLimit;
        const monthLimit = opts.quotas[`${name}/month`] ?? monthlyLimit;
        const dayKey = `${ctx.principal}|${name}|${quotaDay(ctx.now)}`;
        const monthKey = `${ctx.principal}|${name}|${quotaDay(ctx.now).slice(0, 7)}`;
        const day = state.quotaUse.get(dayKey) ?? 0;
        const month = state.quotaUse.get(monthKey) ?? 0;
        if (day >= limit || (monthLimit !== undefined && month >= monthLimit)) throw new WxError(45009);
        state.quotaUse.set(dayKey, day + 1);
        state.quotaUse.set(monthKey, month + 1);
      },
    };

    try {
      const faults = faultsFor(opts.faults, statName);
      const tokenEndpoint = route.tokenEndpoint ?? false;
      if (tokenEndpoint) {
        const principal = await tokenPrincipal(ctx);
        if (principal) bump(state.counters.tokenRequests, principal);
      }
      checkWhitelist(faults, ip, platform, tokenEndpoint);
      const delay = latencyFor(faults, state);
      if (delay > 0) {
        // Tracked so close() can cancel it: the held request then simply never answers.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            sleeps.delete(timer);
            resolve();
          }, delay);
          sleeps.add(timer);
        });
      }
      const fault = randomFault(faults, state, tokenEndpoint);
      if (fault.kind !== 'none') {
        const name = fault.kind === 'error' ? fault.name : fault.kind;
        entry.fault = name;
        bump(state.counters.faultsInjected, name);
      }
      if (fault.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'http5xx') {
        req.resume();
        const body = '<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>';
        res.writeHead(502, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      if (fault.kind === 'error') throw fault.error;
      if (route.method !== 'ANY' && req.method !== route.method) {
        throw new WxError(route.method === 'POST' ? 43002 : 43001);
      }
      ctx.now = opts.clock();
      settlePublishJobs(state, opts, ctx.now, baseUrl);
      if (route.auth) {
        const token = authenticate(state, platform, url.searchParams.get('access_token'), ctx.now);
        ctx.principal = token.principal;
        ctx.token = token;
      }
      // A plain path name ('media/upload') hits both platforms; 'wecom/media/upload' only WeCom.
      if (faults.exhaustedQuotas?.some((name) => name === api || name === statName)) throw new WxError(45009);
      if (route.dailyQuota !== undefined) ctx.consumeQuota(api, route.dailyQuota);
      const reply = await route.handler(ctx);
      if (dropAnswer(faults, state, tokenEndpoint)) {
        entry.fault = 'dropAnswer';
        bump(state.counters.faultsInjected, 'dropAnswer');
        req.socket.destroy();
        return;
      }
      if (!res.destroyed) send(reply);
      if (!tokenEndpoint) countTowardsRevocation();
    } catch (error) {
      if (res.headersSent || res.destroyed) return;
      if (error instanceof WxError) {
        sendError(error);
        if (!(route.tokenEndpoint ?? false)) countTowardsRevocation();
      } else {
        sendError(new WxError(-1, `system error (sandbox: ${(error as Error).message})`));
      }
    }
  };

  const control: ControlApi = {
    stats: () => sandbox.stats(),
    log: () => state.log,
    inspect: () => sandbox.inspect(),
    tokens: () =>
      [...state.tokens.values()].map((t) => ({ token: t.token, principal: t.principal, kind: t.kind })),
    faults: () => opts.faults,
    setFaults: (faults, replace) => {
      if (replace) opts.faults = {};
      sandbox.setFaults(faults);
    },
    revoke: (principal) => sandbox.revokeTokens(principal),
    clockOffset: () => clockOffsetMs,
    setClockOffset: (ms) => {
      clockOffsetMs = ms;
    },
    reset: () => sandbox.reset(),
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  // A persisted sandbox comes back on its old port when it is free, so the image URLs it handed out still load.
  const lastPort = Number(origins.at(-1)?.split(':').pop());
  if (opts.port === 0 && Number.isInteger(lastPort) && lastPort > 0) {
    await listen(lastPort).catch(() => listen(0));
  } else {
    await listen(opts.port);
  }
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${hostPart}:${address.port}`;
  opts.previousOrigins = origins.filter((origin) => origin !== baseUrl);

  const sandbox: SandboxServer = {
    url: baseUrl,
    wecomUrl: `${baseUrl}/wecom`,
    imageHost: baseUrl,
    options: opts,
    stats(): SandboxStats {
      settlePublishJobs(state, opts, opts.clock(), baseUrl);
      let materials = 0;
      let temporary = 0;
      for (const m of state.media.values()) {
        if (m.lifetime === 'permanent') materials++;
        else temporary++;
      }
      return {
        tokensIssued: { ...state.counters.tokensIssued },
        tokenRequests: { ...state.counters.tokenRequests },
        uploads: { ...state.counters.uploads },
        requests: { ...state.counters.requests },
        materials,
        drafts: state.drafts.size,
        publishJobs: state.counters.publishJobs,
        temporaryMedia: temporary,
        messagesSent: state.messages.length,
        revocations: state.counters.revocations,
        faultsInjected: { ...state.counters.faultsInjected },
      };
    },
    requestLog: () => state.log.map((e) => ({ ...e })),
    setFaults(faults) {
      opts.faults = { ...opts.faults, ...faults };
      if ('revokeTokensAfter' in faults) answeredSinceArm = 0;
    },
    revokeTokens(principal) {
      revokeTokens(state, opts.clock(), principal);
      state.counters.revocations++;
    },
    reset() {
      state.reset();
      answeredSinceArm = 0;
    },
    inspect() {
      settlePublishJobs(state, opts, opts.clock(), baseUrl);
      return snapshot(state);
    },
    get state() {
      return sandbox.inspect();
    },
    get controlUrl() {
      return `${baseUrl}${CONTROL_PREFIX}`;
    },
    get clockOffsetMs() {
      return clockOffsetMs;
    },
    setClockOffset(ms: number) {
      clockOffsetMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        save();
        for (const t of [...state.timers, ...sleeps]) clearTimeout(t);
        state.timers.clear();
        sleeps.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return sandbox;
}

/** appId / corpId a token request is for (query, or JSON body for stable_token), '' when absent. */
async function tokenPrincipal(ctx: RouteContext): Promise<string> {
  if (ctx.platform === 'wecom') return ctx.query.get('corpid') ?? '';
  if (ctx.api === 'stable_token' && ctx.req.method === 'POST') {
    try {
      const body = await ctx.json();
      return typeof body.appid === 'string' ? body.appid : '';
    } catch {
      return '';
    }
  }
  return ctx.query.get('appid') ?? '';
}
