/**
 * Module loading of a first `md2wx post.md --draft` run (issue 17 target: under 400 ms), measured apart from
 * the work: a fresh `node` process imports every module such a run loads (the CLI's command tree, publish,
 * the WeChat client, the renderer, the image plugin, sharp, the cache), against a bare `node -e 0`. Each
 * package is also imported alone in its own process, to show where the time goes.
 *
 * Uses the built packages (`npx turbo run build --filter=@md2wx/cli...` first).
 *
 *   npx tsx bench/cli-startup/draft-modules.ts [--runs=7]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 7);
/**
 * What a first --draft run imports: the CLI loads `@md2wx/publish/flow` (no renderer) and the rest lazily, all
 * of them on a first run; an unchanged post's re-run loads none of the last four (see rerun.ts).
 */
const cliFile = (name: string) => pathToFileURL(path.join(root, 'packages/cli/dist', name)).href;
const MODULES = [
  cliFile('cli.js'),
  cliFile('run.js'),
  '@md2wx/publish/flow',
  '@md2wx/wechat',
  '@md2wx/render',
  '@md2wx/remark-wechat-images',
  '@md2wx/images',
  '@md2wx/cache',
];

function wall(code: string): number {
  const start = process.hrtime.bigint();
  // From packages/cli, so every specifier resolves as the CLI resolves it.
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: path.join(root, 'packages/cli'),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(process.hrtime.bigint() - start) / 1e6;
}
function median(code: string): number {
  const xs: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const ms = wall(code);
    if (i > 0) xs.push(ms);
  }
  return xs.sort((a, b) => a - b)[xs.length >> 1] as number;
}
const importAll = (mods: string[]) => mods.map((m) => `await import(${JSON.stringify(m)});`).join('');

const node = median('');
const all = median(importAll(MODULES));
console.log(`module loading of a first --draft run, ${runs} runs each (wall ms, median)`);
console.log(`node (empty module, baseline)        ${node.toFixed(0).padStart(6)}`);
console.log(`everything a --draft run imports     ${all.toFixed(0).padStart(6)}`);
console.log(
  `  of which module loading            ${(all - node).toFixed(0).padStart(6)}   (target < 400 ms: ${all - node < 400 ? 'met' : 'NOT met'}; ${(all / node).toFixed(2)}× node)`,
);
for (const m of MODULES) {
  console.log(
    `  ${m.replace(/.*\/packages\//, '').padEnd(34)} ${(median(importAll([m])) - node).toFixed(0).padStart(6)} alone`,
  );
}
