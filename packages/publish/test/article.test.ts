import { describe, expect, it } from 'vitest';
import { charCount, checkArticleLimits, suggestTitleCut } from '../src/article.js';
import { problemJson } from '../src/errors.js';
import { applyFieldFallbacks, readPostMeta } from '../src/post-fields.js';

describe('front matter', () => {
  it('reads YAML front matter and leaves the body to the Markdown', () => {
    expect(readPostMeta('---\ntitle: Hi\ntags: [a, b]\n---\n\n# Body\n')).toMatchObject({
      title: 'Hi',
      titleLine: 2,
    });
  });

  it('reads Hexo headless front matter (no opening fence)', () => {
    const meta = readPostMeta('title: 中文測試\ndate: 2013-12-26 22:52:56\n---\n\nText\n');
    expect(meta).toMatchObject({ title: '中文測試', titleFrom: 'front-matter', titleLine: 1 });
  });

  it('reads a Hugo post with TOML front matter, `banner:` as its cover, each on its line', () => {
    const meta = readPostMeta('+++\ntitle = "Hugo"\nbanner = "b.png"\nauthor = "Ada"\n+++\n\nText\n');
    expect(meta).toMatchObject({ title: 'Hugo', titleLine: 2, cover: 'b.png', coverLine: 3, author: 'Ada' });
  });

  it('leaves a post without front matter alone, even with a thematic break', () => {
    expect(readPostMeta('# Title\n\nSome text.\n\n---\n\nMore\n')).toEqual({
      title: 'Title',
      titleFrom: 'h1',
      titleLine: 1,
    });
  });

  it('refuses front matter that does not parse, naming the line and column', () => {
    expect(() => readPostMeta('---\ntitle: ok\nfoo: [1, 2\nbar: 3\n---\n', 'p.md')).toThrow(
      expect.objectContaining({
        messages: [
          expect.objectContaining({
            file: 'p.md',
            line: 4,
            column: 1,
            place: { line: 4, column: 1 },
            ruleId: 'render/frontmatter',
            source: 'md2wx',
            fatal: true,
            reason: expect.stringMatching(/not valid YAML/),
          }),
        ],
      }),
    );
    expect(() => readPostMeta('+++\ntitle = \n+++\n', 'p.md')).toThrow(
      /p\.md:2:\d+: front matter is not valid TOML/,
    );
  });
});

describe('readPostMeta', () => {
  it('maps front matter to article fields', () => {
    const meta = readPostMeta(
      [
        '---',
        'title: Hello',
        'author: { name: Ada }',
        'description: About things',
        'image: img/cover.png',
        'canonical: https://example.com/hello',
        'comments: true',
        'only_fans_can_comment: false',
        'crop: { "2.35_1": "0.1_0_0.9_0.5", "1_1": "0_0_1_1" }',
        'wechat_id: hello-1',
        '---',
        'Body',
      ].join('\n'),
    );
    expect(meta).toMatchObject({
      title: 'Hello',
      titleFrom: 'front-matter',
      titleLine: 2,
      author: 'Ada',
      digest: 'About things',
      cover: 'img/cover.png',
      coverLine: 5,
      contentSourceUrl: 'https://example.com/hello',
      needOpenComment: 1,
      onlyFansCanComment: 0,
      picCrop2351: '0.1_0_0.9_0.5',
      picCrop11: '0_0_1_1',
      wechatId: 'hello-1',
    });
  });

  it('prefers digest over description over summary', () => {
    expect(readPostMeta('---\nsummary: s\ndescription: d\ndigest: g\n---\n').digest).toBe('g');
    expect(readPostMeta('---\nsummary: s\ndescription: d\n---\n').digest).toBe('d');
    expect(readPostMeta('---\nsummary: s\n---\n').digest).toBe('s');
  });

  it('takes the title from the first h1 when the front matter has none, with its file line', () => {
    const meta = readPostMeta('---\nauthor: x\n---\n\n```md\n# not this\n```\n\n# The *real* title\n');
    expect(meta.title).toBe('The real title');
    expect(meta.titleFrom).toBe('h1');
    expect(meta.titleLine).toBe(9);
  });

  it('knows setext h1 headings, and a # inside an HTML block is not one', () => {
    expect(readPostMeta('Intro\n\nBig Title\n=====\n')).toMatchObject({ title: 'Big Title', titleLine: 3 });
    expect(readPostMeta('<div>\n# not this\n</div>\n\n# Real\n')).toMatchObject({
      title: 'Real',
      titleLine: 5,
    });
  });
});

