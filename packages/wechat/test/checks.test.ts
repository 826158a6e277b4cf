import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { describe, expect, it } from 'vitest';
import { ARTICLE_LIMITS as SANDBOX_LIMITS } from '@md2wx/sandbox';
import {
  ARTICLE_LIMITS,
  assertArticles,
  checkArticles,
  checkMedia,
  checkMpnews,
  type DraftArticle,
  memoryStore,
  prepareMedia,
  QuotaCounter,
  WechatInputError,
  WechatQuotaError,
  visibleText,
} from '../src/index.js';

const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('media checks (magic bytes, size bounds)', () => {
  it('fixes the filename extension to the real format', async () => {
    const media = await prepareMedia(PNG_1x1, 'photo.jpg');
    expect(media.detected?.ext).toBe('png');
    expect(media.filename).toBe('photo.png');
    expect(media.size).toBe(PNG_1x1.length);
  });

  it('refuses WeCom uploads of 5 bytes or fewer', async () => {
    const media = await prepareMedia(Buffer.from('12345'), 'a.txt');
    expect(() => checkMedia(media, 'wecom/temp/file')).toThrow(/more than 5 bytes/);
    checkMedia(await prepareMedia(Buffer.from('123456'), 'a.txt'), 'wecom/temp/file');
  });

  it('names a missing file', async () => {
    await expect(prepareMedia('/nonexistent/x.png')).rejects.toThrow('/nonexistent/x.png: no such file');
  });
});

describe.skipIf(!requireCorpus())('media checks on corpus images', () => {
  it('refuses an empty file before any request', async () => {
    const path = corpusPath('images/broken-and-tiny/empty-0-bytes.png');
    const error = await (async () => checkMedia(await prepareMedia(path), 'oa/uploadimg'))().catch((e) => e);
    expect(error).toBeInstanceOf(WechatInputError);
    expect(error.code).toBe('too-small');
    expect(error.message).toContain(path);
  });

  it('refuses a body image over 1 MB, naming the size and what to do', async () => {
    const path = corpusPath('images/png/pingcap-grafana-screenshot-1926x678.png');
    const media = await prepareMedia(path);
    expect(() => checkMedia(media, 'oa/uploadimg')).toThrow(
      /1208965 bytes is over the 999999-byte limit.*Compress/,
    );
    checkMedia(media, 'oa/material/image');
  });

  it('detects a JPEG named .png by its magic bytes and sends it as .jpg', async () => {
    const media = await prepareMedia(corpusPath('images/wrong-extension/real-time-apps-15_is-jpeg.png'));
    expect(media.detected?.ext).toBe('jpg');
    expect(media.filename).toBe('real-time-apps-15_is-jpeg.jpg');
    checkMedia(media, 'oa/uploadimg');
  });

  it('refuses GIF and BMP for uploadimg (jpg/png only) but takes them as image material', async () => {
    const gif = await prepareMedia(corpusPath('images/gif/sharp-rotating-squares.gif'));
    expect(() => checkMedia(gif, 'oa/uploadimg')).toThrow(/content is gif.*accepts jpg\/png/);
    checkMedia(gif, 'oa/material/image');
    const bmp = await prepareMedia(corpusPath('images/special/bmpsuite-rgb24.bmp'));
    expect(() => checkMedia(bmp, 'oa/uploadimg')).toThrow(WechatInputError);
    checkMedia(bmp, 'oa/material/image');
  });

  it('refuses a corrupt header whose bytes are not an image', async () => {
    const media = await prepareMedia(corpusPath('images/broken-and-tiny/image-size-invalid-29-bytes.png'));
    expect(() => checkMedia(media, 'oa/uploadimg')).toThrow(/bad-format|accepts jpg\/png/);
  });

  it('checks the thumb limit of 64 KB', async () => {
    const media = await prepareMedia(corpusPath('images/special/grayscale-gamma-test.jpg'));
    expect(() => checkMedia(media, 'oa/material/thumb')).toThrow(/64000-byte limit/);
  });
});

const article = (over: Partial<DraftArticle> = {}): DraftArticle => ({
  title: '标题',
  content: '<p>正文</p>',
  thumb_media_id: 'THUMB',
  ...over,
});

