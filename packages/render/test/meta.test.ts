import { ARTICLE_LIMITS } from '@md2wx/wechat';
import { describe, expect, it } from 'vitest';
import { lint, parseFrontMatter, readMeta, render } from '../src/index.js';

describe('post metadata (one front-matter parser, one key table)', () => {
  it('reads a Hugo post with TOML front matter, with the line and column of each key', async () => {
    const post = [
      '+++',
      'title = "Hugo 入门"',
      '  banner = "img/b.png"',
      'description = "About Hugo"',
      '[params]',
      'title = "not the title"',
      '+++',
      '',
      'Body text.',
    ].join('\n');
    const { meta, frontMatter } = readMeta(post);
    expect(frontMatter.format).toBe('toml');
    expect(meta).toMatchObject({ title: 'Hugo 入门', cover: 'img/b.png', digest: 'About Hugo' });
    expect(meta.origins).toEqual({
      title: { key: 'title', line: 2, column: 1 },
      cover: { key: 'banner', line: 3, column: 3 },
      digest: { key: 'description', line: 4, column: 1 },
    });
    // The renderer's meta is the same reading.
    const rendered = await render(post);
    expect(rendered.meta.origins).toEqual(meta.origins);
    expect(rendered.meta.cover).toBe('img/b.png');
  });

  it('takes `banner:` as the cover and keeps the key precedence of META_KEYS', () => {
    expect(readMeta('---\nbanner: b.png\n---\n\ntext\n').meta.cover).toBe('b.png');
    expect(readMeta('---\nbanner: b.png\nimage: i.png\n---\n').meta.origins.cover?.key).toBe('image');
    expect(readMeta('---\ncover: { image: c.png }\n---\n').meta.cover).toBe('c.png');
    const both = readMeta('---\ntitle: A long site title\nwechat_title: Short\n---\n').meta;
    expect(both.title).toBe('Short');
    expect(both.origins.title).toEqual({ key: 'wechat_title', line: 3, column: 1 });
  });

  it('reads every draft field: author object, source URL, comment flags, crops, wechat_id', () => {
    const { meta } = readMeta(
      [
        '---',
        'author: { name: Ada }',
        'canonical: https://example.com/hello',
        'comments: true',
        'only_fans_can_comment: false',
        'crop: { "2.35_1": "0.1_0_0.9_0.5", "1_1": "0_0_1_1" }',
        'wechat_id: hello-1',
        '---',
      ].join('\n'),
    );
    expect(meta).toMatchObject({
      author: 'Ada',
      sourceUrl: 'https://example.com/hello',
      needOpenComment: 1,
      onlyFansCanComment: 0,
      picCrop2351: '0.1_0_0.9_0.5',
      picCrop11: '0_0_1_1',
      wechatId: 'hello-1',
    });
    expect(meta.origins.picCrop11).toEqual({ key: 'crop.1_1', line: 6, column: 1 });
    // Hugo's `url` is the page path: only an absolute URL is a source URL.
    expect(readMeta('---\nurl: /posts/x/\n---\n').meta.sourceUrl).toBeUndefined();
    expect(readMeta('---\nurl: https://x.org/p\n---\n').meta.sourceUrl).toBe('https://x.org/p');
  });

  it('takes the title from the first h1 of the mdast tree, not from a # in a code fence or HTML block', () => {
    const post = [
      '---',
      'author: x',
      '---',
      '',
      '```md',
      '# not this',
      '```',
      '',
      // An HTML block runs to the next blank line: this `#` line is HTML, not a heading.
      '<div>',
      '# nor this',
      '</div>',
      '',
      '# The *real* title',
      '',
      'Intro',
      '',
      'Big Title',
      '=====',
    ].join('\n');
    const { meta } = readMeta(post);
    expect(meta.title).toBe('The real title');
    expect(meta.origins.title).toEqual({ key: 'heading', line: 13, column: 1 });
    expect(readMeta('Intro\n\nBig Title\n=====\n').meta.origins.title).toEqual({
      key: 'heading',
      line: 3,
      column: 1,
    });
  });

  it('finds the first image in reading order, Markdown or HTML, never inside code', () => {
    const md = '```\n![no](code.png)\n```\nText `![no](inline.png)` and <img src="a.png"> then ![b](b.png)\n';
    expect(readMeta(md).meta.firstImage).toEqual({ src: 'a.png', line: 4, column: 30 });
    expect(readMeta('No image here').meta.firstImage).toBeUndefined();
    expect(readMeta('![x](<with space.png> "t")').meta.firstImage?.src).toBe('with space.png');
  });

  it('reads Hexo headless front matter with positions in the post', () => {
    const { meta, frontMatter } = readMeta(
      'title: 中文測試\ndate: 2013-12-26 22:52:56\nthumbnail: t.jpg\n---\n\nText\n',
    );
    expect(frontMatter.format).toBe('hexo');
    expect(meta.title).toBe('中文測試');
    expect(meta.origins.cover).toEqual({ key: 'thumbnail', line: 3, column: 1 });
  });

  it('reports a front matter that does not parse at its line and column in the post', () => {
    const { frontMatterError, meta } = readMeta('---\ntitle: ok\nfoo: [1, 2\nbar: 3\n---\n\n# Body\n');
    expect(frontMatterError).toMatchObject({ line: 4, column: 1 });
    expect(meta.title).toBe('Body');
    const toml = readMeta('+++\ntitle = "x"\nfoo = [1,\nbar\n+++\n').frontMatterError;
    expect(toml?.line).toBe(4);
    expect(parseFrontMatter('a: [1', 'yaml').error).toMatch(/flow sequence|end/i);
  });
});

describe('lint limits', () => {
  // lint runs without @md2wx/wechat (a dev dependency here only), so it keeps its own numbers: pinned here.
  it.each([
    ['title', 'title-length', ARTICLE_LIMITS.title],
    ['author', 'author-length', ARTICLE_LIMITS.author],
    ['digest', 'digest-length', ARTICLE_LIMITS.digest],
  ] as const)('refuses a %s over @md2wx/wechat ARTICLE_LIMITS, not at it', (field, rule, limit) => {
    const rules = (n: number) =>
      lint('<section><p>x</p></section>', { meta: { title: 't', [field]: '字'.repeat(n) } }).map(
        (m) => m.ruleId,
      );
    expect(rules(limit)).not.toContain(rule);
    expect(rules(limit + 1)).toContain(rule);
  });
});
