import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Root } from 'mdast';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagramRenderer, DiagramSyntaxError, findChromium, remarkMermaid } from '../src/index.js';
import { VFile } from 'vfile';

const CHROMIUM = findChromium();
if (!CHROMIUM) {
  if (process.env.CI) throw new Error('no Chromium on the PATH; CI requires the diagram tests');
  console.warn('\n⚠ @md2wx/diagrams: no Chromium found — the browser tests are SKIPPED.\n');
}

const FLOW = 'graph LR\n  A[开始] --> B{判断}\n  B -->|是| C[结束]\n  B -->|否| A';

function codeTree(...sources: string[]): Root {
  return {
    type: 'root',
    children: sources.map((value, i) => ({
      type: 'code',
      lang: 'mermaid',
      value,
      position: { start: { line: 3 + i * 10, column: 1 }, end: { line: 8 + i * 10, column: 4 } },
    })),
  };
}

describe('findChromium', () => {
  it('MD2WX_CHROMIUM wins, and a wrong one is a clear error naming the variable and the fix', () => {
    expect(() => findChromium({ MD2WX_CHROMIUM: '/nonexistent/chrome', PATH: '' })).toThrow(
      /MD2WX_CHROMIUM=\/nonexistent\/chrome.*apt-get install chromium/,
    );
    expect(findChromium({ PATH: '/nonexistent' })).toBeUndefined();
  });
});

describe('remarkMermaid without a browser', () => {
  it('keeps the block as code and warns with file:line and how to install one, for each block', async () => {
    const previous = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const tree = codeTree(FLOW, 'graph TD; X-->Y');
      const file = new VFile({ path: 'posts/a.md' });
      // A fresh cache: nothing can come from disk.
      const cacheDir = await mkdtemp(path.join(tmpdir(), 'md2wx-diagrams-'));
      await remarkMermaid({ cacheDir })(tree, file);
      await rm(cacheDir, { recursive: true, force: true });
      expect(tree.children.map((c) => c.type)).toEqual(['code', 'code']);
      expect(file.messages.map((m) => [m.line, m.source])).toEqual([
        [3, 'diagrams'],
        [13, 'diagrams'],
      ]);
      expect(file.messages[0]?.reason).toMatch(/^mermaid diagram kept as code: no Chromium found/);
      expect(file.messages[0]?.reason).toContain('apt-get install chromium');
      expect(file.messages[0]?.reason).toContain('MD2WX_CHROMIUM');
    } finally {
      process.env.PATH = previous;
    }
  });
});

describe.skipIf(!CHROMIUM)('mermaid in headless Chromium', { tags: ['chromium'] }, () => {
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), 'md2wx-diagrams-'));
  });
  afterAll(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('draws a PNG at 2×, one browser for several diagrams; the next run reads the cache without a browser', async () => {
    const first = new DiagramRenderer({ cacheDir });
    const a = await first.mermaid(FLOW);
    const b = await first.mermaid('sequenceDiagram\n  Alice->>Bob: 你好');
    const again = await first.mermaid(FLOW);
    await first.close();
    expect(first.launches).toBe(1);
    expect(first.drawn).toBe(2);
    expect([a.cached, b.cached, again.cached]).toEqual([false, false, true]);
    const meta = await sharp(a.data).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(a.width * 2);
    expect(a.width).toBeGreaterThan(100);
    // Not blank: a diagram has dark ink on its white background.
    const stats = await sharp(a.data).stats();
    expect(Math.min(...stats.channels.map((c) => c.min))).toBeLessThan(100);
    expect((await readdir(cacheDir)).filter((f) => f.endsWith('.png'))).toHaveLength(2);

    const second = new DiagramRenderer({ cacheDir });
    const cached = await second.mermaid(FLOW);
    await second.close();
    expect(second.launches).toBe(0);
    expect(cached.cached).toBe(true);
    expect(cached.data.equals(a.data)).toBe(true);

    // Another theme is another diagram.
    const dark = new DiagramRenderer({ cacheDir, theme: 'dark' });
    expect(dark.key(FLOW)).not.toBe(second.key(FLOW));
  }, 60_000);

  it('a syntax error is a DiagramSyntaxError; the remark plugin keeps the block and says where', async () => {
    const renderer = new DiagramRenderer({ cacheDir });
    await expect(renderer.mermaid('graph LR\n  A --> (((')).rejects.toBeInstanceOf(DiagramSyntaxError);
    const tree = codeTree('graph LR\n  A --> (((', 'graph LR\n  P --> Q');
    const file = new VFile({ path: 'b.md' });
    await remarkMermaid({ renderer })(tree, file);
    await renderer.close();
    expect(tree.children[0]?.type).toBe('code');
    expect(file.messages[0]?.reason).toMatch(/^mermaid diagram kept as code: mermaid cannot parse it/);
    // The good one after it is drawn: a paragraph holding a data: PNG.
    const p = tree.children[1] as { type: string; children: { type: string; url: string }[] };
    expect(p.type).toBe('paragraph');
    expect(p.children[0]?.url).toMatch(/^data:image\/png;base64,/);
    expect(renderer.launches).toBe(1);
  }, 60_000);

  it('svg format: WeChat-safe (no foreignObject/style/marker/defs/ids/classes/url(#), explicit size ≤ 677)', async () => {
    const renderer = new DiagramRenderer({ cacheDir, format: 'svg' });
    const wide = `graph LR\n${Array.from({ length: 12 }, (_, i) => `  N${i}[节点 ${i}] --> N${i + 1}[节点 ${i + 1}]`).join('\n')}`;
    const d = await renderer.mermaid(wide);
    await renderer.close();
    const svg = d.data.toString('utf8');
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toMatch(/viewBox="/);
    for (const bad of [
      '<foreignObject',
      '<style',
      '<marker',
      '<defs',
      ' id="',
      ' class="',
      'url(#',
      'marker-end',
    ])
      expect(svg).not.toContain(bad);
    const width = Number(/<svg[^>]*\swidth="(\d+)"/.exec(svg)?.[1]);
    expect(width).toBeLessThanOrEqual(677);
    expect(width).toBe(d.width);
    expect(svg.replace(/<[^>]+>/g, '')).toContain('节点 3');
    // Arrow heads survive as shapes: more paths than edges + nodes alone would give.
    expect((svg.match(/<path/g) ?? []).length).toBeGreaterThan(12);
  }, 60_000);
});
