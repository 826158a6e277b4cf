import got, { CancelError, HTTPError, RequestError } from 'got';
import { DownloadCache } from './download-cache.js';
import { ImageError } from './errors.js';
import { BROWSER_USER_AGENT, DOWNLOAD_RETRIES, DOWNLOAD_TIMEOUT_MS, INPUT_MAX_BYTES } from './limits.js';

/** Options of {@link downloadImage}. Units: milliseconds and bytes. */
export interface DownloadOptions {
  /** Directory of the on-disk cache; no caching when absent. */
  cacheDir?: string;
  /** Whole-request timeout per attempt (default 30,000 ms). */
  timeoutMs?: number;
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

/**
 * GET an http(s) image with got: browser-like User-Agent and no Referer (hotlink-protected hosts answer
 * 403 to foreign referers), redirects followed (at most 10), a per-attempt timeout, bounded retries with
 * exponential backoff and a size cap. With `cacheDir`, bodies are cached by URL and revalidated with
 * If-None-Match / If-Modified-Since; a 304 answers from the cache.
 *
 * @throws ImageError `unreachable` (network error, timeout, HTTP status ≥ 400), `too-large` (over `maxBytes`),
 *   `empty` (a 200 with no body).
 */
export async function downloadImage(url: string, options: DownloadOptions = {}): Promise<Download> {
  const source = options.source ?? url;
  const label = redact(source);
  const maxBytes = options.maxBytes ?? INPUT_MAX_BYTES;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const cache = options.cacheDir ? new DownloadCache(options.cacheDir) : undefined;
  const cached = await cache?.get(url);

  const headers: Record<string, string> = {
    'user-agent': BROWSER_USER_AGENT,
    accept: 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8',
  };
  if (cached?.meta.etag) headers['if-none-match'] = cached.meta.etag;
  if (cached?.meta.lastModified) headers['if-modified-since'] = cached.meta.lastModified;

  const request = got(url, {
    responseType: 'buffer',
    headers,
    timeout: { request: options.timeoutMs ?? DOWNLOAD_TIMEOUT_MS },
    followRedirect: true,
    maxRedirects: 10,
    retry: {
      limit: options.retries ?? DOWNLOAD_RETRIES,
      methods: ['GET'],
      calculateDelay: ({ attemptCount, computedValue }) =>
        computedValue === 0 ? 0 : Math.min(retryDelayMs * 2 ** (attemptCount - 1), 10_000),
    },
  });
  let overflow = false;
  request.on('downloadProgress', (progress) => {
    if (progress.transferred > maxBytes || (progress.total !== undefined && progress.total > maxBytes)) {
      overflow = true;
      request.cancel();
    }
  });

  let response: Awaited<typeof request>;
  try {
    response = await request;
  } catch (error) {
    throw downloadError(error, source, label, url, maxBytes, overflow);
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
  overflow: boolean,
): ImageError {
  const where = redact(url);
  if (overflow || error instanceof CancelError) {
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
