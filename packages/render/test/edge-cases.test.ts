import { visibleText } from '@md2wx/wechat';
import { describe, expect, it } from 'vitest';
import { lint } from '../src/index.js';
import { all, mustViolations, renderMd, textOf, tree } from './helpers.js';

describe('edge cases', () => {
  it('renders an empty document to an empty root section', () => {
    const r = renderMd('');
    expect(r.html).toMatch(/^<section[^>]*><\/section>$/);
    expect(r.meta.wordCount).toBe(0);
    expect(mustViolations(r.html)).toEqual([]);
  });

  it('cuts raw inline SVG down to what WeChat keeps', () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10"><defs><linearGradient id="g"></linearGradient></defs><foreignObject><p>x</p></foreignObject><rect fill="url(#g)" clip-path="url(#c)" width="5" height="5"></rect><use href="#g"></use></svg>';
    const r = renderMd(`${svg}\n`);
    expect(r.html).not.toMatch(/defs|linearGradient|foreignObject|url\(#|clip-path|<use|href/);
    expect(all(tree(r.html), 'rect')).toHaveLength(1);
    expect(mustViolations(r.html)).toEqual([]);
  });

  it('writes < and > in attribute values as references, so tag-stripping counters see only the text', () => {
    const { html } = renderMd(
      'If $a<b$ and $c > d$ then ![x > y](https://mmbiz.qpic.cn/a.png "<t>") holds; `a<b>` is code.\n',
    );
    expect(html).toContain('data-formula="a&#x3C;b"');
    expect(html).toContain('data-formula="c &#x3E; d"');
    expect(html).toMatch(/alt="x &#x3E; y"/);
    expect(html).not.toMatch(/="[^"]*[<>]/);
    const dom = textOf(tree(html)).replace(/\s+/g, ' ').trim();
    expect(visibleText(html)).toBe(dom);
    expect(dom).toContain('a<b> is code');
    // The parsed attribute is the TeX as written.
    expect(all(tree(html), 'span').some((s) => s.properties.dataFormula === 'a<b')).toBe(true);
  });

  it('keeps an image inside a link and references the link', () => {
    const { html } = renderMd('[![logo](https://mmbiz.qpic.cn/a.png)](https://example.com)\n');
    const t = tree(html);
    expect(all(t, 'img')).toHaveLength(1);
    expect(all(t, 'sup').map(textOf)).toEqual(['[1]']);
    expect(textOf(t)).toContain('https://example.com');
    expect(mustViolations(html)).toEqual([]);
  });

  it('numbers links inside footnotes after the body links', () => {
    const { html } = renderMd('[a](https://a.com)[^1]\n\n[^1]: see [b](https://b.com)\n');
    const refs = all(tree(html), 'sup').map(textOf);
    expect(refs).toEqual(['[1]', '(1)', '[2]']);
    expect(lint(html).filter((m) => m.ruleId?.startsWith('reference'))).toEqual([]);
  });

  it('never emits !important from a theme, and keeps it only on display-math SVG', () => {
    const { html } = renderMd('x\n\n$$\na\n$$\n', { css: 'p { color: #123456 !important; }' });
    expect(html).toMatch(/<p style="[^"]*color:#123456/);
    expect(html.match(/!important/g)).toHaveLength(1);
    expect(lint(html).filter((m) => m.ruleId === 'no-important')).toEqual([]);
  });

  it('keeps text of unknown raw tags and maps them to allowed ones', () => {
    const { html } = renderMd(
      'Press <kbd>Ctrl</kbd> and <mark>this</mark>.\n\n<dl><dt>Term</dt><dd>Def</dd></dl>\n',
    );
    expect(html).not.toMatch(/<kbd|<mark|<dl|<dt|<dd/);
    expect(textOf(tree(html))).toMatch(/Press Ctrl and this\.[\s\S]*Term[\s\S]*Def/);
    expect(mustViolations(html)).toEqual([]);
  });

  it('blocks a post whose images were not uploaded', () => {
    const { html } = renderMd('![x](./local.png)\n');
    const must = mustViolations(html);
    expect(must.map((m) => m.ruleId)).toEqual(['img-on-mmbiz']);
    expect(must[0]?.message).toContain('./local.png');
  });

  it('takes `rem` and variables out of user CSS', () => {
    const { html } = renderMd('x\n', { css: ':root { --gap: 2rem; } p { margin-bottom: var(--gap); }' });
    expect(html).toMatch(/<p style="[^"]*margin-bottom:32px/);
    expect(lint(html).filter((m) => m.ruleId === 'safe-units' || m.ruleId === 'no-css-variables')).toEqual(
      [],
    );
  });

  it('keeps CJK line joining inside list items and table cells', () => {
    const { html } = renderMd('- 第一\n  行\n\n| 中 |\n|---|\n| 文 |\n');
    expect(html).toContain('第一行');
    expect(lint(html).filter((m) => m.ruleId === 'no-newline-in-text')).toEqual([]);
  });
});

describe('soft breaks between inline elements', () => {
  it('keep a space between two emphasised words in a tight list item', () => {
    const { html } = renderMd('- *a*\n  *b*\n');
    expect(textOf(tree(html))).toContain('a b');
    expect(mustViolations(html)).toEqual([]);
  });
});

describe('raw HTML cannot pass as a formula', () => {
  it('sanitises raw elements that carry data-formula', () => {
    const { html } = renderMd('<div data-formula="x"><script>bad()</script><iframe></iframe>text</div>\n');
    expect(html).not.toMatch(/<div|<script|<iframe/);
    expect(mustViolations(html)).toEqual([]);
  });
});
