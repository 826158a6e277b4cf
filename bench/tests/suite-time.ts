/**
 * Per-file time of the slow test files (issue 17: `npm test` under 5 minutes on 2 cores), against the baseline
 * measured on commit 453a166, before the suite-speed work (CLI e2e from tsx per start, one CLI process per
 * corpus post, the 784 KB photo in drafts-reliability).
 *
 * Each file runs alone, one after the other (`vitest run <file>`), under `/usr/bin/time`: the figure that
 * matters on a shared machine is CPU (user + sys, the file's vitest process and every process it waited for),
 * since wall time grows with whatever else runs. Ratio = CPU now / CPU at the baseline.
 *
 *   MD2WX_CORPUS=/work/shared/corpus npx tsx bench/tests/suite-time.ts [test files…]
 *
 * Without arguments: the files of {@link BASELINE}. Needs `/usr/bin/time` (GNU time) for CPU figures; without
 * it only wall times are printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Seconds per file at the baseline (commit 453a166), each file alone with `vitest run <file>` under
 * `/usr/bin/time`, 2026-12-02 19:35–20:30 UTC on the 2-core machine shared with seven other engineers' work.
 */
const BASELINE: Record<string, { wallS: number; cpuS: number; tests: number }> = {
  'test/cli-commands.e2e.test.ts': { wallS: 161.7, cpuS: 103.0, tests: 12 },
  'test/publish.e2e.test.ts': { wallS: 328.9, cpuS: 263.3, tests: 23 },
};

const GNU_TIME = '/usr/bin/time';

interface Measured {
  wallS: number;
  cpuS?: number;
  code: number | null;
  tests?: string;
}

function measure(file: string): Measured {
  const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
  const args = [vitest, 'run', file, '--reporter=dot'];
  const env = {
    ...process.env,
    MD2WX_CORPUS: process.env.MD2WX_CORPUS ?? path.join(root, '../shared/corpus'),
  };
  const started = performance.now();
  if (!existsSync(GNU_TIME)) {
    const result = spawnSync(process.execPath, args, {
      cwd: root,
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    return {
      wallS: (performance.now() - started) / 1000,
      code: result.status,
      tests: testsLine(result.stdout),
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'suite-time-'));
  const out = path.join(dir, 'time');
  try {
    const result = spawnSync(GNU_TIME, ['-f', '%e %U %S', '-o', out, process.execPath, ...args], {
      cwd: root,
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const [wall, user, sys] = (readFileSync(out, 'utf8').trim().split('\n').pop() ?? '')
      .split(' ')
      .map(Number);
    return {
      wallS: wall ?? (performance.now() - started) / 1000,
      cpuS: (user ?? 0) + (sys ?? 0),
      code: result.status,
      tests: testsLine(result.stdout),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** vitest's "Tests  N passed (N)" line, colours stripped. */
function testsLine(stdout: string): string | undefined {
  const plain = stripVTControlCharacters(stdout);
  return /^\s*Tests\s+(.+)$/m.exec(plain)?.[1]?.trim();
}

const files = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(BASELINE);
const fmt = (n: number | undefined) => (n === undefined ? '     –' : n.toFixed(1).padStart(6));
console.log(`${'file'.padEnd(36)}   wall s    CPU s │ baseline wall  CPU │ CPU ratio  tests`);
let cpuNow = 0;
let cpuBase = 0;
for (const file of files) {
  const now = measure(file);
  const base = BASELINE[file];
  const ratio = now.cpuS !== undefined && base ? (now.cpuS / base.cpuS).toFixed(2) : '–';
  if (now.cpuS !== undefined && base) {
    cpuNow += now.cpuS;
    cpuBase += base.cpuS;
  }
  console.log(
    `${file.padEnd(36)} ${fmt(now.wallS)}   ${fmt(now.cpuS)} │ ${fmt(base?.wallS)}   ${fmt(base?.cpuS)} │ ${ratio.padStart(9)}  ${now.tests ?? `exit ${now.code}`}${base ? ` (baseline ${base.tests} tests)` : ''}`,
  );
}
if (cpuBase > 0)
  console.log(
    `CPU over the files with a baseline: ${cpuNow.toFixed(1)} s now, ${cpuBase.toFixed(1)} s at the baseline (×${(cpuNow / cpuBase).toFixed(2)})`,
  );
