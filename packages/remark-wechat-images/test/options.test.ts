import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT, type Sandbox, startSandbox } from '@md2wx/sandbox';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { createOfficialAccountClient } from '@md2wx/wechat';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RemarkWechatImagesError,
  type RemarkWechatImagesOptions,
  remarkWechatImages,
  stateFileCache,
  wechatUploader,
} from '../src/index.js';
import { runFile, uploadCount } from './helpers.js';

/** The error `.use(remarkWechatImages, options)` throws when unified attaches the plugin. */
function attachError(options: Record<string, unknown>): RemarkWechatImagesError {
  try {
    unified()
      .use(remarkParse)
      .use(remarkWechatImages, options as RemarkWechatImagesOptions)
      .freeze();
  } catch (error) {
    expect(error).toBeInstanceOf(RemarkWechatImagesError);
    return error as RemarkWechatImagesError;
  }
  throw new Error(`options ${JSON.stringify(options)} were accepted`);
}

describe('unknown options are refused, naming the nearest valid one', () => {
  it('stateFile (the root README once used it) → cache, with how to write it', () => {
    const error = attachError({ stateFile: '.md2wx/images.json' });
    expect(error.stage).toBe('options');
    expect(error.option).toBe('stateFile');
    expect(error.suggestion).toBe('cache');
    expect(error.problems).toEqual([]);
    expect(error.message).toContain('unknown option "stateFile" — did you mean "cache"');
    expect(error.message).toContain('stateFileCache({ path:');
    expect(error.message).toContain('Valid options: uploader, cache, concurrency');
  });

  it('typos and case slips → the option by edit distance', () => {
    expect(attachError({ concurency: 2 }).suggestion).toBe('concurrency');
    expect(attachError({ maxwidth: 800 }).suggestion).toBe('maxWidth');
    expect(attachError({ continueOnErrors: true }).suggestion).toBe('continueOnError');
    expect(attachError({ uploder: {} }).suggestion).toBe('uploader');
    expect(attachError({ client: {} }).suggestion).toBe('uploader');
  });

  it('a name close to nothing: no guess, the list of valid options', () => {
    const error = attachError({ frobnicate: 1 });
    expect(error.suggestion).toBeUndefined();
    expect(error.message).toMatch(
      /^remark-wechat-images: unknown option "frobnicate" Valid options: uploader, /,
    );
  });

  it('every documented option is accepted; no options at all too', () => {
    const all: Required<RemarkWechatImagesOptions> = {
      uploader: {
        account: 'wx',
        uploadBodyImage: async () => ({ url: 'http://mmbiz.qpic.cn/x' }),
        uploadAnimatedImage: async () => ({ url: 'http://mmbiz.qpic.cn/y', media_id: 'm' }),
      },
      cache: { get: async () => undefined, set: async () => {} },
      concurrency: 2,
      baseDir: '.',
      rootDir: '.',
      allowOutsideRoot: false,
      downloadCacheDir: '.cache',
      timeoutMs: 1000,
      downloadRetries: 0,
      downloadDeadlineMs: 30_000,
      minBytesPerSecond: 16_384,
      allowPrivateHosts: false,
      maxSourceBytes: 1,
      maxWidth: 100,
      maxBytes: 1000,
      quality: 'balanced',
      continueOnError: false,
      onProgress: () => {},
      outDir: 'out',
      publicPath: '/',
    };
    expect(() => unified().use(remarkParse).use(remarkWechatImages, all).freeze()).not.toThrow();
    expect(() => unified().use(remarkParse).use(remarkWechatImages).freeze()).not.toThrow();
  });

  it('refuses a non-object', () => {
    expect(() =>
      unified()
        .use(remarkParse)
        .use(remarkWechatImages, 'cache.json' as unknown as RemarkWechatImagesOptions)
        .freeze(),
    ).toThrow(/options must be an object, got string/);
  });
});

describe.skipIf(!requireCorpus())('a misspelt option costs no upload', () => {
  let sandbox: Sandbox;
  let dir: string;
  beforeAll(async () => {
    sandbox = await startSandbox();
    dir = await mkdtemp(path.join(tmpdir(), 'rwi-options-'));
    await copyFile(corpusPath('images/alpha/sharp-blackbug-alpha.png'), path.join(dir, 'a.png'));
  });
  afterAll(async () => {
    await sandbox?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the run fails before anything is read or uploaded; the right spelling uploads once over two runs', async () => {
    const client = createOfficialAccountClient({ ...DEFAULT_ACCOUNT, baseUrl: sandbox.url });
    const post = path.join(dir, 'post.md');
    const markdown = '# Hi\n\n![a](./a.png)\n';
    const state = path.join(dir, '.md2wx/images.json');

    const typo = await runFile(
      post,
      { uploader: wechatUploader(client), stateFile: state } as RemarkWechatImagesOptions,
      markdown,
    );
    expect(typo.error).toBeInstanceOf(RemarkWechatImagesError);
    expect(typo.error?.message).toContain('did you mean "cache"');
    expect(uploadCount(sandbox.stats())).toBe(0);

    for (let run = 0; run < 2; run++) {
      const ok = await runFile(
        post,
        { uploader: wechatUploader(client), cache: stateFileCache({ path: state }) },
        markdown,
      );
      expect(ok.error).toBeUndefined();
      expect(ok.srcs[0]).toContain('/mmbiz_png/');
    }
    expect(uploadCount(sandbox.stats())).toBe(1);
    expect(JSON.parse(await readFile(state, 'utf8')).format).toBe('md2wx-images-state@1');
  });
});
