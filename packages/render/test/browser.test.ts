// @module-tag chromium: every test drives headless Chromium.
import { existsSync, readFileSync } from 'node:fs';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liteAdaptor } from 'mathjax-full/js/adaptors/liteAdaptor.js';
import { RegisterHTMLHandler } from 'mathjax-full/js/handlers/html.js';
import { TeX } from 'mathjax-full/js/input/tex.js';
import 'mathjax-full/js/input/tex/ams/AmsConfiguration.js';
import { mathjax } from 'mathjax-full/js/mathjax.js';
import { SVG } from 'mathjax-full/js/output/svg.js';
import { toHtml } from 'hast-util-to-html';
import { createRenderer, previewPage, texToSvg } from '../src/index.js';
import { remarkFakeUpload } from './corpus-posts.js';

const CHROMIUM = process.env.MD2WX_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI) throw new Error(`chromium not found at ${CHROMIUM}; CI requires the browser test`);
  console.warn(`\n⚠ md2wx render: ${CHROMIUM} not found — the headless preview test is SKIPPED.\n`);
}

/** Posts with long code lines and wide tables. */
const POSTS = [
  'markdown/pingcap-blog-cn/tikv-source-code-reading-13.md',
  'markdown/sofastack.tech/content/zh/blog/sofaboot-4.0-is-officially-released-with-many-new-features-for-you-to-experience/index.md',
  'markdown/hugo-theme-even/exampleSite/content/post/even-preview.md',
];

interface Layout {
  viewport: number;
  pageWidth: number;
  blocks: { kind: 'code' | 'table'; overflows: boolean; scrolls: boolean; overflowX: string }[];
}

describe.skipIf(!hasChromium || !requireCorpus())('preview in headless Chromium at 375 px', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  const renderer = createRenderer({ remarkPlugins: [remarkFakeUpload] });
  let overflowingCode = 0;
  let overflowingTables = 0;

  for (const post of POSTS) {
    it(`${post}: no page overflow; code blocks and tables scroll inside themselves`, async () => {
      const { html, meta } = renderer.renderSync(readFileSync(corpusPath(post), 'utf8'), { filePath: post });
      const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
      // No network: the images are hot-link protected anyway; their boxes still obey max-width.
      await page.route('**/*', (route) => route.abort());
      await page.setContent(previewPage(html, meta), { waitUntil: 'domcontentloaded' });
      const layout = (await page.evaluate(`(() => {
        const blocks = [];
        const probe = (kind, el) => {
          const scroller = [el, ...el.querySelectorAll(':scope > code')].find((e) => e.scrollWidth > e.clientWidth + 1) || el;
          const overflows = scroller.scrollWidth > scroller.clientWidth + 1;
          let scrolls = false;
          if (overflows) { scroller.scrollLeft = 40; scrolls = scroller.scrollLeft > 0; scroller.scrollLeft = 0; }
          blocks.push({ kind, overflows, scrolls, overflowX: getComputedStyle(scroller).overflowX });
        };
        document.querySelectorAll('article pre').forEach((el) => probe('code', el));
        document.querySelectorAll('article table').forEach((t) => probe('table', t.parentElement));
        return { viewport: window.innerWidth, pageWidth: document.documentElement.scrollWidth, blocks };
      })()`)) as Layout;
      await page.close();
      expect(layout.viewport).toBe(375);
      expect(layout.pageWidth).toBeLessThanOrEqual(375);
      expect(layout.blocks.length).toBeGreaterThan(0);
      for (const b of layout.blocks) {
        expect(['auto', 'scroll']).toContain(b.overflowX);
        if (b.overflows) expect(b.scrolls).toBe(true);
        if (b.overflows && b.kind === 'code') overflowingCode++;
        if (b.overflows && b.kind === 'table') overflowingTables++;
      }
    });
  }

  it("tagged equations, re-laid out for WeChat, draw the same pixels as MathJax's own layout", async () => {
    const adaptor = liteAdaptor();
    RegisterHTMLHandler(adaptor);
    const doc = mathjax.document('', {
      InputJax: new TeX({ packages: ['base', 'ams'] }),
      OutputJax: new SVG({ fontCache: 'none' }),
    });
    const page = await browser.newPage({ viewport: { width: 800, height: 400 } });
    await page.route('**/*', (route) => route.abort());
    /** Screenshot of one svg alone at the page's top-left corner, as a base64 PNG. */
    const shot = async (svg: string, wrapper: string) => {
      await page.setContent(
        `<body style="margin:0;font:16px serif"><span style="display:inline-block;${wrapper}">${svg}</span></body>`,
      );
      const box = await page.locator('body > span > svg').boundingBox();
      return {
        box,
        png: (await page.screenshot({ clip: { x: 0, y: 0, width: 400, height: 80 } })).toString('base64'),
      };
    };
    for (const tex of [
      String.raw`E = mc^2 \tag{1}`,
      String.raw`\begin{align} a&=b+c \tag{A}\\ c&=\frac{d}{e} \tag{B}\end{align}`,
      String.raw`\sum_{i=1}^n i = \frac{n(n+1)}{2} \tag*{(*)}`,
      // A stretchy arrow is a sized nested svg of its own: it must survive the re-layout.
      String.raw`a \xrightarrow{\text{a long label}} b \tag{2}`,
    ]) {
      const original = adaptor.innerHTML(doc.convert(tex, { display: true }) as never);
      expect(original).toContain('width="100%"');
      // A zero-width box makes MathJax's width:100% svg fall back to its min-width.
      const a = await shot(original, 'width:0;white-space:nowrap');
      const b = await shot(toHtml(texToSvg(tex, true).svg, { space: 'svg' }), '');
      expect(b.box?.width).toBeCloseTo(a.box?.width ?? 0, 0);
      expect(b.box?.height).toBeCloseTo(a.box?.height ?? 0, 0);
      const [differ, ink] = (await page.evaluate(`(async () => {
        const pixels = async (png) => {
          const img = new Image();
          img.src = 'data:image/png;base64,' + png;
          await img.decode();
          const c = document.createElement('canvas');
          c.width = img.width; c.height = img.height;
          const g = c.getContext('2d');
          g.drawImage(img, 0, 0);
          return g.getImageData(0, 0, img.width, img.height).data;
        };
        const p = await pixels('${a.png}'), q = await pixels('${b.png}');
        let differ = 0, ink = 0;
        for (let i = 0; i < p.length; i += 4) {
          if (Math.abs(p[i] - q[i]) > 48) differ++;
          if (p[i] < 128) ink++;
        }
        return [differ, ink];
      })()`)) as [number, number];
      expect(ink).toBeGreaterThan(100);
      expect(differ).toBeLessThan(ink * 0.02);
    }
    await page.close();
  });

  it('the posts did exercise wide code and wide tables', () => {
    expect(overflowingCode).toBeGreaterThan(0);
    expect(overflowingTables).toBeGreaterThan(0);
  });
});

