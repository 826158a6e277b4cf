/**
 * Issue 19, defects 4 and 9: tokens never leak into errors (raw, URL-encoded, cut off at the truncation limit,
 * read from the store rather than fetched), and a token rejected twice in one call is replaced again.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOfficialAccountClient,
  credentialScope,
  memoryStore,
  TOKEN_REPLACEMENTS,
  type TokenProvider,
  WechatApiError,
  WechatHttpError,
} from '../src/index.js';
import { caught, DEFAULT_ACCOUNT, oaClient, useSandbox } from './helpers.js';

/** A 150-character token with characters that URL-encoding changes, like the tokens the issue saw echoed. */
const TOKEN = `${'Ab9_'.repeat(20)}+/x=${'Zq7-'.repeat(16)}tail01`;
const APP = 'wx1234567890abcdef';

/** Every 8-character window of `secret` (and of its URL-encoded form): none may appear in `text`. */
function leaked(text: string, secret: string): string[] {
  const found: string[] = [];
  for (const form of [secret, encodeURIComponent(secret)]) {
    for (let i = 0; i + 8 <= form.length; i++) {
      const window = form.slice(i, i + 8);
      if (text.includes(window)) found.push(window);
    }
  }
  return found;
}

type Echo = (token: string, res: ServerResponse) => void;

/** A fake WeChat that issues `TOKEN` and answers business calls with `echo`. */
function useEchoServer(): { url: string; echo: Echo; tokenRequests: number } {
  const holder = {
    url: '',
    tokenRequests: 0,
    echo: ((_t, res) => res.end('{}')) as Echo,
  };
  let server: Server;
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      if (req.url?.startsWith('/cgi-bin/stable_token')) {
        holder.tokenRequests++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: TOKEN, expires_in: 7200 }));
        return;
      }
      holder.echo(TOKEN, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return holder;
}

const echo = useEchoServer();

function client(store = memoryStore()) {
  return createOfficialAccountClient({
    appId: APP,
    appSecret: 'a'.repeat(32),
    baseUrl: echo.url,
    retries: 0,
    store,
  });
}

async function failure(store = memoryStore()): Promise<Error> {
  const e = await caught(client(store).countDrafts());
  expect(e).toBeInstanceOf(Error);
  return e as Error;
}

function expectClean(error: Error): void {
  expect(leaked(error.message, TOKEN)).toEqual([]);
  expect(leaked(JSON.stringify(error), TOKEN)).toEqual([]);
  expect(leaked(String(error.stack), TOKEN)).toEqual([]);
}

describe('redaction (defect 4)', () => {
  it('errmsg echoing the token raw and URL-encoded', async () => {
    echo.echo = (token, res) =>
      res.end(
        JSON.stringify({
          errcode: 45009,
          errmsg: `quota for ${token} reached, see ?t=${encodeURIComponent(token)} rid: 6a1b-2c3d`,
        }),
      );
    const e = await failure();
    expect(e).toBeInstanceOf(WechatApiError);
    expect((e as WechatApiError).rid).toBe('6a1b-2c3d');
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ errcode: 45009, rid: '6a1b-2c3d' });
    expectClean(e);
  });

  it('a non-JSON body where the token straddles the 200-character cut', async () => {
    echo.echo = (token, res) => {
      res.statusCode = 502;
      res.setHeader('content-type', 'text/html');
      res.end(`<html>${'x'.repeat(164)} upstream ${token} bad gateway</html>`);
    };
    const e = await failure();
    expect(e).toBeInstanceOf(WechatHttpError);
    expect(e.message).toContain('unexpected body');
    expectClean(e);
  });

  it('a body cut off by the server in the middle of the token (only a prefix is echoed)', async () => {
    echo.echo = (token, res) => {
      res.statusCode = 500;
      res.end(JSON.stringify({ errcode: -2, errmsg: `bad token ${token.slice(0, 31)}` }).slice(0, -2));
    };
    const e = await failure();
    expectClean(e);
  });

  it('a token read from the store (fetched by another process) is redacted too', async () => {
    const store = memoryStore();
    // The key the client reads: appId + a hash of its secret and base URL (another process wrote it).
    const key = `md2wx:token:oa:${APP}:${credentialScope('a'.repeat(32), echo.url)}`;
    await store.set(key, { value: TOKEN, usableUntil: Date.now() + 3_600_000 }, 3600);
    const before = echo.tokenRequests;
    echo.echo = (token, res) => res.end(JSON.stringify({ errcode: 45009, errmsg: `echo ${token}` }));
    const e = await failure(store);
    expect(echo.tokenRequests).toBe(before);
    expectClean(e);
  });

  it('a JSON error body without errcode (HTTP 500) is redacted', async () => {
    echo.echo = (token, res) => {
      res.statusCode = 500;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ detail: `gateway saw token ${token}` }));
    };
    const e = await failure();
    expect(e).toBeInstanceOf(WechatHttpError);
    expectClean(e);
  });
});

const ctx = useSandbox();

describe('a token rejected twice in one call (defect 9)', () => {
  it('is replaced again with backoff: the first 3 tokens revoked before use, the call still succeeds', async () => {
    let issued = 0;
    // Each token is fetched from the sandbox by a fresh client, then (the first 3 times) revoked before the
    // client under test can use it: as if WeChat revoked it again right after every refresh.
    const provider: TokenProvider = async () => {
      const value = await oaClient(ctx.sb).getAccessToken();
      issued++;
      if (issued <= 3) ctx.sb.revokeTokens(DEFAULT_ACCOUNT.appId);
      return { access_token: value, expires_in: 7200 };
    };
    const c = oaClient(ctx.sb, { tokenProvider: provider, appSecret: undefined });
    expect(await c.countDrafts()).toBeGreaterThanOrEqual(0);
    expect(issued).toBe(4);
    expect(c.stats().tokenRetries).toBe(3);
  });

  it('gives up after a bound: a token rejected on every try fails the call with the WechatApiError', async () => {
    const c = oaClient(ctx.sb, {
      appSecret: undefined,
      tokenProvider: async () => ({ access_token: `never-valid-${Math.random()}`, expires_in: 7200 }),
    });
    const e = await caught(c.countDrafts());
    expect(e).toBeInstanceOf(WechatApiError);
    expect([40001, 40014, 42001]).toContain((e as WechatApiError).errcode);
    expect(c.stats().tokenRetries).toBe(TOKEN_REPLACEMENTS);
  });
});
