import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filterContent, type SandboxServer, startSandbox } from '../src/index.js';
import { fakeClock, getJson, oaToken, png, postJson, upload } from './helpers.js';

let sb: SandboxServer;
let token: string;
let thumb: string;
let bodyImage: string;
const clock = fakeClock();

beforeEach(async () => {
  sb = await startSandbox({ clock: clock.now, publishDelayMs: 1000 });
  token = await oaToken(sb.url);
  const r = await upload(`${sb.url}/cgi-bin/material/add_material?access_token=${token}&type=image`, {
    data: png(8, 8),
    filename: 'cover.png',
  });
  thumb = String(r.body.media_id);
  const i = await upload(`${sb.url}/cgi-bin/media/uploadimg?access_token=${token}`, {
    data: png(2, 2),
    filename: 'b.png',
  });
  bodyImage = String(i.body.url);
});
afterEach(async () => {
  await sb.close();
});

const api = (path: string) => `${sb.url}/cgi-bin/${path}?access_token=${token}`;
const article = (extra: Record<string, unknown> = {}) => ({
  title: '标题',
  author: 'md2wx',
  content: '<p>正文</p>',
  thumb_media_id: thumb,
  ...extra,
});

describe('draft/add + draft/get', () => {
  it('stores a draft and answers it with the output fields and a preview url', async () => {
    const add = await postJson(api('draft/add'), {
      articles: [article({ digest: '摘要', content_source_url: 'https://example.com/a' })],
    });
    expect(Object.keys(add)).toEqual(['media_id']);
    const got = await postJson(api('draft/get'), { media_id: add.media_id });
    const item = (got.news_item as Record<string, unknown>[])[0];
    expect(item).toMatchObject({
      title: '标题',
      author: 'md2wx',
      digest: '摘要',
      content: '<p>正文</p>',
      content_source_url: 'https://example.com/a',
      thumb_media_id: thumb,
      need_open_comment: 0,
      only_fans_can_comment: 0,
      show_cover_pic: 0,
    });
    const page = await fetch(String(item?.url));
    expect(await page.text()).toContain('<p>正文</p>');
    expect(sb.stats().drafts).toBe(1);
    expect(await getJson(api('draft/count'))).toEqual({ total_count: 1 });
  });

  it('removes <script>, on* handlers and <img> not on the sandbox image host, keeps own and mmbiz images', async () => {
    const content =
      `<p onclick="x()">a<script>alert(1)</script><img src="${bodyImage}" alt="own">` +
      '<img src="https://example.com/x.png"><img src="http://mmbiz.qpic.cn/mmbiz_png/abc/0?wx_fmt=png">' +
      '<a href="javascript:alert(2)">l</a></p>';
    const add = await postJson(api('draft/add'), { articles: [article({ content })] });
    const got = await postJson(api('draft/get'), { media_id: add.media_id });
    const stored = String((got.news_item as { content: string }[])[0]?.content);
    expect(stored).not.toContain('<script');
    expect(stored).not.toContain('onclick');
    expect(stored).not.toContain('example.com');
    expect(stored).not.toContain('javascript:');
    expect(stored).toContain(`<img src="${bodyImage}" alt="own">`);
    expect(stored).toContain('mmbiz.qpic.cn');
    expect(sb.inspect().drafts[0]?.articles[0]?.content).toBe(stored);
  });

  it('keeps mp.weixin.qq.com links, unwraps other links and strips <style>, id and class', async () => {
    const content =
      '<style>p{color:red}</style><p id="x" class="c" style="color:#333">' +
      '<a href="https://mp.weixin.qq.com/s/abc">mp</a> and <a href="https://example.com/x">ext <b>bold</b></a>' +
      ' and <a href="#fn1">fn</a></p>';
    const add = await postJson(api('draft/add'), { articles: [article({ content })] });
    const got = await postJson(api('draft/get'), { media_id: add.media_id });
    expect((got.news_item as { content: string }[])[0]?.content).toBe(
      '<p style="color:#333"><a href="https://mp.weixin.qq.com/s/abc">mp</a> and ext <b>bold</b> and fn</p>',
    );
  });

  it('counts visible characters for the 20,000 limit, and bytes of the whole HTML for the 1 MB limit', async () => {
    const styled = `<span style="${'color:#333;'.repeat(4)}">字</span>`;
    const heavy = styled.repeat(2000); // ~100 k characters of markup, 2,000 visible
    expect((await postJson(api('draft/add'), { articles: [article({ content: heavy })] })).media_id).toEqual(
      expect.any(String),
    );
    const huge = `<p style="${'x'.repeat(1_000_000)}">a</p>`;
    expect((await postJson(api('draft/add'), { articles: [article({ content: huge })] })).errcode).toBe(
      45002,
    );
    const entities = '&amp;'.repeat(19_999);
    expect(
      (await postJson(api('draft/add'), { articles: [article({ content: entities })] })).media_id,
    ).toEqual(expect.any(String));
  });

  it('defaults the digest to the first 54 characters of a single article, and to "" for several', async () => {
    const text = '字'.repeat(60);
    const one = await postJson(api('draft/add'), { articles: [article({ content: `<p>${text}</p>` })] });
    const got1 = await postJson(api('draft/get'), { media_id: one.media_id });
    expect((got1.news_item as { digest: string }[])[0]?.digest).toBe('字'.repeat(54));
    const two = await postJson(api('draft/add'), { articles: [article(), article()] });
    const got2 = await postJson(api('draft/get'), { media_id: two.media_id });
    expect((got2.news_item as { digest: string }[]).map((a) => a.digest)).toEqual(['', '']);
  });

  it.each([
    ['no articles', {}, 44003],
    ['an empty list', { articles: [] }, 44003],
    ['nine articles', { articles: Array.from({ length: 9 }, () => 'A') }, 45008],
    ['a missing title', { articles: [{ title: undefined }] }, 44003],
    ['a 33-character title', { articles: [{ title: '题'.repeat(33) }] }, 45003],
    ['a 17-character author', { articles: [{ author: 'a'.repeat(17) }] }, 45110],
    ['a 129-character digest', { articles: [{ digest: 'd'.repeat(129) }] }, 45004],
    ['empty content', { articles: [{ content: '' }] }, 44003],
    ['20,000-character content', { articles: [{ content: 'c'.repeat(20_000) }] }, 45002],
    ['a bad content_source_url', { articles: [{ content_source_url: 'not a url' }] }, 41039],
    ['a ftp content_source_url', { articles: [{ content_source_url: 'ftp://x.org/a' }] }, 41039],
    [
      'a 1,025-byte content_source_url',
      { articles: [{ content_source_url: `https://x.org/${'a'.repeat(1_025 - 14)}` }] },
      41039,
    ],
    ['no thumb_media_id', { articles: [{ thumb_media_id: undefined }] }, 40007],
    ['an unknown thumb_media_id', { articles: [{ thumb_media_id: 'nope' }] }, 40007],
    ['an article that is not an object', { articles: [42] }, 47001],
  ])('rejects %s', async (_name, body, errcode) => {
    const b = body as { articles?: unknown[] };
    const articles = b.articles?.map((a) =>
      typeof a === 'object' && a !== null ? article(a as Record<string, unknown>) : a === 'A' ? article() : a,
    );
    const sent = 'articles' in b ? { articles } : b;
    const r = await postJson(api('draft/add'), sent);
    expect(r.errcode).toBe(errcode);
    expect(sb.stats().drafts).toBe(0);
  });

  it('accepts a 32-character title, 16-character author, 128-character digest, 19,999-character content, 1,024-byte source URL', async () => {
    const r = await postJson(api('draft/add'), {
      articles: [
        article({
          title: '题'.repeat(32),
          author: 'a'.repeat(16),
          digest: 'd'.repeat(128),
          content: 'c'.repeat(19_999),
          content_source_url: `https://x.org/${'a'.repeat(1_024 - 14)}`,
        }),
      ],
    });
    expect(r.media_id).toEqual(expect.any(String));
  });

  it('counts characters as code points: 19,999 emoji pass, 20,000 do not', async () => {
    const okDraft = await postJson(api('draft/add'), {
      articles: [article({ content: '😀'.repeat(19_999) })],
    });
    expect(okDraft.media_id).toEqual(expect.any(String));
    const r = await postJson(api('draft/add'), { articles: [article({ content: '😀'.repeat(20_000) })] });
    expect(r.errcode).toBe(45002);
  });

  it('a temporary media_id is not a valid cover (40007); a thumb material is', async () => {
    const temp = await upload(`${sb.url}/cgi-bin/media/upload?access_token=${token}&type=image`, {
      data: png(),
      filename: 'a.png',
    });
    expect(
      (await postJson(api('draft/add'), { articles: [article({ thumb_media_id: temp.body.media_id })] }))
        .errcode,
    ).toBe(40007);
    const t = await upload(`${sb.url}/cgi-bin/material/add_material?access_token=${token}&type=thumb`, {
      data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]),
      filename: 't.jpg',
    });
    expect(
      (await postJson(api('draft/add'), { articles: [article({ thumb_media_id: t.body.media_id })] }))
        .media_id,
    ).toEqual(expect.any(String));
  });

  it("another account's material is not a valid cover", async () => {
    const other = { appId: 'wx5a1dbox0000000009', appSecret: 's'.repeat(32) };
    await sb.close();
    sb = await startSandbox({
      accounts: [{ appId: 'wx5a1dbox0000000001', appSecret: 'a'.repeat(32) }, other],
    });
    const t1 = await oaToken(sb.url, { appId: 'wx5a1dbox0000000001', appSecret: 'a'.repeat(32) });
    const t2 = await oaToken(sb.url, other);
    const r = await upload(`${sb.url}/cgi-bin/material/add_material?access_token=${t1}&type=image`, {
      data: png(),
      filename: 'a.png',
    });
    const add = await postJson(`${sb.url}/cgi-bin/draft/add?access_token=${t2}`, {
      articles: [article({ thumb_media_id: r.body.media_id })],
    });
    expect(add.errcode).toBe(40007);
  });

  it('newspic articles need 1..20 permanent image_media_ids', async () => {
    const ok = await postJson(api('draft/add'), {
      articles: [
        {
          article_type: 'newspic',
          title: '图',
          content: 'text',
          image_info: { image_list: [{ image_media_id: thumb }] },
        },
      ],
    });
    expect(ok.media_id).toEqual(expect.any(String));
    const bad = await postJson(api('draft/add'), {
      articles: [{ article_type: 'newspic', title: '图', content: 'text' }],
    });
    expect(bad.errcode).toBe(40007);
  });
});

