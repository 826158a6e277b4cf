import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { downloadImage } from './download.js';
import { ImageError } from './errors.js';
import type { AllowPrivateHosts } from './host-guard.js';
import { INPUT_MAX_BYTES } from './limits.js';
import { resolveLocalPath } from './local-path.js';
import { isWechatImageUrl } from './wechat-url.js';

/** Where an image comes from, as written in Markdown (`src`), and its bytes when there is work to do. */
export interface ResolvedImage {
  /** The src as given. */
  src: string;
  /** `file` (local path or file: URL), `http` (downloaded), `data` (data: URI), `wechat` (already on mmbiz.qpic.cn). */
  kind: 'file' | 'http' | 'data' | 'wechat';
  /** The bytes; absent for `wechat`. */
  data?: Buffer;
  /** Absolute real path for `file`. */
  path?: string;
  /** Final URL after redirects for `http`; the URL itself for `wechat`. */
  url?: string;
  /** Hex SHA-256 of `data`. */
  sha256?: string;
  /** For `http`: true when the bytes came from the disk cache after a 304. */
  fromCache?: boolean;
}

/** Options of {@link resolveImage}. Units: milliseconds and bytes. */
export interface ResolveOptions {
  /** Directory of the Markdown file: relative paths resolve against it. */
  baseDir: string;
  /** Project root: local files must lie inside it (default `baseDir`); site-absolute `/x.png` resolves here. */
  rootDir?: string;
  /** Allow local files outside `rootDir` (default false: an article must not publish `../../.ssh/id_rsa.png`). */
  allowOutsideRoot?: boolean;
  /** Disk cache for downloads, revalidated with ETag/Last-Modified. */
  cacheDir?: string;
  /** Download timeout per attempt (default 30,000 ms). */
  timeoutMs?: number;
  /** Largest input in bytes from any source (default 64 MiB). */
  maxBytes?: number;
  /** Download retries (default 2). */
  retries?: number;
  /** First download retry delay (default 1,000 ms). */
  retryDelayMs?: number;
  /** One deadline per download, all attempts together (default 30,000 ms); see `DownloadOptions.deadlineMs`. */
  deadlineMs?: number;
  /** Slowest accepted download, bytes per second (default 16,384; 0 = off). */
  minBytesPerSecond?: number;
  /**
   * Let downloads reach loopback/private/link-local addresses: `true`, or a list of `host` / `host:port`
   * (default false: refused with ImageError `forbidden-host`). See `DownloadOptions.allowPrivateHosts`.
   */
  allowPrivateHosts?: AllowPrivateHosts;
}

/**
 * Turn a Markdown image `src` into bytes: local paths relative to `baseDir` (URL-encoded, CJK, spaces,
 * `|`, backslashes), `file:` URLs, `http(s)` and protocol-relative `//host/x` URLs (downloaded with got,
 * cached), `data:` URIs. URLs on WeChat's CDN (`mmbiz.qpic.cn`) come back as `kind: 'wechat'` with no data.
 * Only http, https, file and data schemes are accepted.
 *
 * @throws ImageError `unsupported-scheme`, `not-found`, `forbidden-path`, `forbidden-host`, `unreachable`,
 *   `too-large`, `empty`, `corrupt` (a malformed data: URI).
 */
export async function resolveImage(src: string, options: ResolveOptions): Promise<ResolvedImage> {
  const text = src.trim();
  const maxBytes = options.maxBytes ?? INPUT_MAX_BYTES;
  if (text === '') throw new ImageError('not-found', src, 'the image src is empty. Give a path or URL.');

  const url = text.startsWith('//') ? `https:${text}` : text;
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url)?.[1]?.toLowerCase();

  if (scheme === 'http' || scheme === 'https') {
    if (isWechatImageUrl(url)) return { src, kind: 'wechat', url };
    const download = await downloadImage(url, {
      source: src,
      maxBytes,
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
      ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}),
      ...(options.minBytesPerSecond !== undefined ? { minBytesPerSecond: options.minBytesPerSecond } : {}),
      ...(options.allowPrivateHosts !== undefined ? { allowPrivateHosts: options.allowPrivateHosts } : {}),
    });
    return withHash({
      src,
      kind: 'http',
      data: download.data,
      url: download.url,
      fromCache: download.fromCache,
    });
  }
  if (scheme === 'data') {
    return withHash({ src, kind: 'data', data: await readDataUri(text, src, maxBytes) });
  }
  if (scheme === 'file') {
    let file: string;
    try {
      file = fileURLToPath(text);
    } catch (error) {
      throw new ImageError('not-found', src, `not a valid file: URL (${String(error)}).`, { cause: error });
    }
    // A file: URL names a real absolute path: no site-absolute reading, no second URL-decoding.
    return readLocal(src, file, { ...options, exactPath: true }, maxBytes);
  }
  // A single letter before ':' is a Windows drive (C:\x.png), not a scheme.
  if (scheme !== undefined) {
    throw new ImageError(
      'unsupported-scheme',
      src,
      `the "${scheme}:" scheme is not supported. Use a local path or an http(s), file: or data: URL.`,
    );
  }
  return readLocal(src, text, options, maxBytes);
}

async function readLocal(
  src: string,
  file: string,
  options: ResolveOptions & { exactPath?: boolean },
  maxBytes: number,
): Promise<ResolvedImage> {
  const real = await resolveLocalPath(file, options);
  const info = await stat(real);
  if (info.size > maxBytes) {
    throw new ImageError(
      'too-large',
      src,
      `${real} is ${info.size} bytes, over the ${maxBytes}-byte input cap. Shrink it first.`,
    );
  }
  if (info.size === 0) {
    throw new ImageError('empty', src, `${real} is an empty (0-byte) file. Replace it with the real image.`);
  }
  return withHash({ src, kind: 'file', data: await readFile(real), path: real });
}

async function readDataUri(uri: string, src: string, maxBytes: number): Promise<Buffer> {
  // base64 grows 4/3: reject before decoding a huge string.
  if ((uri.length * 3) / 4 > maxBytes * 1.01 + 1024) {
    throw new ImageError(
      'too-large',
      src,
      `data: URI is over the ${maxBytes}-byte input cap. Link a file instead.`,
      { label: dataLabel(src) },
    );
  }
  const label = dataLabel(src);
  let data: Buffer;
  try {
    // Node's fetch (undici) implements the WHATWG data: URL parser, base64 and percent-encoded alike.
    const response = await fetch(uri);
    data = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new ImageError('corrupt', src, 'malformed data: URI. Re-export the image or link a file instead.', {
      cause: error,
      label,
    });
  }
  if (data.length === 0) throw new ImageError('empty', src, 'the data: URI holds no bytes.', { label });
  return data;
}

/** Data URIs can be megabytes long: messages show their start only. */
function dataLabel(src: string): string {
  return src.length > 48 ? `${src.slice(0, 48)}…` : src;
}

function withHash(image: ResolvedImage): ResolvedImage {
  if (image.data) image.sha256 = createHash('sha256').update(image.data).digest('hex');
  return image;
}
