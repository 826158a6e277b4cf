/** Time per pipeline phase over the corpus: where md2wx spends beyond the remark floor. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as R from '@md2wx/render';
import { corpusDir } from '@md2wx/testkit';
import rehypeStringify from 'rehype-stringify';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { corpusPosts } from '../../packages/render/test/corpus-posts.ts';

const posts = corpusPosts().map((p) => readFileSync(path.join(corpusDir(), p), 'utf8'));
const parse = unified()
  .use(remarkParse)
  .use(remarkFrontmatter, ['yaml', 'toml'])
  .use(remarkGfm)
  .use(remarkMath);
const toHast = unified().use(remarkRehype, { allowDangerousHtml: true });
const raw = unified().use(R.rehypeRawFast);
const str = unified().use(rehypeStringify);
const theme = R.compileTheme([R.themes.wechat as string]);
const phases: Record<string, number> = {};
const time = (name: string, fn: () => unknown) => {
  const t = performance.now();
  const r = fn();
  phases[name] = (phases[name] ?? 0) + performance.now() - t;
  return r;
};
for (let pass = 0; pass < 3; pass++) {
  for (const md of posts) {
    R.clearMathCache();
    const mdast = time('parse', () => parse.runSync(parse.parse(md)));
    const hast = time('remark-rehype', () => toHast.runSync(mdast as never)) as never;
    time('raw-html', () => raw.runSync(hast));
    const ctx = {
      options: {
        captions: 'title-or-alt',
        referencesTitle: 'r',
        footnotesTitle: 'f',
        codeWindowBar: false,
        tabSize: 4,
      },
      messages: [],
    } as never;
    for (const [name, fn] of Object.entries({
      footnotes: R.footnotesTransform,
      math: R.mathTransform,
      code: R.codeTransform,
      lists: R.listsTransform,
      tables: R.tablesTransform,
      images: R.imagesTransform,
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
  }
}
const total = Object.values(phases).reduce((a, b) => a + b, 0);
for (const [k, v] of Object.entries(phases))
  console.log(`${k.padEnd(14)} ${(v / 3).toFixed(1).padStart(8)} ms  ${((v / total) * 100).toFixed(1)}%`);
