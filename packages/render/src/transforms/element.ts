import type { Element, ElementContent, Properties, Root, RootContent, Text } from 'hast';

import type { Message, Position, RenderContext } from '../types.js';

/** Builds a hast element. */
export function el(tagName: string, properties: Properties = {}, children: ElementContent[] = []): Element {
  return { type: 'element', tagName, properties, children };
}

/** Builds a hast text node. */
export function text(value: string): Text {
  return { type: 'text', value };
}

/** True when `node` is an element, optionally with the given tag. */
export function isElement(node: RootContent | Root | undefined, tagName?: string): node is Element {
  return node?.type === 'element' && (tagName === undefined || node.tagName === tagName);
}

/** The class list of an element as strings. */
export function classList(node: Element): string[] {
  const c = node.properties.className;
  return Array.isArray(c) ? c.map(String) : typeof c === 'string' ? (c as string).split(/\s+/) : [];
}

/** Adds classes to an element (they only serve theme matching and are removed before output). */
export function addClass(node: Element, ...names: string[]): void {
  node.properties.className = [...classList(node), ...names];
}

/** Appends declarations to an element's `style`, after what it already has. */
export function addStyle(node: Element, style: string): void {
  const existing = typeof node.properties.style === 'string' ? node.properties.style.trim() : '';
  node.properties.style = existing ? `${existing.replace(/;$/, '')};${style}` : style;
}

/** Visible text of a hast subtree. */
export function textContent(node: Root | RootContent): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element' || node.type === 'root') {
    let out = '';
    for (const c of node.children) out += textContent(c);
    return out;
  }
  return '';
}

/** The 1-based start position of a node when the tree carries positions. */
export function positionOf(node: {
  position?: { start: { line: number; column: number } };
}): Position | undefined {
  const p = node.position?.start;
  return p ? { line: p.line, column: p.column } : undefined;
}

/** Records a renderer message with the node's source position. */
export function report(
  ctx: RenderContext,
  rule: string,
  severity: Message['severity'],
  message: string,
  node?: { position?: { start: { line: number; column: number } } },
  fix?: string,
): void {
  const position = node ? positionOf(node) : undefined;
  ctx.messages.push({
    rule,
    severity,
    message,
    ...(position ? { position } : {}),
    ...(fix ? { fix } : {}),
    ...(ctx.file ? { file: ctx.file } : {}),
  });
}

/** Calls `fn` on every element below `parent`, depth first; `fn` may return false to skip the subtree. */
export function walkElements(
  parent: Root | Element,
  fn: (node: Element, parent: Root | Element, index: number) => boolean | undefined,
): void {
  const children = parent.children;
  for (let i = 0; i < children.length; i++) {
    const node = children[i];
    if (node?.type !== 'element') continue;
    if (fn(node, parent, i) === false) continue;
    walkElements(node, fn);
  }
}

/** A default context for running one transform on its own (tests, custom pipelines). */
export function defaultContext(): RenderContext {
  return {
    options: {
      captions: 'title-or-alt',
      referencesTitle: '参考链接',
      footnotesTitle: '注释',
      codeWindowBar: false,
      tabSize: 4,
    },
    messages: [],
  };
}
