/**
 * A post's draft article fields (read by `post-fields.ts`) and the field limits of @md2wx/wechat's
 * `checkArticles`, checked before any upload. No renderer here: an unchanged post's re-run checks its fields
 * without loading @md2wx/render.
 */
import { ARTICLE_LIMITS, type ArticleProblem, checkArticles, type DraftArticle } from '@md2wx/wechat';
import type { VFileMessage } from 'vfile-message';
import { ContentError, contentMessage, type SourceLocation } from './errors.js';

/** WeChat's article limits: @md2wx/wechat owns them; re-exported for the CLI's library users. */
export { ARTICLE_LIMITS };

/** `ruleId` of a field WeChat would refuse (title, author, digest, source URL, crops, cover, content size). */
export const FIELD_LIMIT = 'wechat/field-limit';
/** `ruleId` of a field left out instead (a long `description`): a warning, not fatal. */
export const FIELD_FALLBACK = 'wechat/field-fallback';

/** A field problem found: where, and what to change. */
type FieldFinding = SourceLocation & { message: string };

/** A field problem as a fatal vfile message ({@link FIELD_LIMIT}). */
function fieldMessage(found: FieldFinding): VFileMessage {
  return contentMessage(found.message, { file: found.file, line: found.line, ruleId: FIELD_LIMIT });
}

/** What a post's front matter (and first heading) say about its article. */
export interface PostMeta {
  title?: string;
  /** Where the title came from, for error locations (1-based line in the post). */
  titleLine?: number;
  /** `flag`: `--title`; `wechat_title`: the front matter's WeChat-only title. */
  titleFrom?: 'flag' | 'wechat_title' | 'front-matter' | 'h1';
  author?: string;
  authorLine?: number;
  digest?: string;
  /** The front-matter key the digest came from (`wechat_digest`, `digest`, `description`, `summary`, `excerpt`, `abstract`). */
  digestFrom?: DigestKey;
  digestLine?: number;
  /**
   * A `description`/`summary`/`excerpt` over WeChat's 128 characters, left out of the draft by
   * {@link applyFieldFallbacks} (WeChat then makes the digest from the article itself).
   */
  digestDropped?: { from: DigestKey; chars: number; line?: number };
  /** Cover image reference as written (path relative to the post, URL or data:). */
  cover?: string;
  coverLine?: number;
  contentSourceUrl?: string;
  contentSourceUrlLine?: number;
  needOpenComment?: 0 | 1;
  onlyFansCanComment?: 0 | 1;
  picCrop2351?: string;
  picCrop2351Line?: number;
  picCrop11?: string;
  picCrop11Line?: number;
  /** Stable post identity for the state file (front matter `wechat_id`). */
  wechatId?: string;
  /** The first image of the post (Markdown or raw HTML, outside code), 1-based line: the default cover. */
  firstImage?: { src: string; line: number };
}

/** A front-matter key read as the digest. */
export type DigestKey = 'wechat_digest' | 'digest' | 'description' | 'summary' | 'excerpt' | 'abstract';

const CROP = /^(?:0|1|0?\.\d{1,6}|1\.0{1,6}|0\.\d{1,6})(?:_(?:0|1|0?\.\d{1,6}|1\.0{1,6})){3}$/;

/** Counts characters as WeChat's "字": Unicode code points. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The article as it will be sent, from `meta` (and `html` as its content when known). */
function articleOf(meta: PostMeta, html: string | undefined): DraftArticle {
  const article: DraftArticle = { title: meta.title ?? '', content: html ?? '' };
  if (meta.author) article.author = meta.author;
  if (meta.digest) article.digest = meta.digest;
  if (meta.contentSourceUrl) article.content_source_url = meta.contentSourceUrl;
  return article;
}

/** A @md2wx/wechat problem in the writer's terms: the front-matter key and line, and what to change. */
function describe(p: ArticleProblem, meta: PostMeta, file: string): VFileMessage {
  return fieldMessage(describeField(p, meta, file));
}

function describeField(p: ArticleProblem, meta: PostMeta, file: string): FieldFinding {
  const at = (line: number | undefined): FieldFinding =>
    line === undefined ? { file, message: '' } : { file, line, message: '' };
  switch (p.field) {
    case 'title': {
      if (p.code === 'missing-field')
        return {
          ...at(undefined),
          message: 'no title: add `title:` to the front matter or start the post with `# Title`',
        };
      const title = meta.title as string;
      const cut = suggestTitleCut(title, p.limit);
      if (meta.titleFrom === 'flag') {
        return {
          ...at(undefined),
          message: `--title is ${p.actual} characters; WeChat allows at most ${p.limit}: shorten it (a cut at a word or punctuation boundary: "${cut}")`,
        };
      }
      return {
        ...at(meta.titleLine),
        message:
          `title is ${p.actual} characters; WeChat allows at most ${p.limit}: shorten it (a cut at a word or punctuation ` +
          `boundary: "${cut}"), or give WeChat its own with \`wechat_title:\` in the front matter or --title "…"`,
      };
    }
    case 'author':
      return {
        ...at(meta.authorLine),
        message: `author is ${p.actual} characters; WeChat allows at most ${p.limit}`,
      };
    case 'digest':
      // Only an explicit digest gets here: applyFieldFallbacks drops a long description/summary.
      return {
        ...at(meta.digestLine),
        message: `${meta.digestFrom ?? 'digest'} is ${p.actual} characters; WeChat allows at most ${p.limit}: shorten it (it is not cut for you), or remove it and WeChat makes the digest from the article`,
      };
    case 'content_source_url':
      return {
        ...at(meta.contentSourceUrlLine),
        message: `source_url is ${p.actual} bytes; WeChat allows at most ${p.limit}`,
      };
    case 'content':
      return p.unit === 'chars'
        ? {
            ...at(undefined),
            message: `content has ${p.actual} characters of text; WeChat needs fewer than ${p.limit}: split the post`,
          }
        : {
            ...at(undefined),
            message: `content HTML is ${p.actual} bytes; WeChat needs less than 1 MB (${p.limit} bytes): use a lighter theme or split the post`,
          };
    default:
      return { ...at(undefined), message: p.message };
  }
}