describe('firstImage', () => {
  it('finds the first Markdown or HTML image outside code', () => {
    const md = '```\n![no](code.png)\n```\nText `![no](inline.png)` and <img src="a.png"> then ![b](b.png)\n';
    expect(readPostMeta(md).firstImage).toEqual({ src: 'a.png', line: 4 });
    expect(readPostMeta('No image here').firstImage).toBeUndefined();
    expect(readPostMeta('![x](<with space.png> "t")').firstImage?.src).toBe('with space.png');
  });
});

describe('checkArticleLimits', () => {
  const base = {};

  it('refuses a title over 32 characters, naming file and line', () => {
    const title = '这是一个非常非常长的标题，它一共有超过三十二个汉字，所以微信会拒绝它的';
    expect(charCount(title)).toBeGreaterThan(32);
    const problems = checkArticleLimits({ ...base, title, titleLine: 2 }, 'posts/a.md');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'posts/a.md', line: 2 });
    expect(problems[0]?.message).toMatch(/at most 32/);
  });

  it('counts characters as code points (an emoji is one)', () => {
    const title = '😀'.repeat(32);
    expect(checkArticleLimits({ ...base, title }, 'a.md')).toEqual([]);
    expect(checkArticleLimits({ ...base, title: `${title}x` }, 'a.md')).toHaveLength(1);
  });

  it('checks author, digest, source URL, crops and content', () => {
    const problems = checkArticleLimits(
      {
        ...base,
        title: 'ok',
        author: 'a'.repeat(17),
        digest: 'd'.repeat(129),
        contentSourceUrl: 'ftp://x',
        picCrop11: '0_0_1.5_1',
      },
      'a.md',
      `<p>${'字'.repeat(20_000)}</p>`,
    );
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/author is 17/),
      expect.stringMatching(/digest is 129 characters; WeChat allows at most 128: shorten it/),
      expect.stringMatching(/not an http\(s\) URL/),
      expect.stringMatching(/pic_crop_1_1/),
      expect.stringMatching(/20000 characters of text/),
    ]);
  });

  it('reports a missing title', () => {
    expect(checkArticleLimits({ ...base }, 'a.md')[0]?.message).toMatch(/no title/);
  });

  it('does not count HTML markup against the content limit', () => {
    const html = `<section style="${'x'.repeat(30_000)}"><p>short</p></section>`;
    expect(checkArticleLimits({ ...base, title: 't' }, 'a.md', html)).toEqual([]);
  });

  it('counts visible text as @md2wx/wechat does: entities decoded, whitespace collapsed', () => {
    // 19,999 characters pass, 20,000 do not, whatever the indentation between them.
    const spaced = (n: number) => `<p>${'字'.repeat(n - 1)}</p>\n      <p>${'字'}</p>`;
    expect(checkArticleLimits({ ...base, title: 't' }, 'a.md', spaced(19_998))).toEqual([]);
    expect(checkArticleLimits({ ...base, title: 't' }, 'a.md', spaced(20_000))).toHaveLength(1);
  });

  it('refuses HTML of 1,000,000 bytes or more, as the client does', () => {
    // Inline styles weigh bytes but not visible characters.
    const html = (bytes: number) => `<p style="${'x'.repeat(bytes - 18)}">ok</p>`;
    expect(checkArticleLimits({ ...base, title: 't' }, 'a.md', html(999_999))).toEqual([]);
    expect(Buffer.byteLength(html(1_000_000))).toBe(1_000_000);
    expect(checkArticleLimits({ ...base, title: 't' }, 'a.md', html(1_000_000)).map(problemJson)).toEqual([
      { file: 'a.md', message: expect.stringMatching(/^content HTML is 1000000 bytes/) },
    ]);
  });

  it('names --title, not a front-matter line, when the title given on the command line is too long', () => {
    const problems = checkArticleLimits({ ...base, title: 'x'.repeat(33), titleFrom: 'flag' }, 'a.md');
    expect(problems.map(problemJson)).toEqual([
      { file: 'a.md', message: expect.stringMatching(/^--title is 33 characters/) },
    ]);
    expect(problems[0]).toMatchObject({ ruleId: 'wechat/field-limit', source: 'md2wx', fatal: true });
  });
});

