/**
 * Which failed calls are repeated (src/core/retry-policy.ts, README "Retries"): create-type calls only when the
 * request provably never reached WeChat whole, or WeChat said it did not do it (-1, 45011); everything else
 * (reads, updates, uploads that only yield another URL) after any network error.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CREATE_ENDPOINTS,
  createOfficialAccountClient,
  memoryStore,
  retryPolicyFor,
  WechatApiError,
  WechatHttpError,
  WechatNetworkError,
} from '../src/index.js';
import { caught, DEFAULT_ACCOUNT, oaClient, useSandbox, wecomClient } from './helpers.js';

const ctx = useSandbox();

const JPG = () => corpusPath('images/special/progressive-small-nikon.jpeg');

/** What the faulty front does with one request. */
type Verdict = 'pass' | 'destroy-before-body' | 'destroy-after-body' | 'http-502';

/**
 * A front between client and sandbox that can kill a connection as soon as the request headers arrive (the
 * body is never read: the server cannot have acted), kill it after reading the whole request (the client has
 * sent everything: ambiguous, WeChat may have acted), or answer HTTP 502 without forwarding.
 */
async function startFront(upstream: () => string) {
  const seen: { path: string; verdict: Verdict; bodyBytes: number }[] = [];
  let decide: (path: string, nth: number) => Verdict = () => 'pass';
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://front').pathname;
    const verdict = decide(path, seen.filter((s) => s.path === path).length);
    const entry = { path, verdict, bodyBytes: 0 };
    seen.push(entry);
    if (verdict === 'destroy-before-body') {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    entry.bodyBytes = body.length;
    if (verdict === 'destroy-after-body') {
      req.socket.destroy();
      return;
    }
    if (verdict === 'http-502') {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>');
      return;
    }
    const target = new URL(upstream() + (req.url ?? '/'));
    const up = request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.socket?.destroy());
    up.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    set plan(fn: (path: string, nth: number) => Verdict) {
      decide = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let front: Awaited<ReturnType<typeof startFront>>;
beforeAll(async () => {
  front = await startFront(() => ctx.sb.url);
});
beforeEach(() => {
  front.plan = () => 'pass';
  front.seen.length = 0;
});
afterAll(async () => {
  await front?.close();
});

/** A 1×… JPEG padded to `size` bytes: real magic bytes, accepted as an image by client and sandbox. */
async function bigJpeg(size: number): Promise<Buffer> {
  const head = await readFile(JPG());
  return Buffer.concat([head, Buffer.alloc(size - head.length)]);
}

describe('retry policy table', () => {
  it('create-type endpoints (media/upload included) are listed; reads, updates, deletes and uploadimg are repeatable', () => {
    for (const path of [
      '/cgi-bin/draft/add',
      '/cgi-bin/freepublish/submit',
      '/cgi-bin/material/add_material',
      '/cgi-bin/material/add_news',
      '/cgi-bin/message/send',
      '/cgi-bin/media/upload_by_url',
      '/cgi-bin/media/upload',
    ]) {
      expect(retryPolicyFor(path)).toBe('create');
    }
    for (const path of [
      '/cgi-bin/draft/count',
      '/cgi-bin/draft/update',
      '/cgi-bin/draft/delete',
      '/cgi-bin/media/uploadimg',
      '/cgi-bin/stable_token',
      '/cgi-bin/gettoken',
    ]) {
      expect(retryPolicyFor(path)).toBe('repeatable');
    }
    expect(CREATE_ENDPOINTS.size).toBe(7);
  });
});

describe.skipIf(!requireCorpus())('retries of create-type calls (no duplicates in WeChat)', () => {
  it('draft/add, freepublish/submit and add_material are NOT repeated after a drop once sent: one request, an ambiguous error', async () => {
    const client = oaClient(ctx.sb, { baseUrl: front.url, retries: 3, retryBaseMs: 1 });
    const thumb = (await client.addMaterial({ type: 'image', file: JPG() })).media_id;
    const { media_id: draft } = await client.addDraft([
      { title: 'before', content: '<p>x</p>', thumb_media_id: thumb },
    ]);
    front.seen.length = 0;
    front.plan = (path) => (path === '/cgi-bin/stable_token' ? 'pass' : 'destroy-after-body');
    const calls: [string, () => Promise<unknown>][] = [
      ['draft/add', () => client.addDraft([{ title: 't', content: '<p>x</p>', thumb_media_id: thumb }])],
      ['freepublish/submit', () => client.submitPublish(draft)],
      ['material/add_material', () => client.addMaterial({ type: 'image', file: JPG() })],
    ];
    for (const [api, call] of calls) {
      const e = (await caught(call())) as WechatNetworkError;
      expect(e).toBeInstanceOf(WechatNetworkError);
      expect(e).toMatchObject({ ambiguous: true, attempts: 1, endpoint: `cgi-bin/${api}` });
      expect(e.message).toMatch(/may have carried it out.*not repeated/);
      expect(front.seen.filter((s) => s.path === `/cgi-bin/${api}`)).toHaveLength(1);
    }
    // A read under the same faults is repeated: retries + 1 requests, and the error is not ambiguous.
    const e = (await caught(client.countDrafts())) as WechatNetworkError;
    expect(e).toMatchObject({ ambiguous: false, attempts: 4 });
    expect(front.seen.filter((s) => s.path === '/cgi-bin/draft/count')).toHaveLength(4);
  });

  it('draft/add carried out but its answer lost (sandbox dropAnswerRate) is not repeated: one draft, and the error says to check the draft box', async () => {
    const client = oaClient(ctx.sb, { retries: 4, retryBaseMs: 1 });
    const thumb = (await client.addMaterial({ type: 'image', file: JPG() })).media_id;
    ctx.sb.setFaults({ dropAnswerRate: 1 });
    const e = (await caught(
      client.addDraft([{ title: 't', content: '<p>x</p>', thumb_media_id: thumb }]),
    )) as WechatNetworkError;
    ctx.sb.setFaults({ dropAnswerRate: 0 });
    expect(e).toBeInstanceOf(WechatNetworkError);
    expect(e).toMatchObject({ ambiguous: true, attempts: 1, endpoint: 'cgi-bin/draft/add' });
    expect(e.message).toMatch(/not repeated to avoid a duplicate\. Check the draft box \(草稿箱/);
    expect(ctx.sb.stats().requests['draft/add']).toBe(1);
    expect(ctx.sb.stats().drafts).toBe(1);
    expect(await client.countDrafts()).toBe(1);
  });

  it('media/upload (OA and WeCom) carried out but its answer lost is not repeated: one temporary media each', async () => {
    const oa = oaClient(ctx.sb, { retries: 4, retryBaseMs: 1 });
    const wecom = wecomClient(ctx.sb, { retries: 4, retryBaseMs: 1 });
    await Promise.all([oa.getAccessToken(), wecom.getAccessToken()]);
    ctx.sb.setFaults({ dropAnswerRate: 1 });
    const errors = [
      (await caught(oa.uploadTempMedia('image', JPG()))) as WechatNetworkError,
      (await caught(wecom.upload('image', JPG()))) as WechatNetworkError,
    ];
    ctx.sb.setFaults({ dropAnswerRate: 0 });
    for (const e of errors) {
      expect(e).toMatchObject({ ambiguous: true, attempts: 1, endpoint: 'cgi-bin/media/upload' });
      expect(e.message).toMatch(/temporary media_id may have been created/);
    }
    expect(ctx.sb.stats().requests['media/upload']).toBe(1);
    expect(ctx.sb.stats().requests['wecom/media/upload']).toBe(1);
    expect(ctx.sb.stats().temporaryMedia).toBe(2);
  });

  it('errcode -1 on draft/add IS repeated: WeChat answered that it did not do it', async () => {
    const client = oaClient(ctx.sb, { retries: 2, retryBaseMs: 1 });
    const thumb = (await client.addMaterial({ type: 'image', file: JPG() })).media_id;
    ctx.sb.setFaults({ busyRate: 1 });
    const e = (await caught(
      client.addDraft([{ title: 't', content: '<p>x</p>', thumb_media_id: thumb }]),
    )) as WechatApiError;
    expect(e).toBeInstanceOf(WechatApiError);
    expect(e.errcode).toBe(-1);
    expect(ctx.sb.stats().requests['draft/add']).toBe(3);
    ctx.sb.setFaults({ busyRate: 0 });
    await client.addDraft([{ title: 't', content: '<p>x</p>', thumb_media_id: thumb }]);
    expect(await client.countDrafts()).toBe(1);
  });

  it('a refused connection (nothing sent) IS repeated for draft/add', async () => {
    // A port nobody listens on; the token comes from a provider so the only requests are the draft/add attempts.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = createOfficialAccountClient({
      appId: DEFAULT_ACCOUNT.appId,
      baseUrl: `http://127.0.0.1:${port}`,
      tokenProvider: async () => ({ access_token: 'provided-token-0001', expires_in: 7200 }),
      retries: 2,
      retryBaseMs: 1,
    });
    const e = (await caught(
      client.addDraft([{ title: 't', content: '<p>x</p>', thumb_media_id: 'thumb' }]),
    )) as WechatNetworkError;
    expect(e).toBeInstanceOf(WechatNetworkError);
    expect(e.message).toMatch(/ECONNREFUSED/);
    expect(e).toMatchObject({ ambiguous: false, attempts: 3 });
    expect(client.stats()).toMatchObject({ requests: 3, retries: 2 });
  });

  it('a connection killed before the upload body was written IS repeated: exactly one material is created', async () => {
    const client = oaClient(ctx.sb, { baseUrl: front.url, retries: 2, retryBaseMs: 1 });
    await client.getAccessToken();
    const image = await bigJpeg(9_000_000);
    front.plan = (path, nth) =>
      path === '/cgi-bin/material/add_material' && nth === 0 ? 'destroy-before-body' : 'pass';
    const { media_id } = await client.addMaterial({ type: 'image', data: image, filename: 'big.jpg' });
    expect(media_id).toBeTruthy();
    const attempts = front.seen.filter((s) => s.path === '/cgi-bin/material/add_material');
    expect(attempts.map((a) => a.verdict)).toEqual(['destroy-before-body', 'pass']);
    expect(attempts[1]!.bodyBytes).toBeGreaterThan(image.length);
    expect(client.stats().retries).toBe(1);
    expect((await client.getMaterialCount()).image_count).toBe(1);
  });

  it('HTTP 502 is repeated for a read but not for draft/add', async () => {
    const client = oaClient(ctx.sb, { baseUrl: front.url, retries: 2, retryBaseMs: 1 });
    const thumb = (await client.addMaterial({ type: 'image', file: JPG() })).media_id;
    front.seen.length = 0;
    front.plan = (path, nth) =>
      (path === '/cgi-bin/draft/add' || path === '/cgi-bin/draft/count') && nth === 0 ? 'http-502' : 'pass';
    expect(await client.countDrafts()).toBe(0);
    const e = await caught(client.addDraft([{ title: 't', content: '<p>x</p>', thumb_media_id: thumb }]));
    expect(e).toBeInstanceOf(WechatHttpError);
    expect((e as WechatHttpError).status).toBe(502);
    expect(front.seen.map((s) => `${s.path} ${s.verdict}`)).toEqual([
      '/cgi-bin/draft/count http-502',
      '/cgi-bin/draft/count pass',
      '/cgi-bin/draft/add http-502',
    ]);
  });

  it('WeCom message/send is not repeated after a drop, unless enable_duplicate_check makes WeCom drop repeats', async () => {
    const client = wecomClient(ctx.sb, { baseUrl: `${front.url}/wecom`, retries: 2, retryBaseMs: 1 });
    const thumb = await client.upload('image', JPG());
    const articles = [{ title: '周报', thumb_media_id: thumb.media_id, content: '<p>hello</p>' }];
    front.seen.length = 0;
    front.plan = (path) => (path === '/wecom/cgi-bin/message/send' ? 'destroy-after-body' : 'pass');
    const once = (await caught(client.sendMpnews({ touser: 'zhangsan', articles }))) as WechatNetworkError;
    expect(once).toMatchObject({ ambiguous: true, attempts: 1 });
    expect(front.seen).toHaveLength(1);
    const checked = (await caught(
      client.sendMpnews({ touser: 'zhangsan', articles, enable_duplicate_check: 1 }),
    )) as WechatNetworkError;
    expect(checked).toMatchObject({ ambiguous: false, attempts: 3 });
    expect(front.seen).toHaveLength(4);
  });

  it('WeCom uploadimg is repeated after a drop, and every attempt that may have reached WeCom is counted in the quota', async () => {
    const store = memoryStore();
    const client = wecomClient(ctx.sb, { baseUrl: `${front.url}/wecom`, store, retries: 2, retryBaseMs: 1 });
    await client.getAccessToken();
    front.seen.length = 0;
    front.plan = (path) => (path === '/wecom/cgi-bin/media/uploadimg' ? 'destroy-after-body' : 'pass');
    const e = (await caught(client.uploadImage(JPG()))) as WechatNetworkError;
    expect(e).toMatchObject({ ambiguous: false, attempts: 3 });
    expect(front.seen).toHaveLength(3);
    expect((await client.uploadImageQuota()).day.used).toBe(3);
    front.plan = () => 'pass';
    const { url } = await client.uploadImage(JPG());
    expect(url).toBeTruthy();
    expect((await client.uploadImageQuota()).day.used).toBe(4);
  });
});
