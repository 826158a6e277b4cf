import { describe, expect, it } from 'vitest';
import { clearMathCache, lint, texToSvg } from '../src/index.js';
import { all, mustViolations, renderMd, textOf, tree } from './helpers.js';

const NB = '\u00a0';

describe('div → section, no class/id, root section', () => {
  it('turns raw div into section and strips class, id and handlers', () => {
    const { html } = renderMd('<div class="note" id="n" onclick="x()">hello</div>\n');
    expect(html).not.toMatch(/<div|class=|id=|onclick/);
    expect(html).toMatch(/<section[^>]*>hello<\/section>/);
  });

  it('wraps everything in one root section without padding or background', () => {
    const { html } = renderMd('a\n\nb\n', { css: ':root { padding: 0 10px; background-color: #fafafa; }' });
    const t = tree(html);
    expect(t.children).toHaveLength(1);
    const root = t.children[0] as { tagName: string; properties: { style?: string } };
    expect(root.tagName).toBe('section');
    expect(root.properties.style).not.toMatch(/padding|background/);
    for (const p of all(t, 'p')) expect(String(p.properties.style)).toMatch(/background-color:#fafafa/);
  });

  it('removes forbidden elements from raw HTML and reports them', () => {
    const r = renderMd(
      '<iframe src="https://v.qq.com/x"></iframe>\n\n<p>ok<script>alert(1)</script></p>\n\n<details><summary>s</summary>d</details>\n',
    );
    expect(r.html).not.toMatch(/iframe|script|details|summary/);
    expect(
      r.file.messages
        .filter((m) => m.ruleId === 'render/html')
        .map((m) => m.message)
        .join(),
    ).toMatch(/iframe.*script|script.*iframe/);
    expect(mustViolations(r.html)).toEqual([]);
  });
});

describe('links → text + [n] references', () => {
  it('numbers links by first appearance, reuses n for the same URL, lists them at the end as plain text', () => {
    const { html } = renderMd(
      '[A](https://a.com) [B](https://b.com) [A again](https://a.com) <mailto:x@y.z>\n',
    );
    const t = tree(html);
    expect(all(t, 'a')).toEqual([]);
    expect(all(t, 'sup').map(textOf)).toEqual(['[1]', '[2]', '[1]']);
    const refs = all(t, 'section').at(-1);
    expect(refs && textOf(refs)).toContain('[1] A: https://a.com');
    expect(refs && textOf(refs)).toContain('[2] B: https://b.com');
    expect(mustViolations(html)).toEqual([]);
  });

  it('keeps mp.weixin.qq.com article links as links', () => {
    const { html } = renderMd('[post](https://mp.weixin.qq.com/s/abc)\n');
    expect(html).toMatch(/<a href="https:\/\/mp\.weixin\.qq\.com\/s\/abc"[^>]*>post<\/a>/);
    expect(html).not.toContain('[1]');
  });

  it('turns #anchors and relative links into plain text without a reference', () => {
    const { html } = renderMd('[top](#top) [doc](../doc.md)\n');
    expect(html).not.toMatch(/<a |\[1\]|href/);
    expect(textOf(tree(html))).toContain('top doc');
  });

  it('shows a bare URL once, as text', () => {
    const { html } = renderMd('see https://example.com/x\n');
    expect(html).not.toMatch(/<a |\[1\]/);
    expect(textOf(tree(html))).toContain('https://example.com/x');
  });
});

describe('GFM footnotes → plain notes', () => {
  it('drops back-references and #fn links, keeps numbered plain notes', () => {
    const { html } = renderMd(
      'Text[^a] and more[^b].\n\n[^a]: First.\n[^b]: Second\n\n    with two paragraphs.\n',
    );
    expect(html).not.toMatch(/↩|href|data-footnote-backref|#fn/);
    const t = tree(html);
    expect(all(t, 'sup').map(textOf)).toEqual(['(1)', '(2)']);
    expect(textOf(t)).toMatch(/\(1\) First\.[\s\S]*\(2\) Second[\s\S]*with two paragraphs/);
    expect(mustViolations(html)).toEqual([]);
  });
});

describe('lists', () => {
  it('hoists nested lists out of li, keeps two levels, no p in li, no whitespace', () => {
    const md = '- a\n\n  para\n  - b\n    - c\n      - d\n- e\n';
    const { html } = renderMd(md);
    const t = tree(html);
    for (const li of all(t, 'li')) {
      expect(li.children.some((c) => c.type === 'element' && ['ul', 'ol', 'p'].includes(c.tagName))).toBe(
        false,
      );
    }
    expect(textOf(t).replace(/\s+/g, '')).toBe('aparabcde');
    expect(html).not.toMatch(/<\/li>\s+<li|<ul>\s/);
    expect(mustViolations(html)).toEqual([]);
  });

  it('renders task items as ☑/☐ text without inputs', () => {
    const { html } = renderMd('- [x] done\n- [ ] todo\n');
    expect(html).not.toContain('<input');
    expect(all(tree(html), 'li').map(textOf)).toEqual(['☑ done', '☐ todo']);
  });

  it('continues ordered numbering when a deep list splits the parent', () => {
    const { html } = renderMd('3. a\n   1. b\n      1. c\n   2. d\n4. e\n');
    const ols = all(tree(html), 'ol');
    expect(ols[0]?.properties.start).toBe(3);
    expect(ols.some((o) => o.properties.start === 2)).toBe(true);
    expect(mustViolations(html)).toEqual([]);
  });
});

describe('code blocks', () => {
  const md = '```js\nfunction f() {\n\treturn  1; // x\n}\n```\n';

  it('highlights with inline colours, <br> newlines and NBSP indentation', () => {
    const { html } = renderMd(md);
    expect(html).toMatch(/<span style="color:#[0-9a-f]{6}">function<\/span>/);
    const pre = all(tree(html), 'pre')[0];
    expect(pre && all(pre, 'br')).toHaveLength(2);
    expect(pre && textOf(pre)).toContain(`${NB.repeat(4)}return${NB}${NB}1;`);
    expect(html).not.toMatch(/class=|hljs/);
    expect(mustViolations(html)).toEqual([]);
  });

  it('scrolls horizontally instead of wrapping', () => {
    const { html } = renderMd(md);
    expect(html).toMatch(/<pre[^>]*style="[^"]*overflow-x:auto/);
    expect(html).toMatch(/<code style="[^"]*display:-webkit-box/);
  });

  it('adds the macOS window bar as inline SVG when asked', () => {
    const { html } = renderMd(md, { codeWindowBar: true });
    const svg = all(tree(html), 'svg')[0];
    expect(svg && all(svg, 'ellipse')).toHaveLength(3);
    expect(mustViolations(html)).toEqual([]);
  });

  it('keeps mermaid as code with a warning when nothing drew it, and the linter makes it a MUST (PlantUML a SHOULD)', () => {
    const r = renderMd(
      '```mermaid\ngraph TD\n  A-->B\n```\n\n```plantuml\n@startuml\nA -> B\n@enduml\n```\n',
    );
    expect(r.file.messages.filter((m) => m.ruleId === 'render/diagram').map((m) => m.line)).toEqual([1, 6]);
    expect(r.html).toContain('data-lang="mermaid"');
    expect(mustViolations(r.html).map((m) => [m.ruleId, m.message])).toEqual([
      ['no-diagram-code', 'mermaid diagram left as a code block'],
    ]);
    expect(
      lint(r.html)
        .filter((m) => m.ruleId === 'no-diagram-code')
        .map((m) => m.fatal),
    ).toEqual([true, false]);
  });

  it('styles inline code without touching its spaces', () => {
    const { html } = renderMd('use `a  b` here\n');
    expect(html).toMatch(/<code style="[^"]*font-family[^"]*">a {2}b<\/code>/);
  });
});

