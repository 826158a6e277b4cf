import type { Element, ElementContent, Properties, Root, RootContent, Text } from 'hast';

import { VFile } from 'vfile';
import type { RenderContext } from '../types.js';

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

/** The `source` of every message the renderer and the linter report (see `RenderMessage`). */
export const MESSAGE_SOURCE = 'md2wx';

/**
 * Reports a renderer problem on the file as a warning (`fatal: false`) at the node's source position:
 * `ruleId` is a `render/*` id, `fix` (what the author should do) becomes the message's `note`.
 */
export function report(
  ctx: RenderContext,
  ruleId: string,
  reason: string,
  node?: { position?: Root['position'] },
  fix?: string,
): void {
  const message = ctx.file.message(reason, {
    ...(node?.position ? { place: node.position } : {}),
    ruleId,
    source: MESSAGE_SOURCE,
  });
  message.fatal = false;
  if (fix) message.note = fix;
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

/** A default context for running one transform on its own (tests, custom pipelines); messages go on `file`. */
export function defaultContext(file: VFile = new VFile()): RenderContext {
  return {
    options: {
      captions: 'title-or-alt',
      referencesTitle: '参考链接',
      footnotesTitle: '注释',
      codeWindowBar: false,
      tabSize: 4,
    },
    file,
  };
}
