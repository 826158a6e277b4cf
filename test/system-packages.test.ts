/**
 * `scripts/ensure-system-packages.mjs` (npm test's pretest, .ci/run): what it decides with a PATH that lacks
 * redis-server and chromium, as root with apt-get, as an ordinary user, and when everything is there. Runs the
 * script as a subprocess; `--dry-run` makes it print its decision instead of running apt-get.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = path.join(repoRoot, 'scripts/ensure-system-packages.mjs');
const isRoot = process.getuid?.() === 0;
let bin: string;
/**
 * The script as run: a copy in `bin`, so the ordinary user of the last case can read it wherever the clone is
 * (`mktemp -d` makes a 0700 folder: run from there, the script itself was out of that user's reach).
 */
let script: string;

function ensure(args: string[], options: { PATH: string; uid?: number }) {
  return new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      {
        cwd: tmpdir(),
        env: { PATH: options.PATH, HOME: tmpdir() },
        ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
        resolve({ code, output: stdout + stderr });
      },
    );
  });
}

/** A folder for PATH holding only the named executables (tiny shell scripts: only their presence matters). */
async function pathWith(names: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(bin, 'path-'));
  await chmod(dir, 0o755); // readable by the ordinary user of the last case
  for (const name of names) {
    await writeFile(path.join(dir, name), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(dir, name), 0o755);
  }
  return dir;
}

beforeAll(async () => {
  bin = await mkdtemp(path.join(tmpdir(), 'md2wx-system-packages-'));
  await chmod(bin, 0o755);
  await symlink(process.execPath, path.join(bin, 'node'));
  script = path.join(bin, 'ensure-system-packages.mjs');
  await copyFile(SCRIPT, script);
});
afterAll(async () => {
  if (bin) await rm(bin, { recursive: true, force: true });
});

describe('ensure-system-packages', () => {
  it('root with apt-get, redis-server and chromium missing: installs both, saying so', async () => {
    const PATH = await pathWith(['apt-get']);
    const result = await ensure(['--dry-run'], { PATH });
    expect(result.code).toBe(0);
    expect(result.output).toContain(
      'md2wx: installing redis-server (the Redis store and shared-state tests), chromium (the preview test and mermaid diagrams in headless Chromium): apt-get update && apt-get install -y --no-install-recommends redis-server chromium',
    );
  });

  it('only what is missing', async () => {
    const result = await ensure(['--dry-run'], { PATH: await pathWith(['apt-get', 'redis-server']) });
    expect(result.output).toContain('apt-get install -y --no-install-recommends chromium');
    expect(result.output).not.toContain('install -y --no-install-recommends redis-server');
  });

  it('everything present: nothing to do, silently without --dry-run', async () => {
    const PATH = await pathWith(['apt-get', 'redis-server', 'chromium']);
    expect((await ensure(['--dry-run'], { PATH })).output).toContain('nothing to do');
    expect(await ensure([], { PATH })).toEqual({ code: 0, output: '' });
  });

  it('root without apt-get: stops with what to install', async () => {
    const result = await ensure([], { PATH: await pathWith([]) });
    expect(result.code).toBe(1);
    expect(result.output).toContain("install redis-server, chromium with your system's package manager");
  });

  it.runIf(isRoot)('an ordinary user with apt-get: stops (exit 1) with the exact sudo command', async () => {
    const PATH = await pathWith(['apt-get']);
    const result = await ensure([], { PATH, uid: 65534 });
    expect(result.code).toBe(1);
    expect(result.output).toContain('the tests need redis-server');
    expect(result.output).toContain(
      'sudo apt-get update && sudo apt-get install -y --no-install-recommends redis-server chromium',
    );
  });
});
