/**
 * MathJax cost over every formula of the corpus: cold (formula cache emptied), from the formula cache,
 * and cold with MathJax's own attribute store instead of md2wx's FlatAttributes (same process,
 * alternating passes, so machine load hits both alike; the other fast path, direct node constructors,
 * is built into the factories when MathJax loads and is on in both rows — compare it by running this
 * script at the commit before it).
 *
 *   MD2WX_CORPUS=../shared/corpus npx tsx --conditions=@md2wx/source bench/render/math.ts [--passes=12]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { clearMathCache, texToSvg } from '@md2wx/render';
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
