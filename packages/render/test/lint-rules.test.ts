import { visibleText } from '@md2wx/wechat';
import { describe, expect, it } from 'vitest';
import { lint, RULES } from '../src/index.js';

const NB = '\u00a0';
const MMBIZ = 'https://mmbiz.qpic.cn/mmbiz_png/abc/0?wx_fmt=png';
const SVG_OK =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10"><path d="M0 0"></path></svg>';
const PRE_OK =
  '<pre style="overflow-x:auto"><code style="display:-webkit-box">a<br>\u00a0\u00a0b</code></pre>';
/** Wraps a fragment in a plain root section, like the renderer's output. */
const wrap = (s: string) => `<section>${s}</section>`;

/** Per rule of docs/wechat-html-rules.md (and the article checks): an input that breaks it and one that satisfies it. */
const cases: { rule: string; bad: string; good: string; meta?: { bad: object; good: object } }[] = [
  { rule: 'no-forbidden-tags', bad: wrap('<script>x()</script><p>a</p>'), good: wrap('<p>a</p>') },
  { rule: 'allowed-tags', bad: wrap('<article>a</article>'), good: wrap('<section>a</section>') },
  { rule: 'no-div', bad: wrap('<div>a</div>'), good: wrap('<section>a</section>') },
  {
    rule: 'no-id-or-handlers',
    bad: wrap('<p id="x" onclick="y()">a</p>'),
    good: wrap('<p data-x="1">a</p>'),
  },
  { rule: 'no-class', bad: wrap('<p class="x">a</p>'), good: wrap('<p>a</p>') },
  {
    rule: 'no-whitespace-in-structure',
    bad: wrap('<ul>\n<li>a</li>\n</ul>'),
    good: wrap('<ul><li>a</li></ul>'),
  },
  { rule: 'no-newline-in-text', bad: wrap('<p>one\ntwo</p>'), good: wrap('<p>one two<br>three</p>') },
  {
    rule: 'no-css-variables',
    bad: wrap('<p style="color:var(--x)">a</p>'),
    good: wrap('<p style="color:#333">a</p>'),
  },
  {
    rule: 'no-unresolved-colors',
    bad: wrap('<p style="color:oklch(0.5 0.1 20)">a</p>'),
    good: wrap('<p style="color:rgb(1,2,3)">a</p>'),
  },
  {
    rule: 'no-positioning',
    bad: wrap('<p style="position:relative;top:2px">a</p>'),
    good: wrap('<p style="transform:translateY(2px)">a</p>'),
  },
  {
    rule: 'plain-declarations',
    bad: wrap('<p style="float:left">a</p>'),
    good: wrap('<p style="display:block">a</p>'),
  },
  {
    rule: 'url-on-mmbiz',
    bad: wrap('<p style="background-image:url(data:image/png;base64,AAAA)">a</p>'),
    good: wrap('<p style="background-color:#eee">a</p>'),
  },
  {
    rule: 'no-important',
    bad: wrap('<p style="color:red !important">a</p>'),
    good: wrap('<p style="color:red">a</p>'),
  },
  {
    rule: 'safe-units',
    bad: wrap('<p style="margin:1rem;width:calc(100% - 2px)">a</p>'),
    good: wrap('<p style="margin:16px">a</p>'),
  },
  {
    rule: 'root-no-padding-background',
    bad: '<section style="padding:0 8px;background-color:#fff"><p>a</p></section>',
    good: '<section style="font-size:16px"><p style="background-color:#fff">a</p></section>',
  },
  {
    rule: 'links-mp-only',
    bad: wrap('<p><a href="https://example.com">x</a> <a href="#fn1">y</a></p>'),
    good: wrap('<p><a href="https://mp.weixin.qq.com/s/abc">x</a></p>'),
  },
  {
    rule: 'reference-numbering',
    bad: wrap(
      '<p>a<sup>[2]</sup> b<sup>[1]</sup></p><section><p>[1] a: https://a.com</p><p>[2] b: https://b.com</p></section>',
    ),
    good: wrap(
      '<p>a<sup>[1]</sup> b<sup>[2]</sup> a<sup>[1]</sup></p><section><p>[1] a: https://a.com</p><p>[2] b: https://b.com</p></section>',
    ),
  },
  {
    rule: 'references-list',
    bad: wrap(
      '<p>a<sup>[1]</sup></p><section><p>[1] a: <a href="https://mp.weixin.qq.com/s/x">link</a></p><p>[2] b: https://b.com</p></section>',
    ),
    good: wrap(
      '<p>a<sup>[1]</sup></p><section><p><span>[1]</span> a: <span>https://a.com</span></p></section>',
    ),
  },
  {
    rule: 'no-footnote-backrefs',
    bad: wrap('<p>note <span data-footnote-backref="">↩</span></p>'),
    good: wrap('<p>note<sup>(1)</sup></p><section><p>(1) the note</p></section>'),
  },
  {
    rule: 'svg-elements',
    bad: wrap(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" width="1" height="1"><defs></defs><foreignObject></foreignObject></svg>',
    ),
    good: wrap(SVG_OK),
  },
  {
    rule: 'svg-no-references',
    bad: wrap(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" width="1" height="1"><path d="M0 0" fill="url(#g)" marker-end="url(#m)"></path></svg>',
    ),
    good: wrap(SVG_OK),
  },
  {
    rule: 'svg-size',
    bad: wrap('<svg width="100%"><path d="M0 0"></path></svg>'),
    good: wrap(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" style="width:2ex;height:1ex"><path d="M0 0"></path></svg>',
    ),
  },
  {
    rule: 'math-current-color',
    bad: wrap(
      `<section data-formula="x"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" style="width:1ex;height:1ex"><g fill="#000"><path d="M0 0"></path></g></svg></section>`,
    ),
    good: wrap(
      `<section data-formula="x"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" style="width:1ex;height:1ex"><g fill="currentColor" stroke="currentColor"><path d="M0 0"></path></g></svg></section>`,
    ),
  },
  {
    rule: 'smil-whitelist',
    bad: wrap(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" width="1" height="1"><rect><animate attributeName="rx"></animate></rect></svg>',
    ),
    good: wrap(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" width="1" height="1"><rect><animate attributeName="opacity"></animate><animateTransform type="rotate"></animateTransform></rect></svg>',
    ),
  },
  {
    rule: 'img-on-mmbiz',
    bad: wrap(
      '<p><img src="https://example.com/a.png" style="max-width:100%"><img src="data:image/png;base64,AA" style="max-width:100%"></p>',
    ),
    good: wrap(`<p><img src="${MMBIZ}" style="max-width:100%"></p>`),
  },
  {
    rule: 'img-max-width',
    bad: wrap(`<p><img src="${MMBIZ}" width="300"></p>`),
    good: wrap(`<p><img src="${MMBIZ}" style="width:300px;max-width:100%"></p>`),
  },
  {
    rule: 'no-svg-img',
    bad: wrap('<p><img src="https://mmbiz.qpic.cn/mmbiz_svg/a/0?wx_fmt=svg" style="max-width:100%"></p>'),
    good: wrap(`<p><img src="${MMBIZ}" style="max-width:100%"></p>`),
  },
  {
    rule: 'code-no-newlines',
    bad: wrap('<pre style="overflow-x:auto"><code style="display:-webkit-box">a\nb</code></pre>'),
    good: wrap(PRE_OK),
  },
  {
    rule: 'code-no-collapsible-spaces',
    bad: wrap('<pre style="overflow-x:auto"><code style="display:-webkit-box">a<br>  b</code></pre>'),
    good: wrap(PRE_OK),
  },
  { rule: 'code-scrolls', bad: wrap('<pre><code>a</code></pre>'), good: wrap(PRE_OK) },
  {
    rule: 'code-token-colors',
    bad: wrap(
      '<pre style="overflow-x:auto"><code style="display:-webkit-box"><span class="hljs-keyword">if</span></code></pre>',
    ),
    good: wrap(
      '<pre style="overflow-x:auto"><code style="display:-webkit-box"><span style="color:#d73a49">if</span></code></pre>',
    ),
  },
  {
    rule: 'list-nesting',
    bad: wrap('<ul><li>a<ul><li>b</li></ul></li></ul>'),
    good: wrap('<ul><li>a</li><ul><li>b</li></ul></ul>'),
  },
  { rule: 'no-p-in-li', bad: wrap('<ul><li><p>a</p></li></ul>'), good: wrap('<ul><li>a</li></ul>') },
  {
    rule: 'table-scroll',
    bad: wrap('<table><tbody><tr><td>a</td></tr></tbody></table>'),
    good: wrap(
      '<section style="max-width:100%;overflow-x:auto"><table><tbody><tr><td>a</td></tr></tbody></table></section>',
    ),
  },
  {
    rule: 'math-as-svg',
    bad: wrap(
      '<p>a<span data-formula="x"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" style="width:1ex;height:1ex"><g fill="currentColor"></g></svg>b</span><mjx-container></mjx-container></p>',
    ),
    good: wrap(
      `<p>a<span data-formula="x">${NB}<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" style="width:1ex;height:1ex"><g fill="currentColor"></g></svg>${NB}</span>b</p>`,
    ),
  },
  {
    rule: 'no-diagram-code',
    bad: wrap(
      '<pre data-lang="mermaid" style="overflow-x:auto"><code style="display:-webkit-box">graph TD</code></pre>',
    ),
    good: wrap(`<figure><img src="${MMBIZ}" style="max-width:100%"></figure>`),
  },
  {
    rule: 'size-bytes',
    bad: wrap(`<p style="color:#333">${'x'.repeat(1_000_000)}</p>`),
    good: wrap('<p>a</p>'),
  },
  {
    rule: 'size-text',
    bad: wrap(`<p>${'字'.repeat(20_000)}</p>`),
    good: wrap(`<p>${'字'.repeat(19_999)}</p>`),
  },
  {
    rule: 'title-length',
    bad: wrap('<p>a</p>'),
    good: wrap('<p>a</p>'),
    meta: { bad: { title: '标'.repeat(33) }, good: { title: '标'.repeat(32) } },
  },
  {
    rule: 'author-length',
    bad: wrap('<p>a</p>'),
    good: wrap('<p>a</p>'),
    meta: { bad: { title: 't', author: 'a'.repeat(17) }, good: { title: 't', author: 'a'.repeat(16) } },
  },
  {
    rule: 'digest-length',
    bad: wrap('<p>a</p>'),
    good: wrap('<p>a</p>'),
    meta: { bad: { title: 't', digest: 'd'.repeat(129) }, good: { title: 't', digest: 'd'.repeat(128) } },
  },
];

describe('lint: every rule has a breaking and a satisfying input', () => {
  it('covers every rule in RULES (all 38 of §14 plus the article checks)', () => {
    expect(new Set(cases.map((c) => c.rule))).toEqual(new Set(RULES.map((r) => r.id)));
    expect(RULES.filter((r) => r.number > 0).map((r) => r.number)).toEqual(
      Array.from({ length: 38 }, (_, i) => i + 1),
    );
  });

  for (const c of cases) {
    const rule = RULES.find((r) => r.id === c.rule);
    it(`${rule?.number ? `§14.${rule.number} ` : ''}${c.rule}`, () => {
      const bad = lint(c.bad, c.meta ? { meta: c.meta.bad } : {}).filter((m) => m.ruleId === c.rule);
      expect(bad.length, `expected ${c.rule} to fire`).toBeGreaterThan(0);
      // MUST → fatal (vfile-reporter's error), SHOULD → a warning; url-on-mmbiz is both (a MUST off mmbiz).
      if (c.rule !== 'url-on-mmbiz') expect(bad[0]?.fatal).toBe(rule?.severity === 'must');
      expect(bad[0]?.source).toBe('md2wx');
      expect(bad[0]?.message).toBeTruthy();
      const good = lint(c.good, c.meta ? { meta: c.meta.good } : {}).filter((m) => m.ruleId === c.rule);
      expect(good).toEqual([]);
    });
  }
});

describe('lint details', () => {
  it('reports positions as 1-based line/column of the HTML', () => {
    const [m] = lint('<section>\n<p>a</p>\n  <div>b</div></section>').filter((x) => x.ruleId === 'no-div');
    expect([m?.line, m?.column]).toEqual([3, 3]);
    expect(m?.place).toMatchObject({ start: { line: 3, column: 3 } });
    expect(m?.note).toMatch(/section/);
  });

  it('a url() on mmbiz is only a SHOULD', () => {
    const msgs = lint(wrap('<p style="background-image:url(https://mmbiz.qpic.cn/a.png)">a</p>')).filter(
      (m) => m.ruleId === 'url-on-mmbiz',
    );
    expect(msgs.map((m) => m.fatal)).toEqual([false]);
  });

  it('accepts extra image hosts such as the sandbox image host', () => {
    const html = wrap(
      '<p><img src="http://127.0.0.1:4000/mmbiz_png/x/0?wx_fmt=png" style="max-width:100%"></p>',
    );
    expect(lint(html).some((m) => m.ruleId === 'img-on-mmbiz')).toBe(true);
    expect(
      lint(html, { imageHosts: ['http://127.0.0.1:4000/'] }).some((m) => m.ruleId === 'img-on-mmbiz'),
    ).toBe(false);
  });

  it('tolerates !important on math SVG max-width only', () => {
    const html = wrap(
      `<section data-formula="x"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" style="width:1ex;height:1ex;max-width:300% !important"><g fill="currentColor"></g></svg></section>`,
    );
    expect(lint(html).filter((m) => m.ruleId === 'no-important')).toEqual([]);
  });

  it('lists nested three deep break the depth limit even as siblings', () => {
    const msgs = lint(wrap('<ul><li>a</li><ul><li>b</li><ul><li>c</li></ul></ul></ul>')).filter(
      (m) => m.ruleId === 'list-nesting',
    );
    expect(msgs).toHaveLength(1);
    expect(msgs[0]?.message).toMatch(/3 levels/);
  });

  it('a missing title is a MUST when meta is checked', () => {
    expect(lint(wrap('<p>a</p>'), { meta: {} }).find((m) => m.ruleId === 'title-length')?.fatal).toBe(true);
  });

  it('size-text counts visible text (§10, rule 38) exactly as visibleText in @md2wx/wechat does', () => {
    const styled = (n: number) => `<p style="${'color:#333;'.repeat(50)}">${'字'.repeat(n)}</p>`;
    const inputs = [
      // Markup does not count: 19,999 characters in 200 heavily styled paragraphs.
      wrap(Array.from({ length: 200 }, (_, i) => styled(i === 0 ? 99 : 100)).join('')),
      wrap(`${styled(19_998)}<p>x</p>`),
      // Whitespace runs (spaces, newlines, U+00A0, &nbsp;) collapse to one character.
      wrap(`<p>${'字'.repeat(19_997)}  \n\u00a0&nbsp; y</p>`),
      wrap(`<p>${'字'.repeat(19_996)} a&amp;b</p>`),
      // Text drawn in an SVG is visible; script/style text is not.
      wrap(
        `<p>${'字'.repeat(19_990)}</p><svg xmlns="http://www.w3.org/2000/svg"><text>0123456789</text></svg>`,
      ),
      wrap(`<p>${'字'.repeat(19_999)}</p><style>p{color:red}</style><script>var a = 1;</script>`),
    ];
    for (const html of inputs) {
      const count = [...visibleText(html)].length;
      expect(count === 19_999 || count === 20_000).toBe(true);
      const fired = lint(html).find((m) => m.ruleId === 'size-text');
      expect(Boolean(fired), `${count} visible characters`).toBe(count >= 20_000);
      if (fired) expect(fired.message).toContain(`${count} visible characters`);
    }
  });
});