describe('tables', () => {
  it('wraps tables in a scrolling section and inlines alignment', () => {
    const { html } = renderMd('| a | b |\n|:-:|--:|\n| 1 | 2 |\n');
    expect(html).toMatch(/<section style="[^"]*max-width:100%;overflow-x:auto[^"]*"><table/);
    expect(html).toMatch(/<td style="[^"]*text-align:center[^"]*">1<\/td>/);
    expect(html).not.toMatch(/align=/);
    expect(mustViolations(html)).toEqual([]);
  });
});

describe('images', () => {
  it('makes a lone image a figure with caption from title, else alt', () => {
    const src = 'https://mmbiz.qpic.cn/mmbiz_png/a/0?wx_fmt=png';
    const { html } = renderMd(
      `![alt one](${src} "Title one")\n\n![alt two](${src})\n\ninline ![x](${src}) image\n`,
    );
    const t = tree(html);
    expect(all(t, 'figcaption').map(textOf)).toEqual(['Title one', 'alt two']);
    for (const img of all(t, 'img')) expect(String(img.properties.style)).toContain('max-width:100%');
    expect(mustViolations(html)).toEqual([]);
  });

  it('moves width/height attributes of raw images into style', () => {
    const { html } = renderMd('<img src="https://mmbiz.qpic.cn/a.png" width="200" height="100">\n');
    expect(html).not.toMatch(/width="|height="/);
    expect(html).toMatch(/width:200px/);
  });

  it('honours captions: none', () => {
    const { html } = renderMd('![alt](https://mmbiz.qpic.cn/a.png)\n', { captions: 'none' });
    expect(html).not.toContain('figcaption');
  });
});

