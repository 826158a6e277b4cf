import { readFileSync } from 'node:fs';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import type { Element } from 'hast';
import { describe, expect, it } from 'vitest';
import { all, mustViolations, renderMd, textOf, tree } from './helpers.js';

/** The callout sections of a render: the root's direct children that carry a left border. */
function callouts(html: string): Element[] {
  const root = tree(html).children[0] as Element;
  return root.children.filter(
    (c): c is Element =>
      c.type === 'element' &&
      c.tagName === 'section' &&
      /border-left:4px solid/.test(String(c.properties.style)),
  );
}

const titleOf = (c: Element) => textOf(c.children[0] as Element);
const styleOf = (c: Element) => String(c.properties.style);

describe('GitHub alerts', () => {
  const cases = [
    ['NOTE', 'ℹ️', 'Note', '#0969da'],
    ['TIP', '💡', 'Tip', '#1a7f37'],
    ['IMPORTANT', '❗', 'Important', '#8250df'],
    ['WARNING', '⚠️', 'Warning', '#9a6700'],
    ['CAUTION', '⛔', 'Caution', '#d1242f'],
  ] as const;
  it.each(cases)(
    '[!%s] becomes a callout with icon, title and coloured border; its text survives',
    (type, icon, title, colour) => {
      const { html } = renderMd(`> [!${type}]\n> Keep **this** text, and \`this\`.\n>\n> Second paragraph.`);
      const [c, ...rest] = callouts(html);
      expect(rest).toEqual([]);
      expect(c).toBeDefined();
      const callout = c as Element;
      expect(titleOf(callout)).toBe(`${icon}${title}`);
      expect(styleOf(callout)).toContain(colour);
      expect(String((callout.children[0] as Element).properties.style)).toContain(`color:${colour}`);
      expect(textOf(callout)).toContain('Keep this text, and this.');
      expect(textOf(callout)).toContain('Second paragraph.');
      expect(html).not.toContain('[!');
      expect(html).not.toContain('class=');
      expect(all(tree(html), 'blockquote')).toEqual([]);
      expect(mustViolations(html)).toEqual([]);
    },
  );

  it('a plain quote stays a blockquote, and [!x] later in a quote is text', () => {
    const { html } = renderMd('> just a quote [!NOTE]\n\n> text\n> [!TIP]');
    expect(callouts(html)).toEqual([]);
    expect(all(tree(html), 'blockquote')).toHaveLength(2);
    expect(html).toContain('[!NOTE]');
  });

  it('theme variables recolour a kind', () => {
    const { html } = renderMd('> [!TIP]\n> x', { css: ':root { --callout-tip: #123456; }' });
    expect(styleOf(callouts(html)[0] as Element)).toContain('#123456');
  });
});