describe('draft/update, delete, batchget, count', () => {
  it('updates one article by 0-based index with a single article object', async () => {
    const add = await postJson(api('draft/add'), { articles: [article(), article({ title: '二' })] });
    const up = await postJson(api('draft/update'), {
      media_id: add.media_id,
      index: 1,
      articles: article({ title: '新' }),
    });
    expect(up).toEqual({ errcode: 0, errmsg: 'ok' });
    const got = await postJson(api('draft/get'), { media_id: add.media_id });
    expect((got.news_item as { title: string }[]).map((a) => a.title)).toEqual(['标题', '新']);
    expect(
      (await postJson(api('draft/update'), { media_id: add.media_id, index: 2, articles: article() }))
        .errcode,
    ).toBe(40114);
    expect(
      (await postJson(api('draft/update'), { media_id: 'nope', index: 0, articles: article() })).errcode,
    ).toBe(40007);
    expect(
      (await postJson(api('draft/update'), { media_id: add.media_id, index: 0, articles: [article()] }))
        .errcode,
    ).toBe(47001);
    expect(
      (
        await postJson(api('draft/update'), {
          media_id: add.media_id,
          index: 0,
          articles: article({ title: '' }),
        })
      ).errcode,
    ).toBe(44003);
  });

  it('deletes drafts (40007 afterwards) and lists them newest first with no_content', async () => {
    const a = await postJson(api('draft/add'), { articles: [article({ title: 'A' })] });
    clock.advance(1000);
    const b = await postJson(api('draft/add'), { articles: [article({ title: 'B' })] });
    const list = await postJson(api('draft/batchget'), { offset: 0, count: 20, no_content: 1 });
    expect(list).toMatchObject({ total_count: 2, item_count: 2 });
    const items = list.item as {
      media_id: string;
      content: { news_item: Record<string, unknown>[] };
      update_time: number;
    }[];
    expect(items.map((i) => i.media_id)).toEqual([b.media_id, a.media_id]);
    expect(items[0]?.content.news_item[0]).not.toHaveProperty('content');
    expect(items[0]?.update_time).toBe(Math.floor(clock.now() / 1000));
    const full = await postJson(api('draft/batchget'), { offset: 1, count: 1 });
    expect(
      (full.item as { content: { news_item: { content: string }[] } }[])[0]?.content.news_item[0]?.content,
    ).toBe('<p>正文</p>');
    expect((await postJson(api('draft/batchget'), { offset: 0, count: 0 })).errcode).toBe(40002);
    expect(await postJson(api('draft/delete'), { media_id: a.media_id })).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    expect((await postJson(api('draft/get'), { media_id: a.media_id })).errcode).toBe(40007);
    expect((await postJson(api('draft/delete'), { media_id: a.media_id })).errcode).toBe(40007);
    expect(await getJson(api('draft/count'))).toEqual({ total_count: 1 });
  });

  it('draft/count is GET only (43001); POST-only APIs answer 43002 to GET', async () => {
    expect((await postJson(api('draft/count'), {})).errcode).toBe(43001);
    expect((await getJson(api('draft/add'))).errcode).toBe(43002);
  });

  it('enforces the draft/add daily quota (45009)', async () => {
    await sb.close();
    sb = await startSandbox({ quotas: { 'draft/add': 1 } });
    token = await oaToken(sb.url);
    const r = await upload(`${sb.url}/cgi-bin/material/add_material?access_token=${token}&type=image`, {
      data: png(),
      filename: 'c.png',
    });
    thumb = String(r.body.media_id);
    expect((await postJson(api('draft/add'), { articles: [article()] })).media_id).toEqual(
      expect.any(String),
    );
    expect((await postJson(api('draft/add'), { articles: [article()] })).errcode).toBe(45009);
  });
});

describe('filterContent', () => {
  it('handles single-quoted and unquoted src, and self-closing script tags', () => {
    const host = 'http://127.0.0.1:1';
    const html = `<img src='${host}/mmbiz_png/a/0'><img src=http://x/y.png><script src="a.js"/><b>x</b>`;
    expect(filterContent(html, host)).toBe(`<img src='${host}/mmbiz_png/a/0'><b>x</b>`);
  });
});
