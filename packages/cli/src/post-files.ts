/**
 * Which posts a run handles: file arguments and globs (`'posts/**\/*.md'`, quoted so the shell leaves them
 * alone), optionally narrowed to the files changed since a git ref (`--changed-since`).
 */
import { execFile } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from './errors.js';

const run = promisify(execFile);
const GLOB_CHARS = /[*?[\]{}!]/;

/**
 * Expands `patterns` (files or globs, relative to `cwd`) to absolute Markdown paths, in argument order (the
 * first post is a `--bundle`'s headline article): a file stays where it was given, a glob or directory gives
 * its matches sorted; a post given twice keeps its first place.
 * A glob (or directory) matching nothing is a usage error like a missing file: a typo must not look like "no
 * post to process". `allowEmptyGlobs` (`--changed-since` in CI, where an empty folder is normal) lets it pass.
 * @throws UsageError naming a missing file or a glob that matches nothing, or when no pattern is given.
 */
export async function expandPosts(
  patterns: string[],
  cwd: string,
  options: { allowEmptyGlobs?: boolean } = {},
): Promise<string[]> {
  if (patterns.length === 0) throw new UsageError('no post given: md2wx <post.md…> (see md2wx --help)');
  const files = new Set<string>();
  for (const pattern of patterns) {
    const absolute = path.resolve(cwd, pattern);
    let glob: string | undefined;
    if (existsSync(absolute) && statSync(absolute).isFile()) {
      files.add(absolute);
    } else if (existsSync(absolute) && statSync(absolute).isDirectory()) {
      glob = `${path.relative(cwd, absolute).split(path.sep).join('/') || '.'}/**/*.{md,markdown}`;
    } else if (GLOB_CHARS.test(pattern)) {
      glob = pattern;
    } else {
      throw new UsageError(`no such file: ${pattern}`);
    }
    if (glob) {
      const { glob: expand } = await import('tinyglobby');
      const found = await expand([glob], {
        cwd,
        absolute: true,
        ignore: ['**/node_modules/**', '**/.git/**'],
      });
      // A typo in a glob must not pass for "nothing to do"; --changed-since narrows afterwards and may be empty.
      if (found.length === 0 && !options.allowEmptyGlobs)
        throw new UsageError(`no Markdown file matches ${glob} (in ${cwd})`);
      for (const file of found.map((f) => path.resolve(f)).sort()) files.add(file);
    }
  }
  return [...files];
}

/**
 * Keeps the posts changed (added, copied, modified or renamed) between `ref` and the work tree, plus untracked
 * ones, using git in `cwd`.
 * @throws UsageError when git fails (not a repository, unknown ref), with git's message.
 */
export async function filterChangedSince(posts: string[], ref: string, cwd: string): Promise<string[]> {
  let top: string;
  let changed: string[];
  try {
    top = (await run('git', ['rev-parse', '--show-toplevel'], { cwd })).stdout.trim();
    const diff = await run('git', ['diff', '--name-only', '--diff-filter=ACMR', '-z', ref, '--'], {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
    });
    const untracked = await run('git', ['ls-files', '--others', '--exclude-standard', '-z'], {
      cwd: top,
      maxBuffer: 64 * 1024 * 1024,
    });
    changed = [...diff.stdout.split('\0'), ...untracked.stdout.split('\0')].filter(Boolean);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new UsageError(`--changed-since ${ref}: git failed: ${stderr || (error as Error).message}`);
  }
  const changedSet = new Set(changed.map((file) => path.resolve(top, file)));
  // git answers real paths; a post reached through a symlinked directory (/tmp on macOS) must still match.
  return posts.filter(
    (post) => changedSet.has(post) || (existsSync(post) && changedSet.has(realpathSync(post))),
  );
}