describe.skipIf(!hasChromium)('inline math and the punctuation after it, at 375 px', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('never puts the 。，. after a formula at the start of a line of its own', async () => {
    // Every prefix length from 1 to 40 characters: one of them ends the line right at the formula, which
    // is where the browser would otherwise break before the punctuation.
    const paragraphs: string[] = [];
    for (const [mark, delimiters] of [
      ['。', ['\\(', '\\)']],
      ['，', ['$', '$']],
      ['.', ['$', '$']],
    ] as const) {
      for (let n = 1; n <= 40; n++) {
        const prefix = mark === '.' ? 'word '.repeat(n).slice(0, n + 8) : '字'.repeat(n);
        paragraphs.push(`${prefix}${delimiters[0]}x^2+y^2=z^2${delimiters[1]}${mark}后面的文字继续写下去。`);
      }
    }
    const { html, meta } = createRenderer({ cacheSize: 0 }).renderSync(paragraphs.join('\n\n'));
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await page.setContent(previewPage(html, meta), { waitUntil: 'domcontentloaded' });
    const orphans = (await page.evaluate(`(() => {
      const found = [];
      for (const svg of document.querySelectorAll('article p svg')) {
        const box = svg.getBoundingClientRect();
        // The first character after the formula's wrapper (its padding NBSP aside).
        const walker = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT);
        walker.currentNode = svg;
        let node = walker.nextNode();
        while (node && /^\\u00a0*$/.test(node.data)) node = walker.nextNode();
        if (!node) continue;
        const offset = node.data.search(/[^\\u00a0]/);
        const range = document.createRange();
        range.setStart(node, offset);
        range.setEnd(node, offset + 1);
        const mark = range.getBoundingClientRect();
        if (mark.top > box.bottom - 2) found.push(node.data.slice(offset, offset + 1) + ' @ ' + svg.closest('p').textContent.slice(0, 12));
      }
      return found;
    })()`)) as string[];
    const formulas = (await page.evaluate(`document.querySelectorAll('article p svg').length`)) as number;
    await page.close();
    expect(formulas).toBe(120);
    expect(orphans).toEqual([]);
  });
});
