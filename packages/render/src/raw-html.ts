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

/**
 * Elements whose start and end tag may sit in two raw chunks with Markdown between them. In these
 * places the HTML parser only nests what comes between, so wrapping the siblings in between gives
 * rehype-raw's tree: phrasing elements that neither close a `<p>` nor reopen across blocks (`a` is
 * left out: a Markdown link inside it would be split off), and, where flow content is allowed (the
 * top level, a table cell, a list item, a blockquote), block containers (which would close an
 * enclosing `<p>`).
 */
const PHRASING = new Set(
  'abbr acronym b bdi bdo big cite del dfn em font i ins kbd mark q s samp small span strike strong sub sup time tt u var'.split(
    ' ',
  ),
);
const BLOCK = new Set('article aside center div figure footer header main nav section'.split(' '));
/** Parents in which a block container's start tag nests without closing anything. */
const FLOW_PARENTS = new Set(['td', 'th', 'li', 'blockquote']);
const flowParent = (node: Root | Element) => node.type === 'root' || FLOW_PARENTS.has(node.tagName);
/** A chunk that opens one element and leaves it open: `<center>`, `<center>\n  <img src=x>`. */
const OPENER = /^<([a-zA-Z][\w-]*)[\s>]/;
/** A chunk that starts by closing one element: `</kbd>`, `</center>\n<p>more</p>`. */
const CLOSER = /^<\/([a-zA-Z][\w-]*)\s*>/;

/** The element a chunk opens and leaves open (only that one), or undefined. */
function openerOf(html: string): string | undefined {
  const name = OPENER.exec(html)?.[1]?.toLowerCase();
  if (!name || !(PHRASING.has(name) || BLOCK.has(name))) return undefined;
  if (html.includes('<!--') || TABLE_PARTS.test(html)) return undefined;
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][\w:-]*)\b[^>]*?(\/?)>/g)) {
    const tag = (m[2] as string).toLowerCase();
    if (VOID.has(tag) || m[3]) continue;
    if (m[1]) {
      if (stack.pop() !== tag) return undefined;
    } else stack.push(tag);
  }
  return stack.length === 1 && stack[0] === name ? name : undefined;
}

function closerOf(html: string): { name: string; rest: string } | undefined {
  const m = CLOSER.exec(html);
  if (!m) return undefined;
  const rest = html.slice(m[0].length);
  return isSelfContained(rest) ? { name: (m[1] as string).toLowerCase(), rest } : undefined;
}

type Child = RootContent | ElementContent;
const isRaw = (c: Child): c is Child & RawNode => (c.type as string) === 'raw';

/**
 * Checks that every raw chunk under `node` can be parsed on its own or paired with its closing
 * chunk among the same siblings. Nothing is changed; {@link spliceRaw} does the work afterwards.
 */
function canSplice(node: Root | Element): boolean {
  const kids = node.children as Child[];
  for (let i = 0; i < kids.length; i++) {
    const c = kids[i] as Child;
    if (c.type === 'element') {
      if (!canSplice(c)) return false;
      continue;
    }
    if (!isRaw(c) || isSelfContained(c.value)) continue;
    const j = closingIndex(kids, i, flowParent(node));
    if (j < 0) return false;
    // The siblings in between, checked as the children of the element they will end up in.
    if (
      !canSplice({ type: 'element', tagName: 'x', properties: {}, children: kids.slice(i + 1, j) } as Element)
    )
      return false;
    i = j;
  }
  return true;
}

/** Index of the sibling chunk that closes the element opened at `i` (nested same-name pairs skipped), or -1. */
function closingIndex(kids: Child[], i: number, flow: boolean): number {
  const open = kids[i] as RawNode;
  const name = openerOf(open.value);
  if (!name || (BLOCK.has(name) && !flow)) return -1;
  let depth = 0;
  for (let j = i + 1; j < kids.length; j++) {
    const c = kids[j] as Child;
    if (!isRaw(c)) {
      // A block container cannot be nested in a phrasing one by the parser; keep to plain cases.
      if (
        PHRASING.has(name) &&
        c.type === 'element' &&
        !PHRASING.has(c.tagName) &&
        c.tagName !== 'code' &&
        c.tagName !== 'br' &&
        c.tagName !== 'img'
      )
        return -1;
      continue;
    }
    if (openerOf(c.value) === name) depth++;
    else if (closerOf(c.value)?.name === name) {
      if (depth === 0) return j;
      depth--;
    }
  }
  return -1;
}

function parseRaw(raw: RawNode, html: string, out: Child[]): void {
  if (!html) return;
  const parsed = fromHtml(html, { fragment: true });
  for (const p of parsed.children) {
    if (p.type === 'doctype') continue;
    if (raw.position) p.position = raw.position;
    out.push(p as Child);
  }
}

function spliceRaw(node: Root | Element): void {
  const kids = node.children as Child[];
  const out: Child[] = [];
  for (let i = 0; i < kids.length; i++) {
    const c = kids[i] as Child;
    if (c.type === 'element') {
      spliceRaw(c);
      out.push(c);
      continue;
    }
    if (!isRaw(c)) {
      out.push(c);
      continue;
    }
    if (isSelfContained(c.value)) {
      parseRaw(c, c.value, out);
      continue;
    }
    // canSplice has checked the pair: parse the opener with its end tag added, move the siblings
    // in between into it, then parse whatever follows the closing tag.
    const j = closingIndex(kids, i, flowParent(node));
    const name = openerOf(c.value) as string;
    const opened: Child[] = [];
    // A bare `<kbd>` needs no parser (each parse5 run costs more than the element it returns).
    if (c.value.length === name.length + 2)
      opened.push({
        type: 'element',
        tagName: name,
        properties: {},
        children: [],
        ...(c.position ? { position: c.position } : {}),
      });
    else parseRaw(c, `${c.value}</${name}>`, opened);
    const element = opened.at(-1) as Element;
    const inner = { ...element, children: kids.slice(i + 1, j) } as Element;
    spliceRaw(inner);
    element.children = [...element.children, ...inner.children];
    out.push(...opened);
    const close = kids[j] as RawNode;
    parseRaw(close, (closerOf(close.value) as { rest: string }).rest, out);
    i = j;
  }
  node.children = out as typeof node.children;
}

/**
 * Raw HTML in Markdown → hast elements. rehype-raw re-parses the whole document through parse5,
 * which costs about as much as parsing the Markdown; it is skipped when there is no raw HTML, and
 * when every raw chunk is self-contained, or an opening chunk whose closing chunk is a later sibling
 * (`<kbd>`…`</kbd>` in a paragraph, `<center>`…`</center>` around blocks), each chunk is parsed on
 * its own instead and the Markdown between a pair is moved into the element.
 */
export function rehypeRawFast(this: unknown) {
  const raw = rehypeRaw();
  return (tree: Root, file: VFile): Root => {
    const nodes: RawNode[] = [];
    collectRaw(tree, nodes);
    if (nodes.length === 0) return tree;
    if (canSplice(tree)) {
      spliceRaw(tree);
      return tree;
    }
    return raw(tree, file) as Root;
  };
}