describe('math', () => {
  it('renders inline and display math as MathJax SVG without defs/use, sizes in ex, currentColor', () => {
    const { html } = renderMd('Energy $E=mc^2$ here.\n\n$$\n\\int_0^1 x\\,dx\n$$\n');
    expect(html).not.toMatch(/<defs|<use|mjx-|<math/);
    const svgs = all(tree(html), 'svg');
    expect(svgs).toHaveLength(2);
    for (const svg of svgs) {
      expect(String(svg.properties.style)).toMatch(/width:[\d.]+ex;height:[\d.]+ex/);
      expect(svg.properties.width).toBeUndefined();
    }
    expect(html).toContain('fill="currentColor"');
    expect(html).toMatch(new RegExp(`Energy<span data-formula="E=mc\\^2"[^>]*>${NB}<svg`));
    expect(html).toMatch(new RegExp(`</svg>${NB}</span>here`));
    expect(mustViolations(html)).toEqual([]);
  });

  it('lays out tagged equations at their own width: one svg with viewBox, no nested svg, no id', () => {
    const {
      html,
      file: { messages },
    } = renderMd(
      '$$\nE = mc^2 \\tag{1}\n$$\n\n$$\n\\begin{align} a&=b \\tag{A}\\\\ c&=d \\tag{B}\\end{align}\n$$\n',
    );
    expect(messages).toEqual([]);
    const svgs = all(tree(html), 'svg');
    expect(svgs).toHaveLength(2);
    for (const svg of svgs) {
      expect(String(svg.properties.viewBox)).toMatch(/^0 -[\d.]+ [\d.]+ [\d.]+$/);
      const style = String(svg.properties.style);
      expect(style).toMatch(/width:[\d.]+ex;height:[\d.]+ex/);
      expect(style).not.toMatch(/100%|min-width/);
    }
    expect(html).not.toMatch(/ id=|data-table|data-labels/);
    expect(mustViolations(html)).toEqual([]);
    // The label sits right of the body: its group is translated further than the body's.
    const moves = [...html.matchAll(/<g transform="translate\(([\d.]+) [\d.]+\)">/g)].map((m) =>
      Number(m[1]),
    );
    expect(moves.length).toBeGreaterThanOrEqual(2);
    expect(moves[1]).toBeGreaterThan(moves[0] as number);
  });

  it('renders mhchem formulas (\\ce) instead of flagging an undefined macro', () => {
    const r = renderMd('$\\ce{H2O ->[heat] H2 + O2}$\n');
    expect(r.file.messages).toEqual([]);
    // Without mhchem, noundefined would draw \ce in red.
    expect(r.html).not.toMatch(/="red"/);
  });

  it('reports TeX errors with the source line', () => {
    const r = renderMd('ok\n\n$\\frac{a$\n');
    expect(r.file.messages.find((m) => m.ruleId === 'render/math')?.line).toBe(3);
  });

  it('gives every caller its own tree, from the cache as from MathJax, errors included', () => {
    clearMathCache();
    const first = texToSvg('\\frac{a}{b} \\tag{1}', true);
    const pristine = structuredClone(first.svg);
    first.svg.properties.style = 'changed';
    first.svg.children = [];
    const again = texToSvg('\\frac{a}{b} \\tag{1}', true);
    expect(again.svg).toEqual(pristine);
    expect(again.svg.properties.viewBox).toBeDefined();
    const broken = texToSvg('\\frac{a', false);
    expect(broken.error).toBeTruthy();
    expect(texToSvg('\\frac{a', false).error).toBe(broken.error);
  });

  it('starts every article on a new MathJax page: a label used by an earlier post is free again', () => {
    clearMathCache();
    const first = renderMd('$$a = 1 \\label{eq:main}$$\n');
    const second = renderMd('$$b = 2 \\label{eq:main}$$\n');
    expect(first.file.messages.filter((m) => m.ruleId === 'render/math')).toEqual([]);
    expect(second.file.messages.filter((m) => m.ruleId === 'render/math')).toEqual([]);
    // Within one article a repeated label is still the author's mistake.
    const both = renderMd('$$c \\label{eq:x}$$\n\n$$d \\label{eq:x}$$\n');
    expect(both.file.messages.find((m) => m.ruleId === 'render/math')?.message).toMatch(/multiply defined/);
  });

  it('keeps \\newcommand definitions inside the article that makes them', () => {
    /** The article without the TeX source MathJax was given (that differs by construction). */
    const drawn = (md: string) => renderMd(md).html.replace(/ data-formula="[^"]*"/g, '');
    const after = (first: string, md: string) => {
      clearMathCache();
      renderMd(first);
      return drawn(md);
    };
    const fresh = (md: string) => {
      clearMathCache();
      return drawn(md);
    };
    const uses = '$\\R$ and $\\tr A$\n';
    expect(after('$\\newcommand{\\R}{\\mathbb{R}}$ $\\R$\n', uses)).toBe(fresh(uses));
    expect(after('$\\DeclareMathOperator{\\tr}{tr}$ $\\tr A$\n', uses)).toBe(fresh(uses));
    // The same formula after two different definitions: each article gets its own, cache or not.
    const blackboard = '$\\newcommand{\\R}{\\mathbb{R}}$ $\\R$\n';
    const calligraphic = '$\\newcommand{\\R}{\\mathcal{R}}$ $\\R$\n';
    const bb = fresh(blackboard);
    expect(drawn(calligraphic)).not.toBe(bb);
    expect(drawn(calligraphic)).toBe(fresh(calligraphic));
    expect(drawn(blackboard)).toBe(bb);
  });
});

describe('text and headings', () => {
  it('joins soft breaks with a space, or nothing between CJK characters', () => {
    const { html } = renderMd('one\ntwo\n中文\n换行\n');
    expect(html).toContain('one two 中文换行');
    expect(html).not.toMatch(/\n/);
  });

  it('keeps hard breaks as <br> with no newline text', () => {
    const { html } = renderMd('a  \nb\n');
    expect(html).toMatch(/a<br>b/);
  });

  it('emits headings without anchors or ids', () => {
    const { html } = renderMd('intro\n\n## Title here\n');
    expect(html).toMatch(/<h2 style="[^"]*">Title here<\/h2>/);
  });
});
