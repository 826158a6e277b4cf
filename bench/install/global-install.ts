/**
 * What `npm i -g @md2wx/cli` costs a user: the workspace's built packages published to a local Verdaccio whose
 * uplink is the public npm registry, then installed into an empty prefix three times:
 *
 * - cold: an empty npm cache and an empty uplink copy (a clean machine: every dependency downloaded);
 * - warm registry: an empty npm cache, Verdaccio's uplink copy filled by the cold run (what the first install of
 *   a CI job costs when its registry mirror is near);
 * - warm: the npm cache and the uplink copy both filled (a second install on one machine, and what the test
 *   suite's installs cost after its first: test/support/local-registry.ts shares both across files and runs).
 *
 * Baseline: the cold install. Ratios are each run's wall time over it. Also prints the installed size.
 * Needs the built packages (`npx turbo run build`) and the network.
 *
 *   npx tsx bench/install/global-install.ts
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { npmEnv, startLocalRegistry } from '../../test/support/local-registry.js';

function run(command: string, args: string[], env: Record<string, string>, cwd: string) {
  const started = performance.now();
  return new Promise<{ ms: number; stdout: string }>((resolve, reject) => {
    execFile(command, args, { cwd, env, timeout: 600_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr || error.message}`));
      else resolve({ ms: performance.now() - started, stdout });
    });
  });
}

const work = await mkdtemp(path.join(tmpdir(), 'md2wx-bench-install-'));
const registry = await startLocalRegistry({
  dir: path.join(work, 'registry'),
  cacheDir: path.join(work, 'cache'),
});
try {
  await registry.publishWorkspace();
  const install = async (name: string, cache: string) => {
    const prefix = path.join(work, name);
    const { ms } = await run(
      'npm',
      ['i', '-g', '@md2wx/cli', '--prefix', prefix],
      npmEnv(registry, { npm_config_cache: cache }),
      work,
    );
    return { ms, prefix };
  };
  const cold = await install('cold', path.join(work, 'npm-cache-cold'));
  const warmRegistry = await install('warm-registry', path.join(work, 'npm-cache-empty'));
  const warm = await install('warm', path.join(work, 'npm-cache-cold'));
  const env = process.env as Record<string, string>;
  const du = await run('du', ['-sk', cold.prefix], env, work);
  // A global install keeps the whole tree under the package's own node_modules.
  const modules = path.join(cold.prefix, 'lib/node_modules/@md2wx/cli/node_modules');
  const largest = (await run('sh', ['-c', 'du -sk */ @*/*/ 2>/dev/null | sort -rn | head -8'], env, modules))
    .stdout;
  const row = (label: string, ms: number) =>
    console.log(
      `${label.padEnd(52)}${(ms / 1000).toFixed(1).padStart(7)} s   ${(ms / cold.ms).toFixed(2).padStart(5)}×`,
    );
  console.log('npm i -g @md2wx/cli into an empty prefix (wall s, ratio to the cold install)');
  row('cold: empty npm cache, empty uplink copy (baseline)', cold.ms);
  row('warm registry: empty npm cache, uplink copy filled', warmRegistry.ms);
  row('warm: npm cache and uplink copy filled', warm.ms);
  console.log(
    `installed size: ${(Number(du.stdout.split(/\s/)[0]) / 1024).toFixed(0)} MiB; largest dependencies (KiB):`,
  );
  console.log(largest.trimEnd().replace(/^/gm, '  '));
} finally {
  await registry.close();
  await rm(work, { recursive: true, force: true });
}
