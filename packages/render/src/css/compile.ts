import { compile as compileSelector } from 'css-select';
import { parse as parseSelector } from 'css-what';
import type { Selector } from 'css-what';
import type { Element } from 'hast';
import postcss from 'postcss';
import { VFile } from 'vfile';
import type { RenderMessage } from '../types.js';
import { type AnyNode, hastAdapter } from './adapter.js';
import { type Declaration, normaliseValue, rejectReason } from './declarations.js';

/** One selector of a theme, compiled once, with its declarations resolved and filtered. */
/** A compiled selector test. */
export type CompiledQuery<T> = (node: T) => boolean;

export interface CompiledRule {
  selector: string;
  test: CompiledQuery<AnyNode>;
  /** a·10⁶ + b·10³ + c, CSS specificity packed into one number. */
  specificity: number;
  order: number;
  decls: Declaration[];
  /**
   * Set for `::before`/`::after` rules, turned into real `<span>`s at inline time
   * (docs/wechat-html-rules.md#themes).
   */
  pseudo?: 'before' | 'after';
}

/**
 * A theme compiled into selector buckets keyed by the rightmost tag or class, so styling an
 * element only tests the rules that can match it.
 */
export interface CompiledTheme {
  byTag: Map<string, CompiledRule[]>;
  byClass: Map<string, CompiledRule[]>;
  universal: CompiledRule[];
  /** Values of the custom properties after resolution (`--accent` → `#07c160`). */
  variables: Map<string, string>;
  /**
   * What was skipped while compiling (unsupported selectors, at-rules, unresolved `var()`): warnings
   * with ruleId `render/css`, `place` the line in the stylesheet. Every render with this theme reports
   * them again on its own file.
   */
  messages: RenderMessage[];
  ruleCount: number;
}

const DYNAMIC_PSEUDO = new Set([
  'hover',
  'focus',
  'focus-within',
  'focus-visible',
  'active',
  'visited',
  'link',
  'any-link',
  'target',
  'checked',
  'disabled',
  'enabled',
]);

function warn(sheets: VFile, reason: string, line?: number, fix?: string): void {
  const message = sheets.message(reason, {
    ...(line !== undefined ? { place: { line, column: 1 } } : {}),
    ruleId: 'render/css',
    source: 'md2wx',
  });
  message.fatal = false;
  if (fix) message.note = fix;
}

function resolveVars(value: string, vars: Map<string, string>, depth = 0): string | undefined {
  if (!value.includes('var(')) return value;
  if (depth > 10) return undefined;
  // Innermost var() first, so fallbacks that themselves use var() resolve.
  const re = /var\(\s*(--[\w-]+)\s*(?:,\s*([^()]*(?:\([^()]*\)[^()]*)*))?\)/;
  let out = value;
  for (let guard = 0; guard < 50 && out.includes('var('); guard++) {
    const m = re.exec(out);
    if (!m) return undefined;
    const name = m[1] as string;
    const replacement = vars.get(name) ?? m[2]?.trim();
    if (replacement === undefined) return undefined;
    const resolved = resolveVars(replacement, vars, depth + 1);
    if (resolved === undefined) return undefined;
    out = out.slice(0, m.index) + resolved + out.slice(m.index + m[0].length);
  }
  return out.includes('var(') ? undefined : out;
}

function specificityOf(tokens: Selector[]): number {
  let a = 0;
  let b = 0;
  let c = 0;
  for (const t of tokens) {
    if (t.type === 'attribute') {
      if (t.name === 'id' && t.action === 'equals') a++;
      else b++;
    } else if (t.type === 'pseudo') b++;
    else if (t.type === 'tag' || t.type === 'pseudo-element') c++;
  }
  return a * 1e6 + b * 1e3 + c;
}

function bucketKey(tokens: Selector[]): { tag?: string; cls?: string } {
  let i = tokens.length - 1;
  while (i > 0) {
    const t = tokens[i - 1];
    if (!t || ['descendant', 'child', 'sibling', 'adjacent', 'parent', 'column-combinator'].includes(t.type))
      break;
    i--;
  }
  let tag: string | undefined;
  let cls: string | undefined;
  for (const t of tokens.slice(i)) {
    if (t.type === 'tag') tag = t.name;
    else if (t.type === 'attribute' && t.name === 'class' && t.action === 'element') cls ??= t.value;
  }
  return { ...(tag ? { tag } : {}), ...(cls ? { cls } : {}) };
}

