/**
 * Front matter → draft article fields (wechat-api.md §2.13), and the field limits checked before any upload.
 */
import { visibleText } from '@md2wx/wechat';
import { ContentError, type ContentProblem } from './errors.js';
import { frontMatterLine, parseFrontMatter } from './front-matter.js';

/** WeChat's documented limits (wechat-api.md §2.13, 2025-12 wording). Characters are Unicode code points. */
export const ARTICLE_LIMITS = {
  /** "总长度不超过32个字" */
  titleChars: 32,
  /** "总长度不超过16个字" */
  authorChars: 16,
  /** "总长度不超过128个字" */
  digestChars: 128,
  /**
   * "必须少于2万字符" — counted on the visible text (tags dropped, whitespace collapsed), as @md2wx/wechat's
   * `visibleText` and the sandbox count it (wechat-html.md §10); how WeChat itself counts is UNCONFIRMED.
   */
  contentChars: 20_000,
  /** "小于1M", bytes of the HTML, read as the stricter 10^6 like @md2wx/wechat's `checkArticles`. */
  contentBytes: 1_000_000,
  /** "大小不可超过1 kb", bytes. */
  sourceUrlBytes: 1024,
} as const;

/** What a post's front matter (and first heading) say about its article. */
export interface PostMeta {
  title?: string;
  /** Where the title came from, for error locations. */
  titleLine?: number;
  /** `flag`: `--title`; `wechat_title`: the front matter's WeChat-only title. */
  titleFrom?: 'flag' | 'wechat_title' | 'front-matter' | 'h1';
  author?: string;
  digest?: string;
  /** The front-matter key the digest came from (`wechat_digest`, `digest`, `description`, `summary`, `excerpt`). */
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
  needOpenComment?: 0 | 1;
  onlyFansCanComment?: 0 | 1;
  picCrop2351?: string;
  picCrop11?: string;
  /** Stable post identity for the state file (front matter `wechat_id`). */
  wechatId?: string;
  /** Markdown without front matter. */
  body: string;
  bodyLineOffset: number;
}

/** Front-matter keys read as the digest, in order of precedence. */
const DIGEST_KEYS = ['wechat_digest', 'digest', 'description', 'summary', 'excerpt'] as const;
export type DigestKey = (typeof DIGEST_KEYS)[number];
/** Keys written for WeChat: over the limit they are refused, never dropped. */
const EXPLICIT_DIGEST = new Set<DigestKey>(['wechat_digest', 'digest']);

const CROP = /^(?:0|1|0?\.\d{1,6}|1\.0{1,6}|0\.\d{1,6})(?:_(?:0|1|0?\.\d{1,6}|1\.0{1,6})){3}$/;

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

function flag(value: unknown): 0 | 1 | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === true || value === 1 || value === '1' || value === 'true' || value === 'yes') return 1;
  return 0;
}

/**
 * The first level-1 heading of `markdown` (ATX `# x` or setext `x\n===`), outside fenced code, with its
 * 0-based line in `markdown`. Inline Markdown marks are stripped.
 */
export function firstH1(markdown: string): { text: string; line: number } | undefined {
  const lines = markdown.split('\n');
  for (const { line, i } of linesOutsideFences(lines)) {
    const atx = /^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx?.[1]) return { text: plainText(atx[1]), line: i };
    const next = lines[i + 1];
    if (
      line.trim() !== '' &&
      next !== undefined &&
      /^ {0,3}=+[ \t]*$/.test(next) &&
      !/^ {0,3}[-*>#|]/.test(line)
    ) {
      return { text: plainText(line.trim()), line: i };
    }
  }
  return undefined;
}

/** The lines of `lines` outside fenced code blocks (``` or ~~~, closed by a fence as long or longer), with their index. */
function* linesOutsideFences(lines: readonly string[]): Generator<{ line: string; i: number }> {
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1] ?? '';
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (fence === undefined) yield { line, i };
  }
}

