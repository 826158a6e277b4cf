import { DEFAULT_ACCOUNT, type Sandbox, startSandbox } from '@md2wx/sandbox';
import { createRedisStore, type RedisServer, startRedisServer } from '@md2wx/store-redis';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { createOfficialAccountClient, remoteTokenProvider } from '@md2wx/wechat';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startTokenService,
  type TokenService,
  type TokenServiceOptions,
  TokenServiceError,
} from '../src/index.js';

const SECRET = 'test-bearer-secret-0123456789abcdef';
const appId = DEFAULT_ACCOUNT.appId;

let sandbox: Sandbox;
const services: TokenService[] = [];

async function service(options: Partial<TokenServiceOptions> = {}): Promise<TokenService> {
  const started = await startTokenService({
    accounts: [{ ...DEFAULT_ACCOUNT, baseUrl: sandbox.url }],
    secret: SECRET,
    ...options,
  });
  services.push(started);
  return started;
}

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return {
    status: response.status,
    text,
    body: JSON.parse(text) as Record<string, unknown>,
    headers: response.headers,
  };
}

const auth = { authorization: `Bearer ${SECRET}` };

beforeAll(async () => {
  sandbox = await startSandbox();
});

beforeEach(() => {
  sandbox.reset();
  sandbox.setFaults({ ipWhitelist: undefined });
});

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await sandbox?.close();
});

