/**
 * CSS declarations as kept in `style=""`: parsing, serialising, and removal of what WeChat strips
 * (docs/wechat-html-rules.md#attributes-and-css, rules 8–14).
 */

/** One CSS declaration. `important` is only used for cascade order; it is never written out. */
export interface Declaration {
  prop: string;
  value: string;
  important: boolean;
}

/** Properties WeChat drops (`position`, rule 10) or that need a stylesheet (animations). */
const DROPPED_PROPS = /^(position|top|left|right|bottom|z-index|float|animation(-.*)?|transition(-.*)?)$/;
/** Colour functions WeChat cannot resolve (rule 9). */
const UNRESOLVED_FUNCS = /\b(color-mix|oklch|oklab|lab|lch|light-dark|env|attr|var)\(/i;

/** Why a declaration was dropped, or undefined when it is kept. */
export function rejectReason(prop: string, value: string): string | undefined {
  if (prop.startsWith('--')) return 'custom properties do not survive WeChat';
  if (DROPPED_PROPS.test(prop)) return `WeChat strips \`${prop}\``;
  if (UNRESOLVED_FUNCS.test(value)) return `\`${value}\` uses a function WeChat cannot resolve`;
  if (/url\(/i.test(value) && !/url\(\s*['"]?https:\/\/mmbiz\.qpic\.cn\//i.test(value)) {
    return 'background images must be on mmbiz.qpic.cn';
  }
  return undefined;
}

/** Converts `rem` to `px` on a 16 px root (rule 14: `rem` depends on WeChat's page). */
export function normaliseValue(value: string): string {
  // Single quotes: double quotes would be escaped as &#x22; inside style="…", costing bytes.
  let v = value
    .replace(/\s*!important\s*$/i, '')
    .trim()
    .replace(/"/g, "'");
  if (v.includes('rem')) {
    v = v.replace(/(-?\d*\.?\d+)rem\b/g, (_, n: string) => `${Math.round(Number(n) * 16 * 100) / 100}px`);
  }
  return v;
}

/**
 * Parses a `style` attribute into declarations. Splits on `;` outside parentheses and quotes,
 * so `url(data:…;base64,…)` and quoted font names stay whole.
 */
export function parseStyle(style: string): Declaration[] {
  const out: Declaration[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  const push = (chunk: string) => {
    const i = chunk.indexOf(':');
    if (i <= 0) return;
    const prop = chunk.slice(0, i).trim().toLowerCase();
    let value = chunk.slice(i + 1).trim();
    const important = /!important\s*$/i.test(value);
    if (important) value = value.replace(/\s*!important\s*$/i, '');
    if (prop && value) out.push({ prop, value, important });
  };
  for (let i = 0; i < style.length; i++) {
    const c = style[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ';' && depth === 0) {
      push(style.slice(start, i));
      start = i + 1;
    }
  }
  push(style.slice(start));
  return out;
}

/** Serialises declarations compactly (`a:b;c:d`), the form that costs fewest bytes of the 1 MB budget. */
export function serialiseStyle(decls: Iterable<[string, string]>): string {
  const parts: string[] = [];
  for (const [prop, value] of decls) parts.push(`${prop}:${value}`);
  return parts.join(';');
}
