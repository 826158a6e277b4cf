/**
 * What reading a post's metadata costs (`readMeta`: parse + front matter + mdast walk, no transforms) against
 * the baseline of a full render of the same post, over the corpus. The CLI/publish flow reads the meta before
 * anything is uploaded (to find the cover and check fields), so this is what that early read adds to a run.
 *
 *   MD2WX_CORPUS=../shared/corpus npx tsx --conditions=@md2wx/source bench/render/meta.ts
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as R from '@md2wx/render';
import { corpusDir } from '@md2wx/testkit';
import { corpusPosts } from '../../packages/render/test/corpus-posts.ts';

const posts = corpusPosts().map((p) => readFileSync(path.join(corpusDir(), p), 'utf8'));
const renderer = R.createRenderer({ cacheSize: 0 });
const ROUNDS = 5;

function perPost(run: (markdown: string) => unknown): number {
  for (const p of posts) run(p); // warm-up: module init, JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) for (const p of posts) run(p);
  return Number(process.hrtime.bigint() - start) / 1e6 / (ROUNDS * posts.length);
}

const meta = perPost((md) => R.readMeta(md));
const render = perPost((md) => renderer.renderSync(md));
console.log(`${posts.length} corpus posts, ${ROUNDS} rounds`);
console.log(`readMeta:              ${meta.toFixed(2)} ms/post`);
console.log(`renderSync (baseline): ${render.toFixed(2)} ms/post`);
console.log(`ratio readMeta/render: ${(meta / render).toFixed(3)}`);
