import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DEFAULT_WECOM_APP, startSandbox } from '@md2wx/sandbox';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWecomClient,
  digestOf,
  downloadPartPath,
  memoryStore,
  TEMP_MEDIA_LIFETIME_S,
  WechatApiError,
  WechatInputError,
  WechatQuotaError,
} from '../src/index.js';
import { useSandbox, useTempDir, wecomClient } from './helpers.js';
import { amrVoice, mp4Video } from './media-fixtures.js';
import { startRangeServer } from './range-server.js';

const ctx = useSandbox();
const tmp = useTempDir();
let origin: Awaited<ReturnType<typeof startRangeServer>>;
beforeAll(async () => {
  origin = await startRangeServer();
});
afterAll(async () => {
  await origin.close();
});

const JPG = () => corpusPath('images/special/progressive-small-nikon.jpeg');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const apiError = async (p: Promise<unknown>): Promise<WechatApiError> => {
  const error = await p.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WechatApiError);
  return error as WechatApiError;
};
/** Bytes that are a recognisable pattern, so corrupted offsets would show. */
const pattern = (n: number) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4) b.writeUInt32BE(i, i);
  return b;
};

/** Upload `body` through upload_by_url and wait for the async media_id. */
async function asyncUpload(client: ReturnType<typeof wecomClient>, body: Buffer, name: string) {
  const url = origin.put(`/${name}`, body);
  const { jobid } = await client.uploadByUrl({ type: 'file', filename: name, url, md5: md5(body) });
  return client.waitForUploadJob(jobid, { intervalMs: 20, timeoutMs: 20_000 });
}

