import type { Element, ElementContent, Root } from 'hast';
import type { VFile } from 'vfile';
import type { RenderContext } from '../types.js';
import { contextOf } from './context.js';
import { addClass, addStyle, el, isElement, text } from './element.js';

const LIST = new Set(['ul', 'ol']);
/** Extra indent of a list flattened out of a third (or deeper) level. */
const FLATTEN_INDENT = 'margin-left:1.2em';

function isList(node: ElementContent | undefined): node is Element {
  return node?.type === 'element' && LIST.has(node.tagName);
}

function isWhitespace(node: ElementContent): boolean {
  return node.type === 'text' && node.value.trim() === '';
}

/** Replaces a task-list checkbox with ☑/☐ text (WeChat filters `<input>`, docs/wechat-html-rules.md#tags). */
function replaceCheckbox(li: Element): boolean {
  const host = isElement(
    li.children.find((c) => !isWhitespace(c)),
    'p',
  )
    ? (li.children.find((c) => !isWhitespace(c)) as Element)
    : li;
  const i = host.children.findIndex((c) => isElement(c, 'input'));
  if (i < 0) return false;
  const input = host.children[i] as Element;
  const mark = input.properties.checked ? '☑' : '☐';
  host.children.splice(i, 1);
  const next = host.children[i];
  if (next?.type === 'text') next.value = `${mark} ${next.value.replace(/^\s+/, '')}`;
  else host.children.splice(i, 0, text(`${mark} `));
  return true;
}

/** Removes `p` directly under `li` (rule 33): a lone paragraph is unwrapped, several become `section`s. */
function unwrapParagraphs(li: Element): void {
  // Source newlines around a hoisted sub-list are not content.
  while (li.children.length && isWhitespace(li.children[0] as ElementContent)) li.children.shift();
  while (li.children.length && isWhitespace(li.children[li.children.length - 1] as ElementContent))
    li.children.pop();
  const last = li.children[li.children.length - 1];
  if (last?.type === 'text') last.value = last.value.replace(/\s*\n\s*$/, '');
  const blocks = li.children.filter((c) => !isWhitespace(c));
  if (blocks.length === 1 && isElement(blocks[0], 'p')) {
    li.children = blocks[0].children;
    return;
  }
  // Whitespace between inline children is content; the whitespace pass drops what sits next to blocks.
  for (const c of li.children) {
    if (isElement(c, 'p')) {
      c.tagName = 'section';
      addClass(c, 'li-p');
    }
  }
}

/**
 * Rewrites one list at nesting `depth` (1 = top) and returns the nodes that replace it in its parent.
 * Nested lists leave their `li` and become siblings of it (rule 32, siyuan #11276); lists deeper than
 * two levels are flattened to level two with an extra indent, splitting the enclosing list so the
 * reading order is kept (an `ol` split continues its numbering with `start`).
 */
function fixList(list: Element, depth: number): ElementContent[] {
  const out: ElementContent[] = [];
  const ordered = list.tagName === 'ol';
  let number = ordered ? Number(list.properties.start ?? 1) || 1 : 1;
  const baseProps = { ...list.properties };
  delete baseProps.start;
  const items = list.children;
  const newSegment = (): Element => {
    const seg = el(list.tagName, { ...baseProps });
    if (ordered && number !== 1) seg.properties.start = number;
    return seg;
  };
  let segment = newSegment();
  // Keep the original node as the first segment so its position and any plugin data stay attached.
  list.children = [];
  list.properties = segment.properties;
  segment = list;
  let task = false;
  for (const item of items) {
    if (isWhitespace(item)) continue;
    if (!isElement(item, 'li')) {
      segment.children.push(item);
      continue;
    }
    const nested: Element[] = [];
    item.children = item.children.filter((c) => {
      if (isList(c)) {
        nested.push(c);
        return false;
      }
      return true;
    });
    if (replaceCheckbox(item)) {
      task = true;
      addClass(item, 'task-item');
      addStyle(item, 'list-style-type:none');
    }
    unwrapParagraphs(item);
    segment.children.push(item);
    number++;
    for (const sub of nested) {
      const replaced = fixList(sub, depth + 1);
      if (depth + 1 <= 2) {
        segment.children.push(...replaced);
        continue;
      }
      for (const node of replaced) if (node.type === 'element') addStyle(node, FLATTEN_INDENT);
      if (segment.children.length) out.push(segment);
      out.push(...replaced);
      segment = newSegment();
    }
  }
  if (segment.children.length) out.push(segment);
  if (task)
    for (const node of out)
      if (node.type === 'element' && LIST.has(node.tagName)) addClass(node, 'task-list');
  return out;
}

/**
 * Makes lists survive the WeChat editor (docs/wechat-html-rules.md#lists, rules 6, 32, 33): no `ul`/`ol`
 * inside `li` (sub-lists become siblings of their item), at most two levels, no `p` directly in `li`, task
 * items as ☑/☐ text, and no whitespace text between items.
 */
export function listsTransform(tree: Root, _ctx?: RenderContext): void {
  const visit = (parent: Root | Element) => {
    const out: ElementContent[] = [];
    let changed = false;
    for (const node of parent.children as ElementContent[]) {
      if (node.type === 'element' && LIST.has(node.tagName)) {
        out.push(...fixList(node, 1));
        changed = true;
        continue;
      }
      if (node.type === 'element' && node.tagName !== 'svg') visit(node);
      out.push(node);
    }
    if (changed) parent.children = out as typeof parent.children;
  };
  visit(tree);
}

/** Rehype plugin form of {@link listsTransform}. */
export function rehypeWechatLists() {
  return (tree: Root, file: VFile) => listsTransform(tree, contextOf(file));
}
