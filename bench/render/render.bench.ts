/**
 * Renderer benchmark over every corpus post, all tools in the same run (each pass runs every tool over
 * the whole corpus, in rotating order, after a full GC).
 *
 *   npx tsx --conditions=@md2wx/source bench/render/render.bench.ts   [--passes=3]
 *
 * Tools:
 *   md2wx        createRenderer() with the result cache off and the formula cache emptied before each
 *                post: every render is a cold, full render (parse, transforms, MathJax, highlight, inlining)
 *   floor        bare remark: parse + gfm + frontmatter + math → remark-rehype → rehype-stringify
 *   wenyan       @wenyan-md/core renderStyledContent (marked + highlight.js + MathJax + JSDOM + css-tree), mermaid off
 *   marked+juice marked + highlight.js, then juice.inlineContent with a comparable theme (doocs/md's method)
 *   md2wx-warm   the same full render with MathJax's formula cache kept (formulas seen before are not
 *                re-typeset): what a long-running preview or a second post with shared formulas costs
 *   md2wx-2nd    second render of an unchanged post through a caching renderer (preview/watch mode)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { clearMathCache, createRenderer, themes } from '@md2wx/render';
import { corpusDir } from '@md2wx/testkit';
import { createWenyanCore } from '@wenyan-md/core';
import { renderStyledContent } from '@wenyan-md/core/wrapper';
import hljs from 'highlight.js/lib/common';
import juice from 'juice';
import { Marked } from 'marked';
import rehypeStringify from 'rehype-stringify';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { corpusPosts } from '../../packages/render/test/corpus-posts.ts';

const passes = Number(process.argv.find((a) => a.startsWith('--passes='))?.slice(9) ?? 3);
const mathCounter = unified().use(remarkParse).use(remarkMath);
const posts = corpusPosts().map((p) => {
  const md = readFileSync(path.join(corpusDir(), p), 'utf8');
  let formulas = 0;
  visit(mathCounter.parse(md), (n) => {
    if (n.type === 'inlineMath' || n.type === 'math') formulas++;
  });
  return { name: p, md, formulas };
});

const md2wx = createRenderer({ cacheSize: 0 });
const cached = createRenderer({ cacheSize: 256 });
const floor = unified()
  .use(remarkParse)
  .use(remarkFrontmatter, ['yaml', 'toml'])
  .use(remarkGfm)
  .use(remarkMath)
  .use(remarkRehype)
  .use(rehypeStringify)
  .freeze();
const wenyan = await createWenyanCore({ mermaid: false });
const marked = new Marked({
  renderer: {
    code({ text, lang }) {
      const language = lang && hljs.getLanguage(lang) ? lang : 'plaintext';
      return `<pre class="hljs"><code class="language-${language}">${hljs.highlight(text, { language }).value}</code></pre>`;
    },
  },
});
/** doocs/md-style theme: the wechat theme's rules rewritten for marked's plain tags. */
const juiceCss = `${(themes.wechat as string)
  .replace(/:root/g, 'section#output')
  .replace(/\.code-inline/g, 'p code, li code')
  .replace(/\.code-block/g, 'pre')
  .replace(/\.code\b/g, 'pre code')}`;

type Tool = 'md2wx' | 'md2wx-warm' | 'floor' | 'wenyan' | 'marked+juice' | 'md2wx-2nd';
const tools: Record<Tool, (md: string, name: string) => Promise<unknown> | unknown> = {
  md2wx: (md) => {
    clearMathCache();
    return md2wx.renderSync(md);
  },
  'md2wx-warm': (md) => md2wx.renderSync(md),
  floor: (md) => floor.processSync(md).toString(),
  wenyan: async (md) => {
    const fm = await wenyan.handleFrontMatter(md);
    return renderStyledContent(
      fm.content,
      { themeId: 'default', hlThemeId: 'solarized-light', isMacStyle: true, isAddFootnote: true },
      wenyan,
    );
  },
  'marked+juice': (md) =>
    juice.inlineContent(`<section id="output">${marked.parse(md, { async: false })}</section>`, juiceCss, {
      inlinePseudoElements: true,
      preserveImportant: true,
    }),
  'md2wx-2nd': (md, name) => cached.renderSync(md, { filePath: name }),
};
const names = Object.keys(tools) as Tool[];
const totals = Object.fromEntries(names.map((n) => [n, 0])) as Record<Tool, number>;
const perPost = Object.fromEntries(names.map((n) => [n, new Map<string, number>()])) as Record<
  Tool,
  Map<string, number>
>;
const failures = Object.fromEntries(names.map((n) => [n, 0])) as Record<Tool, number>;

// Warm-up pass: JIT, grammar and MathJax loading, and the cache entries the 2nd-render tool reads.
for (const p of posts) {
  for (const n of names) {
    try {
      await tools[n](p.md, p.name);
    } catch {
      failures[n]++;
    }
  }
}
// Each tool renders the whole corpus in its own block after a full GC, so one tool's garbage
// (JSDOM's especially) is not collected on another tool's clock; the block order rotates per pass.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
for (let pass = 0; pass < passes; pass++) {
  const order = names.map((_, k) => names[(k + pass) % names.length] as Tool);
  for (const n of order) {
    gc();
    for (const p of posts) {
      const t = performance.now();
      try {
        await tools[n](p.md, p.name);
      } catch {
        failures[n]++;
      }
      const ms = performance.now() - t;
      totals[n] += ms;
      perPost[n].set(p.name, (perPost[n].get(p.name) ?? 0) + ms);
    }
  }
}

const renders = posts.length * passes;
const perSecond = (n: Tool) => (renders / totals[n]) * 1000;
console.log(`corpus: ${posts.length} posts × ${passes} passes (after one warm-up pass)\n`);
console.log('tool            posts/s   ms/post   failures');
for (const n of names) {
  console.log(
    `${n.padEnd(14)} ${perSecond(n).toFixed(1).padStart(8)} ${(totals[n] / renders).toFixed(2).padStart(9)} ${String(failures[n]).padStart(10)}`,
  );
}
console.log('\nratios');
console.log(
  `md2wx vs @wenyan-md/core speed     ${(perSecond('md2wx') / perSecond('wenyan')).toFixed(1)}×   (target ≥ 10×)`,
);
console.log(
  `md2wx vs marked+juice speed        ${(perSecond('md2wx') / perSecond('marked+juice')).toFixed(2)}×`,
);
console.log(
  `md2wx cost / bare remark floor     ${(totals.md2wx / totals.floor).toFixed(2)}×   (target ≤ 1.3×)`,
);
console.log(`  same, formula cache warm         ${(totals['md2wx-warm'] / totals.floor).toFixed(2)}×`);
const subset = (n: Tool, withMath: boolean) =>
  posts.filter((p) => p.formulas > 0 === withMath).reduce((a, p) => a + (perPost[n].get(p.name) ?? 0), 0);
const mathPosts = posts.filter((p) => p.formulas > 0);
const formulaCount = mathPosts.reduce((a, p) => a + p.formulas, 0);
console.log(
  `  posts without math (${posts.length - mathPosts.length})         ${(subset('md2wx', false) / subset('floor', false)).toFixed(2)}×`,
);
console.log(
  `  posts with math (${mathPosts.length}, ${formulaCount} formulas) ${(subset('md2wx', true) / subset('floor', true)).toFixed(2)}×`,
);
console.log(
  `first render / second render       ${(totals.md2wx / totals['md2wx-2nd']).toFixed(0)}×   (target ≥ 10×)`,
);
