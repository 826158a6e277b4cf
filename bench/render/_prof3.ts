import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clearMathCache, createRenderer } from '@md2wx/render';
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
const r = createRenderer({ cacheSize: 0 });
const floor = unified()
  .use(remarkParse)
  .use(remarkFrontmatter, ['yaml', 'toml'])
  .use(remarkGfm)
  .use(remarkMath)
  .use(remarkRehype)
  .use(rehypeStringify)
  .freeze();
const tools = {
  md2wx: (md: string) => {
    clearMathCache();
    r.renderSync(md);
  },
  floor: (md: string) => floor.processSync(md),
};
const res: Record<string, number[][]> = { md2wx: [], floor: [] };
for (let i = 0; i < Number(process.env.N ?? 9); i++) {
  for (const [n, f] of Object.entries(tools)) {
    const c = process.cpuUsage();
    const t = performance.now();
    for (const md of posts) f(md);
    const u = process.cpuUsage(c);
    if (i > 0)
      res[n]?.push([(u.user + u.system) / 1000 / posts.length, (performance.now() - t) / posts.length]);
  }
}
const med = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1] as number;
for (const n of ['md2wx', 'floor'])
  console.log(
    n,
    'cpu',
    med(res[n]!.map((x) => x[0]!)).toFixed(2),
    'wall',
    med(res[n]!.map((x) => x[1]!)).toFixed(2),
  );
const ratios = res.md2wx!.map((x, i) => x[0]! / res.floor![i]![0]!);
console.log(
  'ratio cpu',
  med(ratios).toFixed(2),
  'wall',
  med(res.md2wx!.map((x, i) => x[1]! / res.floor![i]![1]!)).toFixed(2),
);
