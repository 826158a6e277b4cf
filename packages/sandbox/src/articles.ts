/**
 * Validating and storing draft articles
 * (https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html): field
 * limits, the cover's thumb_media_id, and WeChat's content filtering (`<script>` removed, external `<img>`
 * dropped).
 */
import { findMedia, isOwnImageUrl } from './media-store.js';
import type { RouteContext } from './route.js';
import type { StoredArticle } from './state.js';
import { WxError } from './wx-error.js';

/**
 * Limits as the 2025-12 draft/add page states them; characters are Unicode code points. A copy of
 * @md2wx/wechat's `ARTICLE_LIMITS` kept on purpose (the sandbox depends on no md2wx package, so it stays
 * an independent fake); packages/wechat/test/checks.test.ts asserts the two are equal.
 * @see https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html
 */
export const ARTICLE_LIMITS = {
  title: 32,
  author: 16,
  digest: 128,
  /**
   * content must be below both: visible text characters (tags removed, whitespace collapsed) and UTF-8
   * bytes of the whole HTML — md2wx's working reading of "少于2万字符，小于1M" (docs/wechat-html-rules.md#size).
   */
  contentChars: 20_000,
  contentBytes: 1_000_000,
  /** "大小不可超过1 kb", UTF-8 bytes. */
  sourceUrlBytes: 1024,
  /** Articles per draft (UNCONFIRMED; the legacy news limit). */
  articles: 8,
  newspicImages: 20,
} as const;

function chars(text: string): number {
  return Array.from(text).length;
}

/** Visible text of an HTML fragment: tags dropped, basic entities decoded, whitespace collapsed. */
export function plainText(html: string): string {
  return html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|nbsp|amp|lt|gt|quot|apos);/gi, (_m, e: string) => {
      const lower = e.toLowerCase();
      if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
      if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)));
      return (
        ({ nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[lower] ??
        ''
      );
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** An attribute value of a start tag's attribute text, or undefined when absent. */
function attr(attrs: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attrs);
  return m ? (m[2] ?? m[3] ?? m[4] ?? '') : undefined;
}

/**
 * True when an `<a href>` survives WeChat: links to mp.weixin.qq.com articles only
 * (docs/wechat-html-rules.md#links).
 */
export function isAllowedLink(href: string): boolean {
  return /^https?:\/\/mp\.weixin\.qq\.com\//i.test(href.trim());
}

/**
 * WeChat's filtering of `content` (the `content` field of
 * https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html, and
 * docs/wechat-html-rules.md): removes `<script>` and
 * `<style>` elements, `on*=` handlers, `id` and `class` attributes and `javascript:` URLs ("此处会去除JS");
 * drops every `<img>` whose src is not on the sandbox's image host (or mmbiz.qpic.cn) — "外部图片url将被
 * 过滤"; unwraps every `<a>` whose href is not an mp.weixin.qq.com article (the text stays).
 */
export function filterContent(html: string, imageHost: string | readonly string[]): string {
  let out = html
    .replace(/<script\b[^>]*>[\s\S]*?<\/script\s*>/gi, '')
    .replace(/<\/?script\b[^>]*>/gi, '')
    .replace(/<style\b[^>]*>[\s\S]*?<\/style\s*>/gi, '');
  // Anchors kept (true) or unwrapped (false), innermost last, to drop the matching `</a>`.
  const anchors: boolean[] = [];
  out = out.replace(
    /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>/g,
    (tag, slash: string, name: string, attrs = '') => {
      const lower = name.toLowerCase();
      if (slash) {
        if (lower === 'a' && anchors.length > 0) return anchors.pop() ? tag : '';
        return tag;
      }
      if (lower === 'img' && !isOwnImageUrl((attr(attrs, 'src') ?? '').replace(/&amp;/g, '&'), imageHost))
        return '';
      if (lower === 'a') {
        const keep = isAllowedLink((attr(attrs, 'href') ?? '').replace(/&amp;/g, '&'));
        anchors.push(keep);
        if (!keep) return '';
      }
      if (!attrs) return tag;
      const cleaned = attrs
        .replace(/\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '')
        .replace(/\s+(id|class)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '')
        .replace(
          /\s+(href|src)\s*=\s*("\s*javascript:[^"]*"|'\s*javascript:[^']*'|javascript:[^\s>]*)/gi,
          '',
        );
      return `<${name}${cleaned}>`;
    },
  );
  return out;
}

function optionalString(raw: Record<string, unknown>, key: string): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new WxError(47001);
  return v;
}

function flag(raw: Record<string, unknown>, key: string): number {
  const v = raw[key];
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' ? Number(v) : v;
  if (n !== 0 && n !== 1) throw new WxError(47001);
  return n;
}

/**
 * Checks one article in the documented order and answers it as stored. Errors: 47001 (not an
 * object / wrong types), 44003 (missing title or content), 45003 (title > 32), 45110 (author > 16),
 * 45004 (digest > 128), 45002 (content ≥ 20,000 visible characters or ≥ 1,000,000 bytes), 41039 (bad
 * content_source_url), 40007 (thumb_media_id / image_media_id not a permanent image of this account).
 */
