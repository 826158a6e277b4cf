import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT, type Sandbox, startSandbox } from '@md2wx/sandbox';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { createOfficialAccountClient, memoryStore } from '@md2wx/wechat';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  memoryCache,
  parseState,
  serializeState,
  RemarkWechatImagesError,
  stateFileCache,
  storeCache,
  type WechatImageUploader,
  wechatUploader,
} from '../src/index.js';
import type { ProgressEvent } from '../src/types.js';
import { imageSources, runFile, uploadCount } from './helpers.js';

/** Corpus posts whose every body image is a local file that exists (the corpus's MANIFEST.md lists them). */
const LOCAL_POSTS: Array<{ post: string; rootDir?: string }> = [
  { post: 'markdown/pingcap-blog-cn/tidb-4.0-tidb-dashboard.md' },
  { post: 'markdown/pingcap-blog-cn/chaos-mesh.md' },
  { post: 'markdown/pingcap-blog-cn/use-tidb-to-build-real-time-applications.md' },
  { post: 'markdown/pingcap-blog-cn/user-case-xiaomi.md' },
  { post: 'markdown/pingcap-blog-cn/tikv-source-code-reading-13.md' },
  { post: 'markdown/pingcap-blog-cn/best-practice-haproxy.md' },
  {
    post: 'markdown/doocs-advanced-java/docs/micro-services/how-eureka-enable-service-discovery-and-service-registration.md',
  },
  { post: 'markdown/doocs-advanced-java/docs/high-concurrency/why-mq.md' },
  { post: 'markdown/wenyan-core/tests/publish.md' },
  {
    post: 'markdown/sofastack.tech/content/zh/blog/spring-boot-sofa-boot-class-isolation-integration/index.md',
  },
];

