import { WechatInputError } from '../core/errors.js';

/**
 * A draft article
 * (https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html). Only
 * `title` and `content` are always required; `news` also needs `thumb_media_id`.
 */
export interface DraftArticle {
  article_type?: 'news' | 'newspic';
  title: string;
  author?: string;
  digest?: string;
  content: string;
  content_source_url?: string;
  thumb_media_id?: string;
  need_open_comment?: 0 | 1;
  only_fans_can_comment?: 0 | 1;
  pic_crop_235_1?: string;
  pic_crop_1_1?: string;
  image_info?: { image_list: { image_media_id: string }[] };
  cover_info?: { crop_percent_list: { ratio: string; x1: string; y1: string; x2: string; y2: string }[] };
  product_info?: { footer_product_info: { product_key: string } };
}

/** A draft article as `draft/get` / `draft/batchget` answer it: the input plus `url` and legacy fields. */
export interface DraftArticleOut extends DraftArticle {
  url?: string;
  show_cover_pic?: number;
  thumb_url?: string;
}

/**
 * https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html limits,
 * counted in characters (code points): title 32, author 16, digest 128; content under 20,000 visible
 * characters and under 1M bytes of HTML (md2wx's reading of "少于2万字符，小于1M", docs/wechat-html-rules.md#size).
 */
export const ARTICLE_LIMITS = {
  title: 32,
  author: 16,
  digest: 128,
  /** Visible text (tags removed, whitespace collapsed) must be shorter than this many characters. */
  contentChars: 20_000,
  /** The whole HTML must be smaller than this many UTF-8 bytes ("1M", read as the stricter 10^6). */
  contentBytes: 1_000_000,
  /** content_source_url at most this many bytes. */
  sourceUrlBytes: 1024,
  /** newspic images per article. */
  newspicImages: 20,
} as const;

const chars = (s: string) => [...s].length;

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The text a reader sees in an article `content` fragment: script/style dropped, tags removed, common entities
 * decoded, whitespace collapsed. WeChat's 20,000-character limit counts this, not the markup: inline styles
 * alone would put most illustrated posts over it.
 */
export function visibleText(html: string): string {
  return (
    html
      .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
      // A quoted attribute may hold '>' (data-formula="a > b"): skip quoted runs whole.
      .replace(/<(?:[^>"']|"[^"]*"|'[^']*')*>/g, '')
      .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
        const lower = name.toLowerCase();
        if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
        if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)));
        return ENTITIES[lower] ?? entity;
      })
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/**
 * Check draft articles against
 * https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html before
 * sending. Throws `WechatInputError` ('missing-field', 'field-too-long', 'bad-argument') naming the article
 * (1-based) and field, with the limit and what to do.
 */
export function checkArticles(articles: readonly DraftArticle[], where = 'draft'): void {
  if (articles.length === 0) {
    throw new WechatInputError(
      'missing-field',
      `${where}: no articles. Pass at least one article.`,
      'articles',
    );
  }
  articles.forEach((a, i) => {
    const at = `${where} article ${i + 1}`;
    const fail = (code: string, field: string, message: string) => {
      throw new WechatInputError(code, `${at}: ${message}`, field);
    };
    if (!a.title || a.title.trim() === '') fail('missing-field', 'title', 'title is required.');
    if (chars(a.title) > ARTICLE_LIMITS.title) {
      fail(
        'field-too-long',
        'title',
        `title has ${chars(a.title)} characters; WeChat allows ${ARTICLE_LIMITS.title}. Shorten it.`,
      );
    }
    if (a.author !== undefined && chars(a.author) > ARTICLE_LIMITS.author) {
      fail(
        'field-too-long',
        'author',
        `author has ${chars(a.author)} characters; WeChat allows ${ARTICLE_LIMITS.author}.`,
      );
    }
    if (a.digest !== undefined && chars(a.digest) > ARTICLE_LIMITS.digest) {
      fail(
        'field-too-long',
        'digest',
        `digest has ${chars(a.digest)} characters; WeChat allows ${ARTICLE_LIMITS.digest}.`,
      );
    }
    if (typeof a.content !== 'string' || a.content === '')
      fail('missing-field', 'content', 'content is required.');
    const textChars = chars(visibleText(a.content));
    if (textChars >= ARTICLE_LIMITS.contentChars) {
      fail(
        'field-too-long',
        'content',
        `content has ${textChars} visible characters; WeChat needs fewer than ${ARTICLE_LIMITS.contentChars} (45002). Split the article.`,
      );
    }
    if (Buffer.byteLength(a.content) >= ARTICLE_LIMITS.contentBytes) {
      fail(
        'field-too-long',
        'content',
        `content is ${Buffer.byteLength(a.content)} bytes of HTML; WeChat needs less than 1 MB (45002). Use a lighter theme or split the article.`,
      );
    }
    if (
      a.content_source_url !== undefined &&
      Buffer.byteLength(a.content_source_url) > ARTICLE_LIMITS.sourceUrlBytes
    ) {
      fail(
        'field-too-long',
        'content_source_url',
        `content_source_url is over ${ARTICLE_LIMITS.sourceUrlBytes} bytes.`,
      );
    }
    const type = a.article_type ?? 'news';
    if (type === 'news' && !a.thumb_media_id) {
      fail(
        'missing-field',
        'thumb_media_id',
        'thumb_media_id (the cover) is required for news articles: upload a cover with addMaterial({ type: "image" }) and pass its media_id.',
      );
    }
    if (type === 'newspic') {
      const n = a.image_info?.image_list.length ?? 0;
      if (n < 1 || n > ARTICLE_LIMITS.newspicImages) {
        fail(
          'bad-argument',
          'image_info',
          `newspic needs 1 to ${ARTICLE_LIMITS.newspicImages} images; got ${n}.`,
        );
      }
    }
  });
}