function plainText(inline: string): string {
  return inline
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[*_`~]/g, '')
    .trim();
}

/**
 * Reads a post's article fields: title (front matter `wechat_title`, else `title`, else the first h1), author, digest
 * (`wechat_digest`|`digest`|`description`|`summary`|`excerpt`), cover (`cover`|`image`|`thumbnail`, or `cover.image`),
 * `content_source_url` (`source_url`|`canonical`|`canonical_url`|`original_url`), comment flags
 * (`comments`|`open_comment`|`need_open_comment`, `only_fans_can_comment`|`fans_only_comment`), crop
 * (`crop: { "2.35_1": "X1_Y1_X2_Y2", "1_1": … }` or `pic_crop_235_1`/`pic_crop_1_1`), and `wechat_id`.
 */
export function readPostMeta(source: string, file?: string): PostMeta {
  const fm = parseFrontMatter(source, file);
  const d = fm.data;
  const meta: PostMeta = { body: fm.body, bodyLineOffset: fm.bodyLineOffset };
  // `wechat_title` lets a post keep a long site title and give WeChat (32 characters at most) a shorter one.
  const wechatTitle = str(d.wechat_title);
  const title = wechatTitle ?? str(d.title);
  if (title) {
    meta.title = title;
    meta.titleFrom = wechatTitle ? 'wechat_title' : 'front-matter';
    const line = frontMatterLine(source, wechatTitle ? 'wechat_title' : 'title');
    if (line !== undefined) meta.titleLine = line;
  } else {
    const h1 = firstH1(fm.body);
    if (h1?.text) {
      meta.title = h1.text;
      meta.titleFrom = 'h1';
      meta.titleLine = h1.line + 1 + fm.bodyLineOffset;
    }
  }
  const authorValue = d.author ?? d.authors;
  const author = Array.isArray(authorValue)
    ? str(authorValue[0])
    : authorValue && typeof authorValue === 'object'
      ? str((authorValue as { name?: unknown }).name)
      : str(authorValue);
  if (author) meta.author = author;
  const digestFrom = DIGEST_KEYS.find((k) => str(d[k]) !== undefined);
  if (digestFrom) {
    meta.digest = str(d[digestFrom]) as string;
    meta.digestFrom = digestFrom;
    const line = frontMatterLine(source, digestFrom);
    if (line !== undefined) meta.digestLine = line;
  }
  const coverValue = d.cover ?? d.image ?? d.thumbnail;
  const cover =
    coverValue && typeof coverValue === 'object'
      ? str((coverValue as { image?: unknown; src?: unknown }).image ?? (coverValue as { src?: unknown }).src)
      : str(coverValue);
  if (cover) {
    meta.cover = cover;
    const key = ['cover', 'image', 'thumbnail'].find((k) => d[k] !== undefined) ?? 'cover';
    const line = frontMatterLine(source, key);
    if (line !== undefined) meta.coverLine = line;
  }
  const url = str(d.source_url ?? d.canonical ?? d.canonical_url ?? d.canonicalURL ?? d.original_url);
  if (url) meta.contentSourceUrl = url;
  const open = flag(d.need_open_comment ?? d.open_comment ?? d.comments ?? d.comment);
  if (open !== undefined) meta.needOpenComment = open;
  const fans = flag(d.only_fans_can_comment ?? d.fans_only_comment);
  if (fans !== undefined) meta.onlyFansCanComment = fans;
  const crop = (d.crop && typeof d.crop === 'object' ? d.crop : {}) as Record<string, unknown>;
  const crop2351 = str(d.pic_crop_235_1 ?? crop['2.35_1'] ?? crop['235_1']);
  if (crop2351) meta.picCrop2351 = crop2351;
  const crop11 = str(d.pic_crop_1_1 ?? crop['1_1']);
  if (crop11) meta.picCrop11 = crop11;
  const wechatId = str(d.wechat_id);
  if (wechatId) meta.wechatId = wechatId;
  return meta;
}

/** Counts characters as WeChat's "字": Unicode code points. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Checks the fields WeChat limits (wechat-api.md §2.13) before anything is uploaded: title present and
 * ≤ 32 characters, author ≤ 16, digest ≤ 128, content_source_url an http(s) URL ≤ 1 KiB, crops
 * `X1_Y1_X2_Y2` in [0, 1] with ≤ 6 decimals, and — when `html` is given — content < 20,000 characters of text and
 * < 1 MiB of HTML.
 * @returns the problems found (empty when all is well), each with file and line.
 */
export function checkArticleLimits(meta: PostMeta, file: string, html?: string): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const at = (line: number | undefined) => (line === undefined ? { file } : { file, line });
  if (!meta.title) {
    problems.push({
      ...at(undefined),
      message: 'no title: add `title:` to the front matter or start the post with `# Title`',
    });
  } else if (charCount(meta.title) > ARTICLE_LIMITS.titleChars) {
    const n = charCount(meta.title);
    const max = ARTICLE_LIMITS.titleChars;
    problems.push(
      meta.titleFrom === 'flag'
        ? {
            ...at(undefined),
            message: `--title is ${n} characters; WeChat allows at most ${max}: shorten it (a cut at a word or punctuation boundary: "${suggestTitleCut(meta.title, max)}")`,
          }
        : {
            ...at(meta.titleLine),
            message:
              `title is ${n} characters; WeChat allows at most ${max}: shorten it (a cut at a word or punctuation ` +
              `boundary: "${suggestTitleCut(meta.title, max)}"), or give WeChat its own with \`wechat_title:\` in the ` +
              'front matter or --title "…"',
          },
    );
  }
  if (meta.author && charCount(meta.author) > ARTICLE_LIMITS.authorChars) {
    problems.push({
      ...at(undefined),
      message: `author is ${charCount(meta.author)} characters; WeChat allows at most ${ARTICLE_LIMITS.authorChars}`,
    });
  }
  if (meta.digest && charCount(meta.digest) > ARTICLE_LIMITS.digestChars) {
    // Only an explicit digest gets here: applyFieldFallbacks drops a long description/summary.
    const key = meta.digestFrom ?? 'digest';
    problems.push({
      ...at(meta.digestLine),
      message: `${key} is ${charCount(meta.digest)} characters; WeChat allows at most ${ARTICLE_LIMITS.digestChars}: shorten it (it is not cut for you), or remove it and WeChat makes the digest from the article`,
    });
  }
  if (meta.contentSourceUrl) {
    const bytes = Buffer.byteLength(meta.contentSourceUrl);
    if (!/^https?:\/\/[^\s]+$/i.test(meta.contentSourceUrl)) {
      problems.push({
        ...at(undefined),
        message: `source_url "${meta.contentSourceUrl}" is not an http(s) URL`,
      });
    } else if (bytes > ARTICLE_LIMITS.sourceUrlBytes) {
      problems.push({
        ...at(undefined),
        message: `source_url is ${bytes} bytes; WeChat allows at most 1024`,
      });
    }
  }
  for (const [name, value] of [
    ['pic_crop_235_1', meta.picCrop2351],
    ['pic_crop_1_1', meta.picCrop11],
  ] as const) {
    if (value !== undefined && !validCrop(value)) {
      problems.push({
        ...at(undefined),
        message: `${name} "${value}" must be X1_Y1_X2_Y2 with numbers in [0, 1] (≤ 6 decimals), e.g. 0.1945_0_1_0.5236`,
      });
    }
  }
  if (html !== undefined) {
    const chars = charCount(visibleText(html));
    if (chars >= ARTICLE_LIMITS.contentChars) {
      problems.push({
        ...at(undefined),
        message: `content has ${chars} characters of text; WeChat needs fewer than ${ARTICLE_LIMITS.contentChars}: split the post`,
      });
    }
    const bytes = Buffer.byteLength(html);
    if (bytes >= ARTICLE_LIMITS.contentBytes) {
      problems.push({
        ...at(undefined),
        message: `content HTML is ${bytes} bytes; WeChat needs less than 1 MB (${ARTICLE_LIMITS.contentBytes} bytes): use a lighter theme or split the post`,
      });
    }
  }
  return problems;
}