/**
 * Compiles stylesheets (theme first, user CSS after) once: parses them with postcss, resolves custom
 * properties (docs/wechat-html-rules.md#attributes-and-css: `var()` must not reach WeChat), drops
 * declarations WeChat strips, and compiles every selector with css-select. Never throws on bad CSS: what
 * cannot be used is reported in `messages`.
 *
 * @param sheets stylesheet texts, in cascade order.
 */
export function compileTheme(sheets: string[]): CompiledTheme {
  const sheetFile = new VFile();
  const messages = sheetFile.messages;
  const variables = new Map<string, string>();
  const rawRules: { selector: string; decls: Declaration[]; line?: number }[] = [];

  for (const sheet of sheets) {
    let root: postcss.Root;
    try {
      root = postcss.parse(sheet);
    } catch (err) {
      warn(
        sheetFile,
        `CSS could not be parsed: ${(err as Error).message}`,
        undefined,
        'Fix the stylesheet syntax.',
      );
      continue;
    }
    for (const node of root.nodes) {
      if (node.type === 'atrule') {
        warn(
          sheetFile,
          `@${node.name} is ignored: WeChat has no stylesheet, only inline styles`,
          node.source?.start?.line,
        );
        continue;
      }
      if (node.type !== 'rule') continue;
      const decls: Declaration[] = [];
      for (const d of node.nodes) {
        if (d.type !== 'decl') continue;
        if (d.prop.startsWith('--')) variables.set(d.prop, d.value.trim());
        else
          decls.push({ prop: d.prop.toLowerCase(), value: d.value.trim(), important: d.important === true });
      }
      rawRules.push({
        selector: node.selector,
        decls,
        ...(node.source?.start ? { line: node.source.start.line } : {}),
      });
    }
  }

  for (const [name, value] of variables) {
    const resolved = resolveVars(value, variables);
    if (resolved === undefined) variables.delete(name);
    else variables.set(name, resolved);
  }

  const theme: CompiledTheme = {
    byTag: new Map(),
    byClass: new Map(),
    universal: [],
    variables,
    messages,
    ruleCount: 0,
  };
  let order = 0;
  for (const raw of rawRules) {
    const decls: Declaration[] = [];
    for (const d of raw.decls) {
      const value = resolveVars(d.value, variables);
      if (value === undefined) {
        warn(sheetFile, `\`${d.prop}: ${d.value}\` uses an undefined custom property`, raw.line);
        continue;
      }
      const reason = rejectReason(d.prop, value);
      if (reason) {
        warn(sheetFile, `\`${d.prop}: ${value}\` in \`${raw.selector}\` dropped: ${reason}`, raw.line);
        continue;
      }
      decls.push({ prop: d.prop, value: normaliseValue(value), important: d.important === true });
    }
    if (decls.length === 0) continue;
    let parsed: Selector[][];
    try {
      parsed = parseSelector(raw.selector);
    } catch (err) {
      warn(sheetFile, `selector \`${raw.selector}\` ignored: ${(err as Error).message}`, raw.line);
      continue;
    }
    for (const tokens of parsed) {
      let pseudo: 'before' | 'after' | undefined;
      const last = tokens[tokens.length - 1];
      let body = tokens;
      if (last?.type === 'pseudo-element') {
        if (last.name !== 'before' && last.name !== 'after') {
          warn(sheetFile, `::${last.name} in \`${raw.selector}\` is not supported`, raw.line);
          continue;
        }
        pseudo = last.name;
        body = tokens.slice(0, -1);
      }
      if (body.some((t) => t.type === 'pseudo' && DYNAMIC_PSEUDO.has(t.name))) {
        warn(sheetFile, `\`${raw.selector}\` needs a live browser state; WeChat has none`, raw.line);
        continue;
      }
      let test: CompiledQuery<AnyNode>;
      try {
        test = compileSelector<AnyNode, Element>(body.length ? [body] : '*', {
          adapter: hastAdapter,
          cacheResults: false,
        });
      } catch (err) {
        warn(sheetFile, `selector \`${raw.selector}\` ignored: ${(err as Error).message}`, raw.line);
        continue;
      }
      const rule: CompiledRule = {
        selector: raw.selector,
        test,
        specificity: specificityOf(tokens),
        order: order++,
        decls,
        ...(pseudo ? { pseudo } : {}),
      };
      const key = bucketKey(body);
      if (key.cls) push(theme.byClass, key.cls, rule);
      else if (key.tag) push(theme.byTag, key.tag, rule);
      else theme.universal.push(rule);
      theme.ruleCount++;
    }
  }
  return theme;
}

function push(map: Map<string, CompiledRule[]>, key: string, rule: CompiledRule): void {
  const list = map.get(key);
  if (list) list.push(rule);
  else map.set(key, [rule]);
}
