import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageError, isWechatImageUrl, resolveImage } from '../src/index.js';

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as ImageError,
  );

describe.skipIf(!requireCorpus())('resolveImage: local files', () => {
  let root: string;
  let postDir: string;
  let png: Buffer;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'md2wx-images-'));
    postDir = path.join(root, 'content', 'moe-series (7) |envoy');
    mkdirSync(path.join(postDir, 'images'), { recursive: true });
    mkdirSync(path.join(root, 'static', 'assets'), { recursive: true });
    png = readFileSync(corpusPath('images/broken-and-tiny/pngsuite-1x1.png'));
    for (const name of ['翼支付 海报.png', 'a|b.png', 'plain.png'])
      writeFileSync(path.join(postDir, 'images', name), png);
    copyFileSync(
      corpusPath('images/broken-and-tiny/pngsuite-1x1.png'),
      path.join(root, 'static', 'assets', 'site.png'),
    );
    writeFileSync(path.join(root, 'secret.png'), png);
    symlinkSync(path.join(root, 'secret.png'), path.join(postDir, 'images', 'link.png'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['images/plain.png', 'plain path'],
    ['./images/翼支付 海报.png', 'CJK name with a space'],
    ['images/%E7%BF%BC%E6%94%AF%E4%BB%98%20%E6%B5%B7%E6%8A%A5.png', 'URL-encoded CJK and space'],
    ['images/a|b.png', 'a "|" in the name'],
    ['images\\plain.png', 'backslash separators'],
    ['images/plain.png?v=3#top', 'query and fragment'],
  ])('finds %s (%s) relative to the Markdown file', async (src) => {
    const resolved = await resolveImage(src, { baseDir: postDir, rootDir: root });
    expect(resolved.kind).toBe('file');
    expect(resolved.data?.equals(png)).toBe(true);
    expect(resolved.sha256).toBe(createHash('sha256').update(png).digest('hex'));
    expect(resolved.path?.startsWith(root)).toBe(true);
  });

  it('resolves site-absolute /assets/x.png against the project root', async () => {
    const resolved = await resolveImage('/static/assets/site.png', { baseDir: postDir, rootDir: root });
    expect(resolved.path).toBe(path.join(root, 'static', 'assets', 'site.png'));
  });

  it('accepts file: URLs', async () => {
    const url = pathToFileURL(path.join(postDir, 'images', '翼支付 海报.png')).href;
    expect(url).toContain('%20');
    const resolved = await resolveImage(url, { baseDir: postDir, rootDir: root });
    expect(resolved.kind).toBe('file');
    expect(resolved.data?.length).toBe(png.length);
  });

  it('reads a file: URL as the absolute path it is: never site-absolute, still confined to the root', async () => {
    // /static/assets/site.png exists under the root only: as a file: URL it names /static/…, which does not.
    const siteLike = await errorOf(
      resolveImage('file:///static/assets/site.png', { baseDir: postDir, rootDir: root }),
    );
    expect(siteLike?.code).toBe('not-found');
    const outside = await errorOf(
      resolveImage(pathToFileURL(path.join(root, 'secret.png')).href, { baseDir: postDir, rootDir: postDir }),
    );
    expect(outside?.code).toBe('forbidden-path');
  });

  it('refuses files outside the project root, by path or through a symlink, unless allowed', async () => {
    const outside = await errorOf(resolveImage('../../secret.png', { baseDir: postDir, rootDir: postDir }));
    expect(outside).toBeInstanceOf(ImageError);
    expect(outside?.code).toBe('forbidden-path');
    expect(outside?.message).toContain('../../secret.png');
    const viaLink = await errorOf(resolveImage('images/link.png', { baseDir: postDir, rootDir: postDir }));
    expect(viaLink?.code).toBe('forbidden-path');
    const sshKey = await errorOf(resolveImage('../../../../../../../../etc/passwd', { baseDir: postDir }));
    expect(sshKey?.code).toBe('forbidden-path');
    const allowed = await resolveImage('../../secret.png', {
      baseDir: postDir,
      rootDir: postDir,
      allowOutsideRoot: true,
    });
    expect(allowed.kind).toBe('file');
  });

  it('says which file is missing', async () => {
    const error = await errorOf(resolveImage('images/nope.png', { baseDir: postDir, rootDir: root }));
    expect(error?.code).toBe('not-found');
    expect(error?.message).toContain(path.join(postDir, 'images', 'nope.png'));
    expect(error?.message).toContain(`relative to the Markdown file's folder ${postDir}`);
    const site = await errorOf(resolveImage('/cover.jpg', { baseDir: postDir, rootDir: root }));
    expect(site?.code).toBe('not-found');
    expect(site?.message).toContain(path.join(root, 'cover.jpg'));
    expect(site?.message).toContain(`site-absolute: it is looked up under the project root ${root}`);
  });

  it('rejects a 0-byte file and files over the size cap', async () => {
    writeFileSync(path.join(postDir, 'empty.png'), '');
    expect((await errorOf(resolveImage('empty.png', { baseDir: postDir })))?.code).toBe('empty');
    expect((await errorOf(resolveImage('images/plain.png', { baseDir: postDir, maxBytes: 10 })))?.code).toBe(
      'too-large',
    );
  });
});

