/**
 * Posts that are not files in the project: `-` (Markdown on stdin) and `https://…/post.md` (downloaded with its
 * relative images). Each becomes a local Markdown file under the cache directory, its image links rewritten to
 * point at local files, so the rest of the pipeline treats it like any other post.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './errors.js';
import { loadImages } from './modules.js';
import { writeFileAtomic } from '@md2wx/publish/flow';

/** True for the post arguments this module handles. */
export function isPostSource(arg: string): boolean {
  return arg === '-' || /^https?:\/\//i.test(arg);
}

/** Markdown image links `![alt](src "title")` and HTML `<img src="…">`: the src as written. */
const IMAGE_SRC = [
  /!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g,
  /<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']/gi,
];

function imageSources(markdown: string): string[] {
  const found = new Set<string>();
  for (const pattern of IMAGE_SRC) for (const m of markdown.matchAll(pattern)) if (m[1]) found.add(m[1]);
  return [...found];
}

/** A link with a scheme (`https:`, `data:`) or protocol-relative: not a file next to the post. */
const EXTERNAL = /^([a-z][a-z0-9+.-]*:|\/\/)/i;

/** Replaces every occurrence of the link target `from` (inside `(…)` or `src="…"`) with `to`. */
function relink(markdown: string, from: string, to: string): string {
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return markdown
    .replace(new RegExp(`(\\]\\(\\s*<?)${escaped}(?=[>)\\s])`, 'g'), `$1${to}`)
    .replace(new RegExp(`(\\bsrc\\s*=\\s*["'])${escaped}(?=["'])`, 'gi'), `$1${to}`);
}

const posix = (p: string) => p.split(path.sep).join('/');

/**
 * Markdown from stdin, written to `<cacheDir>/stdin/stdin-<sha256 prefix>.md`: relative image paths are
 * resolved against `rootDir` (`--root-dir`, default the working directory) and rewritten relative to that file.
 * The name follows the content, so the same post piped twice updates one draft; give the post a `wechat_id:` to
 * keep its draft across edits.
 * @throws UsageError when stdin is a terminal or empty.
 */
export async function postFromStdin(
  stdin: NodeJS.ReadableStream & { isTTY?: boolean },
  options: { cacheDir: string; rootDir: string },
): Promise<string> {
  if (stdin.isTTY)
    throw new UsageError('md2wx -: pipe the Markdown in (cat post.md | md2wx - --root-dir site)');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  let markdown = Buffer.concat(chunks).toString('utf8');
  if (markdown.trim() === '') throw new UsageError('md2wx -: stdin is empty');
  const name = `stdin-${createHash('sha256').update(markdown).digest('hex').slice(0, 12)}.md`;
  const dir = path.join(options.cacheDir, 'stdin');
  for (const src of imageSources(markdown)) {
    if (EXTERNAL.test(src) || src.startsWith('/')) continue;
    const target = path.resolve(options.rootDir, decodeURI(src.split(/[?#]/)[0] as string));
    markdown = relink(markdown, src, encodeURI(posix(path.relative(dir, target))));
  }
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFileAtomic(file, markdown);
  return file;
}

/**
 * Downloads the post at `url` and every image it links on the same site (relative or `/absolute` paths) into
 * `<cacheDir>/remote/<host>/<path>`, through @md2wx/images' downloader (timeouts, retries, size cap), and
 * rewrites those links to the local copies. Images on other hosts stay URLs (the pipeline downloads them).
 * `allowPrivateHosts` as @md2wx/images' (loopback and private addresses are refused by default).
 * @throws ImageError (exit 1) when the post or an image cannot be downloaded, naming its URL.
 */
export async function postFromUrl(
  url: string,
  options: { cacheDir: string; allowPrivateHosts?: boolean | string[] },
): Promise<string> {
  const images = await loadImages();
  const base = new URL(url);
  const mirror = path.join(options.cacheDir, 'remote', base.host.replace(/[^\w.-]/g, '_'));
  const local = (u: URL) => {
    const parts = decodeURIComponent(u.pathname)
      .split('/')
      .filter((p) => p && p !== '.' && p !== '..');
    return path.join(mirror, ...parts);
  };
  // The same private-address guard as images: a post URL must not reach internal servers either.
  const guard =
    options.allowPrivateHosts === undefined ? {} : { allowPrivateHosts: options.allowPrivateHosts };
  const post = await images.downloadImage(url, { source: url, ...guard });
  let markdown = post.data.toString('utf8');
  let file = local(base);
  if (!/\.(md|markdown|mdx)$/i.test(file)) file = `${file.replace(/\/$/, '')}/index.md`;
  for (const src of imageSources(markdown)) {
    if (EXTERNAL.test(src)) continue;
    const imageUrl = new URL(src, base);
    const target = local(imageUrl);
    const image = await images.downloadImage(imageUrl.href, { source: imageUrl.href, ...guard });
    await mkdir(path.dirname(target), { recursive: true });
    await writeFileAtomic(target, image.data);
    markdown = relink(markdown, src, encodeURI(posix(path.relative(path.dirname(file), target))));
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, markdown);
  return file;
}
