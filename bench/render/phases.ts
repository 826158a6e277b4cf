/**
 * CPU time per pipeline phase over the corpus (formula cache emptied per post): where md2wx spends
 * beyond the remark floor. `(renderSync)` is the whole call on the same post (also cold), for
 * comparison with the sum of the phases; the percentages leave it out.
 *
 *   MD2WX_CORPUS=../shared/corpus npx tsx --conditions=@md2wx/source bench/render/phases.ts
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as Main from '@md2wx/render';
import * as Steps from '@md2wx/render/transforms';
import type { Root, RootContent } from 'hast';
import type { Root as MdastRoot } from 'mdast';
import { corpusDir } from '@md2wx/testkit';
import rehypeStringify from 'rehype-stringify';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { finalizeTree, wrapRoot } from '../../packages/render/src/transforms/finalize.ts';
import { corpusPosts } from '../../packages/render/test/corpus-posts.ts';

// wrapRoot and finalizeTree are internal steps of rehypeWechat: timed from the source.
const R = { ...Main, ...Steps, finalizeTree, wrapRoot };

const posts = corpusPosts().map((p) => readFileSync(path.join(corpusDir(), p), 'utf8'));
const parse = unified()
  .use(remarkParse)
  .use(remarkFrontmatter, ['yaml', 'toml'])
  .use(remarkGfm)
  .use(remarkMath);
const toHast = unified().use(remarkRehype, { allowDangerousHtml: true });
const raw = unified().use(R.rehypeRawFast);
const str = unified().use(rehypeStringify, {
  allowDangerousCharacters: true,
  characterReferences: { useNamedReferences: false },
});
const theme = R.compileTheme([R.themes.wechat as string]);
const renderer = R.createRenderer({ cacheSize: 0 });
/** As the renderer counts words: text outside SVG (formula glyphs are paths). */
const visibleText = (n: Root | RootContent): string =>
  n.type === 'text'
    ? n.value
    : n.type === 'root' || (n.type === 'element' && n.tagName !== 'svg')
      ? n.children.map(visibleText).join('')
      : '';
const phases: Record<string, number> = {};
const PASSES = 8;
const WARMUP = 2;
let pass = 0;
const time = (name: string, fn: () => unknown) => {
  const c = process.cpuUsage();
  const r = fn();
  const used = process.cpuUsage(c);
  if (pass >= WARMUP) phases[name] = (phases[name] ?? 0) + (used.user + used.system) / 1000;
  return r;
};
for (pass = 0; pass < PASSES; pass++) {
  for (const md of posts) {
    R.clearMathCache();
    const mdast = time('parse', () => parse.runSync(parse.parse(md))) as MdastRoot;
    const head = mdast.children[0] as { type: string; value?: string } | undefined;
    if (head?.type === 'yaml' || head?.type === 'toml') {
      const format = head.type;
      time('front matter', () => R.parseFrontMatter(head.value ?? '', format));
    }
    const hast = time('remark-rehype', () => toHast.runSync(mdast as never)) as never;
    time('raw-html', () => raw.runSync(hast));
    const ctx = R.defaultContext() as never;
    for (const [name, fn] of Object.entries({
      footnotes: R.footnotesTransform,
      math: R.mathTransform,
      code: R.codeTransform,
      lists: R.listsTransform,
      tables: R.tablesTransform,
      figures: R.figuresTransform,
      links: R.linksTransform,
      sanitize: R.sanitizeTransform,
      whitespace: R.whitespaceTransform,
    })) {
      time(name, () => (fn as (t: unknown, c: unknown) => void)(hast, ctx));
    }
    const root = time('wrap', () => R.wrapRoot(hast)) as never;
    time('inline', () => R.inlineTheme(hast, theme));
    time('finalize', () => R.finalizeTree(root, ctx));
    time('stringify', () => str.stringify(hast));
    time('word count', () => R.countWords(visibleText(hast)));
    // The whole call, for comparison with the sum of the phases above.
    time('(renderSync)', () => {
      R.clearMathCache();
      return renderer.renderSync(md);
    });
  }
}
const total = Object.entries(phases).reduce((a, [k, v]) => (k.startsWith('(') ? a : a + v), 0);
for (const [k, v] of Object.entries(phases))
  console.log(
    `${k.padEnd(14)} ${(v / (PASSES - WARMUP)).toFixed(1).padStart(8)} ms  ${((v / total) * 100).toFixed(1)}%`,
  );
