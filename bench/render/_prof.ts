import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clearMathCache, createRenderer } from '@md2wx/render';
import { corpusDir } from '@md2wx/testkit';
import { corpusPosts } from '../../packages/render/test/corpus-posts.ts';
const posts = corpusPosts().map((p) => readFileSync(path.join(corpusDir(), p), 'utf8'));
const r = createRenderer({ cacheSize: 0 });
const N = Number(process.env.N ?? 6);
for (let i = 0; i < N; i++) {
  const c = process.cpuUsage();
  const t = performance.now();
  for (const md of posts) {
    clearMathCache();
    r.renderSync(md);
  }
  const u = process.cpuUsage(c);
  console.log(
    i,
    ((u.user + u.system) / 1000 / posts.length).toFixed(2),
    'ms/post cpu',
    ((performance.now() - t) / posts.length).toFixed(2),
    'wall',
  );
}
