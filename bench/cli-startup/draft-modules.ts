/**
 * Module loading of a first `md2wx post.md --draft` run (issue 17 target: under 400 ms), measured apart from
 * the work. One real first run of examples/hello against a sandbox, with an empty result cache, records every
 * module it loads (`load-log.mjs`: the CLI bundle's chunks, sharp, cacache, mathjax-full's CommonJS files);
 * then fresh `node` processes load exactly that list and nothing else, against a bare `node -e 0`.
 *
 * Printed twice: for this post, which has formulas, and without mathjax-full, which a post with no formula
 * never loads. Runs the built CLI (`npx turbo run build --filter=@md2wx/cli...` first).
 *
 *   npx tsx --conditions=@md2wx/source bench/cli-startup/draft-modules.ts [--runs=7]
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bin, median, openSandboxPost, root, wall } from './sandbox-post.js';

const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 7);
const post = await openSandboxPost();
try {
  const log = path.join(post.work, 'loaded.log');
  rmSync(path.join(post.work, '.md2wx-cache'), { recursive: true, force: true });
  wall(
    ['--import', path.join(root, 'bench/cli-startup/load-log.mjs'), bin, 'post.md', '--draft'],
    post.work,
    {
      MD2WX_LOAD_LOG: log,
    },
  );
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  const imports = lines.filter((l) => l.startsWith('import ')).map((l) => l.slice(7));
  const requires = lines
    .filter((l) => l.startsWith('require '))
    .map((l) => l.split(' ') as [string, string, string])
    .map(([, request, parent]) => ({ request, parent }));

  /** A module body loading the recorded modules: the bin last, asked only for its version (no work). */
  const loader = (withMath: boolean) => {
    const reqs = requires.filter((r) => withMath || !r.request.startsWith('mathjax-full/'));
    return [
      "import { createRequire } from 'node:module';",
      ...imports.filter((u) => !u.endsWith('/dist/bin.js')).map((u) => `await import(${JSON.stringify(u)});`),
      ...reqs.map((r) => `createRequire(${JSON.stringify(r.parent)})(${JSON.stringify(r.request)});`),
      `process.argv = [process.argv[0], ${JSON.stringify(bin)}, '--version'];`,
      `await import(${JSON.stringify(`file://${bin}`)});`,
    ].join('\n');
  };
  const time = (code: string) => {
    const xs: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const ms = wall(['--input-type=module', '-e', code], post.work).ms;
      if (i > 0) xs.push(ms);
    }
    return median(xs);
  };
  const node = time('');
  const math = time(loader(true));
  const plain = time(loader(false));
  const mathjax = new Set(requires.filter((r) => r.request.startsWith('mathjax-full/'))).size;
  console.log(`module loading of a first --draft run of examples/hello, ${runs} runs each (wall ms, median)`);
  console.log(
    `recorded: ${imports.length} ES modules, ${requires.length} CommonJS loads from our code (${mathjax} of them mathjax-full)`,
  );
  console.log(`node (empty module, baseline)          ${node.toFixed(0).padStart(6)}`);
  for (const [label, ms] of [
    ['post without formulas (no mathjax)', plain],
    ['this post (with formulas)', math],
  ] as const) {
    console.log(
      `${label.padEnd(38)} ${ms.toFixed(0).padStart(6)}   module loading ${(ms - node).toFixed(0).padStart(4)} ms (target < 400 ms: ${ms - node < 400 ? 'met' : 'NOT met'}; ${(ms / node).toFixed(2)}× node)`,
    );
  }
} finally {
  post.close();
}
