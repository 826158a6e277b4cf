import type { Element, Root, RootContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { createRenderer, lint, type RenderOptions, type RenderResult } from '../src/index.js';

/** Renders with the cache off, so each call exercises the whole pipeline. */
export function renderMd(markdown: string, options: RenderOptions = {}): RenderResult {
  return createRenderer({ cacheSize: 0, ...options }).renderSync(markdown);
}

/** Parses an output fragment back into hast for structural assertions. */
export function tree(html: string): Root {
  return fromHtml(html, { fragment: true });
}

/** All elements with a tag name, in document order. */
export function all(node: Root | RootContent, tagName: string): Element[] {
  const out: Element[] = [];
  const walk = (n: Root | RootContent) => {
    if (n.type === 'element' && n.tagName === tagName) out.push(n);
    if (n.type === 'element' || n.type === 'root') for (const c of n.children) walk(c);
  };
  walk(node);
  return out;
}

/** Text content of a hast node. */
export function textOf(node: Root | RootContent): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element' || node.type === 'root') return node.children.map(textOf).join('');
  return '';
}

/** MUST-level lint messages of an HTML fragment. */
export function mustViolations(html: string) {
  return lint(html).filter((m) => m.fatal === true);
}
