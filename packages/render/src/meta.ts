import type { Element, Root as HastRoot, RootContent as HastContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import type { Root as MdastRoot, RootContent } from 'mdast';
import { EXIT, visit } from 'unist-util-visit';
import type { FrontMatter } from './frontmatter.js';
import type { ArticleMeta } from './types.js';

/** A field of {@link ArticleMeta} read from front matter. */
export type MetaField =
  | 'title'
  | 'author'
  | 'digest'
  | 'cover'
  | 'sourceUrl'
  | 'needOpenComment'
  | 'onlyFansCanComment'
  | 'picCrop2351'
  | 'picCrop11'
  | 'wechatId';

/**
 * The one table of front-matter keys md2wx reads, by field, in order of precedence (the first key with a
 * value wins). A key is a path: `['crop', '1_1']` is `crop: { "1_1": … }`. The keys cover Hugo, Hexo,
 * Jekyll, Astro, Zola and the WeChat-only `wechat_*` overrides.
 */
export const META_KEYS: Readonly<Record<MetaField, readonly (readonly string[])[]>> = {
  // `wechat_title` lets a post keep a long site title and give WeChat (32 characters at most) a shorter one.
  title: [['wechat_title'], ['title']],
  author: [['author'], ['authors']],
  digest: [['wechat_digest'], ['digest'], ['description'], ['summary'], ['excerpt'], ['abstract']],
  cover: [
    ['cover'],
    ['image'],
    ['thumbnail'],
    ['banner'],
    ['featured_image'],
    ['featureImage'],
    ['cover_image'],
  ],
  sourceUrl: [
    ['source_url'],
    ['sourceUrl'],
    ['content_source_url'],
    ['canonical'],
    ['canonical_url'],
    ['canonicalURL'],
    ['original_url'],
    // Hugo and Jekyll use `link`/`url` for the page's own path too: only an absolute http(s) URL counts.
    ['link'],
    ['url'],
  ],
  needOpenComment: [['need_open_comment'], ['open_comment'], ['comments'], ['comment']],
  onlyFansCanComment: [['only_fans_can_comment'], ['fans_only_comment']],
  picCrop2351: [['pic_crop_235_1'], ['crop', '2.35_1'], ['crop', '235_1']],
  picCrop11: [['pic_crop_1_1'], ['crop', '1_1']],
  wechatId: [['wechat_id']],
};

/** Digest keys written for WeChat (over 128 characters they are an error, not a search-engine description). */
export const EXPLICIT_DIGEST_KEYS: ReadonlySet<string> = new Set(['wechat_digest', 'digest']);

const HTTP_ONLY_KEYS = new Set(['link', 'url']);

function mdText(node: RootContent | MdastRoot): string {
  if ('value' in node && typeof node.value === 'string' && node.type !== 'html') return node.value;
  if ('children' in node) return (node.children as RootContent[]).map(mdText).join('');
  return '';
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

function flag(value: unknown): 0 | 1 | undefined {
  if (value === undefined || value === null) return undefined;
  return value === true || value === 1 || value === '1' || value === 'true' || value === 'yes' ? 1 : 0;
}

/** The value of a field as the front matter holds it, by field: strings trimmed, flags as 0/1. */
function fieldValue(field: MetaField, raw: unknown): string | 0 | 1 | undefined {
  if (field === 'needOpenComment' || field === 'onlyFansCanComment') return flag(raw);
  if (field === 'author') {
    if (Array.isArray(raw)) return fieldValue(field, raw[0]);
    if (raw && typeof raw === 'object') return str((raw as Record<string, unknown>).name);
  }
  if (field === 'cover' && raw && typeof raw === 'object' && !(raw instanceof Date)) {
    const o = raw as Record<string, unknown>;
    return str(o.image ?? o.src);
  }
  return str(raw);
}

function at(data: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = data;
  for (const k of path) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/**
 * Reads the post's metadata (title, author, digest, cover, source URL, comment flags, crops, `wechat_id`)
 * from front matter through {@link META_KEYS}, falling back to the first level-1 heading of the mdast tree
 * for the title, the first paragraph for the digest (cut to 120 characters), and recording the first image
 * (`image` node or `<img>` in an `html` node). A `#` line inside a code fence, math block or HTML block is
 * not a heading in the tree, so it is never the title. When `stripTitle` is set and the first content is an
 * h1 equal to the title (or to the front matter `title`), that heading is removed from the tree, since
 * WeChat shows the title above the article.
 *
 * @param fm the parsed front matter; its key positions count from `lineOffset` + 1 (the fence's line).
 * @returns the fields, with `origins[field]` = the key it came from and its 1-based line/column in the post.
 */
export function extractMeta(
  tree: MdastRoot,
  fm: Pick<FrontMatter, 'data' | 'keys'>,
  stripTitle: boolean,
  lineOffset = 0,
): Omit<ArticleMeta, 'wordCount'> {
  const meta: Omit<ArticleMeta, 'wordCount'> = { frontmatter: fm.data, origins: {} };
  const set = meta as unknown as Record<MetaField, unknown>;
  for (const [field, paths] of Object.entries(META_KEYS) as [MetaField, readonly (readonly string[])[]][]) {
    for (const path of paths) {
      const value = fieldValue(field, at(fm.data, path));
      if (value === undefined) continue;
      const key = path.join('.');
      if (field === 'sourceUrl' && HTTP_ONLY_KEYS.has(key) && !/^https?:\/\//i.test(String(value))) continue;
      set[field] = value;
      const point = fm.keys[path[0] as string];
      meta.origins[field] = point ? { key, line: point.line + lineOffset, column: point.column } : { key };
      break;
    }
  }
  const firstContent = tree.children.findIndex(
    (n) => n.type !== 'yaml' && (n.type as string) !== 'toml' && n.type !== 'html',
  );
  const h1Index = tree.children.findIndex((n) => n.type === 'heading' && n.depth === 1);
  const h1 = h1Index >= 0 ? (tree.children[h1Index] as RootContent) : undefined;
  const h1Text = h1 ? mdText(h1).trim() : undefined;
  if (!meta.title && h1 && h1Text) {
    meta.title = h1Text;
    meta.origins.title = { key: 'heading', ...pointOf(h1) };
  }
  if (
    stripTitle &&
    h1 &&
    h1Index === firstContent &&
    (h1Text === meta.title || h1Text === str(fm.data.title))
  ) {
    tree.children.splice(h1Index, 1);
  }
  if (!meta.digest) {
    const para = tree.children.find((n) => n.type === 'paragraph' && mdText(n).trim());
    if (para) {
      const t = mdText(para).replace(/\s+/g, ' ').trim();
      meta.digest = Array.from(t).length > 120 ? `${Array.from(t).slice(0, 119).join('')}…` : t;
      meta.origins.digest = { key: 'paragraph', ...pointOf(para) };
    }
  }
  const image = firstImage(tree);
  if (image) meta.firstImage = image;
  return meta;
}

function pointOf(node: { position?: { start: { line: number; column: number } } }): {
  line?: number;
  column?: number;
} {
  return node.position ? { line: node.position.start.line, column: node.position.start.column } : {};
}

/** The first image of the tree in reading order: an mdast `image`, or an `<img src>` inside raw HTML. */
function firstImage(tree: MdastRoot): ArticleMeta['firstImage'] {
  let found: ArticleMeta['firstImage'];
  visit(tree, (node) => {
    if (found) return EXIT;
    let src: string | undefined;
    if (node.type === 'image') src = node.url;
    else if (node.type === 'html' && /<img\b/i.test(node.value)) src = htmlImageSrc(node.value);
    if (!src) return undefined;
    const { line = 1, column = 1 } = pointOf(node);
    found = { src, line, column };
    return EXIT;
  });
  return found;
}

function htmlImageSrc(html: string): string | undefined {
  let src: string | undefined;
  visit(fromHtml(html, { fragment: true }), 'element', (el: Element) => {
    if (el.tagName !== 'img' || typeof el.properties.src !== 'string' || !el.properties.src) return undefined;
    src = el.properties.src;
    return EXIT;
  });
  return src;
}

const isCjk = (c: number) =>
  (c >= 0x3400 && c <= 0x9fff) ||
  (c >= 0xf900 && c <= 0xfaff) ||
  (c >= 0x3040 && c <= 0x30ff) ||
  (c >= 0xac00 && c <= 0xd7af);
const isAsciiAlnum = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
/** Letters a Latin word is made of: ASCII letters and digits, Latin-1 and Latin Extended-A/B. */
const isLatin = (c: number) => isAsciiAlnum(c) || (c >= 0xc0 && c <= 0x24f);
/** `'`, `’`, `.`, `-`: inside a word (`don't`, `3.14`, `e-mail`) when ASCII letters or digits follow. */
const isJoiner = (c: number) => c === 0x27 || c === 0x2019 || c === 0x2e || c === 0x2d;

/**
 * Counts words the way Chinese editors do: each CJK character is one, each Latin word or number is
 * one. A word is a run of Latin letters or digits, continued by `'’.-` + ASCII letters or digits
 * (the regex `[A-Za-z0-9\u00c0-\u024f]+(['’.-][A-Za-z0-9]+)*`, scanned by hand: this runs on the
 * whole text of every article, and the regex version cost as much as several WeChat transforms).
 */
export function countWords(text: string): number {
  let count = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isCjk(c)) {
      count++;
      i++;
      continue;
    }
    if (!isLatin(c)) {
      i++;
      continue;
    }
    count++;
    i++;
    while (i < n && isLatin(text.charCodeAt(i))) i++;
    while (i + 1 < n && isJoiner(text.charCodeAt(i)) && isAsciiAlnum(text.charCodeAt(i + 1))) {
      i += 2;
      while (i < n && isAsciiAlnum(text.charCodeAt(i))) i++;
    }
  }
  return count;
}

/** Visible text of a hast tree, skipping SVG (math glyphs are paths, not text). */
export function visibleText(node: HastRoot | HastContent): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element') {
    if ((node as Element).tagName === 'svg') return '';
    return node.children.map(visibleText).join('');
  }
  if (node.type === 'root') return node.children.map(visibleText).join('');
  return '';
}
