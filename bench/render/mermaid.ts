/**
 * What a mermaid diagram costs (@md2wx/diagrams): cold (the first diagram of a run: browser start, mermaid
 * loaded into the page, drawn, PNG), warm (another diagram in the same page), cached (an unchanged
 * diagram in a later run: read from the disk cache, no browser), against a named baseline: md2wx
 * rendering the same post with the diagram left as a code block (what a diagram cost before).
 *
 *   npx tsx --conditions=@md2wx/source bench/render/mermaid.ts [--passes=3]
 *
 * Wall-clock milliseconds (the browser is another process: CPU time of this one would miss it), medians
 * over passes; each cold pass starts a new browser. The machine is shared, so figures move with its load.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DiagramRenderer, findChromium, MERMAID_VERSION } from '@md2wx/diagrams';
import { createRenderer } from '@md2wx/render';

const passes = Number(process.argv.find((a) => a.startsWith('--passes='))?.slice(9) ?? 3);
const chromium = findChromium();
if (!chromium) {
  console.error('no Chromium: install one (apt-get install chromium) or set MD2WX_CHROMIUM');
  process.exit(1);
}

const diagram = (n: number) =>
  `graph LR\n  A${n}[写作] --> B${n}{检查}\n  B${n} -->|通过| C${n}[发布]\n  B${n} -->|修改| A${n}\n  C${n} --> D${n}[(草稿箱)]`;
const post = (n: number) => `# 图\n\n一段文字。\n\n\`\`\`mermaid\n${diagram(n)}\n\`\`\`\n\n又一段。\n`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const time = async (f: () => Promise<unknown>) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};

const cacheDir = await mkdtemp(path.join(tmpdir(), 'md2wx-bench-mermaid-'));
const cold: number[] = [];
const warm: number[] = [];
const cachedDisk: number[] = [];
const cachedMemory: number[] = [];
const baseline: number[] = [];
let id = 0;
try {
  const renderer = createRenderer({ cacheSize: 0 });
  await renderer.render(post(-1)); // loads the renderer's lazy parts
  for (let pass = 0; pass < passes; pass++) {
    const diagrams = new DiagramRenderer({ cacheDir, executablePath: chromium });
    const first = ++id;
    cold.push(await time(() => diagrams.mermaid(diagram(first))));
    for (let i = 0; i < 5; i++) {
      const n = ++id;
      warm.push(await time(() => diagrams.mermaid(diagram(n))));
    }
    cachedMemory.push(await time(() => diagrams.mermaid(diagram(first))));
    await diagrams.close();
    // A later run: a new renderer, same cache directory, no browser started.
    const later = new DiagramRenderer({ cacheDir, executablePath: chromium });
    cachedDisk.push(await time(() => later.mermaid(diagram(first))));
    if (later.launches !== 0) throw new Error('the cached run started a browser');
    baseline.push(await time(() => renderer.render(post(first))));
  }
} finally {
  await rm(cacheDir, { recursive: true, force: true });
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
const rows: [string, number][] = [
  ['cold (browser start + mermaid load + draw + PNG)', median(cold)],
  ['warm (another diagram, same browser)', median(warm)],
  ['cached, later run (disk, no browser)', median(cachedDisk)],
  ['cached, same run (memory)', median(cachedMemory)],
  ['baseline: md2wx render of the post, diagram as code', median(baseline)],
];
console.log(`mermaid ${MERMAID_VERSION}, ${chromium}, ${passes} pass(es), medians of wall time`);
for (const [name, value] of rows) console.log(`${name.padEnd(55)} ${ms(value).padStart(10)}`);
const b = median(baseline);
console.log('');
console.log(`cold ÷ baseline render        ${(median(cold) / b).toFixed(1)}×`);
console.log(`warm ÷ baseline render        ${(median(warm) / b).toFixed(1)}×`);
console.log(`cached (disk) ÷ baseline      ${(median(cachedDisk) / b).toFixed(2)}×`);
console.log(`cold ÷ cached (disk)          ${(median(cold) / median(cachedDisk)).toFixed(0)}×`);
console.log(`warm ÷ cached (disk)          ${(median(warm) / median(cachedDisk)).toFixed(0)}×`);
