import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT, type Sandbox, startSandbox } from '@md2wx/sandbox';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { createOfficialAccountClient, memoryStore } from '@md2wx/wechat';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cacheKey,
  memoryCache,
  RemarkWechatImagesError,
  remarkWechatImages,
  storeCache,
  type UploadImageInfo,
  type WechatImageUploader,
  wechatUploader,
} from '../src/index.js';
import type { ProgressEvent } from '../src/types.js';
import { runFile, uploadCount } from './helpers.js';

describe('options and adapter checks', () => {
  it('the cache key keeps its old form without quality, and tells qualities apart', () => {
    const parts = { account: 'wx', endpoint: 'media/uploadimg' as const, sourceSha256: 'ab' };
    expect(cacheKey({ ...parts, settings: { target: 'body' } })).toBe(
      'wx|media/uploadimg|ab|body;w=default;b=default',
    );
    const keys = (['balanced', 'visually-lossless', 70] as const).map((quality) =>
      cacheKey({ ...parts, settings: { target: 'body', quality } }),
    );
    expect(keys).toEqual([
      'wx|media/uploadimg|ab|body;w=default;b=default;q=balanced',
      'wx|media/uploadimg|ab|body;w=default;b=default;q=visually-lossless',
      'wx|media/uploadimg|ab|body;w=default;b=default;q=70',
    ]);
  });

  it('rejects a concurrency that is not a positive integer', () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() => unified().use(remarkParse).use(remarkWechatImages, { concurrency }).freeze()).toThrow(
        /concurrency must be a positive integer/,
      );
    }
  });

  it('wechatUploader takes the account from the client, or demands one', () => {
    const client = createOfficialAccountClient({
      appId: 'wxabc',
      appSecret: 's',
      baseUrl: 'http://127.0.0.1:9',
    });
    expect(wechatUploader(client).account).toBe('wxabc');
    expect(wechatUploader(client, { account: 'other' }).account).toBe('other');
    const anonymous = { uploadImage: client.uploadImage, addMaterial: client.addMaterial };
    expect(() => wechatUploader(anonymous)).toThrow(/pass \{ account \}/);
  });
});

