/**
 * Renderer benchmark over every corpus post, all tools in the same run (each pass runs every tool over
 * the whole corpus, in rotating order, after a full GC).
 *
 *   MD2WX_CORPUS=../shared/corpus npx tsx --conditions=@md2wx/source bench/render/render.bench.ts [--passes=5]
 *
 * Times are taken both as CPU time of the process (user + system, GC threads included) and as wall
 * time. On a shared machine other processes stretch wall time by whatever share of the cores they
 * take at that moment, so the ratios are computed on CPU time first; wall figures are printed next
 * to them. The per-post math/no-math split uses CPU time.
 *
 * Tools:
 *   md2wx        createRenderer() with the result cache off and the formula cache emptied before each
 *                post: every render is a cold, full render (parse, transforms, MathJax, highlight, inlining)
 *   floor        bare remark: parse + gfm + frontmatter + math → remark-rehype → rehype-stringify
 *   wenyan       @wenyan-md/core as its CLI renders a post for WeChat (prepareRenderContext → renderWithTheme):
 *                handleFrontMatter, then renderStyledContent with its default theme, highlight theme, mac-style
 *                code bars and link footnotes — marked + highlight.js, MathJax SVG (AllPackages), JSDOM,
 *                css-tree theme and pseudo-element inlining, wechatPostRender — on an instance with mermaid
 *                off (the CLI's `mermaid: false`), so both tools do the same work: md2wx leaves diagrams as code
 *   wenyan-mermaid  the same through the documented default instance (mermaid on): 3 corpus posts also get
 *                their diagrams rendered in JSDOM, work md2wx does not do; printed for reference
 *   marked+juice marked + highlight.js, then juice.inlineContent with a comparable theme (doocs/md's method)
 *   md2wx-warm   the same full render with MathJax's formula cache kept (formulas seen before are not
 *                re-typeset): what a long-running preview or a second post with shared formulas costs
 *   md2wx-2nd    second render of an unchanged post through a caching renderer (preview/watch mode)
 *   parse        the floor's remark-parse + gfm + frontmatter + math alone (no remark-rehype, no stringify)
 *   mathjax      MathJax alone: the post's formulas through texToSvg with the formula cache emptied
 *
 * The last two are parts, not tools: they show how much of the floor is parsing (work md2wx cannot
 * skip) and what typesetting the formulas costs by itself, next to the targets they bound.
 *
 * `--tools=md2wx,floor` runs a subset; ratios that need a missing tool are not printed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { clearMathCache, createRenderer, texToSvg, themes } from '@md2wx/render';
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

const passes = Number(process.argv.find((a) => a.startsWith('--passes='))?.slice(9) ?? 5);
const mathCounter = unified().use(remarkParse).use(remarkMath);
const posts = corpusPosts().map((p) => {
  const md = readFileSync(path.join(corpusDir(), p), 'utf8');
  const tex: { value: string; display: boolean }[] = [];
  visit(mathCounter.parse(md), (n) => {
    if (n.type === 'inlineMath' || n.type === 'math')
      tex.push({ value: n.value, display: n.type === 'math' });
  });
  return { name: p, md, formulas: tex.length, tex };
});
const texByName = new Map(posts.map((p) => [p.name, p.tex]));

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
const parseOnly = unified()
  .use(remarkParse)
  .use(remarkFrontmatter, ['yaml', 'toml'])
  .use(remarkGfm)
  .use(remarkMath)
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

type Tool =
  | 'md2wx'
  | 'md2wx-warm'
  | 'floor'
  | 'wenyan'
  | 'wenyan-mermaid'
  | 'marked+juice'
  | 'md2wx-2nd'
  | 'parse'
  | 'mathjax';
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
  'wenyan-mermaid': async (md) => {
    const fm = await wenyan.handleFrontMatter(md);
    return renderStyledContent(fm.content, { themeId: 'default', hlThemeId: 'solarized-light' });
  },
  'marked+juice': (md) =>
    juice.inlineContent(`<section id="output">${marked.parse(md, { async: false })}</section>`, juiceCss, {
      inlinePseudoElements: true,
      preserveImportant: true,
    }),
  'md2wx-2nd': (md, name) => cached.renderSync(md, { filePath: name }),
  parse: (md) => parseOnly.runSync(parseOnly.parse(md)),
  mathjax: (_md, name) => {
    clearMathCache();
    for (const f of texByName.get(name) ?? []) texToSvg(f.value, f.display);
  },
};
const only = process.argv
  .find((a) => a.startsWith('--tools='))
  ?.slice(8)
  .split(',');
const names = (Object.keys(tools) as Tool[]).filter((n) => !only || only.includes(n));
/** Per pass and tool, the corpus total: CPU ms (user + system, GC threads included) and wall ms. */
const cpuPasses: Record<Tool, number>[] = [];
const wallPasses: Record<Tool, number>[] = [];
/** CPU ms per tool and post, summed over passes (for the math / no-math split). */
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
  const cpu = {} as Record<Tool, number>;
  const wall = {} as Record<Tool, number>;
  for (const n of order) {
    gc();
    cpu[n] = 0;
    wall[n] = 0;
    for (const p of posts) {
      const c = process.cpuUsage();
      const t = performance.now();
      try {
        await tools[n](p.md, p.name);
      } catch {
        failures[n]++;
      }
      const ms = performance.now() - t;
      const used = process.cpuUsage(c);
      const cpuMs = (used.user + used.system) / 1000;
      wall[n] += ms;
      cpu[n] += cpuMs;
      perPost[n].set(p.name, (perPost[n].get(p.name) ?? 0) + cpuMs);
    }
  }
  cpuPasses.push(cpu);
  wallPasses.push(wall);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
