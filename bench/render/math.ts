/** MathJax cost over every formula of the corpus, cold and from the formula cache. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clearMathCache, texToSvg } from '@md2wx/render';
import { corpusDir } from '@md2wx/testkit';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { corpusPosts } from '../../packages/render/test/corpus-posts.ts';
const p = unified().use(remarkParse).use(remarkMath);
const formulas: { tex: string; display: boolean }[] = [];
for (const post of corpusPosts()) {
  const tree = p.parse(readFileSync(path.join(corpusDir(), post), 'utf8'));
  visit(tree, (n) => {
    if (n.type === 'inlineMath' || n.type === 'math')
      formulas.push({ tex: n.value, display: n.type === 'math' });
  });
}
console.log('formulas', formulas.length);
for (let i = 0; i < 3; i++) {
  clearMathCache();
  let t = performance.now();
  const times = formulas.map((f) => {
    const s = performance.now();
    texToSvg(f.tex, f.display);
    return [performance.now() - s, f.tex] as const;
  });
  console.log('cold', (performance.now() - t).toFixed(1));
  if (i === 2) console.log(times.sort((a, b) => b[0] - a[0]).slice(0, 5));
  t = performance.now();
  for (const f of formulas) texToSvg(f.tex, f.display);
  console.log('warm', (performance.now() - t).toFixed(1));
}
