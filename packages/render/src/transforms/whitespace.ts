import type { Element, ElementContent, Root } from 'hast';
import type { VFile } from 'vfile';
import type { RenderContext } from '../types.js';
import { contextOf } from './context.js';

/** Containers whose whitespace-only children are source formatting, never content (rule 6). */
const STRUCTURE_PARENTS = new Set(['ul', 'ol', 'table', 'thead', 'tbody', 'tr', 'figure']);
/** Containers that may mix inline content and blocks: whitespace only goes next to a block. */
const MIXED_PARENTS = new Set(['section', 'blockquote', 'li', 'td', 'th']);
const BLOCKS = new Set([
  'section',
  'p',
  'blockquote',
  'ul',
  'ol',
  'li',
  'table',
  'pre',
  'figure',
  'figcaption',
  'hr',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
]);

function isBlock(node: ElementContent | undefined): boolean {
  return node === undefined || (node.type === 'element' && BLOCKS.has(node.tagName));
}
const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/;

function lastChar(nodes: ElementContent[], from: number): string {
  for (let i = from; i >= 0; i--) {
    const n = nodes[i];
    if (n?.type === 'text' && n.value) return n.value.slice(-1);
    if (n?.type === 'element') return n.tagName === 'br' ? '\n' : 'x';
  }
  return '';
}

/**
 * Soft line breaks out of text (rule 7): a `\n` in running text becomes a space, or nothing when it
 * sits between two CJK characters or right after a `<br>`; whitespace-only text between blocks and
 * list items goes (rule 6). Code blocks and SVG are left alone.
 */
export function whitespaceTransform(tree: Root, _ctx?: RenderContext): void {
  const visit = (parent: Root | Element) => {
    const structural = parent.type === 'root' || STRUCTURE_PARENTS.has(parent.tagName);
    const mixed = parent.type === 'element' && MIXED_PARENTS.has(parent.tagName);
    const kids = parent.children as ElementContent[];
    const out: ElementContent[] = [];
    for (let i = 0; i < kids.length; i++) {
      const node = kids[i] as ElementContent;
      if (node.type === 'element') {
        if (node.tagName !== 'pre' && node.tagName !== 'svg') visit(node);
        out.push(node);
        continue;
      }
      if (node.type !== 'text') {
        out.push(node);
        continue;
      }
      if (node.value.includes('\n') && node.value.trim() === '') {
        if (structural || (mixed && (isBlock(out[out.length - 1]) || isBlock(kids[i + 1])))) continue;
      }
      if (!node.value.includes('\n') && !node.value.includes('\r')) {
        out.push(node);
        continue;
      }
      const prev = lastChar(out, out.length - 1);
      const value = node.value.replace(/[ \t]*\r?\n[ \t]*/g, (_m, offset: number, whole: string) => {
        const before = offset === 0 ? prev : (whole[offset - 1] ?? '');
        const after = whole[offset + _m.length] ?? (kids[i + 1]?.type === 'element' ? 'x' : '');
        if (before === '\n' || before === '') return '';
        if (offset + _m.length === whole.length && i === kids.length - 1) return '';
        if (CJK.test(before) && CJK.test(after)) return '';
        return ' ';
      });
      if (value) out.push({ type: 'text', value });
    }
    parent.children = out as typeof parent.children;
  };
  visit(tree);
}

/** Rehype plugin form of {@link whitespaceTransform}. */
export function rehypeWechatWhitespace() {
  return (tree: Root, file: VFile) => whitespaceTransform(tree, contextOf(file));
}