describe('Obsidian callouts', () => {
  it('> [!note]- Title: fold marker accepted, custom title with marks, drawn open', () => {
    const { html } = renderMd('> [!note]- My **own** title\n> Folded body text.');
    const [c] = callouts(html);
    expect(titleOf(c as Element)).toBe('ℹ️My own title');
    expect(textOf(c as Element)).toContain('Folded body text.');
    expect(all(tree(html), 'strong')).toHaveLength(1);
    expect(html).not.toMatch(/<details|<summary/);
  });

  it('> [!warning]+ and Obsidian types map onto the five colours', () => {
    const { html } = renderMd(
      '> [!warning]+ Heads up\n> a\n\n> [!bug]\n> b\n\n> [!success] Done\n> c\n\n> [!whatever]\n> d',
    );
    const cs = callouts(html);
    expect(cs.map(titleOf)).toEqual(['⚠️Heads up', '⛔Bug', '💡Done', 'ℹ️Whatever']);
    expect(styleOf(cs[0] as Element)).toContain('#9a6700');
    expect(styleOf(cs[1] as Element)).toContain('#d1242f');
    expect(styleOf(cs[2] as Element)).toContain('#1a7f37');
    expect(cs.map(textOf).map((t) => t.slice(-1))).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('VitePress / markdown-it containers', () => {
  const cases = [
    ['tip', '💡', 'Tip', '#1a7f37'],
    ['info', 'ℹ️', 'Info', '#0969da'],
    ['warning', '⚠️', 'Warning', '#9a6700'],
    ['danger', '⛔', 'Danger', '#d1242f'],
    ['details', '▸', 'Details', '#8c959f'],
  ] as const;
  it.each(cases)('::: %s becomes a callout; its text survives', (name, icon, title, colour) => {
    const { html } = renderMd(
      `Before.\n\n::: ${name}\nInside with *marks* and a [link](https://example.com).\n\n- a list item\n:::\n\nAfter.`,
    );
    const [c] = callouts(html);
    expect(titleOf(c as Element)).toBe(`${icon}${title}`);
    expect(styleOf(c as Element)).toContain(colour);
    expect(textOf(c as Element)).toContain('Inside with marks and a link');
    expect(textOf(c as Element)).toContain('a list item');
    expect(html).toContain('Before.');
    expect(html).toContain('After.');
    expect(html).not.toContain(':::');
    expect(mustViolations(html)).toEqual([]);
  });

  it('a title after the name, with brackets, and the directive form :::tip[Title]', () => {
    const { html } = renderMd('::: warning 注意 [v2] 事项\n小心。\n:::\n\n:::tip[自定义]\n好。\n:::');
    expect(callouts(html).map(titleOf)).toEqual(['⚠️注意 [v2] 事项', '💡自定义']);
  });

  it('any other name is a plain box titled with the name (doocs/md: ::: theorem 勾股定理, ::: 推论)', () => {
    const { html } = renderMd(
      '::: theorem 勾股定理\n直角三角形 $a^2+b^2=c^2$。\n:::\n\n::: 推论\n任意名称。\n:::',
    );
    const cs = callouts(html);
    expect(cs.map(titleOf)).toEqual(['Theorem 勾股定理', '推论']);
    expect(styleOf(cs[0] as Element)).toContain('#8c959f');
    expect(textOf(cs[1] as Element)).toContain('任意名称。');
    expect(html).toContain('data-formula="a^2+b^2=c^2"');
  });

  it('unclosed containers, ::: in code and colons in prose are left as written', () => {
    const md =
      '::: tip never closed\n\n```md\n::: tip\nin code\n:::\n```\n\nAt 10:30 a:b std::vector and :smile:.';
    const { html } = renderMd(md);
    expect(callouts(html)).toEqual([]);
    const text = textOf(tree(html)).replace(/\u00a0/g, ' ');
    expect(text).toContain('::: tip never closed');
    expect(text).toContain('::: tip');
    expect(text).toContain('At 10:30 a:b std::vector and :smile:.');
  });
});

describe('math delimiters', () => {
  const formulas = (html: string) => [...html.matchAll(/data-formula="([^"]*)"/g)].map((m) => m[1]);

  it('$…$, $$…$$, \\(…\\) and \\[…\\] all become MathJax SVG; the text around survives', () => {
    const md = [
      'Dollar $a+b$ and paren \\(c+d\\) in one line.',
      '$$\nE=mc^2\n$$',
      '\\[\n\\int_0^1 x\\,dx \\\\ y\n\\]',
      '\\[x = 1\\]',
      '- in a list \\(k\\)\n\n  \\[\n  z\n  \\]',
      '> quoted \\(q\\)',
    ].join('\n\n');
    const {
      html,
      file: { messages },
    } = renderMd(md);
    expect(messages.filter((m) => m.ruleId === 'render/math')).toEqual([]);
    expect(formulas(html)).toEqual([
      'a+b',
      'c+d',
      'E=mc^2',
      '\\int_0^1 x\\,dx \\\\ y',
      'x = 1',
      'k',
      'z',
      'q',
    ]);
    const text = textOf(tree(html));
    for (const t of ['Dollar', 'and paren', 'in one line.', 'in a list', 'quoted']) expect(text).toContain(t);
    expect(text).not.toMatch(/\\\(|\\\[|\$/);
    expect(all(tree(html), 'svg').length).toBe(8);
    expect(mustViolations(html)).toEqual([]);
  });

  it('the CommonMark escapes stay text: \\(\\) \\[\\\\\\] \\\\( and escaped references', () => {
    const cases: [string, string][] = [
      // CommonMark 0.31.2 example 12 (every ASCII punctuation escaped).
      [
        '\\!\\"\\#\\$\\%\\&\\\'\\(\\)\\*\\+\\,\\-\\.\\/\\:\\;\\<\\=\\>\\?\\@\\[\\\\\\]\\^\\_\\`\\{\\|\\}\\~',
        '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
      ],
      // An escaped backslash before ( and [ : the delimiters are not there.
      ['\\\\(x\\\\) and \\\\[y\\\\]', '\\(x\\) and \\[y\\]'],
      ['\\[1\\] is a reference.', '[1] is a reference.'],
      ['unclosed \\(x and \\[y', 'unclosed (x and [y'],
    ];
    for (const [md, expected] of cases) {
      const { html } = renderMd(md);
      expect(formulas(html), md).toEqual([]);
      expect(textOf(tree(html)), md).toBe(expected);
    }
    // Inline \(2\) is math; \[1\] inside a paragraph is not.
    const { html } = renderMd('See \\[1\\] and \\(2\\).');
    expect(formulas(html)).toEqual(['2']);
    expect(textOf(tree(html))).toContain('See [1] and');
  });

  it('code keeps \\(…\\) and \\[…\\] as written', () => {
    const { html } = renderMd('`\\(x\\)` and\n\n```tex\n\\[\ny\n\\]\n```\n\n    \\(indented\\)');
    expect(formulas(html)).toEqual([]);
    const text = textOf(tree(html)).replace(/\u00a0/g, ' ');
    expect(text).toContain('\\(x\\)');
    expect(text).toContain('\\[');
    expect(text).toContain('\\(indented\\)');
  });

  it('\\[ that does not close before a blank line is a paragraph', () => {
    const { html } = renderMd('\\[\nnot closed\n\nnext');
    expect(formulas(html)).toEqual([]);
    expect(textOf(tree(html))).toContain('[ not closed');
  });

  it('a closing 。，. after inline math stays on its line (nowrap span, no padding before it)', () => {
    const { html } = renderMd('公式 \\(x^2\\)。然后 $y$，再 $z$. end');
    const spans = all(tree(html), 'span').filter((s) => s.properties.style === 'white-space:nowrap');
    expect(spans.map((s) => textOf(s).slice(-1))).toEqual(['。', '，', '.']);
    for (const s of spans) {
      // The formula's wrapper has no padding NBSP after its SVG: the mark follows the formula directly.
      const [formula, mark] = s.children as Element[];
      expect(formula?.children.at(-1)).toMatchObject({ tagName: 'svg' });
      expect(mark).toMatchObject({ type: 'text' });
    }
  });

  it.skipIf(!requireCorpus())("doocs-md's example: both LaTeX delimiters become formulas", () => {
    const post = 'markdown/doocs-md/apps/web/src/assets/example/markdown.zh-CN.md';
    const { html } = renderMd(readFileSync(corpusPath(post), 'utf8'));
    const f = formulas(html);
    expect(f).toContain('x^2 + y^2 = z^2');
    expect(f).toContain('d + e = f');
    expect(f).toContain('\\int\\_{-\\infty}^{\\infty} e^{-x^2} dx = \\sqrt{\\pi}');
    expect(callouts(html).map(titleOf)).toContain('Theorem 勾股定理');
  });
});