/** Median over passes of a per-pass figure: a pass slowed by a neighbour's burst does not move it. */
const med = (runs: Record<Tool, number>[], f: (t: Record<Tool, number>) => number) => median(runs.map(f));
const rate = (runs: Record<Tool, number>[], n: Tool) => med(runs, (t) => (posts.length / t[n]) * 1000);
console.log(
  `corpus: ${posts.length} posts × ${passes} passes (after one warm-up pass); medians over passes\n`,
);
console.log('tool            posts/s (CPU)   ms/post (CPU)   posts/s (wall)   failures');
for (const n of names) {
  console.log(
    `${n.padEnd(14)} ${rate(cpuPasses, n).toFixed(1).padStart(14)} ${med(
      cpuPasses,
      (t) => t[n] / posts.length,
    )
      .toFixed(2)
      .padStart(15)} ${rate(wallPasses, n).toFixed(1).padStart(16)} ${String(failures[n]).padStart(10)}`,
  );
}
const subset = (n: Tool, withMath: boolean) =>
  posts.filter((p) => p.formulas > 0 === withMath).reduce((a, p) => a + (perPost[n].get(p.name) ?? 0), 0);
const mathPosts = posts.filter((p) => p.formulas > 0);
const formulaCount = mathPosts.reduce((a, p) => a + p.formulas, 0);
console.log('\nratios (median of per-pass ratios)      CPU     wall');
const row = (label: string, f: (t: Record<Tool, number>) => number, digits: number, target = '') =>
  Number.isFinite(med(cpuPasses, f)) &&
  console.log(
    `${label.padEnd(38)} ${`${med(cpuPasses, f).toFixed(digits)}×`.padStart(7)} ${`${med(wallPasses, f).toFixed(digits)}×`.padStart(8)}   ${target}`,
  );
row('md2wx vs @wenyan-md/core speed', (t) => t.wenyan / t.md2wx, 1, '(target ≥ 10×)');
row('  vs wenyan, mermaid on (reference)', (t) => t['wenyan-mermaid'] / t.md2wx, 1);
row('md2wx vs marked+juice speed', (t) => t['marked+juice'] / t.md2wx, 2);
row('md2wx cost / bare remark floor', (t) => t.md2wx / t.floor, 2, '(target ≤ 1.3×)');
row('  same, formula cache warm', (t) => t['md2wx-warm'] / t.floor, 2);
if (names.includes('md2wx') && names.includes('floor')) {
  console.log(
    `  posts without math (${posts.length - mathPosts.length}), CPU sum         ${(subset('md2wx', false) / subset('floor', false)).toFixed(2)}×`,
  );
  console.log(
    `  posts with math (${mathPosts.length}, ${formulaCount} formulas), CPU sum ${(subset('md2wx', true) / subset('floor', true)).toFixed(2)}×`,
  );
}
row('first render / second render', (t) => t.md2wx / t['md2wx-2nd'], 0, '(target ≥ 10×)');

console.log('\nparts of the cost (median of per-pass ratios)  CPU     wall');
row('remark parse alone / floor', (t) => t.parse / t.floor, 2);
row(`MathJax alone (${formulaCount} formulas) / floor`, (t) => t.mathjax / t.floor, 2);
row('md2wx / floor that 10× wenyan needs', (t) => t.wenyan / 10 / t.floor, 2);
if (names.includes('md2wx') && names.includes('floor')) {
  let md2wxBytes = 0;
  let floorBytes = 0;
  for (const p of posts) {
    md2wxBytes += Buffer.byteLength(md2wx.renderSync(p.md).html);
    floorBytes += Buffer.byteLength(floor.processSync(p.md).toString());
  }
  console.log(
    `HTML written: md2wx ${(md2wxBytes / 1e6).toFixed(2)} MB, floor ${(floorBytes / 1e6).toFixed(2)} MB (${(md2wxBytes / floorBytes).toFixed(1)}×: inline styles and formula SVG)`,
  );
}
