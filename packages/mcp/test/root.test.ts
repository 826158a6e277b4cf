import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRoot, PathOutsideRootError, resolveInRoot } from '../src/root.js';

let work: string;
let root: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'md2wx-mcp-root-'));
  await mkdir(path.join(work, 'blog/posts'), { recursive: true });
  await mkdir(path.join(work, 'elsewhere'));
  await symlink(path.join(work, 'elsewhere'), path.join(work, 'blog/out-link'));
  await symlink(path.join(work, 'blog/posts'), path.join(work, 'blog/in-link'));
  root = await openRoot(path.join(work, 'blog'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('resolveInRoot', () => {
  it('resolves relative and absolute paths inside the root, existing or not', async () => {
    expect(await resolveInRoot(root, 'posts/a.md')).toBe(path.join(root, 'posts/a.md'));
    expect(await resolveInRoot(root, path.join(root, 'new/dir/b.md'))).toBe(path.join(root, 'new/dir/b.md'));
    expect(await resolveInRoot(root, 'in-link/c.md')).toBe(path.join(root, 'in-link/c.md'));
  });

  it('refuses .., absolute paths elsewhere, and symlinks that lead out (even to files not there yet)', async () => {
    for (const given of [
      '../x.md',
      '/etc/passwd',
      'posts/../../x.md',
      'out-link/x.md',
      'out-link/new/y.md',
    ]) {
      await expect(resolveInRoot(root, given), given).rejects.toBeInstanceOf(PathOutsideRootError);
    }
  });

  it('openRoot names a missing root', async () => {
    await expect(openRoot(path.join(work, 'nope'))).rejects.toThrow(/nope does not exist/);
  });
});
