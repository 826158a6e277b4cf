/**
 * Distribution from a clone (issue 14, case d): `npm link -w @md2wx/cli` into a temp prefix, and the linked
 * `md2wx` keeps working after `npm run build -w @md2wx/cli` rewrites dist/bin.js.
 *
 * Its own project (`link`, vitest.link.config.ts), in the group after test/'s: the rebuild rewrites
 * packages/cli/dist, which the e2e files start, pack and publish while they run.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmEnv } from './support/local-registry.js';
import { expectOk, run, userEnv } from './support/user-commands.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'md2wx-link-e2e-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('from a clone', () => {
  it('(d) npm link -w @md2wx/cli: the linked md2wx still runs after a rebuild', async () => {
    const prefix = path.join(work, 'link-prefix');
    // The env's prefix is the global one only; a --prefix flag would also move the workspace root.
    const env = npmEnv(
      { env: {} },
      { npm_config_prefix: prefix, npm_config_cache: path.join(work, 'npm-cache-link') },
    );
    const link = await run('npm', ['link', '-w', '@md2wx/cli'], { cwd: repoRoot, env });
    expectOk(link, 'npm link -w @md2wx/cli');
    const md2wx = path.join(prefix, 'bin/md2wx');
    try {
      expectOk(await run(md2wx, ['--version'], { cwd: work, env: userEnv() }), 'linked md2wx --version');
      // tsc (and turbo restoring a cached build) writes dist/bin.js as 0644; start from that state.
      await chmod(path.join(repoRoot, 'packages/cli/dist/bin.js'), 0o644);
      const rebuild = await run('npm', ['run', 'build', '-w', '@md2wx/cli'], { cwd: repoRoot, env });
      expectOk(rebuild, 'npm run build -w @md2wx/cli');
      const after = await run(md2wx, ['--version'], { cwd: work, env: userEnv() });
      expectOk(after, 'linked md2wx --version after a rebuild');
      expect(after.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    } finally {
      await chmod(path.join(repoRoot, 'packages/cli/dist/bin.js'), 0o755);
    }
  }, 180_000);
});