describe('wechat_title', () => {
  it('gives WeChat its own title, located on its line, over a long site title', () => {
    const meta = readPostMeta(
      '---\ntitle: A very long site title that WeChat would refuse for sure\nwechat_title: Short\n---\nText\n',
    );
    expect(meta).toMatchObject({ title: 'Short', titleFrom: 'wechat_title', titleLine: 3 });
  });
});

describe('field fallbacks (what WeChat would refuse, handled without blocking)', () => {
  const long = 'A blog description written for search engines, '.repeat(4).trim();

  it.each(['description', 'summary', 'excerpt'])(
    'a %s over 128 characters is not sent as the digest, with one warning naming digest:/wechat_digest: and the line',
    (key) => {
      const meta = readPostMeta(`---\ntitle: Short\n${key}: ${long}\n---\nBody\n`);
      const warnings = applyFieldFallbacks(meta, 'post.md');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ file: 'post.md', line: 3 });
      expect(warnings[0]?.message).toContain(`${key} is ${charCount(long)} characters, over WeChat's 128`);
      expect(warnings[0]?.message).toMatch(/`digest:`.*`wechat_digest:`/);
      expect(meta.digest).toBeUndefined();
      expect(meta.digestDropped).toEqual({ from: key, chars: charCount(long), line: 3 });
      expect(checkArticleLimits(meta, 'post.md')).toEqual([]);
    },
  );

  it('a description within the limit is sent; wechat_digest wins over description', () => {
    const ok = readPostMeta('---\ntitle: T\ndescription: fits\n---\n');
    expect(applyFieldFallbacks(ok, 'p.md')).toEqual([]);
    expect(ok.digest).toBe('fits');
    const both = readPostMeta(`---\ntitle: T\ndescription: ${long}\nwechat_digest: For WeChat\n---\n`);
    expect(applyFieldFallbacks(both, 'p.md')).toEqual([]);
    expect(both).toMatchObject({ digest: 'For WeChat', digestFrom: 'wechat_digest', digestLine: 4 });
  });

  it.each(['digest', 'wechat_digest'])(
    'an explicit %s over the limit is still refused, with file:line, never cut',
    (key) => {
      const meta = readPostMeta(`---\ntitle: T\n\n${key}: ${long}\n---\n`);
      expect(applyFieldFallbacks(meta, 'p.md')).toEqual([]);
      const [problem, ...rest] = checkArticleLimits(meta, 'p.md');
      expect(rest).toEqual([]);
      expect(problem).toMatchObject({ file: 'p.md', line: 4 });
      expect(problem?.message).toContain(
        `${key} is ${charCount(long)} characters; WeChat allows at most 128`,
      );
      expect(meta.digest).toBe(long);
    },
  );

  it('a long title stays refused; the message suggests a cut at a word or punctuation boundary and names the fixes', () => {
    const title = '深入理解 TCP 三次握手与四次挥手：面试中最常被问到的网络问题全解析';
    const meta = readPostMeta(`---\ntitle: ${title}\n---\n`);
    const [problem] = checkArticleLimits(meta, 'p.md');
    const cut = suggestTitleCut(title, 32);
    expect(problem?.message).toContain(`"${cut}"`);
    expect(problem?.message).toMatch(/wechat_title:.*--title/);
    expect(charCount(cut)).toBeLessThanOrEqual(32);
    expect(title.startsWith(cut)).toBe(true);
    // At a boundary: the next character of the title starts a new word.
    expect(cut).toBe('深入理解 TCP 三次握手与四次挥手：面试中最常被问到的网络问题');
    expect(suggestTitleCut('A Very Long English Title That Goes On And On About Things', 32)).toBe(
      'A Very Long English Title That',
    );
    expect(suggestTitleCut('Short: and then a much longer part that does not fit', 32)).toBe(
      'Short: and then a much longer',
    );
  });
});
