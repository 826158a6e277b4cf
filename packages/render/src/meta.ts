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

const CJK_CHAR = /[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]/g;

/** Counts words the way Chinese editors do: each CJK character is one, each Latin word or number is one. */
export function countWords(text: string): number {
  const cjk = text.match(CJK_CHAR)?.length ?? 0;
  const latin =
    text.replace(CJK_CHAR, ' ').match(/[A-Za-z0-9\u00c0-\u024f]+(['’.-][A-Za-z0-9]+)*/g)?.length ?? 0;
  return cjk + latin;
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
