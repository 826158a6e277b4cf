import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT, type SandboxServer, startSandbox } from '../src/index.js';
import { fakeClock, getJson, oaToken, png, postJson, upload } from './helpers.js';

let sb: SandboxServer | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

describe('ticket/getticket', () => {
  it('answers a cached jsapi ticket with the remaining expires_in; bad type is 40002', async () => {
    const clock = fakeClock();
    sb = await startSandbox({ clock: clock.now });
    const token = await oaToken(sb.url);
    const a = await getJson(`${sb.url}/cgi-bin/ticket/getticket?access_token=${token}&type=jsapi`);
    expect(a).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    clock.advance(100_000);
    const b = await getJson(`${sb.url}/cgi-bin/ticket/getticket?access_token=${token}&type=jsapi`);
    expect(b.ticket).toBe(a.ticket);
    expect(b.expires_in).toBe(7100);
    expect((await getJson(`${sb.url}/cgi-bin/ticket/getticket?access_token=${token}&type=x`)).errcode).toBe(
      40002,
    );
  });
});

describe('material/add_news', () => {
  it('answers the retirement error 45103 by default', async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    const r = await postJson(`${sb.url}/cgi-bin/material/add_news?access_token=${token}`, { articles: [] });
    expect(r.errcode).toBe(45103);
    expect(String(r.errmsg)).toMatch(/^This API has been unsupported rid: /);
    expect((await postJson(`${sb.url}/cgi-bin/material/update_news?access_token=${token}`, {})).errcode).toBe(
      45103,
    );
  });

  it('legacy mode stores news material readable through get_material and batchget', async () => {
    sb = await startSandbox({ legacyAddNews: true });
    const token = await oaToken(sb.url);
    const cover = await upload(`${sb.url}/cgi-bin/material/add_material?access_token=${token}&type=image`, {
      data: png(),
      filename: 'c.png',
    });
    const add = await postJson(`${sb.url}/cgi-bin/material/add_news?access_token=${token}`, {
      articles: [{ title: 'N', content: '<p>n</p>', thumb_media_id: cover.body.media_id, show_cover_pic: 1 }],
    });
    expect(Object.keys(add)).toEqual(['media_id']);
    const got = await postJson(`${sb.url}/cgi-bin/material/get_material?access_token=${token}`, {
      media_id: add.media_id,
    });
    expect((got.news_item as { title: string; show_cover_pic: number }[])[0]).toMatchObject({
      title: 'N',
      show_cover_pic: 1,
    });
    const list = await postJson(`${sb.url}/cgi-bin/material/batchget_material?access_token=${token}`, {
      type: 'news',
      count: 5,
    });
    expect(list).toMatchObject({ total_count: 1, item_count: 1 });
    const up = await postJson(`${sb.url}/cgi-bin/material/update_news?access_token=${token}`, {
      media_id: add.media_id,
      index: 0,
      articles: { title: 'M', content: '<p>m</p>', thumb_media_id: cover.body.media_id },
    });
    expect(up).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(
      (await getJson(`${sb.url}/cgi-bin/material/get_materialcount?access_token=${token}`)).news_count,
    ).toBe(1);
  });
});

describe('quota tools', () => {
  it('openapi/quota/get reports use; clear_quota resets daily counters (10 a month, then 48006)', async () => {
    sb = await startSandbox({ quotas: { 'draft/count': 2 } });
    const token = await oaToken(sb.url);
    const count = () => getJson(`${sb?.url}/cgi-bin/draft/count?access_token=${token}`);
    await count();
    await count();
    expect((await count()).errcode).toBe(45009);
    const q = await postJson(`${sb.url}/cgi-bin/openapi/quota/get?access_token=${token}`, {
      cgi_path: '/cgi-bin/draft/count',
    });
    expect(q).toEqual({ errcode: 0, errmsg: 'ok', quota: { daily_limit: 2, used: 2, remain: 0 } });
    const unknown = await postJson(`${sb.url}/cgi-bin/openapi/quota/get?access_token=${token}`, {
      cgi_path: '/cgi-bin/nope',
    });
    expect(unknown.errcode).toBe(76021);
    const clear = () =>
      postJson(`${sb?.url}/cgi-bin/clear_quota?access_token=${token}`, { appid: DEFAULT_ACCOUNT.appId });
    expect(await clear()).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await count()).toEqual({ total_count: 0 });
    for (let i = 1; i < 10; i++) expect((await clear()).errcode).toBe(0);
    expect((await clear()).errcode).toBe(48006);
  });
});

