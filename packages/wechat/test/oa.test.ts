import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startSandbox } from '@md2wx/sandbox';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { describe, expect, it } from 'vitest';
import {
  jssdkSignature,
  type OfficialAccountClient,
  WechatInputError,
  WechatPublishError,
  WechatTimeoutError,
} from '../src/index.js';
import { apiError, DEFAULT_ACCOUNT, oaClient, useSandbox, useTempDir } from './helpers.js';
import { amrVoice, mp4Video } from './media-fixtures.js';

const ctx = useSandbox();
const tmp = useTempDir();

const PNG = () => corpusPath('images/broken-and-tiny/pngsuite-1x1.png');
const JPG = () => corpusPath('images/special/progressive-small-nikon.jpeg');

async function cover(client: OfficialAccountClient): Promise<string> {
  return (await client.addMaterial({ type: 'image', file: JPG() })).media_id;
}

describe.skipIf(!requireCorpus())('Official Account media (uploadimg, material, temporary media)', () => {
  it('uploadImage: a PNG file → a permanent mmbiz URL (JSON served as text/plain)', async () => {
    const client = oaClient(ctx.sb);
    const { url } = await client.uploadImage(PNG());
    expect(url.startsWith(`${ctx.sb.imageHost}/mmbiz_png/`)).toBe(true);
    const served = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(served.equals(await readFile(PNG()))).toBe(true);
    expect(ctx.sb.stats().uploads['media/uploadimg']).toBe(1);
  });

  it('uploadImage takes bytes and Blobs, and fixes a wrong extension from magic bytes', async () => {
    const client = oaClient(ctx.sb);
    const jpegNamedPng = await readFile(corpusPath('images/wrong-extension/real-time-apps-15_is-jpeg.png'));
    expect((await client.uploadImage(jpegNamedPng, { filename: 'x.png' })).url).toContain('/mmbiz_jpg/');
    expect(
      (await client.uploadImage(new Blob([await readFile(PNG())]), { filename: 'b.png' })).url,
    ).toContain('/mmbiz_png/');
  });

  it('uploadImage refuses an image over 1 MB and a GIF before any request', async () => {
    const client = oaClient(ctx.sb);
    await expect(
      client.uploadImage(corpusPath('images/png/pingcap-logo-550x534-but-1.2MB.png')),
    ).rejects.toMatchObject({
      code: 'too-large',
    });
    await expect(
      client.uploadImage(corpusPath('images/gif/sharp-rotating-squares.gif')),
    ).rejects.toMatchObject({
      code: 'bad-format',
    });
    expect(ctx.sb.stats().requests['media/uploadimg'] ?? 0).toBe(0);
  });

  it('uploadImage: daily quota exhausted → 45009 with the quota hint, not retried', async () => {
    ctx.sb.setFaults({ exhaustedQuotas: ['media/uploadimg'] });
    const client = oaClient(ctx.sb);
    const error = await apiError(client.uploadImage(PNG()));
    expect(error.errcode).toBe(45009);
    expect(error.hint).toMatch(/quota/i);
    expect(client.stats().retries).toBe(0);
  });

  it('addMaterial image → media_id and url; thumb; voice; video with title and introduction', async () => {
    const client = oaClient(ctx.sb);
    const image = await client.addMaterial({
      type: 'image',
      file: corpusPath('images/gif/sharp-rotating-squares.gif'),
    });
    expect(image.media_id).toBeTruthy();
    expect(image.url).toContain(ctx.sb.imageHost);
    const thumb = await client.addMaterial({ type: 'thumb', file: JPG() });
    expect(thumb.media_id).toBeTruthy();
    const voice = await client.addMaterial({ type: 'voice', data: amrVoice(), filename: 'v.amr' });
    expect(voice.url).toBeUndefined();
    const video = await client.addMaterial({
      type: 'video',
      data: mp4Video(),
      filename: 'clip.mp4',
      description: { title: '标题', introduction: '简介' },
    });
    const got = await client.getMaterial(video.media_id);
    expect(got).toMatchObject({ kind: 'video', title: '标题', description: '简介' });
    const count = await client.getMaterialCount();
    expect(count).toMatchObject({ voice_count: 1, video_count: 1 });
    expect(count.image_count).toBeGreaterThanOrEqual(1);
  });

  it('addMaterial refuses a video without description and a thumb over 64 KB, before sending', async () => {
    const client = oaClient(ctx.sb);
    await expect(client.addMaterial({ type: 'video', data: mp4Video(), filename: 'a.mp4' })).rejects.toThrow(
      /description: \{ title, introduction \}/,
    );
    await expect(
      client.addMaterial({ type: 'thumb', file: corpusPath('images/special/grayscale-gamma-test.jpg') }),
    ).rejects.toBeInstanceOf(WechatInputError);
    expect(ctx.sb.stats().requests['material/add_material'] ?? 0).toBe(0);
  });

  it('getMaterial streams an image to a file or returns its bytes; deleteMaterial removes it', async () => {
    const client = oaClient(ctx.sb);
    const { media_id } = await client.addMaterial({ type: 'image', file: JPG() });
    const inMemory = await client.getMaterial(media_id);
    expect(inMemory.kind).toBe('file');
    expect(inMemory.kind === 'file' && inMemory.data?.equals(await readFile(JPG()))).toBe(true);
    const to = join(tmp.dir, 'material.jpg');
    const onDisk = await client.getMaterial(media_id, { to });
    expect(onDisk).toMatchObject({ kind: 'file', path: to, bytes: (await stat(JPG())).size });
    expect((await readFile(to)).equals(await readFile(JPG()))).toBe(true);
    await client.deleteMaterial(media_id);
    expect((await apiError(client.getMaterial(media_id))).errcode).toBe(40007);
    expect((await apiError(client.deleteMaterial(media_id))).errcode).toBe(40007);
  });

  it('listMaterials iterates every page of ≤ 20 (23 images → 2 requests)', async () => {
    const client = oaClient(ctx.sb);
    const ids = new Set<string>();
    for (let i = 0; i < 23; i++) ids.add((await client.addMaterial({ type: 'image', file: PNG() })).media_id);
    const listed: string[] = [];
    for await (const item of client.listMaterials('image')) listed.push(item.media_id);
    expect(new Set(listed)).toEqual(ids);
    expect(ctx.sb.stats().requests['material/batchget_material']).toBe(2);
    await expect(client.getMaterialPage('image', 0, 21)).rejects.toThrow(/count must be 1..20/);
  });

  it('listMaterials with a bad type → 40004 from the server', async () => {
    const client = oaClient(ctx.sb);
    const it = client.listMaterials('bogus' as 'image');
    expect((await apiError(it.next())).errcode).toBe(40004);
  });

  it('uploadTempMedia + downloadTempMedia round-trip a file to disk and to a stream', async () => {
    const client = oaClient(ctx.sb);
    const up = await client.uploadTempMedia('image', JPG());
    expect(up).toMatchObject({ type: 'image' });
    expect(typeof up.created_at).toBe('number');
    const to = join(tmp.dir, 'temp.jpg');
    const file = await client.downloadTempMedia(up.media_id, to);
    expect(file).toMatchObject({ kind: 'file', contentType: 'image/jpeg', filename: `${up.media_id}.jpg` });
    expect((await readFile(to)).equals(await readFile(JPG()))).toBe(true);
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    await client.downloadTempMedia(up.media_id, sink);
    expect(Buffer.concat(chunks).equals(await readFile(JPG()))).toBe(true);
  });

  it('downloadTempMedia: a video answers JSON with video_url', async () => {
    const client = oaClient(ctx.sb);
    const up = await client.uploadTempMedia('video', mp4Video(), { filename: 'v.mp4' });
    const got = await client.downloadTempMedia(up.media_id, join(tmp.dir, 'never.mp4'));
    expect(got.kind).toBe('video');
    expect(got.kind === 'video' && got.video_url).toBeTruthy();
  });

  it('downloadTempMedia: a JSON error served as text/plain instead of the file → 40007, no file left', async () => {
    const client = oaClient(ctx.sb);
    const to = join(tmp.dir, 'missing.jpg');
    const error = await apiError(client.downloadTempMedia('no-such-media', to));
    expect(error.errcode).toBe(40007);
    expect(error.endpoint).toBe('cgi-bin/media/get');
    await expect(stat(to)).rejects.toThrow();
  });

  it('uploadTempMedia refuses a bad type and a wrong format before sending', async () => {
    const client = oaClient(ctx.sb);
    await expect(client.uploadTempMedia('voice', JPG())).rejects.toMatchObject({ code: 'bad-format' });
    await expect(client.uploadTempMedia('bogus' as 'image', JPG())).rejects.toMatchObject({
      code: 'bad-type',
      message: expect.stringContaining('use one of image, voice, video, thumb'),
    });
    await expect(client.addMaterial({ type: 'news' as 'image', file: JPG() })).rejects.toMatchObject({
      code: 'bad-type',
    });
    expect(ctx.sb.stats().requests['media/upload'] ?? 0).toBe(0);
  });

  it('downloadHdVoice streams the speex of a voice media; unknown id → 40007', async () => {
    const client = oaClient(ctx.sb);
    const up = await client.uploadTempMedia('voice', amrVoice(), { filename: 'v.amr' });
    const to = join(tmp.dir, 'voice.speex');
    const got = await client.downloadHdVoice(up.media_id, to);
    expect(got).toMatchObject({ kind: 'file', contentType: 'voice/speex' });
    expect((await apiError(client.downloadHdVoice('nope', to))).errcode).toBe(40007);
  });

  it('streams an upload from disk: a file path is never read whole (openAsBlob)', async () => {
    const client = oaClient(ctx.sb);
    const path = corpusPath('images/photos/mate-dune-1021283-bytes.jpg');
    const res = await client.addMaterial({ type: 'image', file: path });
    expect(res.media_id).toBeTruthy();
    void createReadStream;
  });
});