/**
 * Field fallbacks, applied before {@link checkArticleLimits}: a `description`/`summary`/`excerpt` longer than
 * WeChat's 128-character digest is written for search engines, not for WeChat; it is left out of the draft
 * (WeChat then takes the digest from the article) rather than refusing the post or cutting it in silence.
 * Mutates `meta` (drops `digest`, sets `digestDropped`).
 * @returns one warning per fallback taken, with file and line.
 */
export function applyFieldFallbacks(meta: PostMeta, file: string): ContentProblem[] {
  const warnings: ContentProblem[] = [];
  const from = meta.digestFrom;
  if (meta.digest && from && !EXPLICIT_DIGEST.has(from)) {
    const chars = charCount(meta.digest);
    if (chars > ARTICLE_LIMITS.digestChars) {
      meta.digestDropped = {
        from,
        chars,
        ...(meta.digestLine === undefined ? {} : { line: meta.digestLine }),
      };
      delete meta.digest;
      delete meta.digestFrom;
      delete meta.digestLine;
      warnings.push({
        file,
        ...(meta.digestDropped.line === undefined ? {} : { line: meta.digestDropped.line }),
        message: `${from} is ${chars} characters, over WeChat's ${ARTICLE_LIMITS.digestChars}: not sent as the digest, so WeChat makes one from the article; to choose it, add \`digest:\` (or \`wechat_digest:\`, which only WeChat reads) with at most ${ARTICLE_LIMITS.digestChars} characters`,
      });
    }
  }
  return warnings;
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
export function assertNoProblems(problems: ContentProblem[]): void {
  if (problems.length > 0) throw new ContentError(problems);
}

/**
 * The first image of a Markdown body (`![alt](src)` or `<img src="…">`, outside fenced code), with its
 * 0-based line in `markdown`: the default cover.
 */
export function firstImage(markdown: string): { src: string; line: number } | undefined {
  for (const { line, i } of linesOutsideFences(markdown.split('\n'))) {
    const withoutCode = line.replace(/`[^`]*`/g, '');
    const md = /!\[[^\]]*\]\(\s*(?:<([^>]+)>|([^\s)]+))/.exec(withoutCode);
    const html = /<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/i.exec(withoutCode);
    const mdSrc = md ? (md[1] ?? md[2]) : undefined;
    const pick = md && html ? (md.index <= html.index ? mdSrc : html[1]) : (mdSrc ?? html?.[1]);
    if (pick) return { src: pick, line: i };
  }
  return undefined;
}
