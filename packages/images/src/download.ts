import got, { CancelError, HTTPError, RequestError } from 'got';
import { DownloadCache } from './download-cache.js';
import { ImageError } from './errors.js';
import { type AllowPrivateHosts, hostGuard, PrivateHostError } from './host-guard.js';
import {
  BROWSER_USER_AGENT,
  DOWNLOAD_DEADLINE_MS,
  DOWNLOAD_MIN_BYTES_PER_SECOND,
  DOWNLOAD_RATE_WINDOW_MS,
  DOWNLOAD_RETRIES,
  DOWNLOAD_TIMEOUT_MS,
  INPUT_MAX_BYTES,
} from './limits.js';

/** Options of {@link downloadImage}. Units: milliseconds and bytes. */
export interface DownloadOptions {
  /** Directory of the on-disk cache; no caching when absent. */
  cacheDir?: string;
  /** Whole-request timeout per attempt (default 30,000 ms), never past `deadlineMs`. */
  timeoutMs?: number;
  /**
   * One deadline for the whole download: every attempt, redirect and retry wait (default 30,000 ms). A URL that
   * never answers costs this long, not `(retries + 1) × timeoutMs`.
   */
  deadlineMs?: number;
  /**
   * Slowest transfer accepted once the answer started, bytes per second, averaged over 5 s windows (default
   * 16,384; 0 turns the check off). A host trickling 1 KB every 100 ms is dropped after 5 s.
   */
  minBytesPerSecond?: number;
  /**
   * Loopback, private, link-local, unique-local, CGNAT and other non-public addresses (IPv4 and IPv6, IPv4-mapped
   * IPv6 included, and DNS names resolving to them) are refused, for the first URL and every redirect, unless
   * allowed here: `true` for all, or a list of `host` / `host:port` entries. Default false, because a Markdown
   * file from an untrusted pull request must not make md2wx fetch internal servers.
   */
  allowPrivateHosts?: AllowPrivateHosts;
  /** Size cap: the download is aborted past this many bytes (default 64 MiB). */
  maxBytes?: number;
  /** Retries after network errors and 408/429/5xx answers (default 2). */
  retries?: number;
  /** First retry delay, doubled each retry, capped at 10 s (default 1,000 ms). */
  retryDelayMs?: number;
  /** The src as written in the Markdown, for error messages (default: the URL). */
  source?: string;
}

/** A downloaded body. `url` is the final URL after redirects. */
export interface Download {
  data: Buffer;
  url: string;
  contentType?: string;
  fromCache: boolean;
}

/** Why a download was cut short by this module (not by the network). */
type Stop = 'overflow' | 'deadline' | 'slow';

/**
 * GET an http(s) image with got: browser-like User-Agent and no Referer (hotlink-protected hosts answer
 * 403 to foreign referers), redirects followed (at most 10), a per-attempt timeout, bounded retries with
 * exponential backoff, one overall deadline, a minimum transfer rate and a size cap. Non-public addresses
 * are refused for the URL and every redirect unless `allowPrivateHosts` says otherwise. With `cacheDir`, bodies
 * are cached by URL and revalidated with If-None-Match / If-Modified-Since; a 304 answers from the cache.
 *
 * @throws ImageError `unreachable` (network error, timeout, deadline, too slow, HTTP status ≥ 400),
 *   `forbidden-host` (a loopback/private/link-local address), `too-large` (over `maxBytes`), `empty` (a 200 with
 *   no body). Messages never quote the body of an answer.
 */