describe.skipIf(!requireCorpus())('drafts (draft/*) and publishing (freepublish/*)', () => {
  it('addDraft → getDraft → updateDraft (0-based index, single object) → listDrafts → countDrafts → deleteDraft', async () => {
    const client = oaClient(ctx.sb);
    const thumb = await cover(client);
    const a = { title: '第一篇', content: '<p>one</p>', thumb_media_id: thumb };
    const b = { title: '第二篇', content: '<p>two</p>', thumb_media_id: thumb, author: '作者' };
    const { media_id } = await client.addDraft([a, b]);
    const draft = await client.getDraft(media_id);
    expect(draft.news_item.map((n) => n.title)).toEqual(['第一篇', '第二篇']);
    await client.updateDraft({ media_id, index: 1, articles: { ...b, title: '改过的' } });
    expect((await client.getDraft(media_id)).news_item[1]?.title).toBe('改过的');
    expect((await apiError(client.updateDraft({ media_id, index: 2, articles: a }))).errcode).toBe(40114);
    await expect(client.updateDraft({ media_id, index: -1, articles: a })).rejects.toBeInstanceOf(
      WechatInputError,
    );
    const page = await client.listDrafts({ no_content: true });
    expect(page.total_count).toBe(1);
    expect(page.item[0]?.media_id).toBe(media_id);
    expect(await client.countDrafts()).toBe(1);
    await client.deleteDraft(media_id);
    expect(await client.countDrafts()).toBe(0);
    expect((await apiError(client.getDraft(media_id))).errcode).toBe(40007);
  });

  it('addDraft: a temporary media_id as cover → 40007 with the permanent-material hint', async () => {
    const client = oaClient(ctx.sb);
    const temp = await client.uploadTempMedia('image', JPG());
    const error = await apiError(
      client.addDraft([{ title: 't', content: '<p>x</p>', thumb_media_id: temp.media_id }]),
    );
    expect(error.errcode).toBe(40007);
    expect(error.hint).toMatch(/permanent material/);
  });

  it('addDraft refuses an over-long title before sending', async () => {
    const client = oaClient(ctx.sb);
    await expect(
      client.addDraft([{ title: 'x'.repeat(33), content: '<p>x</p>', thumb_media_id: 'm' }]),
    ).rejects.toThrow(/title has 33 characters/);
    expect(ctx.sb.stats().requests['draft/add'] ?? 0).toBe(0);
  });

  it('submitPublish → waitForPublish (numeric publish_id, also accepted as a string) → published article', async () => {
    const client = oaClient(ctx.sb);
    const thumb = await cover(client);
    const { media_id } = await client.addDraft([
      { title: 'pub', content: '<p>hello</p>', thumb_media_id: thumb },
    ]);
    const job = await client.submitPublish(media_id);
    expect(['number', 'string']).toContain(typeof job.publish_id);
    const early = await client.getPublishStatus(String(job.publish_id));
    expect([0, 1]).toContain(early.publish_status);
    const done = await client.waitForPublish(job.publish_id, { intervalMs: 50, timeoutMs: 5000 });
    expect(done.publish_status).toBe(0);
    expect(done.article_id).toBeTruthy();
    const article = await client.getPublishedArticle(done.article_id!);
    expect(article.news_item[0]?.title).toBe('pub');
    const list = await client.listPublished({ count: 5 });
    expect(list.item.map((i) => i.article_id)).toContain(done.article_id);
    expect(await client.countDrafts()).toBe(0);
    await client.deletePublished(done.article_id!, 1);
    expect((await apiError(client.getPublishedArticle('nope'))).errcode).toBe(53600);
  });

  it('waitForPublish: a failed job → WechatPublishError with fail_idx; a slow job → timeout', async () => {
    ctx.sb.setFaults({ publishFailure: { status: 4, failIdx: [1] } });
    const client = oaClient(ctx.sb);
    const thumb = await cover(client);
    const { media_id } = await client.addDraft([
      { title: 'bad', content: '<p>x</p>', thumb_media_id: thumb },
    ]);
    const job = await client.submitPublish(media_id);
    const error = await client
      .waitForPublish(job.publish_id, { intervalMs: 50, timeoutMs: 5000 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(WechatPublishError);
    expect((error as WechatPublishError).status.fail_idx).toEqual([1]);
    expect((error as Error).message).toMatch(/rejected by platform review \(articles 1\)/);
    ctx.sb.setFaults({ publishFailure: undefined });
    const again = await client.addDraft([{ title: 'slow', content: '<p>x</p>', thumb_media_id: thumb }]);
    const slow = await client.submitPublish(again.media_id);
    await expect(
      client.waitForPublish(slow.publish_id, { intervalMs: 1, timeoutMs: 1 }),
    ).rejects.toBeInstanceOf(WechatTimeoutError);
  });

  it('publishing error paths: unknown draft 40007, unknown publish_id 40002, unknown article 53600', async () => {
    const client = oaClient(ctx.sb);
    expect((await apiError(client.submitPublish('nope'))).errcode).toBe(40007);
    expect((await apiError(client.getPublishStatus(999999))).errcode).toBe(40002);
    expect((await apiError(client.deletePublished('nope', 1))).errcode).toBe(53600);
    await expect(client.deletePublished('x', -1)).rejects.toBeInstanceOf(WechatInputError);
    await expect(client.listPublished({ count: 0 })).rejects.toThrow(/count must be 1..20/);
    expect((await client.listPublished()).total_count).toBe(0);
  });

  it('unverified accounts get 48001 from freepublish with the account-type hint', async () => {
    const sb = await startSandbox({ accounts: [{ ...DEFAULT_ACCOUNT, verified: false }] });
    try {
      const client = oaClient(sb);
      const error = await apiError(client.submitPublish('any'));
      expect(error.errcode).toBe(48001);
      expect(error.hint).toMatch(/verified account/);
    } finally {
      await sb.close();
    }
  });

  it('addNews (retired) → 45103 with the hint to use drafts', async () => {
    const client = oaClient(ctx.sb);
    const error = await apiError(client.addNews([{ title: 't', content: 'c', thumb_media_id: 'm' }]));
    expect(error.errcode).toBe(45103);
    expect(error.message).toMatch(/addDraft/);
  });

  it('addNews still works against a server that accepts the legacy API', async () => {
    const sb = await startSandbox({ legacyAddNews: true });
    try {
      const client = oaClient(sb);
      const thumb = await cover(client);
      const { media_id } = await client.addNews([
        { title: 'old', content: '<p>c</p>', thumb_media_id: thumb },
      ]);
      const news = await client.getMaterial(media_id);
      expect(news.kind).toBe('news');
      expect(news.kind === 'news' && news.news_item[0]?.title).toBe('old');
    } finally {
      await sb.close();
    }
  });
});

describe('JS-SDK (ticket/getticket, wx.config)', () => {
  it('caches the jsapi_ticket and signs the URL without its #fragment', async () => {
    const client = oaClient(ctx.sb);
    const a = await client.jssdkConfig('https://example.com/post?id=1#section');
    const b = await client.jssdkConfig('https://example.com/post?id=1', {
      timestamp: a.timestamp,
      nonceStr: a.nonceStr,
    });
    expect(ctx.sb.stats().requests['ticket/getticket']).toBe(1);
    expect(a.appId).toBe(DEFAULT_ACCOUNT.appId);
    expect(b.signature).toBe(a.signature);
    const ticket = await client.getJsapiTicket();
    await expect(client.jssdkConfig('/relative/page')).rejects.toThrow(/absolute http\(s\) URL/);
    expect(a.signature).toBe(
      jssdkSignature({
        jsapi_ticket: ticket,
        noncestr: a.nonceStr,
        timestamp: a.timestamp,
        url: 'https://example.com/post?id=1',
      }),
    );
  });
});

describe('remaining error paths', () => {
  it('deleteDraft of an unknown or already deleted draft → 40007 with the media_id hint; nothing else is deleted', async () => {
    const client = oaClient(ctx.sb);
    const thumb = await cover(client);
    const { media_id } = await client.addDraft([
      { title: 'keep', content: '<p>x</p>', thumb_media_id: thumb },
    ]);
    const unknown = await apiError(client.deleteDraft('no-such-draft'));
    expect(unknown).toMatchObject({ errcode: 40007, endpoint: 'cgi-bin/draft/delete' });
    expect(unknown.hint).toMatch(/media_id/);
    expect(await client.countDrafts()).toBe(1);
    await client.deleteDraft(media_id);
    expect((await apiError(client.deleteDraft(media_id))).errcode).toBe(40007);
  });

  it('getMaterialCount, countDrafts, listDrafts, getJsapiTicket surface WeChat errors with hints', async () => {
    const client = oaClient(ctx.sb, { retries: 1, retryBaseMs: 1 });
    await client.getAccessToken();
    ctx.sb.setFaults({ exhaustedQuotas: ['material/get_materialcount', 'draft/count', 'ticket/getticket'] });
    expect((await apiError(client.getMaterialCount())).errcode).toBe(45009);
    expect((await apiError(client.countDrafts())).errcode).toBe(45009);
    const ticket = await apiError(client.getJsapiTicket());
    expect(ticket.errcode).toBe(45009);
    expect(ticket.endpoint).toBe('cgi-bin/ticket/getticket');
    await expect(client.listDrafts({ count: 21 })).rejects.toThrow(/count must be 1..20/);
    ctx.sb.setFaults({ busyRate: 1 });
    const busy = await apiError(client.listDrafts());
    expect(busy.errcode).toBe(-1);
    expect(busy.hint).toMatch(/busy/);
  });
});