describe.skipIf(!requireCorpus())('WeCom code-review checklist R1–R16 (seeds/001 §9)', () => {
  it('R1: uploads are multipart/form-data, not a JSON body (the server stores the exact bytes)', async () => {
    const client = wecomClient(ctx.sb);
    const up = await client.upload('image', JPG());
    const sink = join(tmp.dir, 'r1.jpg');
    await client.download(up.media_id, sink);
    expect((await readFile(sink)).equals(await readFile(JPG()))).toBe(true);
  });

  it('R2: the file part is named `media` and carries a filename with the real extension', async () => {
    const client = wecomClient(ctx.sb);
    const up = await client.upload('image', await readFile(JPG()), { filename: 'photo.png' });
    const got = await client.download(up.media_id, join(tmp.dir, 'r2.bin'));
    expect(got.filename).toBe(`${up.media_id}.jpg`);
    expect(got.contentType).toBe('image/jpeg');
  });

  it('R3: `type` goes in the query string', async () => {
    const client = wecomClient(ctx.sb);
    await client.upload('file', Buffer.from('hello wecom file'), { filename: 'a.txt' });
    const entry = ctx.sb.requestLog().find((e) => e.url.includes('/media/upload?'));
    expect(entry?.url).toMatch(/[?&]type=file(&|$)/);
    expect(entry?.url).toContain('access_token=***');
  });

  it('R4: size is checked before sending (> 5 bytes, ≤ the type maximum)', async () => {
    const client = wecomClient(ctx.sb);
    await expect(client.upload('file', Buffer.from('12345'), { filename: 'a.txt' })).rejects.toMatchObject({
      code: 'too-small',
    });
    await expect(
      client.upload('file', Buffer.alloc(20_000_001, 1), { filename: 'big.bin' }),
    ).rejects.toMatchObject({
      code: 'too-large',
    });
    await expect(
      client.upload('voice', Buffer.concat([amrVoice(), Buffer.alloc(2_000_000)])),
    ).rejects.toMatchObject({
      code: 'too-large',
    });
    expect(ctx.sb.stats().requests['wecom/media/upload'] ?? 0).toBe(0);
    expect(
      (await client.upload('file', Buffer.from('123456'), { filename: 'six.txt' })).media_id,
    ).toBeTruthy();
  });

  it('R5: format is checked by magic bytes (image JPG/PNG, voice AMR, video MP4)', async () => {
    const client = wecomClient(ctx.sb);
    const gif = corpusPath('images/gif/sharp-rotating-squares.gif');
    await expect(client.upload('image', gif)).rejects.toMatchObject({ code: 'bad-format' });
    await expect(client.upload('voice', JPG())).rejects.toMatchObject({ code: 'bad-format' });
    await expect(client.upload('video', amrVoice(), { filename: 'fake.mp4' })).rejects.toMatchObject({
      code: 'bad-format',
    });
    expect(ctx.sb.stats().requests['wecom/media/upload'] ?? 0).toBe(0);
    await client.upload('voice', amrVoice(), { filename: 'v.amr' });
    await client.upload('video', mp4Video(), { filename: 'v.mp4' });
    expect(ctx.sb.stats().uploads['wecom/media/upload']).toBe(2);
  });

  it('R6: media/get answers binary on success and JSON on failure; both are told apart', async () => {
    const client = wecomClient(ctx.sb);
    const to = join(tmp.dir, 'r6.jpg');
    const error = await apiError(client.download('unknown-media-id', to));
    expect(error.errcode).toBe(40007);
    expect(error.platform).toBe('wecom');
    await expect(stat(to)).rejects.toThrow();
    const up = await client.upload('image', JPG());
    expect((await client.download(up.media_id, to)).bytes).toBe((await stat(JPG())).size);
  });

  it('R7: media_ids expire after 3 days — uploadReusable reuses one only while it has life left', async () => {
    const store = memoryStore();
    const client = wecomClient(ctx.sb, { store });
    const first = await client.uploadReusable('image', JPG());
    const second = await client.uploadReusable('image', JPG());
    expect(second).toMatchObject({ media_id: first.media_id, reused: true });
    expect(ctx.sb.stats().uploads['wecom/media/upload']).toBe(1);
    // A margin of (almost) the whole lifetime means "already too old": it is uploaded again.
    const near = await client.uploadReusable('file', Buffer.from('expiring file'), {
      filename: 'e.txt',
      marginSeconds: TEMP_MEDIA_LIFETIME_S,
    });
    const again = await client.uploadReusable('file', Buffer.from('expiring file'), { filename: 'e.txt' });
    expect(again.reused).toBe(false);
    expect(again.media_id).not.toBe(near.media_id);
    const forced = await client.uploadReusable('image', JPG(), { fresh: true });
    expect(forced.reused).toBe(false);
    expect(ctx.sb.stats().uploads['wecom/media/upload']).toBe(4);
  });

  it('R8: downloads are streamed to disk/streams in chunks, never one whole buffer', async () => {
    const client = wecomClient(ctx.sb);
    const body = pattern(3_000_000);
    const up = await client.upload('file', body, { filename: 'big.bin' });
    const sink = new PassThrough();
    const sizes: number[] = [];
    sink.on('data', (c: Buffer) => sizes.push(c.length));
    const got = await client.download(up.media_id, sink);
    expect(got.bytes).toBe(body.length);
    expect(sizes.length).toBeGreaterThan(10);
    expect(Math.max(...sizes)).toBeLessThan(1_000_000);
    // 30 Range chunks into one stream: the bytes arrive in order and no listeners pile up on the target.
    const chunked = new PassThrough();
    const parts: Buffer[] = [];
    chunked.on('data', (c: Buffer) => parts.push(c));
    const before = ctx.sb.stats().requests['wecom/media/get'] ?? 0;
    await client.download(up.media_id, chunked, { chunkBytes: 100_000 });
    expect(ctx.sb.stats().requests['wecom/media/get']! - before).toBe(30);
    expect(Buffer.concat(parts).equals(body)).toBe(true);
    expect(chunked.listenerCount('error')).toBeLessThanOrEqual(1);
    expect(chunked.writableEnded).toBe(true);
  });

  it('R9: files over 20 MB are fetched with Range in ≤ 20 MB chunks, and an interrupted download resumes', async () => {
    const client = wecomClient(ctx.sb);
    const body = pattern(25_000_000);
    const { media_id } = await asyncUpload(client, body, 'r9.bin');
    const to = join(tmp.dir, 'r9.bin');
    const before = ctx.sb.stats().requests['wecom/media/get'] ?? 0;
    const got = await client.download(media_id, to);
    expect(got.bytes).toBe(body.length);
    expect(ctx.sb.stats().requests['wecom/media/get']! - before).toBe(2);
    expect(md5(await readFile(to))).toBe(md5(body));
    // Resume: 7 MB already on disk in <to>.part → the rest comes in one more request.
    const resumed = join(tmp.dir, 'r9-resumed.bin');
    await writeFile(downloadPartPath(resumed), body.subarray(0, 7_000_000));
    const mid = ctx.sb.stats().requests['wecom/media/get']!;
    await client.download(media_id, resumed);
    expect(ctx.sb.stats().requests['wecom/media/get']! - mid).toBe(1);
    expect(md5(await readFile(resumed))).toBe(md5(body));
    // A leftover longer than the media (416 from the server) is discarded and the download starts over.
    const stale = join(tmp.dir, 'r9-stale.bin');
    await writeFile(downloadPartPath(stale), Buffer.alloc(26_000_000, 9));
    await client.download(media_id, stale);
    expect(md5(await readFile(stale))).toBe(md5(body));
  }, 60_000);

  it('R10: the CDN URL must support Range — checked before upload_by_url is called', async () => {
    const client = wecomClient(ctx.sb);
    const body = pattern(10_000);
    const url = origin.put('/norange/r10.bin', body);
    const error = await client
      .uploadByUrl({ type: 'file', filename: 'r10.bin', url, md5: md5(body) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatInputError);
    expect((error as Error).message).toMatch(/Range/);
    expect(ctx.sb.stats().requests['wecom/media/upload_by_url'] ?? 0).toBe(0);
    // Without the probe, WeCom's own verdict comes back from the job: 830001.
    const { jobid } = await client.uploadByUrl({
      type: 'file',
      filename: 'r10.bin',
      url,
      md5: md5(body),
      checkRange: false,
    });
    const failed = await apiError(client.waitForUploadJob(jobid, { intervalMs: 20, timeoutMs: 10_000 }));
    expect(failed.errcode).toBe(830001);
    expect(failed.hint).toMatch(/Range/);
  });

  it('R11: the MD5 is computed from the exact bytes (digestOf) and a wrong one fails with 301019', async () => {
    const client = wecomClient(ctx.sb);
    const body = pattern(50_000);
    const path = join(tmp.dir, 'r11.bin');
    await writeFile(path, body);
    expect(await digestOf(path)).toBe(md5(body));
    const url = origin.put('/r11.bin', body);
    const ok = await client.uploadByUrl({
      type: 'file',
      filename: 'r11.bin',
      url,
      md5: await digestOf(path),
    });
    expect((await client.waitForUploadJob(ok.jobid, { intervalMs: 20 })).media_id).toBeTruthy();
    const bad = await client.uploadByUrl({
      type: 'file',
      filename: 'r11.bin',
      url,
      md5: md5(Buffer.from('x')),
    });
    const error = await apiError(client.waitForUploadJob(bad.jobid, { intervalMs: 20 }));
    expect(error.errcode).toBe(301019);
    expect(error.hint).toMatch(/MD5/);
  });

  it('R12: status 3 with 8300xx detail errcodes becomes a WechatApiError with a hint', async () => {
    const client = wecomClient(ctx.sb);
    const { jobid } = await client.uploadByUrl({
      type: 'video',
      filename: 'gone.mp4',
      url: `${origin.url}/missing.mp4`,
      md5: md5(Buffer.from('gone')),
      checkRange: false,
    });
    await expect(client.getUploadByUrlResult('no-such-job')).rejects.toBeInstanceOf(WechatApiError);
    const first = await client.getUploadByUrlResult(jobid);
    expect([1, 3]).toContain(first.status);
    const error = await apiError(client.waitForUploadJob(jobid, { intervalMs: 20 }));
    expect(error.errcode).toBe(830003);
    expect(error.endpoint).toBe('cgi-bin/media/get_upload_by_url_result');
    expect(error.hint).toMatch(/reachable/);
    await expect(
      client.uploadByUrl({
        type: 'image' as 'file',
        filename: 'a.jpg',
        url: origin.url,
        md5: md5(Buffer.from('a')),
      }),
    ).rejects.toThrow(/type must be video or file/);
  });

  it('R13: an async media_id is only for media/get in ≤ 20 MB Range chunks — chunkBytes is capped', async () => {
    const client = wecomClient(ctx.sb);
    const body = pattern(21_000_000);
    const { media_id } = await asyncUpload(client, body, 'r13.bin');
    const before = ctx.sb.stats().requests['wecom/media/get'] ?? 0;
    // Asking for 50 MB chunks still sends ≤ 20 MB ranges: 2 requests, no 830002.
    const got = await client.download(media_id, join(tmp.dir, 'r13.bin'), { chunkBytes: 50_000_000 });
    expect(got.bytes).toBe(body.length);
    expect(ctx.sb.stats().requests['wecom/media/get']! - before).toBe(2);
  }, 60_000);

  it('R14: errcode != 0 answers throw WechatApiError with errcode, errmsg, endpoint and hint', async () => {
    const client = wecomClient(ctx.sb);
    const thumb = await client.upload('image', JPG());
    const articles = [{ title: 't', thumb_media_id: thumb.media_id, content: '<p>x</p>' }];
    const error = await apiError(client.sendMpnews({ touser: 'nobody|ghost', articles }));
    expect(error.errcode).toBe(81013);
    expect(error.endpoint).toBe('cgi-bin/message/send');
    const badThumb = await apiError(
      client.sendMpnews({ touser: 'zhangsan', articles: [{ ...articles[0]!, thumb_media_id: 'nope' }] }),
    );
    expect(badThumb.errcode).toBe(40007);
    expect(badThumb.hint).toBeTruthy();
  });

  it('R15: an expired access_token (42001) is refreshed once and the call retried', async () => {
    let now = Date.now();
    const sb = await startSandbox({ clock: () => now });
    try {
      const client = createWecomClient({ ...DEFAULT_WECOM_APP, baseUrl: sb.wecomUrl, retryBaseMs: 5 });
      await client.upload('image', JPG());
      now += 7300 * 1000; // the server's clock passes the token's 7200 s; the client's cache does not know
      await client.upload('image', JPG());
      expect(client.stats()).toMatchObject({ tokenFetches: 2, tokenRetries: 1 });
      expect(sb.requestLog().some((e) => e.errcode === 42001)).toBe(true);
    } finally {
      await sb.close();
    }
  });

  it('R16: uploadimg is counted per day and month in the Store and refused before 1,000/day', async () => {
    const store = memoryStore();
    const client = wecomClient(ctx.sb, { store });
    const { url } = await client.uploadImage(JPG());
    expect(url).toBeTruthy();
    const usage = await client.uploadImageQuota();
    expect(usage.day).toMatchObject({ used: 1, limit: 1000 });
    expect(usage.month).toMatchObject({ used: 1, limit: 3000 });
    await store.incr(`md2wx:quota:wecom-uploadimg:${DEFAULT_WECOM_APP.corpId}:day:${usage.day.window}`, 998);
    await client.uploadImage(JPG());
    const error = await client.uploadImage(JPG()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatQuotaError);
    expect((error as WechatQuotaError).message).toMatch(/1000 of 1000 calls this day/);
    expect(ctx.sb.stats().uploads['wecom/media/uploadimg']).toBe(2);
    // The month cap applies too, even on a fresh day.
    const monthStore = memoryStore();
    const monthly = wecomClient(ctx.sb, { store: monthStore });
    const window = (await monthly.uploadImageQuota()).month.window;
    await monthStore.incr(`md2wx:quota:wecom-uploadimg:${DEFAULT_WECOM_APP.corpId}:month:${window}`, 2999);
    await monthly.uploadImage(JPG());
    await expect(monthly.uploadImage(JPG())).rejects.toMatchObject({
      window: 'month',
      used: 3000,
      limit: 3000,
    });
    expect(ctx.sb.stats().uploads['wecom/media/uploadimg']).toBe(3);
  });
});

describe.skipIf(!requireCorpus())('WeCom methods', () => {
  it('sendMpnews sends articles from this agent; partial invalid users come back', async () => {
    const client = wecomClient(ctx.sb);
    const thumb = await client.upload('image', JPG());
    const { url } = await client.uploadImage(JPG());
    const res = await client.sendMpnews({
      touser: 'zhangsan|ghost',
      articles: [
        { title: '标题', thumb_media_id: thumb.media_id, content: `<p><img src="${url}"></p>`, digest: 'd' },
      ],
    });
    expect(res.msgid).toBeTruthy();
    expect(res.invaliduser).toBe('ghost');
    await expect(client.sendMpnews({ articles: [] })).rejects.toThrow(/touser, toparty or totag/);
    await expect(client.sendMpnews({ touser: '@all', articles: [] })).rejects.toThrow(/1 to 8 articles/);
  });

  it('uploadImage refuses > 2 MB and GIFs before counting or sending', async () => {
    const store = memoryStore();
    const client = wecomClient(ctx.sb, { store });
    await expect(
      client.uploadImage(corpusPath('images/photos/canon-sx60_orient6.jpg')),
    ).resolves.toBeTruthy();
    await expect(
      client.uploadImage(corpusPath('images/photos/apple-iphone-5_orient3.jpg')),
    ).rejects.toMatchObject({
      code: 'too-large',
    });
    expect((await client.uploadImageQuota()).day.used).toBe(1);
  });

  it('downloadHdVoice streams a voice media; unknown ids → 40007', async () => {
    const client = wecomClient(ctx.sb);
    const up = await client.upload('voice', amrVoice(), { filename: 'v.amr' });
    const got = await client.downloadHdVoice(up.media_id, join(tmp.dir, 'hd.speex'));
    expect(got.bytes).toBeGreaterThan(0);
    expect((await apiError(client.downloadHdVoice('nope', join(tmp.dir, 'x.speex')))).errcode).toBe(40007);
  });

  it('a wrong corpSecret → gettoken error with the secret hint, secret redacted', async () => {
    const client = wecomClient(ctx.sb, { corpSecret: 'wrong-corp-secret-000000001' });
    const error = await apiError(client.getAccessToken());
    expect([40001, 40091]).toContain(error.errcode);
    expect(error.hint).toMatch(/secret/i);
    expect(error.message).not.toContain('wrong-corp-secret-000000001');
  });
});