export async function downloadImage(url: string, options: DownloadOptions = {}): Promise<Download> {
  const source = options.source ?? url;
  const label = redact(source);
  const maxBytes = options.maxBytes ?? INPUT_MAX_BYTES;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const deadlineMs = options.deadlineMs ?? DOWNLOAD_DEADLINE_MS;
  const minRate = options.minBytesPerSecond ?? DOWNLOAD_MIN_BYTES_PER_SECOND;
  const guard = hostGuard(options.allowPrivateHosts);
  try {
    guard?.checkUrl(new URL(url));
  } catch (error) {
    throw downloadError(error, source, label, url, maxBytes, undefined, deadlineMs);
  }
  const cache = options.cacheDir ? new DownloadCache(options.cacheDir) : undefined;
  const cached = await cache?.get(url);

  const headers: Record<string, string> = {
    'user-agent': BROWSER_USER_AGENT,
    accept: 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8',
  };
  if (cached?.meta.etag) headers['if-none-match'] = cached.meta.etag;
  if (cached?.meta.lastModified) headers['if-modified-since'] = cached.meta.lastModified;

  const started = Date.now();
  let stop: Stop | undefined;
  const request = got(url, {
    responseType: 'buffer',
    headers,
    timeout: { request: Math.min(options.timeoutMs ?? DOWNLOAD_TIMEOUT_MS, deadlineMs) },
    followRedirect: true,
    maxRedirects: 10,
    ...(guard
      ? {
          dnsLookup: guard.lookup,
          hooks: {
            beforeRedirect: [(next: { url?: URL | string }) => guard.checkUrl(new URL(String(next.url)))],
          },
        }
      : {}),
    retry: {
      limit: options.retries ?? DOWNLOAD_RETRIES,
      methods: ['GET'],
      calculateDelay: ({ attemptCount, computedValue, error }) => {
        if (computedValue === 0 || stop !== undefined || error.code === 'ERR_MD2WX_PRIVATE_HOST') return 0;
        const delay = Math.min(retryDelayMs * 2 ** (attemptCount - 1), 10_000);
        // No retry that could not finish before the deadline.
        return Date.now() + delay < started + deadlineMs - 100 ? delay : 0;
      },
    },
  });
  const cut = (why: Stop) => {
    stop ??= why;
    request.cancel();
  };
  const deadline = setTimeout(() => cut('deadline'), deadlineMs);
  // Transfer rate: bytes of the current attempt over the last window, once its answer started.
  let windowStart = 0;
  let windowBytes = 0;
  let transferred = 0;
  request.on('downloadProgress', (progress) => {
    if (progress.transferred > maxBytes || (progress.total !== undefined && progress.total > maxBytes)) {
      cut('overflow');
      return;
    }
    if (windowStart === 0 || progress.transferred < transferred) {
      windowStart = Date.now();
      windowBytes = progress.transferred;
    }
    transferred = progress.transferred;
  });
  const rateCheck =
    minRate > 0
      ? setInterval(() => {
          if (windowStart === 0) return;
          const elapsed = Date.now() - windowStart;
          if (elapsed < DOWNLOAD_RATE_WINDOW_MS) return;
          if (((transferred - windowBytes) * 1000) / elapsed < minRate) cut('slow');
          windowStart = Date.now();
          windowBytes = transferred;
        }, 250)
      : undefined;

  let response: Awaited<typeof request>;
  try {
    response = await request;
  } catch (error) {
    throw downloadError(error, source, label, url, maxBytes, stop, deadlineMs, minRate);
  } finally {
    clearTimeout(deadline);
    if (rateCheck) clearInterval(rateCheck);
  }

  const contentType = response.headers['content-type'];
  if (response.statusCode === 304 && cached) {
    return {
      data: cached.data,
      url: response.url,
      contentType: cached.meta.contentType ?? contentType,
      fromCache: true,
    };
  }
  const data = response.body;
  if (data.length === 0) {
    throw new ImageError(
      'empty',
      source,
      `${redact(url)} answered HTTP ${response.statusCode} with an empty body. Check the URL in a browser.`,
      {
        label,
      },
    );
  }
  if (cache) {
    const etag = response.headers.etag;
    const lastModified = response.headers['last-modified'];
    await cache.set(url, data, {
      ...(etag ? { etag } : {}),
      ...(lastModified ? { lastModified } : {}),
      ...(contentType ? { contentType } : {}),
    });
  }
  return { data, url: response.url, ...(contentType ? { contentType } : {}), fromCache: false };
}

function downloadError(
  error: unknown,
  source: string,
  label: string,
  url: string,
  maxBytes: number,
  stop: Stop | undefined,
  deadlineMs: number,
  minRate = 0,
): ImageError {
  const where = redact(url);
  const privateHost =
    error instanceof PrivateHostError
      ? error
      : (error as { cause?: unknown })?.cause instanceof PrivateHostError
        ? ((error as { cause: PrivateHostError }).cause as PrivateHostError)
        : undefined;
  if (privateHost) {
    return new ImageError(
      'forbidden-host',
      source,
      `download from ${where} refused: ${privateHost.message}. md2wx fetches images from public addresses only, so an article cannot make it reach internal servers. If you trust this host, allow it (allowPrivateHosts; CLI --allow-private-hosts) or save the image next to the Markdown file.`,
      { cause: error, label },
    );
  }
  if (stop === 'deadline') {
    return new ImageError(
      'unreachable',
      source,
      `download from ${where} did not finish within its ${deadlineMs} ms deadline (all attempts together). Check the URL, or use a local copy of the image.`,
      { cause: error, label },
    );
  }
  if (stop === 'slow') {
    return new ImageError(
      'unreachable',
      source,
      `download from ${where} was slower than ${minRate} bytes/s; dropped. Try again later, or use a local copy of the image.`,
      { cause: error, label },
    );
  }
  if (stop === 'overflow' || error instanceof CancelError) {
    return new ImageError(
      'too-large',
      source,
      `download from ${where} is larger than the ${maxBytes}-byte cap. Download and shrink the image yourself, or raise maxBytes.`,
      { cause: error, label },
    );
  }
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    const hint =
      status === 403
        ? 'The host refuses the download (hotlink protection or a private file): save the image next to the Markdown file and link it locally.'
        : status === 404 || status === 410
          ? 'The image is gone: fix the link or use a local copy.'
          : 'Try again later, or use a local copy of the image.';
    // The ImageError's prefix names the source already: the URL is not repeated here.
    return new ImageError('unreachable', source, `answered HTTP ${status}. ${hint}`, {
      cause: error,
      label,
    });
  }
  if (error instanceof RequestError) {
    const what = error.code === 'ETIMEDOUT' ? 'timed out' : `failed (${error.code || error.message})`;
    return new ImageError(
      'unreachable',
      source,
      `download from ${where} ${what}. Check the network and the URL, or use a local copy of the image.`,
      { cause: error, label },
    );
  }
  return new ImageError('unreachable', source, `download from ${where} failed: ${String(error)}`, {
    cause: error,
    label,
  });
}

/** Origin and path only: query strings of image URLs often carry signatures or tokens. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return url.replace(/\?.*$/, '?…');
  }
}
