/**
 * MathJax cost over every formula of the corpus: cold (formula cache emptied), from the in-process
 * formula cache, and cold with MathJax's own attribute store instead of md2wx's FlatAttributes (same
 * process, alternating passes, so machine load hits both alike; the other fast path, direct node
 * constructors, is built into the factories when MathJax loads and is on in both rows — compare it by
 * running this script at the commit before it).
 *
 * Then the cost per formula — cold, warm in process, warm from the persistent formula cache on disk
 * (`createFormulaCache`, a new table read per pass as a new process would) — beside @wenyan-md/core's
 * (the same MathJax 3 engine; it typesets each rendered document anew, with no formula cache): one
 * `wenyan.renderMarkdown` of a post holding just that formula, so its figure includes marked's pass
 * over one line.
 *
 *   MD2WX_CORPUS=../shared/corpus npx tsx --conditions=@md2wx/source bench/render/math.ts [--passes=12]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { clearMathCache, createFormulaCache, texToSvg } from '@md2wx/render';
import { createWenyanCore } from '@wenyan-md/core';
import { corpusDir } from '@md2wx/testkit';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { FlatAttributes } from '../../packages/render/src/transforms/mathjax-speedups.ts';
import { corpusPosts } from '../../packages/render/test/corpus-posts.ts';

const passes = Number(process.argv.find((a) => a.startsWith('--passes='))?.slice(9) ?? 12);
const p = unified().use(remarkParse).use(remarkMath);
const formulas: { tex: string; display: boolean }[] = [];
for (const post of corpusPosts()) {
  const tree = p.parse(readFileSync(path.join(corpusDir(), post), 'utf8'));
  visit(tree, (n) => {
    if (n.type === 'inlineMath' || n.type === 'math')
      formulas.push({ tex: n.value, display: n.type === 'math' });
  });
}
texToSvg('x', false); // loads MathJax, which installs FlatAttributes
const attributes = createRequire(import.meta.url)('mathjax-full/js/core/MmlTree/Attributes.js') as {
  Attributes: unknown;
};
const classes = { flat: FlatAttributes, mathjax: FlatAttributes.original } as const;

const cold = () => {
  const t = performance.now();
  for (const f of formulas) {
    clearMathCache();
    texToSvg(f.tex, f.display);
  }
  return performance.now() - t;
};
const times: Record<'flat' | 'mathjax' | 'cached', number[]> = { flat: [], mathjax: [], cached: [] };
for (let i = 0; i < passes + 2; i++) {
  const order = i % 2 ? (['flat', 'mathjax'] as const) : (['mathjax', 'flat'] as const);
  for (const name of order) {
    attributes.Attributes = classes[name];
    const ms = cold();
    if (i >= 2) times[name].push(ms); // two passes of JIT warm-up
  }
  attributes.Attributes = FlatAttributes;
  clearMathCache();
  for (const f of formulas) texToSvg(f.tex, f.display);
  const t = performance.now();
  for (const f of formulas) texToSvg(f.tex, f.display);
  if (i >= 2) times.cached.push(performance.now() - t);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
console.log(`${formulas.length} corpus formulas, ${passes} passes (ms per pass, median)`);
console.log(`cold, FlatAttributes (md2wx)      ${median(times.flat).toFixed(1)}`);
console.log(`cold, MathJax's own Attributes     ${median(times.mathjax).toFixed(1)}`);
console.log(`from the formula cache             ${median(times.cached).toFixed(1)}`);
const ratios = times.flat.map((f, k) => (times.mathjax[k] as number) / f);
console.log(`MathJax's own / Flat, per pass     ${median(ratios).toFixed(2)}×`);

// Per formula: cold, warm in process, warm from disk, and wenyan.
const dir = mkdtempSync(path.join(tmpdir(), 'md2wx-formula-bench-'));
const fill = await createFormulaCache({ dir });
for (const f of formulas) {
  clearMathCache();
  texToSvg(f.tex, f.display, fill);
}
await fill.save();
const wenyan = await createWenyanCore({ mermaid: false });
const wenyanMarkdown = formulas.map((f) => (f.display ? `$$\n${f.tex}\n$$\n` : `A $${f.tex}$ b.\n`));
const per: Record<'cold' | 'memory' | 'disk' | 'wenyan', number[]> = {
  cold: [],
  memory: [],
  disk: [],
  wenyan: [],
};
const perPasses = Math.max(3, passes >> 1);
for (let i = 0; i < perPasses + 1; i++) {
  const keep = i >= 1; // one warm-up pass
  const c = cold();
  clearMathCache();
  for (const f of formulas) texToSvg(f.tex, f.display);
  let t = performance.now();
  for (const f of formulas) texToSvg(f.tex, f.display);
  const memory = performance.now() - t;
  t = performance.now();
  const store = await createFormulaCache({ dir });
  for (const f of formulas) {
    clearMathCache();
    texToSvg(f.tex, f.display, store);
  }
  const disk = performance.now() - t;
  t = performance.now();
  for (const md of wenyanMarkdown) await wenyan.renderMarkdown(md, true);
  const w = performance.now() - t;
  if (keep) {
    per.cold.push(c / formulas.length);
    per.memory.push(memory / formulas.length);
    per.disk.push(disk / formulas.length);
    per.wenyan.push(w / formulas.length);
  }
}
rmSync(dir, { recursive: true, force: true });
const ms = (xs: number[]) => `${median(xs).toFixed(3)} ms`;
const ratio = (a: number[], b: number[]) => `${median(a.map((x, k) => x / (b[k] as number))).toFixed(2)}×`;
console.log(`\nper formula (${formulas.length} formulas, ${perPasses} passes, median)`);
console.log(`@wenyan-md/core (baseline)          ${ms(per.wenyan)}`);
console.log(
  `md2wx cold                          ${ms(per.cold)}   wenyan / cold   ${ratio(per.wenyan, per.cold)}`,
);
console.log(
  `md2wx warm, in process              ${ms(per.memory)}   wenyan / warm   ${ratio(per.wenyan, per.memory)}`,
);
console.log(
  `md2wx warm, from disk (new table)   ${ms(per.disk)}   wenyan / disk   ${ratio(per.wenyan, per.disk)}`,
);
console.log(`cold / from disk                    ${ratio(per.cold, per.disk)}`);
