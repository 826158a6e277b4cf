import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStore, remoteTokenProvider, TokenProviderError, WechatApiError } from '../src/index.js';
import { DEFAULT_ACCOUNT, oaClient, useSandbox } from './helpers.js';

const ctx = useSandbox();
const SECRET = 'bearer-secret-for-tests-0001';

/**
 * A minimal server speaking the central token service protocol (@md2wx/token-service README), backed by a client of the sandbox.
 * It stands in for @md2wx/token-service, which depends on this package (a dev dependency back would be a cycle).
 */
let server: Server;
let serviceUrl = '';
const seen: string[] = [];
let failNext: { status: number; body: unknown } | undefined;

beforeAll(async () => {
  let upstream = oaClient(ctx.sb, { store: memoryStore() });
  let upstreamSandbox = ctx.sb;
  server = createServer(async (req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (upstreamSandbox !== ctx.sb) {
      upstreamSandbox = ctx.sb;
      upstream = oaClient(ctx.sb, { store: memoryStore() });
    }
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.headers.authorization !== `Bearer ${SECRET}`) return send(401, { error: 'unauthorized' });
    if (failNext) {
      const f = failNext;
      failNext = undefined;
      return send(f.status, f.body);
    }
    const m = /^\/v1\/accounts\/([^/]+)\/(access_token|jsapi_ticket)$/.exec(url.pathname);
    if (!m || m[1] !== DEFAULT_ACCOUNT.appId) return send(404, { error: 'unknown account' });
    if (m[2] === 'jsapi_ticket')
      return send(200, { ticket: await upstream.getJsapiTicket(), expires_in: 7000 });
    const stale = url.searchParams.get('stale');
    if (stale) upstream = oaClient(ctx.sb, { store: memoryStore(), tokenMode: 'classic' });
    return send(200, { access_token: await upstream.getAccessToken(), expires_in: 7000 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('remoteTokenProvider (token service protocol)', () => {
  it('reads the token with the bearer secret; concurrent calls share one request', async () => {
    seen.length = 0;
    const provider = remoteTokenProvider({ url: serviceUrl, secret: SECRET, account: DEFAULT_ACCOUNT.appId });
    const client = oaClient(ctx.sb, { appSecret: undefined, tokenProvider: provider });
    await Promise.all(Array.from({ length: 10 }, () => client.countDrafts()));
    expect(seen).toEqual([`GET /v1/accounts/${DEFAULT_ACCOUNT.appId}/access_token Bearer ${SECRET}`]);
  });

  it('passes ?stale=<token> after WeChat rejected the token and retries the call once', async () => {
    seen.length = 0;
    const provider = remoteTokenProvider({ url: serviceUrl, secret: SECRET, account: DEFAULT_ACCOUNT.appId });
    const client = oaClient(ctx.sb, { appSecret: undefined, tokenProvider: provider });
    const first = await client.getAccessToken();
    ctx.sb.revokeTokens(DEFAULT_ACCOUNT.appId);
    await client.countDrafts();
    expect(seen).toHaveLength(2);
    expect(seen[1]).toContain(`stale=${encodeURIComponent(first)}`);
    expect(await client.getAccessToken()).not.toBe(first);
  });

  it('takes the jsapi_ticket from the service too', async () => {
    const provider = remoteTokenProvider({ url: serviceUrl, secret: SECRET, account: DEFAULT_ACCOUNT.appId });
    const client = oaClient(ctx.sb, { appSecret: undefined, tokenProvider: provider });
    const config = await client.jssdkConfig('https://example.com/page');
    expect(config.signature).toMatch(/^[0-9a-f]{40}$/);
    expect(seen.at(-1)).toContain('/jsapi_ticket');
  });

  it('401 → TokenProviderError naming the cause, without the bearer secret', async () => {
    const provider = remoteTokenProvider({
      url: serviceUrl,
      secret: 'wrong-secret-xyz-123',
      account: DEFAULT_ACCOUNT.appId,
    });
    const error = (await provider({}).catch((e: unknown) => e)) as TokenProviderError;
    expect(error).toBeInstanceOf(TokenProviderError);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/bearer secret/);
    expect(error.message).not.toContain('wrong-secret-xyz-123');
  });

  it('404 names the unknown account; 502 carries WeChat errcode', async () => {
    const unknown = remoteTokenProvider({ url: serviceUrl, secret: SECRET, account: 'wxnope' });
    await expect(unknown({})).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining('wxnope'),
    });
    failNext = { status: 502, body: { error: 'upstream', errcode: 40164, errmsg: 'invalid ip 1.2.3.4' } };
    const provider = remoteTokenProvider({ url: serviceUrl, secret: SECRET, account: DEFAULT_ACCOUNT.appId });
    await expect(provider({})).rejects.toMatchObject({ status: 502, errcode: 40164 });
  });

  it('an unreachable service → TokenProviderError, and the client surfaces it', async () => {
    const provider = remoteTokenProvider({
      url: 'http://127.0.0.1:9',
      secret: SECRET,
      account: 'wx1',
      timeoutMs: 500,
    });
    const client = oaClient(ctx.sb, { appSecret: undefined, tokenProvider: provider });
    const error = await client.countDrafts().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenProviderError);
    expect(error).not.toBeInstanceOf(WechatApiError);
    expect((error as Error).message).toMatch(/unreachable/);
    expect((error as Error).message).not.toContain(SECRET);
  });
});
