/**
 * Drafts that are never lost or duplicated: create-or-update one post's (or one bundle's) draft so that
 * whatever fails midway — a lost answer, a killed process, a lost state file, another process on the same
 * post — the draft box ends with exactly one draft for it.
 *
 * How a post is recognised in the draft box: a hidden marker in its content, `data-md2wx-post="<id>"` on the
 * article's first element, `<id>` = the first 20 hex digits of sha256(appId + "\n" + state key). Chosen over a
 * key in `content_source_url`'s fragment because that field is the post's "阅读原文" link: setting it on every
 * article would show readers a link the author never asked for, and it is limited to 1 KB. WeChat keeps
 * `data-*` attributes in article content (wechat-html.md §3 "data-*: Kept" [OBS]), and the sandbox does too.
 * The id is a hash so that repository paths do not show in the article's source.
 *
 * Lookup (`findDraft`) pages `draft/batchget` with `no_content=1` (small answers) newest first, matches the
 * articles' titles, and confirms each candidate's markers with `draft/get`. It runs only before a draft/add —
 * when the state file has no entry for the post, its draft is gone, or an add's answer was lost — never
 * before a draft/update, so an unchanged post costs no lookup (README "Drafts are never duplicated").
 */
import { createHash } from 'node:crypto';
import type { DraftArticle, OfficialAccountClient } from '@md2wx/wechat';
import { isWechatError } from './errors.js';
import type { DraftState } from './state.js';

/** Pages of 20 drafts `findDraft` reads at most: the newest 200 drafts (§2.12: batchget count 1..20). */
export const RECONCILE_MAX_PAGES = 10;

/** draft/add attempts per upsert when answers are lost (each one after a lookup that found nothing). */
const MAX_ADD_ATTEMPTS = 3;

/** errcodes meaning "that draft is gone" (deleted or published in WeChat): re-create it. */
const DRAFT_GONE = new Set([40007, 40114, 53600]);

/** The attribute carrying a post's marker. */
export const MARKER_ATTRIBUTE = 'data-md2wx-post';

/** A post's marker id (20 hex digits) for `account` (appId) and state `key`. */
export function markerFor(account: string, key: string): string {
  return createHash('sha256').update(`${account}\n${key}`).digest('hex').slice(0, 20);
}

/**
 * `html` with `data-md2wx-post="<marker>"` on its first element (an existing marker replaced); HTML that
 * starts with text is wrapped in a `<section>`.
 */
export function withMarker(html: string, marker: string): string {
  const attribute = `${MARKER_ATTRIBUTE}="${marker}"`;
  const unmarked = html.replace(new RegExp(`\\s${MARKER_ATTRIBUTE}="[0-9a-f]*"`, 'g'), '');
  const first = /^(\s*<[a-zA-Z][a-zA-Z0-9-]*)(?=[\s>/])/.exec(unmarked);
  if (!first) return `<section ${attribute}>${unmarked}</section>`;
  return `${first[1]} ${attribute}${unmarked.slice(first[0].length)}`;
}

/** True when the HTML carries `marker`. */
export function hasMarker(html: string, marker: string): boolean {
  return html.includes(`${MARKER_ATTRIBUTE}="${marker}"`);
}

/** What `findDraft` did: the draft found, and the requests it cost. */
export interface DraftLookup {
  media_id?: string;
  /** draft/batchget pages read. */
  pages: number;
  /** draft/get calls made to confirm candidates. */
  gets: number;
}

/**
 * Looks for the draft holding `articles` (each carrying its marker, in order) in the newest
 * `maxPages` × 20 drafts: batchget with no_content, titles compared, markers confirmed with draft/get.
 * @throws WechatApiError / WechatNetworkError from the calls (the caller then cannot know; it must not add).
 * https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_batchget.html
 */
export async function findDraft(
  client: OfficialAccountClient,
  articles: readonly { title: string; marker: string }[],
  maxPages = RECONCILE_MAX_PAGES,
): Promise<DraftLookup> {
  const lookup: DraftLookup = { pages: 0, gets: 0 };
  let offset = 0;
  while (lookup.pages < maxPages) {
    const page = await client.listDrafts({ offset, count: 20, no_content: true });
    lookup.pages++;
    const items = page.item ?? [];
    for (const item of items) {
      const news = item.content?.news_item ?? [];
      if (news.length !== articles.length) continue;
      if (!news.every((n, i) => n.title === articles[i]?.title)) continue;
      lookup.gets++;
      let full: Awaited<ReturnType<OfficialAccountClient['getDraft']>>;
      try {
        full = await client.getDraft(item.media_id);
      } catch (error) {
        // Deleted or published between the two calls: not ours any more.
        if (isWechatError(error) && error.errcode === 40007) continue;
        throw error;
      }
      const marked = articles.every((a, i) => hasMarker(full.news_item[i]?.content ?? '', a.marker));
      if (marked && full.news_item.length === articles.length) {
        lookup.media_id = item.media_id;
        return lookup;
      }
    }
    offset += items.length;
    if (items.length === 0 || offset >= page.total_count) break;
  }
  return lookup;
}

/**
 * True for a failure after which WeChat may have carried a create call out: the answer was lost (a dropped
 * connection or a timeout once the request was sent: `WechatNetworkError` with `ambiguous`) or a gateway
 * answered HTTP 5xx (the client repeats neither for create calls, wechat-api.md §1.6).
 */