describe('inspection', () => {
  it('redacts secrets and tokens in the request log and keeps status/errcode', async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    await getJson(`${sb.url}/cgi-bin/draft/count?access_token=${token}`);
    await getJson(`${sb.wecomUrl}/cgi-bin/gettoken?corpid=x&corpsecret=topsecret`);
    const log = sb.requestLog();
    const text = JSON.stringify(log);
    expect(text).not.toContain(DEFAULT_ACCOUNT.appSecret);
    expect(text).not.toContain(token);
    expect(text).not.toContain('topsecret');
    expect(log.map((e) => e.url)).toEqual([
      `/cgi-bin/token?grant_type=client_credential&appid=${DEFAULT_ACCOUNT.appId}&secret=***`,
      '/cgi-bin/draft/count?access_token=***',
      '/wecom/cgi-bin/gettoken?corpid=x&corpsecret=***',
    ]);
    expect(log[2]).toMatchObject({ status: 200, errcode: 40013, ip: '127.0.0.1', api: 'wecom/gettoken' });
  });

  it('reset() forgets tokens, media, drafts, counters and the log', async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    await upload(`${sb.url}/cgi-bin/material/add_material?access_token=${token}&type=image`, {
      data: png(),
      filename: 'a.png',
    });
    expect(sb.state.materials).toHaveLength(1);
    sb.reset();
    expect(sb.state.materials).toHaveLength(0);
    expect(sb.stats()).toMatchObject({
      tokensIssued: {},
      requests: {},
      uploads: {},
      materials: 0,
      drafts: 0,
      publishJobs: 0,
    });
    expect(sb.requestLog()).toEqual([]);
    expect((await getJson(`${sb.url}/cgi-bin/draft/count?access_token=${token}`)).errcode).toBe(40001);
  });

  it('the same seed gives the same tokens and media_ids', async () => {
    const run = async () => {
      const s = await startSandbox({ seed: 42 });
      const token = await oaToken(s.url);
      const r = await upload(`${s.url}/cgi-bin/material/add_material?access_token=${token}&type=image`, {
        data: png(),
        filename: 'a.png',
      });
      await s.close();
      return [token, r.body.media_id];
    };
    expect(await run()).toEqual(await run());
  });

  it('unknown paths answer HTTP 404; the image host 404s unknown files', async () => {
    sb = await startSandbox();
    const res = await fetch(`${sb.url}/cgi-bin/nope`);
    expect(res.status).toBe(404);
    expect((await fetch(`${sb.url}/mmbiz_png/zzz/0`)).status).toBe(404);
  });

  it('contentTypeQuirks: false serves every JSON as application/json', async () => {
    sb = await startSandbox({ contentTypeQuirks: false });
    const token = await oaToken(sb.url);
    const r = await upload(`${sb.url}/cgi-bin/media/uploadimg?access_token=${token}`, {
      data: png(),
      filename: 'a.png',
    });
    expect(r.contentType).toBe('application/json; encoding=utf-8');
  });
});

describe('robustness', () => {
  it('serves 40 parallel uploads with distinct URLs, all served back', async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        upload(`${sb?.url}/cgi-bin/media/uploadimg?access_token=${token}`, {
          data: png(i + 1, 1),
          filename: `${i}.png`,
        }),
      ),
    );
    const urls = results.map((r) => String(r.body.url));
    expect(new Set(urls).size).toBe(40);
    expect(sb.stats().uploads['media/uploadimg']).toBe(40);
    const served = await fetch(urls[7] ?? '');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(png(8, 1));
  });

  it('close() returns while a request is held by latency; a port in use rejects start-up', async () => {
    sb = await startSandbox({ faults: { latencyMs: 10_000, scope: 'all' } });
    const pending = fetch(`${sb.url}/cgi-bin/draft/count`).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 50));
    await sb.close();
    expect(await pending).toBeInstanceOf(Error);
    const a = await startSandbox();
    const port = Number(new URL(a.url).port);
    await expect(startSandbox({ port })).rejects.toThrow(/EADDRINUSE/);
    sb = a;
  });

  it('answers HEAD on hosted images and JSON bodies sent as text/plain', async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    const r = await upload(`${sb.url}/cgi-bin/media/uploadimg?access_token=${token}`, {
      data: png(),
      filename: 'a.png',
    });
    const head = await fetch(String(r.body.url), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(png().length));
    const res = await fetch(`${sb.url}/cgi-bin/draft/batchget?access_token=${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ offset: 0, count: 1 }),
    });
    expect(await res.json()).toEqual({ total_count: 0, item_count: 0, item: [] });
  });
});
