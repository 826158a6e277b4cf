import { inspect } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileStore, memoryStore, type TokenProvider, WechatApiError } from '../src/index.js';
import {
  DEFAULT_ACCOUNT,
  DEFAULT_WECOM_APP,
  oaClient,
  runNode,
  useSandbox,
  useTempDir,
  wecomClient,
} from './helpers.js';

const ctx = useSandbox();
const tmp = useTempDir();
const APP = DEFAULT_ACCOUNT.appId;

describe('access_token (issue 4 "Done when")', () => {
  it('50 concurrent calls from a cold start → exactly 1 token request', async () => {
    const client = oaClient(ctx.sb);
    const counts = await Promise.all(Array.from({ length: 50 }, () => client.getMaterialCount()));
    expect(counts).toHaveLength(50);
    expect(ctx.sb.stats().tokenRequests[APP]).toBe(1);
    expect(client.stats().tokenFetches).toBe(1);
  });

  it('8 processes started together with one file store → exactly 1 token request', async () => {
    const script = fileURLToPath(new URL('./fixtures/token-proc.ts', import.meta.url));
    const store = join(tmp.dir, 'shared-store.json');
    const startAt = String(Date.now() + 4000);
    const runs = await Promise.all(
      Array.from({ length: 8 }, () =>
        runNode(script, [ctx.sb.url, store, startAt, APP, DEFAULT_ACCOUNT.appSecret]),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const fetches = runs.map((r) => (JSON.parse(r.stdout) as { tokenFetches: number }).tokenFetches);
    expect(fetches.reduce((a, b) => a + b, 0)).toBe(1);
    expect(ctx.sb.stats().tokenRequests[APP]).toBe(1);
    expect(ctx.sb.stats().requests['material/get_materialcount']).toBe(8);
  }, 60_000);

  it('the sandbox revokes the token in the middle of 100 calls → exactly 1 refresh, 0 failed calls', async () => {
    const client = oaClient(ctx.sb);
    let done = 0;
    const call = async () => {
      await client.countDrafts();
      done++;
      if (done === 50) ctx.sb.revokeTokens(APP);
    };
    // 10 workers × 10 calls: calls are in flight when the revocation lands.
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, async () => {
        for (let i = 0; i < 10; i++) await call();
      }),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(done).toBe(100);
    expect(ctx.sb.stats().tokenRequests[APP]).toBe(2);
    expect(client.stats().tokenFetches).toBe(2);
    expect(client.stats().tokenRetries).toBeGreaterThanOrEqual(1);
  });

  it('200 calls with 10 % -1 and 5 % dropped connections → all succeed, retries bounded', async () => {
    ctx.sb.setFaults({ busyRate: 0.1, dropRate: 0.05 });
    const client = oaClient(ctx.sb, { retries: 6, retryBaseMs: 2 });
    const queue = Array.from({ length: 200 }, (_, i) => i);
    const workers = Array.from({ length: 8 }, async () => {
      while (queue.shift() !== undefined) await client.countDrafts();
    });
    await Promise.all(workers);
    const { retries, requests } = client.stats();
    const served = ctx.sb.stats().requests['draft/count'] ?? 0;
    // Every retry is one more request to the sandbox; about 15 % of attempts fail, so ~35 retries.
    expect(served).toBe(200 + retries);
    expect(requests).toBe(served + 1);
    expect(retries).toBeGreaterThan(10);
    expect(retries).toBeLessThan(80);
  });

  it('40164 → the message names the IP and the hint; no secret or token in any captured output', async () => {
    const lines: string[] = [];
    const logger = { debug: (l: string) => lines.push(l), warn: (l: string) => lines.push(l) };
    const client = oaClient(ctx.sb, { logger });
    const token = await client.getAccessToken();
    ctx.sb.setFaults({ ipWhitelist: { allowed: ['203.0.113.7'], appliesTo: 'all' } });
    const error = await client.countDrafts().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatApiError);
    const api = error as WechatApiError;
    expect(api.errcode).toBe(40164);
    expect(api.ip).toBe('127.0.0.1');
    expect(api.message).toContain('127.0.0.1');
    expect(api.message).toMatch(/IP白名单/);
    expect(api.message).toMatch(/token service/);
    // And on the token endpoint itself, with a cold cache.
    const cold = oaClient(ctx.sb, { logger });
    const tokenError = (await cold.getAccessToken().catch((e: unknown) => e)) as WechatApiError;
    expect(tokenError.errcode).toBe(40164);
    expect(tokenError.endpoint).toBe('cgi-bin/stable_token');
    const captured = [
      ...lines,
      api.message,
      String(api.stack),
      JSON.stringify(api),
      inspect(api, { depth: 5 }),
      tokenError.message,
      String(tokenError.stack),
      inspect(tokenError, { depth: 5 }),
    ].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(captured).not.toContain(DEFAULT_ACCOUNT.appSecret);
    expect(captured).not.toContain(token);
    expect(captured).toContain('access_token=***');
  });
});

