import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: packages/testkit/src → three levels up. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Where the shared corpus is: `MD2WX_CORPUS` (absolute, or relative to the repository root),
 * else `../shared/corpus` beside the repository.
 */
export function corpusDir(): string {
  const configured = process.env.MD2WX_CORPUS;
  return configured ? path.resolve(repoRoot, configured) : path.resolve(repoRoot, '../shared/corpus');
}

/** True when the corpus directory exists and holds its MANIFEST.md. */
export function hasCorpus(): boolean {
  const dir = corpusDir();
  return existsSync(dir) && statSync(dir).isDirectory() && existsSync(path.join(dir, 'MANIFEST.md'));
}

let warned = false;

/**
 * Decide whether corpus-backed tests run. Returns true when the corpus is there. When it is absent:
 * with `MD2WX_REQUIRE_CORPUS=1` (set by `.ci/run`) it throws, so CI never skips silently; otherwise it
 * prints one visible notice and returns false so callers can `describe.skipIf(!requireCorpus())`.
 */
export function requireCorpus(): boolean {
  if (hasCorpus()) return true;
  const message = `md2wx: corpus not found at ${corpusDir()} — corpus tests are SKIPPED. Set MD2WX_CORPUS to the shared corpus directory.`;
  if (process.env.MD2WX_REQUIRE_CORPUS === '1') {
    throw new Error(`${message} (MD2WX_REQUIRE_CORPUS=1 makes this a failure)`);
  }
  if (!warned) {
    warned = true;
    console.warn(`\n⚠ ${message}\n`);
  }
  return false;
}

/**
 * Absolute path of a corpus file, e.g. `corpusPath('images/photos/nikon-d3100.jpg')`.
 * @throws Error when the file does not exist (a typo in a test must fail, not skip).
 */
export function corpusPath(relative: string): string {
  const file = path.join(corpusDir(), relative);
  if (!existsSync(file)) throw new Error(`corpus file not found: ${relative} (looked in ${corpusDir()})`);
  return file;
}
