import { existsSync, readFileSync } from 'node:fs';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRenderer, previewPage } from '../src/index.js';
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

  it('the posts did exercise wide code and wide tables', () => {
    expect(overflowingCode).toBeGreaterThan(0);
    expect(overflowingTables).toBeGreaterThan(0);
  });
});
