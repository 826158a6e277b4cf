/**
 * A third-party client from npm (`wechat-api`, node-webot) pointed at the sandbox through its
 * `endpoint` property: it must get a token, manage materials, move temporary media and add a legacy
 * news item exactly as it would against api.weixin.qq.com.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT, type SandboxServer, startSandbox } from '../src/index.js';
import { mp4, png } from './helpers.js';

type Callback = (err: (Error & { code?: number }) | null, data: unknown, res?: unknown) => void;
type WechatApi = Record<string, (...args: unknown[]) => unknown> & { endpoint: string };

const require = createRequire(import.meta.url);
const API = require('wechat-api') as new (appid: string, secret: string) => WechatApi;

function call<T>(api: WechatApi, method: string, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const cb: Callback = (err, data) => (err ? reject(err) : resolve(data as T));
    const fn = api[method];
    if (!fn) throw new Error(`wechat-api has no ${method}`);
    fn.call(api, ...args, cb);
  });
}

describe('wechat-api (npm) against the sandbox', () => {
  let sb: SandboxServer;
  let api: WechatApi;
  let dir: string;
  const imagePng = png(5, 5);
  beforeAll(async () => {
    sb = await startSandbox({ legacyAddNews: true });
    api = new API(DEFAULT_ACCOUNT.appId, DEFAULT_ACCOUNT.appSecret);
    api.endpoint = sb.url;
    dir = mkdtempSync(join(tmpdir(), 'md2wx-sandbox-'));
    writeFileSync(join(dir, 'cover.png'), imagePng);
    writeFileSync(join(dir, 'clip.mp4'), mp4(2048));
  });
  afterAll(async () => {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets an access_token', async () => {
    const token = await call<{ accessToken: string }>(api, 'getAccessToken');
    expect(token.accessToken).toMatch(/^\d{2}_/);
    expect(sb.stats().tokensIssued[DEFAULT_ACCOUNT.appId]).toBe(1);
  });

  it('adds, gets, lists, counts and removes permanent materials', async () => {
    const added = await call<{ media_id: string; url: string }>(
      api,
      'uploadMaterial',
      join(dir, 'cover.png'),
      'image',
    );
    expect(added.url).toContain('/mmbiz_png/');
    const video = await call<{ media_id: string }>(api, 'uploadVideoMaterial', join(dir, 'clip.mp4'), {
      title: 'clip',
      introduction: 'a clip',
    });
    expect(video.media_id).toEqual(expect.any(String));
    const bytes = await call<Buffer>(api, 'getMaterial', added.media_id);
    expect(Buffer.compare(bytes, imagePng)).toBe(0);
    const list = await call<{ total_count: number; item: { media_id: string }[] }>(
      api,
      'getMaterials',
      'image',
      0,
      10,
    );
    expect(list.total_count).toBe(1);
    expect(list.item[0]?.media_id).toBe(added.media_id);
    const count = await call<Record<string, number>>(api, 'getMaterialCount');
    expect(count).toEqual({ voice_count: 0, video_count: 1, image_count: 1, news_count: 0 });
    await call(api, 'removeMaterial', added.media_id);
    await expect(call(api, 'removeMaterial', added.media_id)).rejects.toMatchObject({ code: 40007 });
  });

  it('uploads and downloads temporary media', async () => {
    const up = await call<{ type: string; media_id: string }>(
      api,
      'uploadMedia',
      join(dir, 'cover.png'),
      'image',
    );
    expect(up.type).toBe('image');
    const data = await call<Buffer>(api, 'getMedia', up.media_id);
    expect(Buffer.compare(data, imagePng)).toBe(0);
    // WeChat answers the 40007 of media/get as text/plain JSON; wechat-api parses it into an error.
    await expect(call(api, 'getMedia', 'nope')).rejects.toThrow(/invalid media_id/);
  });

  it('uploads a body image (media/uploadimg)', async () => {
    const r = await call<{ url: string }>(api, 'uploadImage', join(dir, 'cover.png'));
    expect(r.url).toContain(sb.imageHost);
  });

  it('adds a news item in legacy mode and reads it back', async () => {
    // type=thumb takes JPEG only: the PNG is refused with 40005, as WeChat does.
    await expect(call(api, 'uploadMaterial', join(dir, 'cover.png'), 'thumb')).rejects.toMatchObject({
      code: 40005,
    });
    const cover = await call<{ media_id: string }>(api, 'uploadMaterial', join(dir, 'cover.png'), 'image');
    const news = await call<{ media_id: string }>(api, 'uploadNewsMaterial', {
      articles: [
        {
          title: '旧图文',
          thumb_media_id: cover.media_id,
          author: 'md2wx',
          digest: 'd',
          show_cover_pic: 1,
          content: '<p>x</p>',
          content_source_url: 'https://example.com',
        },
      ],
    });
    expect(news.media_id).toEqual(expect.any(String));
    const got = await call<{ news_item: { title: string }[] }>(api, 'getMaterial', news.media_id);
    expect(JSON.parse(Buffer.isBuffer(got) ? got.toString() : JSON.stringify(got)).news_item[0].title).toBe(
      '旧图文',
    );
  });
});
