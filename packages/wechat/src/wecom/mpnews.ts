import { WechatInputError } from '../core/errors.js';

/**
 * One `mpnews` article of WeCom `message/send` (https://developer.work.weixin.qq.com/document/path/90236).
 * Sizes in UTF-8 bytes.
 */
export interface MpnewsArticle {
  /** ≤ 128 bytes. */
  title: string;
  /** A temporary media_id from `upload('image', …)`. */
  thumb_media_id: string;
  /** ≤ 64 bytes. */
  author?: string;
  content_source_url?: string;
  /** HTML, ≤ 666 KB; images should be `uploadImage` URLs. */
  content: string;
  /** ≤ 512 bytes. */
  digest?: string;
}

/**
 * True for a media_id of WeCom's async upload (`media/upload_by_url`,
 * https://developer.work.weixin.qq.com/document/path/96219: `"3*1*G6nr…"`), which is valid only for
 * `media/get` and group welcome messages, not where a `media/upload` media_id is.
 */
export function isAsyncMediaId(media_id: string): boolean {
  return /^3\*1\*/.test(media_id);
}

/** https://developer.work.weixin.qq.com/document/path/90236 limits in bytes. */
export const MPNEWS_LIMITS = {
  articles: 8,
  title: 128,
  author: 64,
  content: 666 * 1024,
  digest: 512,
} as const;

/**
 * Check mpnews articles (1–8, required fields, byte limits) before `message/send`. Throws `WechatInputError`
 * naming the article (1-based) and field. WeCom would silently truncate title/digest; we refuse instead.
 */
export function checkMpnews(articles: readonly MpnewsArticle[]): void {
  if (articles.length < 1 || articles.length > MPNEWS_LIMITS.articles) {
    throw new WechatInputError(
      'bad-argument',
      `mpnews takes 1 to 8 articles; got ${articles.length}.`,
      'articles',
    );
  }
  articles.forEach((a, i) => {
    const at = `mpnews article ${i + 1}`;
    for (const field of ['title', 'thumb_media_id', 'content'] as const) {
      if (!a[field]) throw new WechatInputError('missing-field', `${at}: ${field} is required.`, field);
    }
    if (isAsyncMediaId(a.thumb_media_id)) {
      throw new WechatInputError(
        'bad-argument',
        `${at}: thumb_media_id ${a.thumb_media_id} comes from media/upload_by_url (an async media_id, "3*1*…"), which WeCom accepts only for media/get and group welcome messages (https://developer.work.weixin.qq.com/document/path/96219). Upload the cover with upload('image', …) or uploadReusable.`,
        'thumb_media_id',
      );
    }
    for (const field of ['title', 'author', 'content', 'digest'] as const) {
      const value = a[field];
      const limit = MPNEWS_LIMITS[field];
      if (value !== undefined && Buffer.byteLength(value) > limit) {
        throw new WechatInputError(
          'field-too-long',
          `${at}: ${field} is ${Buffer.byteLength(value)} bytes; WeCom allows ${limit}. Shorten it.`,
          field,
        );
      }
    }
  });
}