describe.skipIf(!requireCorpus())('remarkWechatImages against the sandbox', () => {
  let sandbox: Sandbox;
  let uploader: WechatImageUploader;
  let dir: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    const client = createOfficialAccountClient({
      appId: DEFAULT_ACCOUNT.appId,
      appSecret: DEFAULT_ACCOUNT.appSecret,
      baseUrl: sandbox.url,
      store: memoryStore(),
    });
    uploader = wechatUploader(client);
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(async () => {
    sandbox.reset();
    dir = await mkdtemp(path.join(tmpdir(), 'rwi-sandbox-'));
    return () => rm(dir, { recursive: true, force: true });
  });

  const onSandbox = (src: string) => src.startsWith(`${sandbox.imageHost}/mmbiz_`);

  it.each(LOCAL_POSTS)(
    '$post: every image goes to the sandbox; a second run uploads nothing',
    async ({ post }) => {
      const file = corpusPath(post);
      const state = path.join(dir, '.md2wx-images.json');
      const first = await runFile(file, { uploader, cache: stateFileCache({ path: state }) });
      expect(first.error).toBeUndefined();
      const original = imageSources(await readFile(file, 'utf8'));
      expect(first.srcs.length).toBe(original.length);
      expect(first.srcs.length).toBeGreaterThan(0);
      expect(first.srcs.filter((src) => !onSandbox(src))).toEqual([]);
      const uploadsAfterFirst = uploadCount(sandbox.stats());
      expect(uploadsAfterFirst).toBeGreaterThan(0);
      expect(uploadsAfterFirst).toBeLessThanOrEqual(new Set(original).size);
      const stateText = await readFile(state, 'utf8');
      const entries = parseState(stateText);
      expect(Object.keys(entries)).toHaveLength(uploadsAfterFirst);
      // Canonical form: sorted, one entry per line (lines = entries + 5 framing lines).
      expect(stateText).toBe(serializeState(entries));
      expect(stateText.trimEnd().split('\n')).toHaveLength(uploadsAfterFirst + 5);

      // A CI runner that starts empty: new processor, new cache object, only the committed state file.
      const second = await runFile(file, { uploader, cache: stateFileCache({ path: state }) });
      expect(second.error).toBeUndefined();
      expect(uploadCount(sandbox.stats())).toBe(uploadsAfterFirst);
      expect(second.markdown).toBe(first.markdown);
    },
    // Up to 40 images each searched for their smallest encoding: minutes on a loaded 2-core runner.
    180_000,
  );

  it('keeps alt text and titles, and rewrites references, html <img>, data-src and srcset', async () => {
    const images = path.join(dir, 'img');
    await mkdir(images);
    await copyFile(corpusPath('images/alpha/sharp-blackbug-alpha.png'), path.join(images, 'a.png'));
    await copyFile(corpusPath('images/orientation/recurser-Portrait_6.jpg'), path.join(images, 'big.jpg'));
    await copyFile(corpusPath('images/broken-and-tiny/pngsuite-1x1.png'), path.join(images, 'small.png'));
    await copyFile(corpusPath('images/gif/sharp-rotating-squares.gif'), path.join(images, 'spin.gif'));
    const markdown = [
      '# Post', //
      '',
      '![中文 alt text](img/a.png "A title")',
      '',
      '![ref][logo] and ![logo]',
      '',
      '<p align="center"><img src="img/small.png" srcset="img/small.png 100w, img/big.jpg 1800w" alt="R"></p>',
      '',
      '<img data-src="img/a.png" alt="lazy">',
      '',
      '![animated](img/spin.gif)',
      '',
      '[logo]: img/big.jpg "Logo title"',
      '',
    ].join('\n');
    const post = path.join(dir, 'post.md');
    await writeFile(post, markdown);
    const events: ProgressEvent[] = [];
    const result = await runFile(post, { uploader, onProgress: (event) => events.push(event) });
    expect(result.error).toBeUndefined();
    expect(result.markdown).toMatch(/!\[中文 alt text]\(http:\/\/\S+\/mmbiz_png\/\S+ "A title"\)/);
    expect(result.markdown).toMatch(/\[logo]: http:\/\/\S+\/mmbiz_jpg\/\S+ "Logo title"/);
    expect(result.markdown).toContain('![ref][logo] and ![logo]');
    expect(result.markdown).toMatch(
      /<p align="center"><img src="http:\/\/[^"]+\/mmbiz_jpg\/[^"]+" alt="R"><\/p>/,
    );
    expect(result.markdown).toMatch(/<img src="http:\/\/[^"]+\/mmbiz_png\/[^"]+" alt="lazy">/);
    expect(result.markdown).toMatch(/!\[animated]\(http:\/\/\S+\/mmbiz_gif\/\S+\)/);
    expect(result.srcs.every(onSandbox)).toBe(true);
    // a.png twice, big.jpg three times (reference + srcset), spin.gif: three unique sources, small.png unused.
    expect(sandbox.stats().uploads).toEqual({ 'media/uploadimg': 2, 'material/add_material': 1 });
    const last = events.at(-1)!;
    expect(last.totals).toMatchObject({
      images: 3,
      resolved: 3,
      processed: 3,
      uploaded: 3,
      cached: 0,
      failed: 0,
    });
    expect(
      events
        .filter((e) => e.stage === 'uploaded')
        .map((e) => e.src)
        .sort(),
    ).toEqual(['img/a.png', 'img/big.jpg', 'img/spin.gif']);
    expect(events.find((e) => e.src === 'img/big.jpg' && e.stage === 'processed')?.bytesIn).toBe(251_800);
  });

  it('two posts sharing an image, run concurrently, upload it once', async () => {
    const shared = corpusPath('images/photos/canon-sx60_orient6.jpg');
    await copyFile(shared, path.join(dir, 'shared.jpg'));
    await mkdir(path.join(dir, 'b'));
    await copyFile(shared, path.join(dir, 'b', 'same-bytes.jpg'));
    await writeFile(path.join(dir, 'one.md'), '# One\n\n![](shared.jpg)\n');
    await writeFile(path.join(dir, 'b', 'two.md'), '# Two\n\n![copy](same-bytes.jpg)\n');
    const cache = memoryCache();
    const [one, two] = await Promise.all([
      runFile(path.join(dir, 'one.md'), { uploader, cache }),
      runFile(path.join(dir, 'b', 'two.md'), { uploader, cache }),
    ]);
    expect(one.error).toBeUndefined();
    expect(two.error).toBeUndefined();
    expect(sandbox.stats().uploads).toEqual({ 'media/uploadimg': 1 });
    expect(one.srcs[0]).toBe(two.srcs[0]);
  });

  it('two processes-worth of caches over one Store upload a shared image once', async () => {
    const store = memoryStore();
    const shared = corpusPath('images/orientation/recurser-Landscape_2.jpg');
    await writeFile(path.join(dir, 'x.md'), `![x](${shared})\n`);
    const options = { allowOutsideRoot: true, uploader };
    const [a, b] = await Promise.all([
      runFile(path.join(dir, 'x.md'), { ...options, cache: storeCache(store) }),
      runFile(path.join(dir, 'x.md'), { ...options, cache: storeCache(store) }),
    ]);
    expect(a.error).toBeUndefined();
    expect(b.srcs).toEqual(a.srcs);
    expect(uploadCount(sandbox.stats())).toBe(1);
    // A later run with a fresh cache object over the same store: nothing to upload.
    const c = await runFile(path.join(dir, 'x.md'), { ...options, cache: storeCache(store) });
    expect(c.srcs).toEqual(a.srcs);
    expect(uploadCount(sandbox.stats())).toBe(1);
  });

  it('a post with broken images lists every bad image with its position and uploads nothing', async () => {
    for (const [from, to] of [
      ['images/broken-and-tiny/sharp-truncated-10000-bytes.jpg', 'truncated.jpg'],
      ['images/broken-and-tiny/sharp-corrupt-header.jpg', 'corrupt.jpg'],
      ['images/broken-and-tiny/empty-0-bytes.png', 'empty.png'],
      ['images/broken-and-tiny/image-size-invalid-29-bytes.png', 'not-a.png'],
      ['images/photos/canon-sx60_orient6.jpg', 'good.jpg'],
    ] as const) {
      await copyFile(corpusPath(from), path.join(dir, to));
    }
    const markdown = [
      '# Broken', // 1
      '',
      '![fine](good.jpg)', // 3
      '',
      'Text ![t](truncated.jpg) and ![c](corrupt.jpg)', // 5
      '',
      '<img src="empty.png">', // 7
      '',
      '![missing](nowhere/missing.png)', // 9
      '',
      '  ![n][bad]', // 11
      '',
      '[bad]: not-a.png',
    ].join('\n');
    const post = path.join(dir, 'broken.md');
    const result = await runFile(post, { uploader }, markdown);
    expect(result.error).toBeInstanceOf(RemarkWechatImagesError);
    const error = result.error as RemarkWechatImagesError;
    expect(error.problems.map((p) => `${p.line}:${p.column} ${p.actual} ${p.ruleId}`).sort()).toEqual([
      '11:3 not-a.png corrupt',
      '5:30 corrupt.jpg corrupt',
      '5:6 truncated.jpg truncated',
      '7:1 empty.png empty',
      '9:1 nowhere/missing.png not-found',
    ]);
    for (const problem of error.problems)
      expect(error.message).toContain(`${post}:${problem.line}:${problem.column}`);
    const fatal = result.file.messages.filter((m) => m.fatal);
    expect(fatal.map((m) => `${m.line}:${m.column}`).sort()).toEqual(['11:3', '5:30', '5:6', '7:1', '9:1']);
    expect(fatal.every((m) => m.source === 'remark-wechat-images')).toBe(true);
    expect(uploadCount(sandbox.stats())).toBe(0);
    expect(sandbox.stats().requests).toEqual({});
  });

  it('the corpus post with a missing GIF fails and uploads none of its 10 good images', async () => {
    const result = await runFile(corpusPath('markdown/pingcap-blog-cn/tifs-can-save-data-but-not-files.md'), {
      uploader,
    });
    const error = result.error as RemarkWechatImagesError;
    expect(error).toBeInstanceOf(RemarkWechatImagesError);
    expect(error.problems).toEqual([
      expect.objectContaining({
        actual: 'media/tifs-can-save-data-but-not-files/1.gif',
        line: 21,
        column: 1,
        ruleId: 'not-found',
        source: 'remark-wechat-images',
        fatal: true,
      }),
    ]);
    expect(uploadCount(sandbox.stats())).toBe(0);
  });

  it('continueOnError uploads the good images and leaves the bad ones untouched with warnings', async () => {
    const root = corpusPath('markdown/hexo-theme-unit-test/source');
    const post = corpusPath('markdown/hexo-theme-unit-test/source/_posts/images.md');
    const result = await runFile(post, {
      uploader,
      rootDir: root,
      continueOnError: true,
      timeoutMs: 2000,
      downloadRetries: 0,
    });
    expect(result.error).toBeUndefined();
    expect(result.srcs.filter((src) => !onSandbox(src))).toEqual(['https://placehold.co/350x150.jpg']);
    expect(result.srcs.filter(onSandbox)).toHaveLength(3);
    const warnings = result.file.messages.filter((m) => !m.fatal);
    expect(warnings.map((m) => [m.line, m.column, m.ruleId])).toEqual([[13, 1, 'unreachable']]);
    expect(sandbox.stats().uploads).toEqual({ 'media/uploadimg': 3 });
  });

  it('a corpus post whose images are unreachable lists each one, html <img> included, and uploads nothing', async () => {
    const post = corpusPath('markdown/doocs-md/apps/web/src/assets/example/markdown.zh-CN.md');
    const options = { uploader, timeoutMs: 2000, downloadRetries: 0 };
    const strict = await runFile(post, options);
    expect(strict.error).toBeInstanceOf(RemarkWechatImagesError);
    const where = (strict.error as RemarkWechatImagesError).problems.map(
      (p) => `${p.line}:${p.column} ${p.ruleId}`,
    );
    expect(where).toEqual(['62:1 unreachable', '370:5 unreachable']);
    const lenient = await runFile(post, { ...options, continueOnError: true });
    expect(lenient.error).toBeUndefined();
    expect(lenient.file.messages.map((m) => `${m.line}:${m.column} ${m.fatal}`)).toEqual([
      '62:1 false',
      '370:5 false',
    ]);
    expect(lenient.markdown).toContain(
      '<img src="https://cdn-doocs.oss-cn-shenzhen.aliyuncs.com/gh/doocs/md/images/',
    );
    expect(sandbox.stats().requests).toEqual({});
  });

  it('keeps the corpus post already on mmbiz.qpic.cn as it is', async () => {
    const post = corpusPath(
      'markdown/sofastack.tech/content/zh/blog/moe-series (7) |envoy-go-extension-sandbox-security/index.md',
    );
    const events: ProgressEvent[] = [];
    const result = await runFile(post, {
      uploader,
      continueOnError: true,
      timeoutMs: 2000,
      downloadRetries: 0,
      onProgress: (e) => events.push(e),
    });
    expect(result.error).toBeUndefined();
    const skipped = events.filter((e) => e.stage === 'skipped').map((e) => e.src);
    expect(skipped.length).toBeGreaterThanOrEqual(3);
    expect(skipped.every((src) => src.startsWith('https://mmbiz.qpic.cn/'))).toBe(true);
    for (const src of skipped) expect(result.srcs).toContain(src);
    expect(uploadCount(sandbox.stats())).toBe(0);
  });

  it('leaves images already on mmbiz.qpic.cn alone', async () => {
    const markdown =
      '![](https://mmbiz.qpic.cn/mmbiz_png/abc/0?wx_fmt=png)\n\n<img src="http://mmbiz.qpic.cn/x/0?wx_fmt=gif">\n';
    const events: ProgressEvent[] = [];
    const result = await runFile(
      path.join(dir, 'wx.md'),
      { uploader, onProgress: (e) => events.push(e) },
      markdown,
    );
    expect(result.error).toBeUndefined();
    expect(result.markdown).toBe(markdown);
    expect(events.map((e) => e.stage)).toEqual(['skipped', 'skipped']);
    expect(sandbox.stats().requests).toEqual({});
  });

  it('an upload error keeps errcode in the problem and rewrites nothing', async () => {
    sandbox.setFaults({ exhaustedQuotas: ['media/uploadimg'] });
    await copyFile(corpusPath('images/orientation/recurser-Landscape_0.jpg'), path.join(dir, 'l.jpg'));
    const result = await runFile(path.join(dir, 'q.md'), { uploader }, '![](l.jpg)\n');
    const error = result.error as RemarkWechatImagesError;
    expect(error).toBeInstanceOf(RemarkWechatImagesError);
    expect(error.stage).toBe('upload');
    expect(error.problems[0]).toMatchObject({ actual: 'l.jpg', line: 1, column: 1, ruleId: 'errcode-45009' });
    expect(error.message).not.toContain(DEFAULT_ACCOUNT.appSecret);
  });
});