export function isAmbiguousFailure(error: unknown): boolean {
  const e = error as { name?: string; ambiguous?: boolean; status?: number };
  if (e?.name === 'WechatNetworkError') return e.ambiguous === true;
  if (e?.name === 'WechatHttpError') return typeof e.status === 'number' && e.status >= 500;
  return false;
}

/** Options of `upsertDraft`. */
export interface UpsertOptions {
  /**
   * Cross-process lock for one post (the session's store: file or Redis), so two runs on the same post do not
   * both add a draft. Resolves to a release function, or undefined when the lock could not be had in time.
   */
  lock?: (name: string) => Promise<(() => Promise<void>) | undefined>;
  /** Called with what each lookup cost (the soak suite and `--json` count them). */
  onLookup?: (lookup: DraftLookup) => void;
}

/** What `upsertDraft` did. `reconciled` is set when the draft was found in the draft box, not in the state. */
export interface UpsertResult {
  media_id: string;
  action: 'created' | 'updated' | 'recreated';
  reconciled?: boolean;
}

/**
 * Creates or updates the draft holding `keys` (one post, or a bundle in order): draft/update per article
 * when the state file knows the draft and its layout is unchanged; else, or when WeChat says the draft is
 * gone, the draft box is searched for the post's marker (`findDraft`) and the draft found is updated; only
 * when none is found is a draft added. An add whose answer is lost is looked up again before it is repeated
 * (at most 3 adds). The state file is saved (merged, under its lock) as soon as the draft is known.
 * @throws WechatApiError for any other WeChat error; WechatNetworkError when an add stayed ambiguous.
 * https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html
 */
export async function upsertDraft(
  client: OfficialAccountClient,
  state: DraftState,
  account: string,
  keys: string[],
  input: DraftArticle[],
  options: UpsertOptions = {},
): Promise<UpsertResult> {
  const markers = keys.map((key) => markerFor(account, key));
  const articles = input.map((a, i) => ({ ...a, content: withMarker(a.content, markers[i] as string) }));
  const release = await options.lock?.(`md2wx:draft:${account}:${keys.join('\n')}`);
  try {
    // Another process may have saved this post's draft since this one read the state.
    await state.reload();
    const result = await upsertLocked(client, state, account, keys, articles, markers, options);
    for (const [index, key] of keys.entries()) {
      const entry: Parameters<DraftState['set']>[2] = {
        media_id: result.media_id,
        index,
        title: articles[index]?.title ?? '',
      };
      if (keys.length > 1) entry.bundle = keys;
      state.set(account, key, entry);
    }
    await state.save();
    return result;
  } finally {
    await release?.();
  }
}

async function upsertLocked(
  client: OfficialAccountClient,
  state: DraftState,
  account: string,
  keys: string[],
  articles: DraftArticle[],
  markers: string[],
  options: UpsertOptions,
): Promise<UpsertResult> {
  const entries = keys.map((key) => state.get(account, key));
  const first = entries[0];
  const sameLayout =
    first !== undefined &&
    entries.every((e, i) => e?.media_id === first.media_id && e.index === i) &&
    (keys.length === 1
      ? !first.bundle || first.bundle.length <= 1
      : JSON.stringify(first.bundle) === JSON.stringify(keys));
  let action: UpsertResult['action'] = 'created';
  if (first && sameLayout) {
    try {
      await updateAll(client, first.media_id, articles);
      return { media_id: first.media_id, action: 'updated' };
    } catch (error) {
      if (!(isWechatError(error) && DRAFT_GONE.has(error.errcode))) throw error;
      // draft/update answers 40007 both for a gone draft and for a bad thumb_media_id: draft/get tells which.
      if (error.errcode === 40007 && (await draftExists(client, first.media_id))) throw error;
      action = 'recreated';
    }
  } else if (first) {
    action = 'recreated';
  }
  const wanted = articles.map((a, i) => ({ title: a.title, marker: markers[i] as string }));
  for (let attempt = 1; ; attempt++) {
    const lookup = await findDraft(client, wanted);
    options.onLookup?.(lookup);
    if (lookup.media_id) {
      // A lost answer of this run's add holds this very content; an older one is brought up to date.
      if (attempt === 1) await updateAll(client, lookup.media_id, articles);
      return { media_id: lookup.media_id, action: attempt === 1 ? 'updated' : action, reconciled: true };
    }
    try {
      return { media_id: (await client.addDraft(articles)).media_id, action };
    } catch (error) {
      if (!isAmbiguousFailure(error) || attempt >= MAX_ADD_ATTEMPTS) throw error;
    }
  }
}

async function updateAll(client: OfficialAccountClient, media_id: string, articles: DraftArticle[]) {
  for (const [index, article] of articles.entries()) {
    await client.updateDraft({ media_id, index, articles: article });
  }
}

/** True when draft/get knows `media_id` (40007 from it means the draft is gone). */
async function draftExists(client: OfficialAccountClient, media_id: string): Promise<boolean> {
  try {
    await client.getDraft(media_id);
    return true;
  } catch (error) {
    if (isWechatError(error) && error.errcode === 40007) return false;
    throw error;
  }
}
