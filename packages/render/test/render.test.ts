import { readFileSync } from 'node:fs';
import path from 'node:path';
import { corpusDir } from '@md2wx/testkit';
import type { Root as HastRoot } from 'hast';
import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';
import { describe, expect, it } from 'vitest';
import { countWords, createRenderer, previewPage, RenderError, render, themes } from '../src/index.js';
import { compileTheme } from '../src/transforms.js';
import { corpusPosts } from './corpus-posts.js';
import { all, mustViolations, renderMd, tree } from './helpers.js';

const KITCHEN = `---
title: Kitchen
---

Para with **bold**, *em*, ~~del~~, \`code\`, [link](https://x.com) and $a^2$.

## Heading

> quote
> > nested

1. one
   - sub
2. two

| a | b |
|---|---|
| 1 | 2 |

\`\`\`python
def f(x):
    return x  # c
\`\`\`

$$
\\sum_{i=1}^n i
$$

Note[^1].

---

[^1]: Footnote.
`;

describe('render: metadata and front matter', () => {
  it('reads YAML front matter', async () => {
    const r = await render(
      '---\ntitle: T\nauthor: A\ndescription: D\ncover: ./c.png\nsource_url: https://blog/x\n---\n\nBody text.\n',
    );
    expect(r.meta).toMatchObject({
      title: 'T',
      author: 'A',
      digest: 'D',
      cover: './c.png',
      sourceUrl: 'https://blog/x',
    });
    expect(r.meta.frontmatter).toMatchObject({ title: 'T' });
  });

  it('reads TOML front matter', async () => {
    const r = await render('+++\ntitle = "Toml title"\n[author]\nname = "Ann"\n+++\n\nText\n');
    expect(r.meta.title).toBe('Toml title');
    expect(r.meta.author).toBe('Ann');
  });

  it('reads Hexo front matter without the leading ---, keeping line numbers', () => {
    const r = renderMd(
      'title: Hexo post\ndate: 2013-12-26 22:46:49\ntags: [a]\n---\n\n```mermaid\ngraph\n```\n',
    );
    expect(r.meta.title).toBe('Hexo post');
    expect(r.html).not.toContain('date:');
    expect(r.file.messages.find((m) => m.ruleId === 'render/diagram')?.line).toBe(6);
  });

  it('takes the title from the first h1, removes that h1, and digests the first paragraph', () => {
    const r = renderMd('# The Title\n\nFirst paragraph here.\n\n## Sub\n');
    expect(r.meta.title).toBe('The Title');
    expect(r.meta.digest).toBe('First paragraph here.');
    expect(r.html).not.toContain('<h1');
  });

  it('keeps the h1 when asked', () => {
    expect(renderMd('# T\n\nx\n', { stripTitleHeading: false }).html).toContain('<h1');
  });

  it('reports broken front matter and goes on', () => {
    const r = renderMd('---\ntitle: [unclosed\n---\n\ntext\n');
    expect(r.file.messages.some((m) => m.ruleId === 'render/frontmatter')).toBe(true);
    expect(r.html).toContain('text');
  });

  it('counts words: CJK characters and Latin words', () => {
    expect(renderMd('中文字 and two words\n').meta.wordCount).toBe(3 + 3);
  });

  it('counts words as the reference pattern does, joiners and non-ASCII letters included', () => {
    // The definition countWords implements by hand.
    const CJK = /[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]/g;
    const reference = (t: string) =>
      (t.match(CJK)?.length ?? 0) +
      (t.replace(CJK, ' ').match(/[A-Za-z0-9\u00c0-\u024f]+(['’.-][A-Za-z0-9]+)*/g)?.length ?? 0);
    const samples = [
      "don't stop — it's 3.14, e-mail.x- .5 a.b.c -x x- ’y y’ a’b",
      'naïve café façade aé.é a.é é-a Ωmega ǅx',
      '中文English混排123测试, 한국어 テスト ｶﾀｶﾅ 丽',
      "a'",
      "'a",
      'a.',
      '...',
      'x.-y',
      'x-.y',
      'x--y',
      '1.2.3-rc.1',
      '',
    ];
    for (const t of samples) expect(countWords(t), t).toBe(reference(t));
    for (const p of corpusPosts()) {
      const md = readFileSync(path.join(corpusDir(), p), 'utf8');
      expect(countWords(md), p).toBe(reference(md));
    }
  });
});

describe('render: themes and CSS', () => {
  it('ships at least three themes, each giving MUST-clean output for a kitchen-sink post', () => {
    expect(Object.keys(themes).length).toBeGreaterThanOrEqual(3);
    for (const name of Object.keys(themes)) {
      const {
        html,
        file: { messages },
      } = renderMd(KITCHEN, { theme: name });
      expect(mustViolations(html), name).toEqual([]);
      expect(html).not.toMatch(/var\(|class=/);
      expect(
        messages.filter((m) => m.ruleId === 'render/css'),
        name,
      ).toEqual([]);
    }
  });

  it('the themes look different', () => {
    const outs = Object.keys(themes).map((t) => renderMd(KITCHEN, { theme: t }).html);
    expect(new Set(outs).size).toBe(outs.length);
  });

  it('rejects an unknown theme with the list of names', () => {
    expect(() => createRenderer({ theme: 'nope' })).toThrow(RenderError);
    expect(() => createRenderer({ theme: 'nope' })).toThrow(/wechat, tech, minimal/);
  });

  it('applies user CSS after the theme, resolving variables and selectors', () => {
    const css =
      ':root { --brand: #ff0000; } h2 { color: var(--brand); } p strong { color: var(--missing, #00ff00); } tr:nth-child(2n) td { background-color: #eeeeee; }';
    const { html } = renderMd('x **b**\n\n## H\n\n| a |\n|---|\n| 1 |\n| 2 |\n', { css });
    expect(html).toMatch(/<h2 style="[^"]*color:#ff0000/);
    expect(html).toMatch(/<strong style="[^"]*color:#00ff00/);
    const tds = all(tree(html), 'td');
    expect(String(tds[1]?.properties.style)).toContain('background-color:#eeeeee');
    expect(String(tds[0]?.properties.style)).not.toContain('#eeeeee');
  });

  it('turns ::before into a real span', () => {
    const { html } = renderMd('## H\n', { css: 'h2::before { content: "§ "; color: #123456; }' });
    expect(html).toMatch(/<h2[^>]*><span style="color:#123456">§ <\/span>H<\/h2>/);
  });

  it('drops what WeChat strips and reports it', () => {
    const theme = compileTheme([
      'p { position: relative; top: 1px; color: #111; margin: 1rem; } a:hover { color: red; } @media (max-width: 1px) { p { color: red; } }',
    ]);
    const text = theme.messages.map((m) => m.reason).join('\n');
    expect(text).toMatch(/position/);
    expect(text).toMatch(/hover/);
    expect(text).toMatch(/@media/);
    const p = theme.byTag.get('p')?.[0];
    expect(p?.decls.map((d) => `${d.prop}:${d.value}`)).toEqual(['color:#111', 'margin:16px']);
  });

  it('inline styles from raw HTML win over the theme and are cleaned', () => {
    const { html } = renderMd('<p style="color:#abcdef;position:absolute">x</p>\n');
    expect(html).toMatch(/<p style="[^"]*color:#abcdef/);
    expect(html).not.toContain('position');
  });
});

describe('render: composition and caching', () => {
  it('runs remarkPlugins after parsing, before conversion (the image plugin slot)', async () => {
    const plugin = () => (t: Root) => {
      visit(t, 'image', (node) => {
        node.url = 'https://mmbiz.qpic.cn/mmbiz_png/x/0?wx_fmt=png';
      });
    };
    const r = await createRenderer({ remarkPlugins: [plugin] }).render('![a](./local.png)\n');
    expect(r.html).toContain('src="https://mmbiz.qpic.cn/mmbiz_png/x/0?wx_fmt=png"');
  });

  it('reads remarkPlugins/rehypePlugins as unified lists: plugins, [plugin, options] tuples, presets', async () => {
    const rewrite = (options: { host: string }) => (t: Root) => {
      visit(t, 'image', (node) => {
        node.url = `${options.host}x/0?wx_fmt=png`;
      });
    };
    const shout = (options: { suffix: string }) => (t: Root) => {
      visit(t, 'text', (node) => {
        node.value += options.suffix;
      });
    };
    const mark = (options: { tag: string }) => (t: HastRoot) => {
      visit(t, 'element', (node) => {
        if (node.tagName === 'p') node.properties.dataMark = options.tag;
      });
    };
    const renderer = createRenderer({
      cacheSize: 0,
      remarkPlugins: [
        [rewrite, { host: 'https://mmbiz.qpic.cn/mmbiz_png/' }],
        { plugins: [[shout, { suffix: '!' }]] },
      ],
      rehypePlugins: [[mark, { tag: 'ok' }]],
    });
    const { html } = await renderer.render('![a](./local.png)\n\nhello\n');
    expect(html).toContain('src="https://mmbiz.qpic.cn/mmbiz_png/x/0?wx_fmt=png"');
    expect(html).toMatch(/<p data-mark="ok"[^>]*>hello!<\/p>/);
    expect(renderer.renderSync('hi\n').html).toMatch(/>hi!<\/p>/);
  });

  it('compiles a theme once per process: renderers with plugins, made per call, share it', () => {
    const noop = () => () => {};
    const a = createRenderer({ theme: 'tech', css: 'p { color: #123456 }', remarkPlugins: [noop] });
    const b = createRenderer({ theme: 'tech', css: 'p { color: #123456 }', remarkPlugins: [noop] });
    expect(b.theme).toBe(a.theme);
    expect(createRenderer({ theme: 'tech', css: 'p { color: #654321 }' }).theme).not.toBe(a.theme);
    expect(createRenderer({ theme: 'minimal', css: 'p { color: #123456 }' }).theme).not.toBe(a.theme);
    // Sharing does not leak one render's messages into another's.
    const first = a.renderSync('x\n').file.messages.length;
    a.renderSync('y\n');
    expect(b.renderSync('z\n').file.messages.length).toBe(first);
  });

  it('awaits async remark plugins', async () => {
    const plugin = () => async (t: Root) => {
      await new Promise((r) => setTimeout(r, 5));
      visit(t, 'text', (node) => {
        node.value = node.value.toUpperCase();
      });
    };
    const r = await createRenderer({ remarkPlugins: [plugin] }).render('hello\n');
    expect(r.html).toContain('HELLO');
  });

  it('serves an unchanged second render from the cache without running the pipeline', async () => {
    let runs = 0;
    const counter = () => () => {
      runs++;
    };
    const renderer = createRenderer({ remarkPlugins: [counter] });
    const a = await renderer.render(KITCHEN, { filePath: 'a.md' });
    const b = await renderer.render(KITCHEN, { filePath: 'a.md' });
    expect(runs).toBe(1);
    expect(b).toEqual(a);
    b.file.message('mutating a result must not touch the cache');
    expect((await renderer.render(KITCHEN, { filePath: 'a.md' })).file.messages).toEqual(a.file.messages);
    await renderer.render(`${KITCHEN}\nchanged\n`, { filePath: 'a.md' });
    expect(runs).toBe(2);
    renderer.clearCache();
    await renderer.render(KITCHEN, { filePath: 'a.md' });
    expect(runs).toBe(3);
  });

  it('rejects non-string input with a RenderError naming the file', () => {
    expect(() => createRenderer().renderSync(42 as unknown as string, { filePath: 'post.md' })).toThrow(
      /post\.md/,
    );
  });
});

describe('previewPage', () => {
  it('wraps the fragment in a 375 px phone frame with the escaped title', () => {
    const page = previewPage('<section><p>x</p></section>', { title: 'A <b> title', author: 'Me' });
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('max-width: 375px');
    expect(page).toContain('A &#60;b&#62; title');
    expect(page).toContain('<section><p>x</p></section>');
    expect(page).toContain('no-referrer');
  });
});
