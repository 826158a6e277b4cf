import type { Element, Root as HastRoot, RootContent as HastContent } from 'hast';
import type { Root as MdastRoot, RootContent } from 'mdast';
import type { ArticleMeta } from './types.js';

function mdText(node: RootContent | MdastRoot): string {
  if ('value' in node && typeof node.value === 'string' && node.type !== 'html') return node.value;
  if ('children' in node) return (node.children as RootContent[]).map(mdText).join('');
  return '';
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (typeof value === 'number') return String(value);
  return undefined;
}

function pick(fm: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = str(fm[k]);
    if (v) return v;
  }
  return undefined;
}

function authorOf(value: unknown): string | undefined {
  if (Array.isArray(value)) return authorOf(value[0]);
  if (value && typeof value === 'object') return str((value as Record<string, unknown>).name);
  return str(value);
}

/**
 * Reads title, author, digest, cover and source URL from front matter, falling back to the first
 * `# h1` (title) and first paragraph (digest, cut to 120 characters). When `stripTitle` is set and
 * the title came from (or equals) a leading h1, that heading is removed from the tree, since WeChat
 * shows the title above the article.
 */
export function extractMeta(
  tree: MdastRoot,
  fm: Record<string, unknown>,
  stripTitle: boolean,
): Omit<ArticleMeta, 'wordCount'> {
  let title = pick(fm, ['title']);
  const firstContent = tree.children.findIndex(
    (n) => n.type !== 'yaml' && (n.type as string) !== 'toml' && n.type !== 'html',
  );
  const h1Index = tree.children.findIndex((n) => n.type === 'heading' && n.depth === 1);
  const h1 = h1Index >= 0 ? (tree.children[h1Index] as RootContent) : undefined;
  const h1Text = h1 ? mdText(h1).trim() : undefined;
  if (!title && h1Text) title = h1Text;
  if (stripTitle && h1 && h1Index === firstContent && h1Text === title) tree.children.splice(h1Index, 1);
  let digest = pick(fm, ['digest', 'description', 'summary', 'excerpt', 'abstract']);
  if (!digest) {
    const para = tree.children.find((n) => n.type === 'paragraph' && mdText(n).trim());
    if (para) {
      const t = mdText(para).replace(/\s+/g, ' ').trim();
      digest = Array.from(t).length > 120 ? `${Array.from(t).slice(0, 119).join('')}…` : t;
    }
  }
  const author = authorOf(fm.author ?? fm.authors);
  const cover = pick(fm, [
    'cover',
    'image',
    'thumbnail',
    'banner',
    'featured_image',
    'featureImage',
    'cover_image',
  ]);
  const source = pick(fm, [
    'source_url',
    'sourceUrl',
    'content_source_url',
    'canonical',
    'canonical_url',
    'link',
    'url',
  ]);
  return {
    ...(title ? { title } : {}),
    ...(author ? { author } : {}),
    ...(digest ? { digest } : {}),
    ...(cover ? { cover } : {}),
    ...(source && /^https?:\/\//i.test(source) ? { sourceUrl: source } : {}),
    frontmatter: fm,
  };
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
