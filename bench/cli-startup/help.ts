/**
 * Start-up time of `md2wx --help` (target: under 300 ms), against the baseline of a bare `node -e 0`.
 *
 * Runs the built CLI (`packages/cli/dist/bin.js`; build it first with
 * `npx turbo run build --filter=@md2wx/cli...` or `npx tsc -p packages/cli/tsconfig.build.json`) 15 times after 2
 * warm-ups and prints median and p90 wall times in milliseconds.
 * On a loaded machine node itself starts slowly: the figure that matters is the time over the baseline.
 *
 *   npx tsx --conditions=@md2wx/source bench/cli-startup/help.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'packages/cli/dist/bin.js');
if (!existsSync(bin)) {
  console.error(`build the CLI first: npx tsc -p packages/cli/tsconfig.build.json (${bin} is missing)`);
  process.exit(1);
}

function time(args: string[], runs = 15): { median: number; p90: number } {
  const samples: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (i >= 2) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return {
    median: samples[Math.floor(samples.length / 2)] as number,
    p90: samples[Math.floor(samples.length * 0.9)] as number,
  };
}

const baseline = time(['-e', '0']);
const help = time([bin, '--help']);
const sub = time([bin, 'drafts', 'list', '--help']);
const row = (name: string, t: { median: number; p90: number }) =>
  `${name.padEnd(34)} median ${t.median.toFixed(1).padStart(6)} ms   p90 ${t.p90.toFixed(1).padStart(6)} ms   ×${(t.median / baseline.median).toFixed(2)} of node -e 0`;
console.log(row('node -e 0 (baseline)', baseline));
console.log(row('md2wx --help', help));
console.log(row('md2wx drafts list --help', sub));
console.log(
  `md2wx --help costs ${(help.median - baseline.median).toFixed(1)} ms over node's own start-up; ` +
    `total ${help.median.toFixed(1)} ms against the 300 ms target: ${help.median < 300 ? 'met' : 'NOT met (see baseline)'}`,
);
