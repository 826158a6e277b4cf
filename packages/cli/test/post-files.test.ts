import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { outputBase, rootDirFor } from '@md2wx/publish';
import { expandPosts, filterChangedSince } from '../src/post-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'md2wx-files-'));
  await mkdir(path.join(dir, 'posts', '2024'), { recursive: true });
  await writeFile(path.join(dir, 'posts', 'a.md'), '# A\n');
  await writeFile(path.join(dir, 'posts', '2024', 'b.md'), '# B\n');
  await writeFile(path.join(dir, 'posts', 'notes.txt'), 'x');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('expandPosts', () => {
  it('expands globs and directories, sorted and without duplicates', async () => {
    const files = await expandPosts(['posts/**/*.md', 'posts/a.md', 'posts'], dir);
    expect(files).toEqual([path.join(dir, 'posts/2024/b.md'), path.join(dir, 'posts/a.md')]);
  });

  it('keeps argument order (a --bundle headline first), globs expanding sorted in their place', async () => {
    await writeFile(path.join(dir, 'posts', 'c.md'), '# C\n');
    const files = await expandPosts(['posts/c.md', 'posts/*.md', 'posts/2024/b.md'], dir);
    expect(files).toEqual([
      path.join(dir, 'posts/c.md'),
      path.join(dir, 'posts/a.md'),
      path.join(dir, 'posts/2024/b.md'),
    ]);
  });

  it('refuses a glob matching nothing and a missing plain file (usage errors)', async () => {
    await expect(expandPosts(['drafts/*.md'], dir)).rejects.toThrow(
      /no Markdown file matches drafts\/\*\.md/,
    );
    // --changed-since in CI: an empty folder is normal there.
    expect(await expandPosts(['drafts/*.md'], dir, { allowEmptyGlobs: true })).toEqual([]);
    await expect(expandPosts(['posts/zzz.md'], dir)).rejects.toThrow(UsageError);
    await expect(expandPosts([], dir)).rejects.toThrow(/no post given/);
  });
});

describe('filterChangedSince', () => {
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, stdio: 'pipe' });

  it('keeps posts modified, added or untracked since the ref', async () => {
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'one');
    await writeFile(path.join(dir, 'posts', 'a.md'), '# A changed\n');
    await writeFile(path.join(dir, 'posts', 'c.md'), '# C\n');
    const all = await expandPosts(['posts/**/*.md'], dir);
    const changed = await filterChangedSince(all, 'HEAD', dir);
    expect(changed).toEqual([path.join(dir, 'posts/a.md'), path.join(dir, 'posts/c.md')]);
  });

  it('is a usage error outside a repository or with an unknown ref', async () => {
    await expect(filterChangedSince([], 'HEAD', dir)).rejects.toThrow(/--changed-since HEAD: git failed/);
    git('init', '-q');
    await expect(filterChangedSince([], 'nope', dir)).rejects.toBeInstanceOf(UsageError);
  });
});

describe('output and root directories', () => {
  it('writes outputs to out/ next to the post, or mirrored under --out-dir', () => {
    expect(outputBase('/blog/posts/a.md', '/blog')).toBe('/blog/posts/out/a');
    expect(outputBase('/blog/posts/a.md', '/blog', '/tmp/o')).toBe('/tmp/o/posts/a');
    expect(outputBase('/elsewhere/x/b.markdown', '/blog', '/tmp/o')).toBe('/tmp/o/x/b');
  });

  it('bounds image paths by --root-dir, else the working directory, else the post directory', () => {
    expect(rootDirFor('/blog/posts/a.md', '/blog')).toBe('/blog');
    expect(rootDirFor('/other/a.md', '/blog')).toBe('/other');
    expect(rootDirFor('/other/a.md', '/blog', 'site')).toBe('/blog/site');
  });
});
