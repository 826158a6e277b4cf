import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ImageError } from './errors.js';

/**
 * Find the file a Markdown image `src` names, trying in order: the text as written, URL-decoded
 * (`my%20pic.png`, `%E5%9B%BE.png`), with backslashes as separators (`images\a.png`), and without a
 * `?query`/`#fragment`. A leading `/` is site-absolute first (joined to `rootDir`), then a real absolute path.
 * The file's real path (symlinks followed) must lie inside `rootDir` unless `allowOutsideRoot`.
 * With `exactPath` (a path from a file: URL) only `src` itself is tried.
 *
 * @returns the absolute real path of the file.
 * @throws ImageError `not-found` (no candidate exists or it is not a file), `forbidden-path` (outside the root).
 */
export async function resolveLocalPath(
  src: string,
  options: { baseDir: string; rootDir?: string; allowOutsideRoot?: boolean; exactPath?: boolean },
): Promise<string> {
  const baseDir = path.resolve(options.baseDir);
  const rootDir = path.resolve(options.rootDir ?? baseDir);
  const tried: string[] = [];
  for (const candidate of options.exactPath ? [src] : spellings(src)) {
    const places = options.exactPath
      ? [path.resolve(baseDir, candidate)]
      : path.isAbsolute(candidate)
        ? [path.join(rootDir, candidate), candidate]
        : [path.resolve(baseDir, candidate)];
    for (const place of places) {
      if (tried.includes(place)) continue;
      tried.push(place);
      const info = await stat(place).catch(() => undefined);
      if (!info) continue;
      if (!info.isFile()) {
        throw new ImageError('not-found', src, `${place} is not a file. Link an image file.`);
      }
      const real = await realpath(place);
      if (!options.allowOutsideRoot && !isInside(real, await realpath(rootDir).catch(() => rootDir))) {
        throw new ImageError(
          'forbidden-path',
          src,
          `${real} is outside the project root ${rootDir}; refusing to publish it. Move the image into the project, or allow files outside the root explicitly.`,
        );
      }
      return real;
    }
  }
  throw new ImageError(
    'not-found',
    src,
    `no such file (looked for ${tried[0] ?? src}${tried.length > 1 ? ` and ${tried.length - 1} other spelling(s)` : ''}). ${
      src.startsWith('/') && !options.exactPath
        ? `A path starting with / is site-absolute: it is looked up under the project root ${rootDir} (set it with --root-dir / rootDir), then as an absolute path.`
        : `Fix the path; it is relative to the Markdown file's folder ${baseDir}.`
    }`,
  );
}

function spellings(src: string): string[] {
  const out: string[] = [];
  const add = (value: string | undefined) => {
    if (value && !out.includes(value)) out.push(value);
  };
  const bare = src.replace(/[?#].*$/, '');
  for (const base of [src, bare]) {
    add(base);
    add(safeDecode(base));
    add(base.replace(/\\/g, '/'));
    add(safeDecode(base.replace(/\\/g, '/')));
  }
  return out;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return (
    relative !== '' &&
    !relative.startsWith(`..${path.sep}`) &&
    relative !== '..' &&
    !path.isAbsolute(relative)
  );
}
