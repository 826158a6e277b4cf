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
 * `/usr/bin/time`, 2026-12-02 19:35–20:25 UTC on the 2-core machine shared with seven other engineers' work
 * (load average 2–15). action.e2e's figure includes redaction.e2e (the name filter matches both); packaging
 * counts 49 passed (8 skipped).
 */
const BASELINE: Record<string, { wallS: number; cpuS: number; tests: number }> = {
  'test/cli-commands.e2e.test.ts': { wallS: 161.7, cpuS: 103.0, tests: 12 },
  'test/publish.e2e.test.ts': { wallS: 328.9, cpuS: 263.3, tests: 23 },
  'test/action.e2e.test.ts': { wallS: 204.5, cpuS: 92.1, tests: 6 },
  'test/renderer-fields.e2e.test.ts': { wallS: 133.6, cpuS: 44.2, tests: 7 },
  'test/drafts-reliability.e2e.test.ts': { wallS: 131.2, cpuS: 90.7, tests: 6 },
  'test/registry.e2e.test.ts': { wallS: 305.7, cpuS: 128.3, tests: 5 },
  'test/astro-site.e2e.test.ts': { wallS: 114.9, cpuS: 25.6, tests: 3 },
  'test/shared-state.e2e.test.ts': { wallS: 154.6, cpuS: 34.2, tests: 4 },
  'test/redaction.e2e.test.ts': { wallS: 22.8, cpuS: 7.5, tests: 2 },
  'test/packaging.test.ts': { wallS: 27.4, cpuS: 8.3, tests: 49 },
  'test/readme-code.test.ts': { wallS: 56.3, cpuS: 12.9, tests: 3 },
  'test/action-harness.test.ts': { wallS: 13.5, cpuS: 2.0, tests: 5 },
  'test/system-packages.test.ts': { wallS: 8.1, cpuS: 2.1, tests: 5 },
  'test/soak/soak.test.ts': { wallS: 183.1, cpuS: 47.2, tests: 1 },
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
