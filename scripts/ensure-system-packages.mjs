#!/usr/bin/env node
// Makes sure of what the tests need beyond npm (run by `npm test`'s pretest and by .ci/run).
// When something is missing: as root with apt-get it installs it (apt-get update + install, non-interactive)
// and says so; otherwise it stops (exit 1) with the exact command to run.
//   node scripts/ensure-system-packages.mjs            check, install or stop
//   node scripts/ensure-system-packages.mjs --dry-run  only print what it would do (exit 0)
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Debian packages the test suite needs, each with how to tell it is there: an executable on PATH
 * (`command`) or one of some files (`files`, e.g. fonts). The one list: add a package here, nowhere else.
 */
export const SYSTEM_PACKAGES = [
  { apt: 'redis-server', command: 'redis-server', neededBy: 'the Redis store and shared-state tests' },
  {
    apt: 'chromium',
    command: 'chromium',
    env: 'MD2WX_CHROMIUM',
    neededBy: 'the preview test and mermaid diagrams in headless Chromium',
  },
  {
    apt: 'fonts-noto-cjk',
    files: ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'],
    neededBy: 'Chinese glyphs in diagrams and generated covers',
  },
];

/** True when `name` is an executable file in one of the PATH folders. */
export function onPath(name, pathValue = process.env.PATH ?? '') {
  for (const dir of pathValue.split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {}
  }
  return false;
}

/** The entries of `packages` that are not installed, judged by PATH, the entry's env override and files. */
export function missingPackages(packages = SYSTEM_PACKAGES, env = process.env) {
  return packages.filter((pkg) => {
    if (pkg.env && env[pkg.env] && existsSync(env[pkg.env])) return false;
    if (pkg.command) return !onPath(pkg.command, env.PATH ?? '');
    return !(pkg.files ?? []).some((file) => existsSync(file));
  });
}

/**
 * What to do about `missing`: nothing, install (root with apt-get), or stop with the command for the user.
 * @returns `{ action: 'none' | 'install' | 'stop', apt: string[], command?: string }`
 */
export function plan(missing, { isRoot, hasAptGet }) {
  const apt = missing.map((pkg) => pkg.apt);
  if (apt.length === 0) return { action: 'none', apt };
  const install = `apt-get install -y --no-install-recommends ${apt.join(' ')}`;
  if (isRoot && hasAptGet) return { action: 'install', apt, command: `apt-get update && ${install}` };
  if (hasAptGet) return { action: 'stop', apt, command: `sudo apt-get update && sudo ${install}` };
  return { action: 'stop', apt, command: `install ${apt.join(', ')} with your system's package manager` };
}

function main(argv) {
  const dryRun = argv.includes('--dry-run');
  const missing = missingPackages();
  const decision = plan(missing, {
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    hasAptGet: onPath('apt-get'),
  });
  if (decision.action === 'none') {
    if (dryRun) console.log('md2wx: system packages present: nothing to do');
    return 0;
  }
  const why = missing.map((pkg) => `${pkg.apt} (${pkg.neededBy})`).join(', ');
  if (decision.action === 'stop') {
    console.error(
      `md2wx: the tests need ${why}, which ${missing.length > 1 ? 'are' : 'is'} not installed. Run:\n\n  ${decision.command}\n`,
    );
    return dryRun ? 0 : 1;
  }
  console.log(`md2wx: installing ${why}: ${decision.command}`);
  if (dryRun) return 0;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...decision.apt], {
    stdio: 'inherit',
    env,
  });
  const still = missingPackages();
  if (still.length > 0) {
    console.error(`md2wx: still missing after apt-get install: ${still.map((pkg) => pkg.apt).join(', ')}`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