export function validateArticle(raw: unknown, ctx: RouteContext): StoredArticle {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new WxError(47001);
  const a = raw as Record<string, unknown>;
  const articleType = optionalString(a, 'article_type') ?? 'news';
  if (articleType !== 'news' && articleType !== 'newspic') throw new WxError(47001, 'invalid article_type');
  const title = optionalString(a, 'title') ?? '';
  if (title.trim() === '') throw new WxError(44003, 'empty news data: title missing');
  if (chars(title) > ARTICLE_LIMITS.title) throw new WxError(45003);
  const author = optionalString(a, 'author') ?? '';
  if (chars(author) > ARTICLE_LIMITS.author) throw new WxError(45110);
  const digest = optionalString(a, 'digest');
  if (digest !== undefined && chars(digest) > ARTICLE_LIMITS.digest) throw new WxError(45004);
  const content = optionalString(a, 'content') ?? '';
  if (content.trim() === '') throw new WxError(44003, 'empty news data: content missing');
  if (
    chars(plainText(content)) >= ARTICLE_LIMITS.contentChars ||
    Buffer.byteLength(content) >= ARTICLE_LIMITS.contentBytes
  ) {
    throw new WxError(45002);
  }
  const sourceUrl = optionalString(a, 'content_source_url') ?? '';
  if (sourceUrl !== '') {
    let valid = Buffer.byteLength(sourceUrl) <= ARTICLE_LIMITS.sourceUrlBytes;
    try {
      valid &&= ['http:', 'https:'].includes(new URL(sourceUrl).protocol);
    } catch {
      valid = false;
    }
    if (!valid) throw new WxError(41039);
  }
  const stored: StoredArticle = {
    article_type: articleType,
    title,
    author,
    digest: digest ?? '',
    content: filterContent(content, [ctx.imageHost, ...ctx.options.previousOrigins]),
    content_source_url: sourceUrl,
    thumb_media_id: '',
    show_cover_pic: flag(a, 'show_cover_pic'),
    need_open_comment: flag(a, 'need_open_comment'),
    only_fans_can_comment: flag(a, 'only_fans_can_comment'),
    thumb_url: '',
  };
  if (digest === undefined) stored.digestDefaulted = true;
  const thumbId = optionalString(a, 'thumb_media_id');
  if (articleType === 'news' || thumbId) {
    const thumb = findMedia(ctx.state, thumbId, ctx.principal, 'oa', 'permanent', ctx.now);
    if (!thumb || (thumb.type !== 'image' && thumb.type !== 'thumb')) throw new WxError(40007);
    stored.thumb_media_id = thumb.mediaId;
    stored.thumb_url = thumb.url ?? '';
  }
  if (articleType === 'newspic') {
    const info = a.image_info as { image_list?: unknown } | undefined;
    const list = Array.isArray(info?.image_list) ? info.image_list : [];
    if (list.length === 0 || list.length > ARTICLE_LIMITS.newspicImages) throw new WxError(40007);
    for (const item of list) {
      const id = (item as { image_media_id?: unknown } | null)?.image_media_id;
      const image = findMedia(
        ctx.state,
        typeof id === 'string' ? id : undefined,
        ctx.principal,
        'oa',
        'permanent',
        ctx.now,
        ['image'],
      );
      if (!image) throw new WxError(40007);
    }
    stored.image_info = { image_list: list };
    if (!stored.thumb_media_id) {
      const first = ctx.state.media.get((list[0] as { image_media_id: string }).image_media_id);
      stored.thumb_media_id = first?.mediaId ?? '';
      stored.thumb_url = first?.url ?? '';
    }
  }
  for (const key of ['pic_crop_235_1', 'pic_crop_1_1', 'cover_info', 'product_info']) {
    if (a[key] !== undefined) stored[key] = a[key];
  }
  return stored;
}

/**
 * Validates `articles` of draft/add (1..8 objects), applying the default digest ("默认抓取正文前54个字",
 * single-article drafts only). Errors: 44003 empty, 45008 more than 8, and those of `validateArticle`.
 */
export function validateArticles(raw: unknown, ctx: RouteContext): StoredArticle[] {
  if (raw === undefined || raw === null) throw new WxError(44003);
  if (!Array.isArray(raw)) throw new WxError(47001);
  if (raw.length === 0) throw new WxError(44003);
  if (raw.length > ARTICLE_LIMITS.articles) throw new WxError(45008);
  const articles = raw.map((a) => validateArticle(a, ctx));
  return finishDigests(articles);
}

/** Fills defaulted digests: first 54 characters of the text for a single article, '' otherwise. */
export function finishDigests(articles: StoredArticle[]): StoredArticle[] {
  for (const article of articles) {
    if (article.digestDefaulted) {
      article.digest =
        articles.length === 1 ? Array.from(plainText(article.content)).slice(0, 54).join('') : '';
      delete article.digestDefaulted;
    }
  }
  return articles;
}

/** Article as draft/get and batchget answer it (`no_content` drops `content`). */
export function articleOut(article: StoredArticle, url: string, noContent = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(article)) {
    if (k === 'content' && noContent) continue;
    if (k === 'article_type' && v === 'news') continue;
    out[k] = v;
  }
  out.url = url;
  return out;
}