describe('article checks (draft/add field limits)', () => {
  it('accepts a valid article and counts characters, not bytes', () => {
    expect(
      checkArticles([article({ title: '中'.repeat(32), author: '作'.repeat(16), digest: '摘'.repeat(128) })]),
    ).toEqual([]);
  });

  it.each([
    ['title', { title: '中'.repeat(33) }, /article 1: title has 33 characters; WeChat allows 32/],
    ['author', { author: 'a'.repeat(17) }, /author has 17 characters/],
    ['digest', { digest: 'a'.repeat(129) }, /digest has 129 characters/],
    ['content', { content: 'a'.repeat(20_000) }, /fewer than 20000/],
    ['thumb', { thumb_media_id: undefined }, /thumb_media_id \(the cover\) is required/],
    ['empty title', { title: ' ' }, /title is required/],
  ])('refuses %s', (_name, over, message) => {
    expect(() => assertArticles([article(), article(over as Partial<DraftArticle>)])).toThrow(
      new RegExp(String(message.source).replace('article 1', 'article 2')),
    );
  });

  it('counts the visible text toward 20,000 characters, not the markup', () => {
    const styled = (text: string) =>
      `<section style="margin:0 0 24px;color:#333;line-height:1.75;font-size:15px">${text}</section>`;
    // 19,999 visible characters wrapped in ~1,700 styled sections: about 150,000 characters of HTML.
    const fine =
      Array.from({ length: 1_999 }, () => styled('一二三四五&amp;六七八九')).join('') +
      styled('末'.repeat(9));
    expect(visibleText(fine)).toHaveLength(19_999);
    expect(fine.length).toBeGreaterThan(100_000);
    expect(checkArticles([article({ content: fine })])).toEqual([]);
    expect(() => assertArticles([article({ content: `${fine}<p>。</p>` })])).toThrow(
      /20000 visible characters.*45002/,
    );
  });

  it("visible text skips tags whole, even with '>' inside a quoted attribute", () => {
    expect(
      visibleText(`<p data-formula="a > b" title='x>y'>公式 &lt;a&gt;</p>\n<br/>  <span>末</span>`),
    ).toBe('公式 <a> 末');
  });

  it('refuses content of 1,000,000 bytes or more even when its text is short', () => {
    const heavy = `<p style="${'x'.repeat(1_000_000)}">短</p>`;
    expect(() => assertArticles([article({ content: heavy })])).toThrow(
      /bytes of HTML; WeChat needs less than 1 MB/,
    );
  });

  it('returns every problem of every article as { index, field, limit, actual }', () => {
    const url = `https://example.com/${'a'.repeat(1_005)}`;
    const problems = checkArticles([
      article(),
      article({
        title: '中'.repeat(33),
        author: 'a'.repeat(17),
        content_source_url: url,
        thumb_media_id: undefined,
      }),
    ]);
    expect(problems.map(({ message: _, ...p }) => p)).toEqual([
      { index: 1, field: 'title', code: 'field-too-long', unit: 'chars', limit: 32, actual: 33 },
      { index: 1, field: 'author', code: 'field-too-long', unit: 'chars', limit: 16, actual: 17 },
      {
        index: 1,
        field: 'content_source_url',
        code: 'field-too-long',
        unit: 'bytes',
        limit: 1024,
        actual: 1_025,
      },
      { index: 1, field: 'thumb_media_id', code: 'missing-field', unit: 'required', limit: 1, actual: 0 },
    ]);
    expect(checkArticles([article({ content_source_url: url.slice(0, 1_024) })])).toEqual([]);
  });

  it("keeps the sandbox's limits equal to the client's (one set of WeChat rules)", () => {
    expect(SANDBOX_LIMITS).toMatchObject(ARTICLE_LIMITS);
    // The sandbox may know more limits (articles per draft), never fewer.
    expect(Object.keys(SANDBOX_LIMITS).sort()).toEqual([...Object.keys(ARTICLE_LIMITS), 'articles'].sort());
  });

  it('refuses an empty article list', () => {
    expect(() => assertArticles([])).toThrow(/no articles/);
  });
});

describe('mpnews checks (WeCom message/send limits)', () => {
  const a = { title: 't', thumb_media_id: 'm', content: '<p>c</p>' };
  it('takes 1 to 8 articles', () => {
    checkMpnews([a]);
    expect(() => checkMpnews(Array(9).fill(a))).toThrow(/1 to 8 articles; got 9/);
    expect(() => checkMpnews([])).toThrow(/got 0/);
  });
  it('counts bytes: a 43-character CJK title is 129 bytes', () => {
    expect(() => checkMpnews([{ ...a, title: '中'.repeat(43) }])).toThrow(
      /title is 129 bytes; WeCom allows 128/,
    );
  });
});

describe('QuotaCounter', () => {
  it('refuses the call past the daily cap and counts nothing for it', async () => {
    const store = memoryStore();
    const q = new QuotaCounter(store, 'q', { day: 3, month: 10 }, 'test api');
    for (let i = 0; i < 3; i++) await q.reserve();
    const error = await q.reserve().catch((e) => e);
    expect(error).toBeInstanceOf(WechatQuotaError);
    expect(error.window).toBe('day');
    expect(error.message).toContain('3 of 3 calls this day');
    const usage = await q.usage();
    expect(usage.day.used).toBe(3);
    expect(usage.month.used).toBe(3);
  });

  it('refuses past the monthly cap and refunds on request', async () => {
    const q = new QuotaCounter(memoryStore(), 'q', { day: 10, month: 2 }, 'test api');
    const refund = await q.reserve();
    await q.reserve();
    await expect(q.reserve()).rejects.toMatchObject({ window: 'month', limit: 2 });
    await refund();
    expect((await q.usage()).month.used).toBe(1);
    expect((await q.usage()).day.used).toBe(1);
  });
});