describe('token modes and providers', () => {
  it('stable mode shares the token with other systems (normal mode, no rotation)', async () => {
    const a = oaClient(ctx.sb);
    const b = oaClient(ctx.sb);
    expect(await a.getAccessToken()).toBe(await b.getAccessToken());
    await a.countDrafts();
    await b.countDrafts();
  });

  it('classic mode uses /cgi-bin/token', async () => {
    const client = oaClient(ctx.sb, { tokenMode: 'classic' });
    await client.countDrafts();
    expect(ctx.sb.stats().requests.token).toBe(1);
    expect(ctx.sb.stats().requests.stable_token ?? 0).toBe(0);
  });

  it('caches the token in the Store: a second client on the same store fetches nothing', async () => {
    const store = memoryStore();
    await oaClient(ctx.sb, { store }).countDrafts();
    const second = oaClient(ctx.sb, { store });
    await second.countDrafts();
    expect(second.stats().tokenFetches).toBe(0);
    expect(ctx.sb.stats().tokenRequests[APP]).toBe(1);
  });

  it('a wrong AppSecret → 40125 with the secret hint, secret redacted', async () => {
    const client = oaClient(ctx.sb, { appSecret: 'wrong-secret-value-123' });
    const error = (await client.getAccessToken().catch((e: unknown) => e)) as WechatApiError;
    expect(error.errcode).toBe(40125);
    expect(error.hint).toMatch(/AppSecret/);
    expect(error.message).not.toContain('wrong-secret-value-123');
  });

  it('an unknown AppID → 40013 with the appid hint', async () => {
    const client = oaClient(ctx.sb, { appId: 'wx0000000000000000' });
    const error = (await client.getAccessToken().catch((e: unknown) => e)) as WechatApiError;
    expect(error.errcode).toBe(40013);
    expect(error.hint).toMatch(/AppID/);
  });

  it('a user-supplied provider is called once for concurrent callers and with staleToken after a rejection', async () => {
    const helper = oaClient(ctx.sb, { tokenMode: 'classic' });
    const calls: { staleToken?: string }[] = [];
    const provider: TokenProvider = async (request) => {
      calls.push(request);
      const token = await oaClient(ctx.sb, { tokenMode: 'classic', store: memoryStore() }).getAccessToken();
      return { access_token: token, expires_in: 7200 };
    };
    void helper;
    const client = oaClient(ctx.sb, { appSecret: undefined, tokenProvider: provider });
    await Promise.all(Array.from({ length: 20 }, () => client.countDrafts()));
    expect(calls).toEqual([{}]);
    ctx.sb.revokeTokens(APP);
    await client.countDrafts();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.staleToken).toBeTruthy();
  });

  it('WeCom gettoken: one token request for concurrent calls, cached per corp and agent', async () => {
    const client = wecomClient(ctx.sb);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => client.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(ctx.sb.stats().tokenRequests[DEFAULT_WECOM_APP.corpId]).toBe(1);
  });

  it('a file store in a given path survives a new client (no second token request)', async () => {
    const path = join(tmp.dir, 'one.json');
    await oaClient(ctx.sb, { store: fileStore({ path }) }).getAccessToken();
    const again = oaClient(ctx.sb, { store: fileStore({ path }) });
    await again.getAccessToken();
    expect(again.stats().tokenFetches).toBe(0);
  });
});
