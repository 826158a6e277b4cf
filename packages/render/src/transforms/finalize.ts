import type { Element, Root } from 'hast';
import { normaliseValue, parseStyle, rejectReason, serialiseStyle } from '../css/declarations.js';
import { hasCleanStyle } from '../css/inline.js';
import type { RenderContext } from '../types.js';
import { classList, el, report } from './element.js';

/** Wraps the article in its root `<section class="md2wx">` (the theme's `:root`). */
export function wrapRoot(tree: Root): Element {
  const root = el('section', { className: ['md2wx'] }, tree.children as Element['children']);
  tree.children = [root];
  return root;
}

/** Reports a style declaration WeChat would strip or mangle (and that md2wx therefore drops) as a SHOULD message. */
export function reportDroppedStyle(
  ctx: RenderContext,
  node: Element,
  d: { prop: string; value: string },
  reason: string,
): void {
  report(ctx, 'render/css', `\`${d.prop}: ${d.value}\` dropped from <${node.tagName}>: ${reason}`, node);
}

function cleanStyle(node: Element, ctx: RenderContext, inMath: boolean): void {
  const style = node.properties.style;
  if (typeof style !== 'string') return;
  const kept = new Map<string, string>();
  for (const d of parseStyle(style)) {
    const reason = rejectReason(d.prop, d.value);
    if (reason) {
      reportDroppedStyle(ctx, node, d, reason);
      continue;
    }
    // `!important` defeats WeChat's dark mode (docs/wechat-html-rules.md#dark-mode); tolerated only on math
    // SVG max-width (rule 13).
    const keepImportant = d.important && inMath && d.prop === 'max-width';
    kept.delete(d.prop);
    kept.set(d.prop, normaliseValue(d.value) + (keepImportant ? ' !important' : ''));
  }
  const out = serialiseStyle(kept);
  if (out) node.properties.style = out;
  else delete node.properties.style;
}

/**
 * Last pass over the styled tree: removes `class` (WeChat strips it; it only served theme matching,
 * rule 5), drops style declarations WeChat strips (rules 8–14), and moves `padding`/`background`
 * off the outermost element, which the editor cleans (rule 15): padding is dropped, a background
 * moves onto each child block.
 */
export function finalizeTree(root: Element, ctx: RenderContext): void {
  const visit = (node: Element, parentIsMath: boolean) => {
    const cls = classList(node);
    const isMath = cls.includes('block-equation') || cls.includes('inline-equation');
    delete node.properties.className;
    if (!hasCleanStyle(node)) cleanStyle(node, ctx, parentIsMath && node.tagName === 'svg');
    for (const c of node.children) if (c.type === 'element') visit(c, isMath);
  };
  visit(root, false);
  const style = typeof root.properties.style === 'string' ? parseStyle(root.properties.style) : [];
  const keep: [string, string][] = [];
  const background: [string, string][] = [];
  for (const d of style) {
    if (d.prop.startsWith('padding')) continue;
    if (d.prop.startsWith('background')) background.push([d.prop, d.value]);
    else keep.push([d.prop, d.value]);
  }
  if (keep.length) root.properties.style = serialiseStyle(keep);
  else delete root.properties.style;
  if (background.length) {
    for (const c of root.children) {
      if (c.type !== 'element') continue;
      const own = typeof c.properties.style === 'string' ? parseStyle(c.properties.style) : [];
      const merged = new Map<string, string>(background);
      for (const d of own) merged.set(d.prop, d.value);
      c.properties.style = serialiseStyle(merged);
    }
  }
}
