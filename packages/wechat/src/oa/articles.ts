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
 * WeChat's draft-article limits, the one copy md2wx reads (the CLI, @md2wx/publish and the MCP server import
 * it; the sandbox keeps its own on purpose so it stays a stand-alone fake, and a test pins the two equal).
 * Characters are Unicode code points ("字"): title 32, author 16, digest 128; content under 20,000 visible
 * characters and under 1M bytes of HTML ("少于2万字符，小于1M"); content_source_url at most 1 KB
 * ("大小不可超过1 kb", read as 1,024 bytes).
 * @see https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html
 */
export const ARTICLE_LIMITS = {
  /** "总长度不超过32个字", characters. */
  title: 32,
  /** "总长度不超过16个字", characters. */
  author: 16,
  /** "总长度不超过128个字", characters. */
  digest: 128,
  /** Visible text (tags removed, whitespace collapsed) must be shorter than this many characters. */
  contentChars: 20_000,
  /** The whole HTML must be smaller than this many UTF-8 bytes ("1M", read as the stricter 10^6). */
  contentBytes: 1_000_000,
  /** content_source_url at most this many UTF-8 bytes ("1 kb"). */
  sourceUrlBytes: 1024,
  /** newspic images per article. */
  newspicImages: 20,
} as const;

/** The article field a problem is about (a {@link DraftArticle} key). */
export type ArticleField =
  | 'articles'
  | 'title'
  | 'author'
  | 'digest'
  | 'content'
  | 'content_source_url'
  | 'thumb_media_id'
  | 'image_info';

/**
 * One way a draft article breaks WeChat's rules, as {@link checkArticles} finds it. `limit` and `actual` are in
 * `unit`s (characters, bytes or images); a missing field has `limit: 1, actual: 0, unit: 'required'`.
 */
export interface ArticleProblem {
  /** 0-based index of the article in the list passed (-1 for the list itself). */
  index: number;
  field: ArticleField;
  /** `missing-field`, `field-too-long` or `bad-argument` (the {@link WechatInputError} code). */
  code: 'missing-field' | 'field-too-long' | 'bad-argument';
  unit: 'chars' | 'bytes' | 'images' | 'required';
  /** The bound: the largest allowed value, or for `contentChars`/`contentBytes` the first refused one. */
  limit: number;
  actual: number;
  /** What is wrong and what to do, without the article's place (callers add it). */
  message: string;
}

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
 * Checks draft articles against WeChat's `draft/add` rules before anything is sent: title present and ≤ 32
 * characters, author ≤ 16, digest ≤ 128, content present with < 20,000 visible characters and < 1,000,000
 * bytes, content_source_url ≤ 1,024 bytes, `thumb_media_id` for `news`, 1–20 images for `newspic`.
 * @returns every problem found (empty when the articles are fine), each with its article `index` and `field`.
 * @see https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html
 */
export function checkArticles(articles: readonly DraftArticle[]): ArticleProblem[] {
  if (articles.length === 0) {
    return [
      {
        index: -1,
        field: 'articles',
        code: 'missing-field',
        unit: 'required',
        limit: 1,
        actual: 0,
        message: 'no articles. Pass at least one article.',
      },
    ];
  }
  const problems: ArticleProblem[] = [];
  articles.forEach((a, index) => {
    const add = (p: Omit<ArticleProblem, 'index'>) => problems.push({ index, ...p });
    const missing = (field: ArticleField, message: string) =>
      add({ field, code: 'missing-field', unit: 'required', limit: 1, actual: 0, message });
    const tooLong = (
      field: ArticleField,
      unit: 'chars' | 'bytes',
      limit: number,
      actual: number,
      message: string,
    ) => add({ field, code: 'field-too-long', unit, limit, actual, message });
    if (typeof a.title !== 'string' || a.title.trim() === '') missing('title', 'title is required.');
    else if (chars(a.title) > ARTICLE_LIMITS.title) {
      tooLong(
        'title',
        'chars',
        ARTICLE_LIMITS.title,
        chars(a.title),
        `title has ${chars(a.title)} characters; WeChat allows ${ARTICLE_LIMITS.title}. Shorten it.`,
      );
    }
    if (a.author !== undefined && chars(a.author) > ARTICLE_LIMITS.author) {
      tooLong(
        'author',
        'chars',
        ARTICLE_LIMITS.author,
        chars(a.author),
        `author has ${chars(a.author)} characters; WeChat allows ${ARTICLE_LIMITS.author}.`,
      );
    }
    if (a.digest !== undefined && chars(a.digest) > ARTICLE_LIMITS.digest) {
      tooLong(
        'digest',
        'chars',
        ARTICLE_LIMITS.digest,
        chars(a.digest),
        `digest has ${chars(a.digest)} characters; WeChat allows ${ARTICLE_LIMITS.digest}.`,
      );
    }
    if (typeof a.content !== 'string' || a.content === '') missing('content', 'content is required.');
    else {
      const textChars = chars(visibleText(a.content));
      if (textChars >= ARTICLE_LIMITS.contentChars) {
        tooLong(
          'content',
          'chars',
          ARTICLE_LIMITS.contentChars,
          textChars,
          `content has ${textChars} visible characters; WeChat needs fewer than ${ARTICLE_LIMITS.contentChars} (45002). Split the article.`,
        );
      }
      const bytes = Buffer.byteLength(a.content);
      if (bytes >= ARTICLE_LIMITS.contentBytes) {
        tooLong(
          'content',
          'bytes',
          ARTICLE_LIMITS.contentBytes,
          bytes,
          `content is ${bytes} bytes of HTML; WeChat needs less than 1 MB (45002). Use a lighter theme or split the article.`,
        );
      }
    }
    if (a.content_source_url !== undefined) {
      const bytes = Buffer.byteLength(a.content_source_url);
      if (bytes > ARTICLE_LIMITS.sourceUrlBytes) {
        tooLong(
          'content_source_url',
          'bytes',
          ARTICLE_LIMITS.sourceUrlBytes,
          bytes,
          `content_source_url is ${bytes} bytes; WeChat allows ${ARTICLE_LIMITS.sourceUrlBytes}.`,
        );
      }
    }
    const type = a.article_type ?? 'news';
    if (type === 'news' && !a.thumb_media_id) {
      missing(
        'thumb_media_id',
        'thumb_media_id (the cover) is required for news articles: upload a cover with addMaterial({ type: "image" }) and pass its media_id.',
      );
    }
    if (type === 'newspic') {
      const n = a.image_info?.image_list.length ?? 0;
      if (n < 1 || n > ARTICLE_LIMITS.newspicImages) {
        add({
          field: 'image_info',
          code: 'bad-argument',
          unit: 'images',
          limit: ARTICLE_LIMITS.newspicImages,
          actual: n,
          message: `newspic needs 1 to ${ARTICLE_LIMITS.newspicImages} images; got ${n}.`,
        });
      }
    }
  });
  return problems;
}

/**
 * {@link checkArticles}, throwing on the first problem: what `addDraft`/`updateDraft` run before sending.
 * @param where names the call in the message (`addDraft article 2: title has 33 characters…`).
 * @throws WechatInputError (code `missing-field`, `field-too-long` or `bad-argument`, `subject` the field).
 * @see https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html
 */
export function assertArticles(articles: readonly DraftArticle[], where = 'draft'): void {
  const [first] = checkArticles(articles);
  if (!first) return;
  const at = first.index < 0 ? where : `${where} article ${first.index + 1}`;
  throw new WechatInputError(first.code, `${at}: ${first.message}`, first.field);
}