describe.skipIf(!requireCorpus())('plugin behaviour against the sandbox', () => {
  let sandbox: Sandbox;
  let uploader: WechatImageUploader;
  let dir: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    uploader = wechatUploader(
      createOfficialAccountClient({ ...DEFAULT_ACCOUNT, baseUrl: sandbox.url, store: memoryStore() }),
    );
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(async () => {
    sandbox.reset();
    sandbox.setFaults({ latencyMs: 0, exhaustedQuotas: [] });
    dir = await mkdtemp(path.join(tmpdir(), 'rwi-behaviour-'));
    return () => rm(dir, { recursive: true, force: true });
  });

  it('uploads the same bytes under two names once, and a data: URI like any file', async () => {
    const photo = corpusPath('images/orientation/recurser-Portrait_8.jpg');
    await copyFile(photo, path.join(dir, 'a.jpg'));
    await copyFile(photo, path.join(dir, 'copy of a.jpg'));
    const tiny = await readFile(corpusPath('images/broken-and-tiny/pngsuite-1x1.png'));
    const markdown = `![a](a.jpg)\n\n![b](<copy of a.jpg>)\n\n![c](data:image/png;base64,${tiny.toString('base64')})\n`;
    const result = await runFile(path.join(dir, 'p.md'), { uploader }, markdown);
    expect(result.error).toBeUndefined();
    expect(result.srcs[0]).toBe(result.srcs[1]);
    expect(result.srcs[2]).toMatch(/\/mmbiz_png\//);
    expect(sandbox.stats().uploads).toEqual({ 'media/uploadimg': 2 });
  });

  it('never runs more uploads at once than `concurrency`', async () => {
    sandbox.setFaults({ latencyMs: 40 });
    const names = ['recurser-Landscape_0.jpg', 'recurser-Landscape_2.jpg', 'recurser-Portrait_6.jpg'];
    const lines: string[] = [];
    for (const [i, name] of names.entries()) {
      await copyFile(corpusPath(`images/orientation/${name}`), path.join(dir, `${i}.jpg`));
      lines.push(`![${i}](${i}.jpg)`);
    }
    await copyFile(corpusPath('images/photos/canon-sx60_orient6.jpg'), path.join(dir, '3.jpg'));
    await copyFile(corpusPath('images/photos/mate-dune-1021283-bytes.jpg'), path.join(dir, '4.jpg'));
    lines.push('![3](3.jpg)', '![4](4.jpg)');
    let active = 0;
    let peak = 0;
    const counting: WechatImageUploader = {
      account: uploader.account,
      async uploadBodyImage(data: Buffer, info: UploadImageInfo) {
        active++;
        peak = Math.max(peak, active);
        try {
          return await uploader.uploadBodyImage(data, info);
        } finally {
          active--;
        }
      },
      uploadAnimatedImage: (data, info) => uploader.uploadAnimatedImage(data, info),
    };
    const result = await runFile(
      path.join(dir, 'p.md'),
      { uploader: counting, concurrency: 2 },
      lines.join('\n\n'),
    );
    expect(result.error).toBeUndefined();
    expect(uploadCount(sandbox.stats())).toBe(5);
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('reports cached images in progress and totals on a second run with the same cache', async () => {
    await copyFile(corpusPath('images/orientation/recurser-Landscape_0.jpg'), path.join(dir, 'l.jpg'));
    await copyFile(corpusPath('images/gif/sharp-rotating-squares.gif'), path.join(dir, 's.gif'));
    const markdown = '![l](l.jpg)\n\n![s](s.gif)\n';
    const cache = memoryCache();
    const first = await runFile(path.join(dir, 'p.md'), { uploader, cache }, markdown);
    const events: ProgressEvent[] = [];
    const second = await runFile(
      path.join(dir, 'p.md'),
      { uploader, cache, onProgress: (event) => events.push(event) },
      markdown,
    );
    expect(second.markdown).toBe(first.markdown);
    expect(
      events
        .filter((e) => e.stage === 'cached')
        .map((e) => e.src)
        .sort(),
    ).toEqual(['l.jpg', 's.gif']);
    expect(events.some((e) => e.stage === 'processed' || e.stage === 'uploaded')).toBe(false);
    expect(events.at(-1)!.totals).toMatchObject({ images: 2, cached: 2, uploaded: 0, processed: 0 });
    expect(sandbox.stats().uploads).toEqual({ 'media/uploadimg': 1, 'material/add_material': 1 });
    const gif = first.srcs[1]!;
    expect(gif).toMatch(/\/mmbiz_gif\//);
  });

  it('with a Store, an upload another process finished while we waited on the lock is not repeated', async () => {
    const photo = corpusPath('images/orientation/recurser-Landscape_0.jpg');
    await copyFile(photo, path.join(dir, 'l.jpg'));
    const store = memoryStore();
    const key = cacheKey({
      account: uploader.account,
      endpoint: 'media/uploadimg',
      sourceSha256: createHash('sha256')
        .update(await readFile(photo))
        .digest('hex'),
      settings: { target: 'body' },
    });
    // The "other process": holds the per-image lock, and stores its result once our run has processed the image.
    const held = await store.lock(`md2wx:img:lock:${key}`, { ttlMs: 30_000, waitMs: 0 });
    expect(held).toBeDefined();
    const otherUrl = 'http://mmbiz.qpic.cn/mmbiz_jpg/uploaded-elsewhere/0?wx_fmt=jpeg';
    let other: Promise<void> | undefined;
    const result = await runFile(
      path.join(dir, 'p.md'),
      {
        uploader,
        cache: storeCache(store, { lockWaitMs: 30_000 }),
        onProgress: (event) => {
          if (event.stage !== 'processed') return;
          other = (async () => {
            await store.set(`md2wx:img:${key}`, {
              url: otherUrl,
              bytes: 1,
              width: 1,
              height: 1,
              uploadedAt: 'x',
            });
            await held!.release();
          })();
        },
      },
      '![l](l.jpg)\n',
    );
    await other;
    expect(result.error).toBeUndefined();
    expect(result.srcs).toEqual([otherUrl]);
    expect(uploadCount(sandbox.stats())).toBe(0);
  });

  it('fetches one access_token for a run with uploads, and none when everything is cached', async () => {
    await copyFile(corpusPath('images/orientation/recurser-Landscape_0.jpg'), path.join(dir, 'l.jpg'));
    await copyFile(corpusPath('images/orientation/recurser-Landscape_2.jpg'), path.join(dir, 'm.jpg'));
    const markdown = '![l](l.jpg)\n\n![m](m.jpg)\n';
    const freshUploader = () =>
      wechatUploader(
        createOfficialAccountClient({ ...DEFAULT_ACCOUNT, baseUrl: sandbox.url, store: memoryStore() }),
      );
    const cache = memoryCache();
    await runFile(path.join(dir, 'p.md'), { uploader: freshUploader(), cache }, markdown);
    expect(sandbox.stats().tokensIssued).toEqual({ [DEFAULT_ACCOUNT.appId]: 1 });
    const requestsBefore = sandbox.requestLog().length;
    const again = await runFile(path.join(dir, 'p.md'), { uploader: freshUploader(), cache }, markdown);
    expect(again.error).toBeUndefined();
    expect(sandbox.requestLog().length).toBe(requestsBefore);
  });

  it('a throwing onProgress does not break the build', async () => {
    await copyFile(corpusPath('images/orientation/recurser-Landscape_0.jpg'), path.join(dir, 'l.jpg'));
    const result = await runFile(
      path.join(dir, 'p.md'),
      {
        uploader,
        onProgress: () => {
          throw new Error('progress bar crashed');
        },
      },
      '![l](l.jpg)\n',
    );
    expect(result.error).toBeUndefined();
    expect(uploadCount(sandbox.stats())).toBe(1);
  });

  it('continueOnError keeps going past an upload failure, with a warning carrying the errcode', async () => {
    await copyFile(corpusPath('images/orientation/recurser-Landscape_0.jpg'), path.join(dir, 'l.jpg'));
    await copyFile(corpusPath('images/gif/sharp-rotating-squares.gif'), path.join(dir, 's.gif'));
    sandbox.setFaults({ exhaustedQuotas: ['media/uploadimg'] });
    const result = await runFile(
      path.join(dir, 'p.md'),
      { uploader, continueOnError: true },
      'Intro\n\n![l](l.jpg)\n\n![s](s.gif)\n',
    );
    expect(result.error).toBeUndefined();
    expect(result.srcs[0]).toBe('l.jpg');
    expect(result.srcs[1]).toMatch(/\/mmbiz_gif\//);
    const [warning] = result.file.messages;
    expect(result.file.messages).toHaveLength(1);
    expect(warning).toMatchObject({ line: 3, column: 1, ruleId: 'errcode-45009', fatal: false });
    expect(String(warning?.reason)).toMatch(/Left image l\.jpg untouched/);
  });

  it('after a failed upload, the next run uploads only what is missing', async () => {
    await copyFile(corpusPath('images/orientation/recurser-Landscape_0.jpg'), path.join(dir, 'l.jpg'));
    await copyFile(corpusPath('images/gif/sharp-rotating-squares.gif'), path.join(dir, 's.gif'));
    const markdown = '![l](l.jpg)\n\n![s](s.gif)\n';
    const cache = memoryCache();
    sandbox.setFaults({ exhaustedQuotas: ['media/uploadimg'] });
    const failed = await runFile(path.join(dir, 'p.md'), { uploader, cache }, markdown);
    expect(failed.error).toBeInstanceOf(RemarkWechatImagesError);
    expect(sandbox.stats().uploads).toEqual({ 'material/add_material': 1 });
    sandbox.setFaults({ exhaustedQuotas: [] });
    const retried = await runFile(path.join(dir, 'p.md'), { uploader, cache }, markdown);
    expect(retried.error).toBeUndefined();
    expect(sandbox.stats().uploads).toEqual({ 'material/add_material': 1, 'media/uploadimg': 1 });
  });

  it('re-uploads an image that lives on a non-WeChat http host (downloaded, then uploadimg)', async () => {
    await copyFile(corpusPath('images/orientation/recurser-Landscape_0.jpg'), path.join(dir, 'l.jpg'));
    const first = await runFile(path.join(dir, 'p.md'), { uploader }, '![l](l.jpg)\n');
    const hosted = first.srcs[0]!;
    expect(hosted.startsWith(sandbox.imageHost)).toBe(true);
    const second = await runFile(
      path.join(dir, 'q.md'),
      // The sandbox's image host is on loopback: refused unless allowed by host:port.
      { uploader, downloadRetries: 0, allowPrivateHosts: [new URL(sandbox.imageHost).host] },
      `![remote](${hosted})\n`,
    );
    expect(second.error).toBeUndefined();
    expect(second.srcs[0]).toMatch(/\/mmbiz_jpg\//);
    expect(sandbox.stats().uploads).toEqual({ 'media/uploadimg': 2 });
    // Without the allowance the same loopback URL is refused before any byte is fetched.
    const refused = await runFile(
      path.join(dir, 'r.md'),
      { uploader, downloadRetries: 0 },
      `![remote](${hosted})\n`,
    );
    expect(refused.error).toBeInstanceOf(RemarkWechatImagesError);
    expect(String(refused.error?.message)).toMatch(/public addresses only/);
    expect(sandbox.stats().uploads).toEqual({ 'media/uploadimg': 2 });
  });

  it('a file without images, or with a reference that has no definition, is a no-op', async () => {
    const markdown = '# Nothing here\n\n[a link](https://example.com) and ![ref without definition][nope]\n';
    const result = await runFile(path.join(dir, 'p.md'), { uploader }, markdown);
    expect(result.error).toBeUndefined();
    expect(result.file.messages).toEqual([]);
    expect(sandbox.stats().requests).toEqual({});
  });

  it('writes the access_token or AppSecret into no message', async () => {
    sandbox.setFaults({ exhaustedQuotas: ['media/uploadimg'] });
    await copyFile(corpusPath('images/orientation/recurser-Landscape_0.jpg'), path.join(dir, 'l.jpg'));
    const result = await runFile(
      path.join(dir, 'p.md'),
      { uploader, continueOnError: true },
      '![l](l.jpg)\n',
    );
    const text = result.file.messages.map((m) => `${m.reason} ${m.cause ?? ''}`).join('\n');
    expect(text).not.toContain(DEFAULT_ACCOUNT.appSecret);
    expect(text).not.toMatch(/access_token=[^*&\s]{8,}/);
    expect(text).toMatch(/45009/);
  });
});