describe('HTTP protocol', () => {
  it('GET /healthz answers 200 { ok: true } without auth', async () => {
    const svc = await service();
    const res = await get(`${svc.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });

  it('serves the access_token with its remaining lifetime, fetched once for many callers', async () => {
    const svc = await service();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => get(`${svc.url}/v1/accounts/${appId}/access_token`, auth)),
    );
    for (const a of answers) expect(a.status).toBe(200);
    const tokens = new Set(answers.map((a) => a.body.access_token));
    expect(tokens.size).toBe(1);
    const expiresIn = answers[0]!.body.expires_in as number;
    expect(expiresIn).toBeGreaterThan(7000);
    expect(expiresIn).toBeLessThanOrEqual(7200);
    expect(sandbox.stats().tokenRequests[appId]).toBe(1);
    expect(answers[0]!.headers.get('cache-control')).toBe('no-store');
  });

  it('refreshes once when callers report the current token stale, and answers a working one', async () => {
    const svc = await service();
    const first = (await get(`${svc.url}/v1/accounts/${appId}/access_token`, auth)).body
      .access_token as string;
    sandbox.revokeTokens(appId);
    const url = `${svc.url}/v1/accounts/${appId}/access_token?stale=${encodeURIComponent(first)}`;
    const replaced = await Promise.all(Array.from({ length: 10 }, () => get(url, auth)));
    const fresh = new Set(replaced.map((r) => r.body.access_token));
    expect(fresh.size).toBe(1);
    expect(fresh.has(first)).toBe(false);
    expect(sandbox.stats().tokensIssued[appId]).toBe(2);
    // A late caller with the same stale token gets the new one without another refresh.
    expect((await get(url, auth)).body.access_token).toBe([...fresh][0]);
    expect(sandbox.stats().tokensIssued[appId]).toBe(2);
    // And the new token works against WeChat.
    const client = createOfficialAccountClient({
      appId,
      baseUrl: sandbox.url,
      tokenProvider: async () => ({ access_token: [...fresh][0] as string, expires_in: 7000 }),
    });
    expect(await client.getAccessToken()).toBe([...fresh][0]);
  });

  it('uses force_refresh when WeChat still hands back the token a client reports rejected', async () => {
    const svc = await service();
    const first = (await get(`${svc.url}/v1/accounts/${appId}/access_token`, auth)).body
      .access_token as string;
    // No revocation: stable_token normal mode returns the same token, so the service must force a new one.
    const res = await get(
      `${svc.url}/v1/accounts/${appId}/access_token?stale=${encodeURIComponent(first)}`,
      auth,
    );
    expect(res.status).toBe(200);
    expect(res.body.access_token).not.toBe(first);
    expect(sandbox.stats().requests.stable_token).toBe(3);
  });

  it('refreshes ahead of expiry in the background, without a client asking', async () => {
    const short = await startSandbox({ tokenTtlSeconds: 4 });
    try {
      const svc = await service({
        accounts: [{ ...DEFAULT_ACCOUNT, baseUrl: short.url }],
        refreshAheadSeconds: 2,
        sweepSeconds: 0.2,
      });
      const first = await get(`${svc.url}/v1/accounts/${appId}/access_token`, auth);
      await expect
        .poll(() => svc.stats().refreshes[appId] ?? 0, { timeout: 10_000, interval: 100 })
        .toBeGreaterThanOrEqual(2);
      const later = await get(`${svc.url}/v1/accounts/${appId}/access_token`, auth);
      expect(later.body.access_token).not.toBe(first.body.access_token);
      expect(short.stats().tokenRequests[appId]).toBeGreaterThanOrEqual(2);
      // Still the one service request per refresh: the client's two calls did not fetch anything themselves.
      expect(short.stats().tokenRequests[appId]).toBe(svc.stats().refreshes[appId]);
    } finally {
      await Promise.all(services.splice(0).map((s) => s.close()));
      await short.close();
    }
  });

  it('answers 502 errcode -1 when WeChat is unreachable, and recovers when it answers again', async () => {
    const svc = await service({
      accounts: [
        { ...DEFAULT_ACCOUNT, baseUrl: 'http://127.0.0.1:9' },
        { appId: 'wxsecond', appSecret: 'x'.repeat(32), baseUrl: sandbox.url },
      ],
      timeoutMs: 2_000,
    });
    const res = await get(`${svc.url}/v1/accounts/${appId}/access_token`, auth);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ error: 'upstream', errcode: -1 });
    expect(String(res.body.errmsg)).toMatch(/ECONNREFUSED/);
    expect(res.text).not.toContain(DEFAULT_ACCOUNT.appSecret);
    expect(svc.stats().upstreamErrors).toBeGreaterThan(0);
  });

  it('passes WeChat busy answers on as 502 and serves again once WeChat recovers', async () => {
    sandbox.setFaults({ busyRate: 1, scope: 'all' });
    const svc = await service();
    const busy = await get(`${svc.url}/v1/accounts/${appId}/access_token`, auth);
    expect(busy.status).toBe(502);
    expect(busy.body).toMatchObject({ error: 'upstream', errcode: -1 });
    sandbox.setFaults({ busyRate: 0, scope: 'api' });
    const ok = await get(`${svc.url}/v1/accounts/${appId}/access_token`, auth);
    expect(ok.status).toBe(200);
  });

  it('serves 20 clients (own memory caches, remoteTokenProvider) with 1 token request to WeChat', async () => {
    const svc = await service();
    const clients = Array.from({ length: 20 }, () =>
      createOfficialAccountClient({
        appId,
        baseUrl: sandbox.url,
        tokenProvider: remoteTokenProvider({ url: svc.url, secret: SECRET, account: appId }),
      }),
    );
    const tokens = await Promise.all(clients.map((c) => c.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(sandbox.stats().tokenRequests[appId]).toBe(1);
  });

  it('answers 404 { error: "unknown account" } after auth, 404 for other paths, 405 for POST', async () => {
    const svc = await service();
    const unknown = await get(`${svc.url}/v1/accounts/wxdoesnotexist/access_token`, auth);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'unknown account' });
    expect((await get(`${svc.url}/v1/accounts/${appId}/secret`, auth)).status).toBe(404);
    const post = await fetch(`${svc.url}/v1/accounts/${appId}/access_token`, {
      method: 'POST',
      headers: auth,
    });
    expect(post.status).toBe(405);
  });

  it('answers 502 with WeChat errcode/errmsg, without the AppSecret, when WeChat refuses', async () => {
    const wrongSecret = 'wrong-app-secret-do-not-leak-42';
    const svc = await service({ accounts: [{ appId, appSecret: wrongSecret, baseUrl: sandbox.url }] });
    const res = await get(`${svc.url}/v1/accounts/${appId}/access_token`, auth);
    expect(res.status).toBe(502);
    expect(res.body.error).toBe('upstream');
    expect(typeof res.body.errcode).toBe('number');
    expect(res.body.errcode).not.toBe(0);
    expect(res.text).not.toContain(wrongSecret);
  });
});

describe('auth, allow-list and rate limit', () => {
  it('missing or wrong secret → 401 { error: "unauthorized" } and nothing leaked', async () => {
    const lines: string[] = [];
    const svc = await service({ log: (line) => lines.push(line) });
    const token = (await get(`${svc.url}/v1/accounts/${appId}/access_token`, auth)).body
      .access_token as string;
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer ' },
      { authorization: `Bearer ${SECRET}x` },
      { authorization: `Bearer ${SECRET.slice(0, -1)}` },
      { authorization: SECRET },
      { authorization: `Basic ${Buffer.from(`u:${SECRET}`).toString('base64')}` },
    ];
    for (const headers of attempts) {
      for (const path of ['access_token', 'jsapi_ticket']) {
        const res = await get(`${svc.url}/v1/accounts/${appId}/${path}`, headers);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error: 'unauthorized' });
        expect(res.text).not.toContain(token);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    }
    // A wrong secret does not learn whether an account exists.
    expect((await get(`${svc.url}/v1/accounts/wxnope/access_token`)).status).toBe(401);
    expect(svc.stats().unauthorized).toBe(13);
    // The log names requests and refreshes but never a secret or token.
    await get(`${svc.url}/v1/accounts/${appId}/access_token?stale=${token}`, auth);
    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(10);
    expect(log).toContain(' 401 ');
    for (const secret of [SECRET, DEFAULT_ACCOUNT.appSecret, token]) expect(log).not.toContain(secret);
  });

  it('accepts the Bearer scheme case-insensitively', async () => {
    const svc = await service();
    const res = await get(`${svc.url}/v1/accounts/${appId}/access_token`, {
      authorization: `bearer ${SECRET}`,
    });
    expect(res.status).toBe(200);
  });

  it('refuses clients outside allowIps with 403, health checks included', async () => {
    const denied = await service({ allowIps: ['10.0.0.0/8', '192.168.1.7'] });
    const res = await get(`${denied.url}/v1/accounts/${appId}/access_token`, auth);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'forbidden' });
    expect((await get(`${denied.url}/healthz`)).status).toBe(403);
    const allowed = await service({ allowIps: ['127.0.0.0/8'] });
    expect((await get(`${allowed.url}/v1/accounts/${appId}/access_token`, auth)).status).toBe(200);
  });

  it('rate-limits per client IP with 429 and Retry-After, wrong secrets included', async () => {
    const svc = await service({ rateLimit: { max: 3, windowSeconds: 60 } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await get(`${svc.url}/v1/accounts/${appId}/access_token`, auth)).status);
    const limited = await get(`${svc.url}/v1/accounts/${appId}/access_token`, auth);
    const guessing = await get(`${svc.url}/v1/accounts/${appId}/access_token`, {
      authorization: 'Bearer guess',
    });
    expect(statuses).toEqual([200, 200, 200]);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: 'rate limited' });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(guessing.status).toBe(429);
    expect((await get(`${svc.url}/healthz`)).status).toBe(200);
  });

  it('rejects bad configuration with TokenServiceError', async () => {
    const account = { ...DEFAULT_ACCOUNT, baseUrl: sandbox.url };
    await expect(startTokenService({ accounts: [account], secret: 'short' })).rejects.toMatchObject({
      code: 'config',
    });
    await expect(startTokenService({ accounts: [], secret: SECRET })).rejects.toBeInstanceOf(
      TokenServiceError,
    );
    await expect(startTokenService({ accounts: [account, account], secret: SECRET })).rejects.toThrow(
      /twice/,
    );
    await expect(
      startTokenService({ accounts: [account], secret: SECRET, allowIps: ['10.0.0.0/33'] }),
    ).rejects.toThrow(/10\.0\.0\.0\/33/);
    const svc = await service();
    await expect(
      startTokenService({ accounts: [account], secret: SECRET, port: svc.port }),
    ).rejects.toMatchObject({
      code: 'listen',
    });
  });
});

describe('jsapi_ticket', () => {
  it('serves a ticket, cached, with its remaining lifetime', async () => {
    const svc = await service();
    const a = await get(`${svc.url}/v1/accounts/${appId}/jsapi_ticket`, auth);
    const b = await get(`${svc.url}/v1/accounts/${appId}/jsapi_ticket`, auth);
    expect(a.status).toBe(200);
    expect(typeof a.body.ticket).toBe('string');
    expect(b.body.ticket).toBe(a.body.ticket);
    expect(a.body.expires_in as number).toBeGreaterThan(7000);
    expect(sandbox.stats().requests['ticket/getticket']).toBe(1);
  });
});

describe('several instances on one Redis store', { tags: ['redis'] }, () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('share one token per account: 3 instances, 30 callers → 1 token request', async () => {
    const stores = [0, 1, 2].map(() => createRedisStore({ url: redis.url }));
    try {
      const instances = await Promise.all(stores.map((store) => service({ store })));
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          get(`${instances[i % 3]!.url}/v1/accounts/${appId}/access_token`, auth),
        ),
      );
      expect(new Set(answers.map((a) => a.body.access_token)).size).toBe(1);
      expect(sandbox.stats().tokenRequests[appId]).toBe(1);
    } finally {
      await Promise.all(services.splice(0).map((s) => s.close()));
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

describe('restarts backed by Redis', { tags: ['redis'] }, () => {
  it('a restarted service serves the stored token without asking WeChat again', async () => {
    const redis = await startRedisServer({ persistent: true });
    const store = createRedisStore({ url: redis.url });
    try {
      const first = await service({ store });
      const before = await get(`${first.url}/v1/accounts/${appId}/access_token`, auth);
      await first.close();
      const second = await service({ store, port: first.port });
      const after = await get(`${second.url}/v1/accounts/${appId}/access_token`, auth);
      expect(after.body.access_token).toBe(before.body.access_token);
      expect(sandbox.stats().tokenRequests[appId]).toBe(1);
    } finally {
      await Promise.all(services.splice(0).map((s) => s.close()));
      await store.close();
      await redis.stop();
    }
  });
});

describe.skipIf(!requireCorpus())('clients through remoteTokenProvider', () => {
  const image = () => corpusPath('markdown/doocs-advanced-java/docs/high-concurrency/images/mq-1.png');

  it('with the IP whitelist on the token endpoints allowing only the service, a client still uploads', async () => {
    sandbox.setFaults({ ipWhitelist: { allowed: ['127.0.0.2'], appliesTo: 'token' } });
    // Proof the whitelist bites: a client fetching its own token from 127.0.0.1 gets 40164.
    const direct = createOfficialAccountClient({ ...DEFAULT_ACCOUNT, baseUrl: sandbox.url, retries: 0 });
    await expect(direct.uploadImage(image())).rejects.toMatchObject({ errcode: 40164 });

    const svc = await service({ localAddress: '127.0.0.2' });
    const client = createOfficialAccountClient({
      appId,
      baseUrl: sandbox.url,
      tokenProvider: remoteTokenProvider({ url: svc.url, secret: SECRET, account: appId }),
    });
    const { url } = await client.uploadImage(image());
    expect(url).toMatch(/mmbiz_png/);
    const tokenCalls = sandbox.requestLog().filter((e) => /\/cgi-bin\/(stable_token|token)\b/.test(e.url));
    expect(
      tokenCalls.filter((e) => e.ip.endsWith('127.0.0.2') && e.status === 200 && !e.errcode).length,
    ).toBe(1);
  });

  it('service restarted → clients recover (token revoked while it was down)', async () => {
    const first = await service();
    const port = first.port;
    const client = createOfficialAccountClient({
      appId,
      baseUrl: sandbox.url,
      retries: 1,
      retryBaseMs: 20,
      tokenProvider: remoteTokenProvider({ url: first.url, secret: SECRET, account: appId }),
    });
    await client.uploadImage(image());
    await first.close();
    sandbox.revokeTokens(appId);
    // The service is down: the client cannot replace its rejected token.
    await expect(client.uploadImage(image())).rejects.toThrow();
    await service({ port });
    const { url } = await client.uploadImage(image());
    expect(url).toMatch(/mmbiz_png/);
    expect(sandbox.stats().uploads['media/uploadimg']).toBe(2);
  });
});
