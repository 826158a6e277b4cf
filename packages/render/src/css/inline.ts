import type { Element, ElementContent, Root } from 'hast';
import { linkParents, setParent, unlinkParents } from './adapter.js';
import type { CompiledRule, CompiledTheme } from './compile.js';
import {
  type Declaration,
  normaliseValue,
  parseStyle,
  rejectReason,
  serialiseStyle,
} from './declarations.js';

/** Called for each declaration of an existing `style` that WeChat would strip (it is dropped). */
export type DropHandler = (node: Element, decl: Declaration, reason: string) => void;

/**
 * Elements whose `style` the last {@link inlineTheme} wrote: already clean, so the final pass need not
 * re-parse it. A Set emptied by the next pass rather than a WeakSet (see `parents` in adapter.ts:
 * weak entries per node are what garbage collection pays for); it holds one tree at most.
 */
const styled = new Set<Element>();

/** True when {@link inlineTheme} computed this element's style (theme and inline declarations cleaned). */
export function hasCleanStyle(node: Element): boolean {
  return styled.has(node);
}

/**
 * Cascaded style by matched-rule set, per theme: most elements (every paragraph, every token span of
 * one kind) match the same few rules and carry no style of their own, so their style is computed once.
 * Rule `order`s are unique within a theme, so the joined orders name the set.
 */
const cascaded = new WeakMap<CompiledTheme, Map<string, string>>();
const CASCADED_LIMIT = 4096;

function byCascade(a: CompiledRule, b: CompiledRule): number {
  return a.specificity - b.specificity || a.order - b.order;
}

function candidates(theme: CompiledTheme, elem: Element): CompiledRule[] {
  const out: CompiledRule[] = [];
  for (const r of theme.universal) out.push(r);
  const tagged = theme.byTag.get(elem.tagName);
  if (tagged) for (const r of tagged) out.push(r);
  const cls = elem.properties.className;
  if (Array.isArray(cls)) {
    for (const c of cls) {
      const list = theme.byClass.get(String(c));
      if (list) for (const r of list) out.push(r);
    }
  }
  return out;
}

function cascade(rules: CompiledRule[], inline: Declaration[]): Map<string, string> {
  const normal = new Map<string, string>();
  const important = new Map<string, string>();
  for (const rule of rules) {
    for (const d of rule.decls) {
      if (d.important) important.set(d.prop, d.value);
      else normal.set(d.prop, d.value);
    }
  }
  // Inline styles beat normal theme declarations but lose to `!important` ones (CSS cascade).
  for (const d of inline) {
    if (d.important) important.set(d.prop, d.value);
    else if (!important.has(d.prop)) normal.set(d.prop, d.value);
  }
  for (const [prop, value] of important) {
    normal.delete(prop);
    normal.set(prop, value);
  }
  return normal;
}

/** Parses a CSS `content` value: quoted strings concatenated, `none`/`normal` → undefined. */
function contentText(value: string): string | undefined {
  if (value === 'none' || value === 'normal') return undefined;
  let out = '';
  const re = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g;
  let m: RegExpExecArray | null = re.exec(value);
  if (!m) return undefined;
  while (m) {
    const raw = m[1] ?? m[2] ?? '';
    out += raw.replace(/\\([0-9a-fA-F]{1,6})\s?/g, (_, h: string) =>
      String.fromCodePoint(Number.parseInt(h, 16)),
    );
    m = re.exec(value);
  }
  return out.replace(/\\(.)/g, '$1');
}

function pseudoSpan(rules: CompiledRule[]): Element | undefined {
  const decls = new Map<string, string>();
  for (const r of rules.sort(byCascade)) for (const d of r.decls) decls.set(d.prop, d.value);
  const content = decls.get('content');
  decls.delete('content');
  if (content === undefined) return undefined;
  const text = contentText(content);
  if (text === undefined) return undefined;
  const style = serialiseStyle(decls);
  return {
    type: 'element',
    tagName: 'span',
    properties: style ? { style } : {},
    children: text ? [{ type: 'text', value: text }] : [],
  };
}

/**
 * Inlines a compiled theme into `style` attributes, element by element (docs/wechat-html-rules.md#themes):
 * each element gets the cascade of the rules that match it, merged with its existing `style`.
 * `::before`/`::after` rules with a `content` become real `<span>` children. SVG internals are left alone:
 * MathJax paths carry their own presentation attributes.
 */
export function inlineTheme(root: Root, theme: CompiledTheme, onDrop?: DropHandler): void {
  styled.clear();
  linkParents(root);
  let memo = cascaded.get(theme);
  if (!memo) {
    memo = new Map();
    cascaded.set(theme, memo);
  }
  const styles = memo;
  const visit = (parent: Element | Root) => {
    const children = parent.children;
    for (let i = 0; i < children.length; i++) {
      const node = children[i];
      if (node?.type !== 'element') continue;
      const matched: CompiledRule[] = [];
      const before: CompiledRule[] = [];
      const after: CompiledRule[] = [];
      for (const rule of candidates(theme, node)) {
        if (!rule.test(node)) continue;
        if (rule.pseudo === 'before') before.push(rule);
        else if (rule.pseudo === 'after') after.push(rule);
        else matched.push(rule);
      }
      const existing = typeof node.properties.style === 'string' ? node.properties.style : '';
      if (matched.length > 0) {
        matched.sort(byCascade);
        let style: string | undefined;
        if (existing) {
          const inline: Declaration[] = [];
          for (const d of parseStyle(existing)) {
            const reason = rejectReason(d.prop, d.value);
            if (reason) onDrop?.(node, d, reason);
            else inline.push({ prop: d.prop, value: normaliseValue(d.value), important: d.important });
          }
          style = serialiseStyle(cascade(matched, inline));
        } else {
          let key = '';
          for (const r of matched) key += `${r.order},`;
          style = styles.get(key);
          if (style === undefined) {
            style = serialiseStyle(cascade(matched, []));
            if (styles.size >= CASCADED_LIMIT) styles.clear();
            styles.set(key, style);
          }
        }
        if (style) node.properties.style = style;
        else delete node.properties.style;
        styled.add(node);
      }
      if (node.tagName !== 'svg') visit(node);
      if (before.length) {
        const span = pseudoSpan(before);
        if (span) {
          node.children.unshift(span as ElementContent);
          setParent(span, node);
        }
      }
      if (after.length) {
        const span = pseudoSpan(after);
        if (span) {
          node.children.push(span as ElementContent);
          setParent(span, node);
        }
      }
    }
  };
  try {
    visit(root);
  } finally {
    unlinkParents();
  }
}
