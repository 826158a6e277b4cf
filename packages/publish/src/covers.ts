/**
 * Covers as permanent material (`material/add_material`,
 * https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html), through the
 * same dedupe cache as body images and with the same guarantee: one upload per cover, whatever fails.
 *
 * WeChat's client never repeats add_material after a lost answer or an HTTP 5xx (each run would create
 * another material). Here such an ambiguous failure is reconciled instead of failing the post: the material
 * library is searched (`material/batchget_material`, newest first) for the cover's name, which holds the first
 * 16 hex digits of its bytes' sha256 (`md2wx-cover-<hash>.jpg`), and the material found is used; only when
 * none is found is the upload repeated (at most 3 uploads).
 */
import { createHash } from 'node:crypto';
import type { CacheEntry, ImageCache } from '@md2wx/remark-wechat-images';
import type { OfficialAccountClient } from '@md2wx/wechat';
import { isAmbiguousFailure } from './drafts.js';
import { loadRemarkImages } from './modules.js';

/** Pages of 20 images the reconciliation reads at most (the newest 100 images). */
export const COVER_LOOKUP_MAX_PAGES = 5;

/** add_material attempts per cover when answers are lost. */
const MAX_UPLOAD_ATTEMPTS = 3;

/** A cover ready to upload: processed bytes and what they came from. */
export interface CoverUpload {
  /** sha256 of the source file's bytes (hex): the dedupe key. */
  sourceSha256: string;
  /** The processed image (JPEG/PNG/GIF within the cover limits). */
  data: Buffer;
  format: string;
  /** Bytes of `data`. */
  bytes: number;
  /** Pixels. */
  width: number;
  /** Pixels. */
  height: number;
}

/** The material name a cover is uploaded under: `md2wx-cover-<16 hex of sha256(data)>.<ext>`. */
export function coverMaterialName(cover: Pick<CoverUpload, 'data' | 'format'>, sha256: string): string {
  const ext = cover.format === 'jpeg' ? 'jpg' : cover.format;
  return `md2wx-cover-${sha256.slice(0, 16)}.${ext}`;
}

/**
 * The newest permanent image named `name`, among the newest `maxPages` × 20, or undefined.
 * https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_batchgetmaterial.html
 */
export async function findMaterialByName(
  client: OfficialAccountClient,
  name: string,
  maxPages = COVER_LOOKUP_MAX_PAGES,
): Promise<{ media_id: string; url?: string } | undefined> {
  let offset = 0;
  for (let page = 0; page < maxPages; page++) {
    const answer = await client.getMaterialPage('image', offset, 20);
    const items = answer.item ?? [];
    const found = items.find((item) => (item as { name?: string }).name === name);
    if (found) {
      const url = (found as { url?: string }).url;
      return url ? { media_id: found.media_id, url } : { media_id: found.media_id };
    }
    offset += items.length;
    if (items.length === 0 || offset >= answer.total_count) return undefined;
  }
  return undefined;
}

/**
 * The dedupe-cache key of a cover: the plugin's key scheme ({@link cacheKey}) with endpoint
 * `material/add_material` and target `cover`, e.g. `wx…|material/add_material|9f86…08|cover;w=default;b=default`.
 */
export async function coverCacheKey(account: string, sourceSha256: string): Promise<string> {
  // Loaded here, not at the top: an unchanged post's re-run reuses its cover without the image plugin.
  const { cacheKey } = await loadRemarkImages();
  return cacheKey({
    account,
    endpoint: 'material/add_material',
    sourceSha256,
    settings: { target: 'cover' },
  });
}

/** The key state files written before covers shared the plugin's key scheme used; read, never written. */
function legacyCoverKey(account: string, sourceSha256: string): string {
  return `cover:${account}:${sourceSha256}`;
}

/**
 * Uploads one cover as a permanent image unless the dedupe cache already has it (key {@link coverCacheKey},
 * or the legacy `cover:<appId>:<source sha256>` of older state files), holding the cache's per-key lock so
 * runners sharing a store upload it once.
 * @returns the material's `media_id` and whether it came from the cache.
 * @throws WechatApiError (e.g. 45009 daily quota) and, after 3 ambiguous attempts, WechatNetworkError.
 * https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html
 */
export async function uploadCover(
  client: OfficialAccountClient,
  cache: ImageCache,
  account: string,
  cover: CoverUpload,
): Promise<{ media_id: string; cached: boolean }> {
  const key = await coverCacheKey(account, cover.sourceSha256);
  const cached = async () =>
    (await cache.get(key))?.media_id ??
    (await cache.get(legacyCoverKey(account, cover.sourceSha256)))?.media_id;
  const hit = await cached();
  if (hit) return { media_id: hit, cached: true };
  const release = await cache.lock?.(key);
  try {
    const after = await cached();
    if (after) return { media_id: after, cached: true };
    const name = coverMaterialName(cover, createHash('sha256').update(cover.data).digest('hex'));
    let result: { media_id: string; url?: string } | undefined;
    for (let attempt = 1; !result; attempt++) {
      try {
        result = await client.addMaterial({ type: 'image', data: cover.data, filename: name });
      } catch (error) {
        if (!isAmbiguousFailure(error) || attempt >= MAX_UPLOAD_ATTEMPTS) throw error;
        result = await findMaterialByName(client, name);
      }
    }
    const entry: CacheEntry = {
      url: result.url ?? '',
      media_id: result.media_id,
      bytes: cover.bytes,
      width: cover.width,
      height: cover.height,
      uploadedAt: new Date().toISOString(),
    };
    await cache.set(key, entry);
    await cache.flush?.();
    return { media_id: result.media_id, cached: false };
  } finally {
    await release?.();
  }
}
