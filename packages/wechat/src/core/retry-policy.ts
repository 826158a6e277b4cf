import { RequestError } from 'got';

/**
 * How a failed attempt of a call may be repeated (README "Retries",
 * https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html, and the retry
 * behaviour of wechatpy's `wechatpy/client/base.py`: refresh the token once, never hammer a quota).
 *
 * - `'repeatable'`: running it twice leaves WeChat, as far as the caller can see, as running it once — reads,
 *   token and ticket fetches, updates and deletes, and body-image uploads that only hand back another URL
 *   (`media/uploadimg`). Repeated after any network error, HTTP 5xx, errcode -1 and 45011.
 * - `'create'`: every run creates something — a draft, a publish job, a permanent material, a legacy news item,
 *   a temporary media_id, a message, an upload job. Repeated after errcode -1 and 45011 (WeChat answered that it
 *   did not do it) and after network errors that prove the request never reached WeChat whole (see
 *   `neverReachedServer`); NOT after a drop or timeout once the request was sent, nor after HTTP 5xx: a repeat
 *   could leave two drafts in the draft box or send a message twice.
 */
export type RetryPolicy = 'repeatable' | 'create';

/**
 * Paths (below the base URL) whose calls create something each time they run, each with where to look before
 * calling again when an attempt may have been carried out (the `WechatNetworkError` message quotes it).
 */
export const CREATE_ENDPOINTS: ReadonlyMap<string, string> = new Map([
  [
    '/cgi-bin/draft/add',
    'Check the draft box (草稿箱 in mp.weixin.qq.com, or listDrafts/countDrafts) for the new draft before adding it again',
  ],
  [
    '/cgi-bin/freepublish/submit',
    'Check the publish records (发表记录 in mp.weixin.qq.com, or listPublished) before submitting the draft again',
  ],
  [
    '/cgi-bin/material/add_material',
    'Check the material library (素材库, or listMaterials/getMaterialCount) before uploading it again',
  ],
  [
    '/cgi-bin/material/add_news',
    'Check the material library (素材库) for the news item before adding it again',
  ],
  [
    '/cgi-bin/media/upload',
    'A temporary media_id may have been created (it expires unused after 3 days); upload again only if you need the media_id',
  ],
  [
    '/cgi-bin/message/send',
    'The message may have been delivered: ask a recipient before sending again, or send with enable_duplicate_check: 1',
  ],
  [
    '/cgi-bin/media/upload_by_url',
    'An upload job may have started: WeCom notifies the callback URL when it finishes; start another only if none arrives',
  ],
]);

/** The policy of `path` (e.g. `/cgi-bin/draft/add` → 'create'); every path not listed is 'repeatable'. */
export function retryPolicyFor(path: string): RetryPolicy {
  return CREATE_ENDPOINTS.has(path) ? 'create' : 'repeatable';
}

/** What to check before calling `path` again after an ambiguous failure (see `CREATE_ENDPOINTS`). */
export function ambiguityAdvice(path: string): string {
  return (
    CREATE_ENDPOINTS.get(path) ??
    'Check (e.g. list drafts or materials) whether it was carried out before calling again'
  );
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