/**
 * Checks the article a post makes against WeChat's limits before anything is uploaded: @md2wx/wechat's
 * `checkArticles` on the real fields (title present and ≤ 32 characters, author ≤ 16, digest ≤ 128,
 * content_source_url ≤ 1,024 bytes and, when `html` is given, content < 20,000 characters of text and
 * < 1,000,000 bytes of HTML), plus what WeChat answers 41039 or refuses for: a non-http(s) source URL, crops
 * not `X1_Y1_X2_Y2` in [0, 1] with ≤ 6 decimals. The cover is checked where it is resolved.
 * @param html the rendered `content`; without it the content limits are not checked.
 * @returns the problems found (empty when all is well) as fatal vfile messages (ruleId {@link FIELD_LIMIT}),
 *   each with `file` and, when known, the front-matter line.
 * @see https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html
 */
export function checkArticleLimits(meta: PostMeta, file: string, html?: string): VFileMessage[] {
  const found = checkArticles([articleOf(meta, html)]).filter(
    (p) => p.field !== 'thumb_media_id' && (html !== undefined || p.field !== 'content'),
  );
  const problems = found.filter((p) => p.field !== 'content').map((p) => describe(p, meta, file));
  if (meta.contentSourceUrl && !/^https?:\/\/[^\s]+$/i.test(meta.contentSourceUrl)) {
    problems.push(
      fieldMessage({
        file,
        line: meta.contentSourceUrlLine,
        message: `source_url "${meta.contentSourceUrl}" is not an http(s) URL`,
      }),
    );
  }
  for (const [name, value, line] of [
    ['pic_crop_235_1', meta.picCrop2351, meta.picCrop2351Line],
    ['pic_crop_1_1', meta.picCrop11, meta.picCrop11Line],
  ] as const) {
    if (value !== undefined && !validCrop(value)) {
      problems.push(
        fieldMessage({
          file,
          line,
          message: `${name} "${value}" must be X1_Y1_X2_Y2 with numbers in [0, 1] (≤ 6 decimals), e.g. 0.1945_0_1_0.5236`,
        }),
      );
    }
  }
  // Content last: the field problems say what to fix in the front matter first.
  problems.push(...found.filter((p) => p.field === 'content').map((p) => describe(p, meta, file)));
  return problems;
}

/**
 * The content limits alone (text < 20,000 characters, HTML < 1,000,000 bytes) of the article `meta` makes with
 * `html` as its content: what a render adds to {@link checkArticleLimits}'s field checks.
 */
export function checkContentLimits(meta: PostMeta, file: string, html: string): VFileMessage[] {
  return checkArticles([articleOf(meta, html)])
    .filter((p) => p.field === 'content')
    .map((p) => describe(p, meta, file));
}

/**
 * The longest start of `title` within `max` characters that ends at a word or punctuation boundary (words as
 * `Intl.Segmenter` finds them, which segments Chinese and Japanese too), without trailing punctuation or
 * spaces. A suggestion for the writer; md2wx never cuts a title itself.
 */
export function suggestTitleCut(title: string, max: number): string {
  const segments = [...new Intl.Segmenter('zh', { granularity: 'word' }).segment(title)];
  let cut = '';
  let best = '';
  let bestAtPunctuation = '';
  for (const { segment, isWordLike } of segments) {
    if (charCount(cut + segment) > max) break;
    cut += segment;
    const trimmed = cut.replace(/[\s\p{P}\p{S}]+$/u, '');
    if (isWordLike) best = trimmed;
    else if (/\p{P}|\s/u.test(segment)) bestAtPunctuation = trimmed;
  }
  // A cut at punctuation reads better, unless it would lose more than a third of what fits.
  const pick = charCount(bestAtPunctuation) >= (max * 2) / 3 ? bestAtPunctuation : best || bestAtPunctuation;
  return pick || Array.from(title).slice(0, max).join('');
}

function validCrop(value: string): boolean {
  if (!CROP.test(value)) return false;
  const [x1, y1, x2, y2] = value.split('_').map(Number) as [number, number, number, number];
  return [x1, y1, x2, y2].every((n) => n >= 0 && n <= 1) && x1 < x2 && y1 < y2;
}

/** Throws a ContentError (exit 1) when `problems` is not empty. */
export function assertNoProblems(problems: VFileMessage[]): void {
  if (problems.length > 0) throw new ContentError(problems);
}
