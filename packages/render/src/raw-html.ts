import type { Element, ElementContent, Root, RootContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import rehypeRaw from 'rehype-raw';
import type { VFile } from 'vfile';

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
const TABLE_PARTS = /<(tr|td|th|tbody|thead|tfoot|caption|col|colgroup)\b/i;

interface RawNode {
  type: 'raw';
  value: string;
  position?: RootContent['position'];
}

/**
 * True when a raw HTML chunk stands on its own: every tag it opens it also closes, so parsing it
 * alone gives the same tree as parsing the whole document. Table parts outside a table do not
 * qualify (a fragment parser drops them).
 */
export function isSelfContained(html: string): boolean {
  const source = html.replace(/<!--[\s\S]*?-->/g, '');
  if (source.includes('<!--')) return false;
  if (TABLE_PARTS.test(source) && !/<table\b/i.test(source)) return false;
  const stack: string[] = [];
  for (const m of source.matchAll(/<(\/?)([a-zA-Z][\w:-]*)\b[^>]*?(\/?)>/g)) {
    const name = (m[2] as string).toLowerCase();
    if (VOID.has(name) || m[3]) continue;
    if (m[1]) {
      if (stack.pop() !== name) return false;
    } else stack.push(name);
  }
  return stack.length === 0;
}

function collectRaw(node: Root | Element, out: RawNode[]): void {
  for (const c of node.children) {
    if ((c.type as string) === 'raw') out.push(c as unknown as RawNode);
    else if (c.type === 'element') collectRaw(c, out);
  }
}

function spliceRaw(node: Root | Element): void {
  const out: (RootContent | ElementContent)[] = [];
  for (const c of node.children) {
    if ((c.type as string) === 'raw') {
      const raw = c as unknown as RawNode;
      const parsed = fromHtml(raw.value, { fragment: true });
      for (const p of parsed.children) {
        if (p.type === 'doctype') continue;
        if (raw.position) p.position = raw.position;
        out.push(p);
      }
      continue;
    }
    if (c.type === 'element') spliceRaw(c);
    out.push(c);
  }
  node.children = out as typeof node.children;
}

/**
 * Raw HTML in Markdown → hast elements. rehype-raw re-parses the whole document through parse5,
 * which costs about as much as parsing the Markdown; it is skipped when there is no raw HTML, and
 * when every raw chunk is self-contained each chunk is parsed on its own instead.
 */
export function rehypeRawFast(this: unknown) {
  const raw = rehypeRaw();
  return (tree: Root, file: VFile): Root => {
    const nodes: RawNode[] = [];
    collectRaw(tree, nodes);
    if (nodes.length === 0) return tree;
    if (nodes.every((n) => isSelfContained(n.value))) {
      spliceRaw(tree);
      return tree;
    }
    return raw(tree, file) as Root;
  };
}