describe('resolveImage: URLs and schemes', () => {
  it('leaves images on mmbiz.qpic.cn alone, without a request', async () => {
    const src = 'https://mmbiz.qpic.cn/mmbiz_png/abc/0?wx_fmt=png';
    expect(await resolveImage(src, { baseDir: '/nonexistent' })).toEqual({ src, kind: 'wechat', url: src });
    expect((await resolveImage('//mmbiz.qpic.cn/x/0?wx_fmt=gif', { baseDir: '/' })).kind).toBe('wechat');
  });

  it('reads base64 and percent-encoded data: URIs', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const resolved = await resolveImage(`data:image/png;base64,${bytes.toString('base64')}`, {
      baseDir: '/',
    });
    expect(resolved.kind).toBe('data');
    expect(resolved.data?.equals(bytes)).toBe(true);
    const svg = await resolveImage(
      'data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E',
      { baseDir: '/' },
    );
    expect(svg.data?.toString()).toBe('<svg xmlns="http://www.w3.org/2000/svg"/>');
    const big = await errorOf(
      resolveImage(`data:image/png;base64,${Buffer.alloc(4000).toString('base64')}`, {
        baseDir: '/',
        maxBytes: 1000,
      }),
    );
    expect(big?.code).toBe('too-large');
  });

  it.each(['ftp://example.com/a.png', 'javascript:alert(1)', 'blob:https://x/y', 'mailto:a@b.c'])(
    'refuses the %s scheme',
    async (src) => {
      const error = await errorOf(resolveImage(src, { baseDir: '/' }));
      expect(error?.code).toBe('unsupported-scheme');
      expect(error?.source).toBe(src);
    },
  );

  it('recognizes WeChat image URLs', () => {
    expect(isWechatImageUrl('http://mmbiz.qpic.cn/mmbiz_jpg/xyz/0?wx_fmt=jpeg')).toBe(true);
    expect(isWechatImageUrl('https://MMBIZ.QPIC.CN/a')).toBe(true);
    expect(isWechatImageUrl('https://mmbiz.qpic.cn.evil.example/a.png')).toBe(false);
    expect(isWechatImageUrl('https://example.com/mmbiz.qpic.cn/a.png')).toBe(false);
    expect(isWechatImageUrl('ftp://mmbiz.qpic.cn/a.png')).toBe(false);
    expect(isWechatImageUrl('not a url')).toBe(false);
  });
});

describe.skipIf(!requireCorpus())('prepareImage', () => {
  it('resolves and processes in one step, and leaves WeChat URLs alone', async () => {
    const { prepareImage } = await import('../src/index.js');
    const baseDir = path.dirname(corpusPath('images/photos/canon-sx60_orient6.jpg'));
    const done = await prepareImage('canon-sx60_orient6.jpg', {
      resolve: { baseDir },
      process: { target: 'body' },
    });
    expect(done.resolved.kind).toBe('file');
    expect(done.resolved.data).toBeUndefined();
    expect(done.processed?.info).toMatchObject({ format: 'jpeg', width: 1080, height: 1440 });
    const wechat = await prepareImage('https://mmbiz.qpic.cn/mmbiz_jpg/x/0?wx_fmt=jpeg', {
      resolve: { baseDir },
      process: { target: 'body' },
    });
    expect(wechat).toEqual({
      resolved: {
        src: 'https://mmbiz.qpic.cn/mmbiz_jpg/x/0?wx_fmt=jpeg',
        kind: 'wechat',
        url: 'https://mmbiz.qpic.cn/mmbiz_jpg/x/0?wx_fmt=jpeg',
      },
    });
  });
});
