import type { Element, ElementContent, Root } from 'hast';
import type { VFile } from 'vfile';
import type { RenderContext } from '../types.js';
import { contextOf } from './context.js';
import { addClass, addStyle, el, walkElements } from './element.js';

/** The scroll container every table sits in (rule 34). */
export const TABLE_WRAP_STYLE = 'max-width:100%;overflow-x:auto;-webkit-overflow-scrolling:touch';

/**
 * Tables → inside a horizontally scrolling `<section class="table-wrap">` (docs/wechat-html-rules.md#tables,
 * rule 34); cell `align` becomes inline `text-align`; whitespace between rows and cells goes (rule 6).
 */
export function tablesTransform(tree: Root, _ctx?: RenderContext): void {
  const visit = (parent: Root | Element) => {
    const children = parent.children as ElementContent[];
    for (let i = 0; i < children.length; i++) {
      const node = children[i];
      if (node?.type !== 'element') continue;
      if (node.tagName !== 'table') {
        if (node.tagName !== 'svg') visit(node);
        continue;
      }
      walkElements(node, (cell) => {
        if (cell.tagName === 'td' || cell.tagName === 'th') {
          const align = cell.properties.align;
          if (typeof align === 'string' && align) {
            addStyle(cell, `text-align:${align}`);
            delete cell.properties.align;
          }
        }
        return undefined;
      });
      const parentIsWrap =
        parent.type === 'element' && parent.tagName === 'section' && parent.children.length === 1;
      if (parentIsWrap) {
        addStyle(parent as Element, TABLE_WRAP_STYLE);
        continue;
      }
      const wrap = el('section', { className: ['table-wrap'], style: TABLE_WRAP_STYLE }, [node]);
      children[i] = wrap;
      addClass(node, 'table');
    }
  };
  visit(tree);
}

/** Rehype plugin form of {@link tablesTransform}. */
export function rehypeWechatTables() {
  return (tree: Root, file: VFile) => tablesTransform(tree, contextOf(file));
}
