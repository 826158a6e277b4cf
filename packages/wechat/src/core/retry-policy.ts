import { RequestError } from 'got';

/**
 * How a failed attempt of a call may be repeated (README "Retries", wechat-api.md §1.6 and the Retry column of §4).
 *
 * - `'repeatable'`: running it twice leaves WeChat, as far as the caller can see, as running it once — reads,
 *   token and ticket fetches, updates and deletes, and uploads that only hand back another URL or temporary
 *   media_id without listing anything (`media/uploadimg`, `media/upload`). Repeated after any network error,
 *   HTTP 5xx, errcode -1 and 45011.
 * - `'create'`: every run creates something the caller would see twice — a draft, a publish job, a permanent
 *   material, a legacy news item, a message, an upload job. Repeated after errcode -1 and 45011 (WeChat answered
 *   that it did not do it) and after network errors that prove the request never reached WeChat whole (see
 *   `neverReachedServer`); NOT after a drop or timeout once the request was sent, nor after HTTP 5xx.
 */
export type RetryPolicy = 'repeatable' | 'create';

/** Paths (below the base URL) whose calls create something each time they run. */
export const CREATE_ENDPOINTS: ReadonlySet<string> = new Set([
  '/cgi-bin/draft/add',
  '/cgi-bin/freepublish/submit',
  '/cgi-bin/material/add_material',
  '/cgi-bin/material/add_news',
  '/cgi-bin/message/send',
  '/cgi-bin/media/upload_by_url',
]);

/** The policy of `path` (e.g. `/cgi-bin/draft/add` → 'create'); every path not listed is 'repeatable'. */
export function retryPolicyFor(path: string): RetryPolicy {
  return CREATE_ENDPOINTS.has(path) ? 'create' : 'repeatable';
}

/** Error codes raised before a connection exists: nothing was sent. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

/**
 * True when `error` (from got) proves the server cannot have acted on the request: no connection was made
 * (refused, DNS failure, unreachable, or no `connect` time), or the request body was never completely handed to
 * the socket (got's `timings.upload` is set on the request's 'finish'), so the server never had a whole request.
 * False for anything after the request was sent (reset, timeout waiting for the answer, socket hang up).
 */
export function neverReachedServer(error: unknown): boolean {
  if (!(error instanceof RequestError)) return false;
  if (NOT_CONNECTED.has(error.code)) return true;
  const timings = error.timings;
  if (!timings) return false;
  return timings.connect === undefined || timings.upload === undefined;
}
