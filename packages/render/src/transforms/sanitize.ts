import type { Element, ElementContent, Root } from 'hast';
import type { VFile } from 'vfile';
import type { RenderContext } from '../types.js';
import { contextOf } from './context.js';
import { report } from './element.js';
import { isGeneratedFormula } from './math.js';

/** Tags WeChat keeps (rule 2 `allowed-tags`, docs/wechat-html-rules.md). */
export const ALLOWED_TAGS = new Set([
  'section',
  'p',
  'span',
  'strong',
  'b',
  'em',
  'i',
  'u',
  's',
  'del',
  'sup',
  'sub',
  'br',
  'hr',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'code',
  'ul',
  'ol',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'figure',
  'figcaption',
  'img',
  'a',
  'ruby',
  'rt',
  'rp',
]);

/** SVG elements WeChat keeps (rule 20), lower-cased. */
export const ALLOWED_SVG = new Set([
  'svg',
  'g',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'animate',
  'animatetransform',
  'animatemotion',
  'set',
]);

/** Tags removed with their content (rule 1). */
export const FORBIDDEN_TAGS = new Set([
  'style',
  'script',
  'link',
  'meta',
  'title',
  'head',
  'body',
  'html',
  'iframe',
  'frame',
  'object',
  'embed',
  'form',
  'input',
  'button',
  'select',
  'textarea',
  'video',
  'audio',
  'canvas',
  'template',
  'noscript',
]);

/** Unknown tags renamed to the closest allowed one (`div` → `section`, rule 3). */
const RENAME: Record<string, string> = {
  div: 'section',
  article: 'section',
  aside: 'section',
  header: 'section',
  footer: 'section',
  nav: 'section',
  main: 'section',
  details: 'section',
  summary: 'section',
  center: 'section',
  address: 'section',
  dl: 'section',
  dt: 'section',
  dd: 'section',
  fieldset: 'section',
  caption: 'section',
  legend: 'section',
  figure: 'figure',
  tfoot: 'tbody',
  strike: 's',
  ins: 'u',
  kbd: 'code',
  samp: 'code',
  tt: 'code',
  mark: 'span',
  abbr: 'span',
  small: 'span',
  big: 'span',
  font: 'span',
  cite: 'em',
  q: 'span',
  var: 'em',
  dfn: 'em',
  time: 'span',
  label: 'span',
  bdi: 'span',
  bdo: 'span',
  data: 'span',
  output: 'span',
  picture: 'span',
  meter: 'span',
  progress: 'span',
  acronym: 'span',
  nobr: 'span',
};

/** Elements dropped without replacement, keeping nothing. */
const DROP = new Set(['colgroup', 'col', 'source', 'track', 'area', 'map', 'wbr', 'param']);

const SVG_DROP_ATTRS =
  /^(href|xlinkhref|xlink:href|clippath|clip-path|mask|filter|markerstart|markermid|markerend|marker-start|marker-mid|marker-end)$/i;

function cleanAttributes(node: Element, inSvg: boolean): void {
  const props = node.properties;
  for (const key of Object.keys(props)) {
    const lower = key.toLowerCase();
    if (lower === 'id' || lower.startsWith('on') || lower === 'srcset' || lower === 'name') delete props[key];
    else if (inSvg && (SVG_DROP_ATTRS.test(key) || String(props[key]).includes('url(#'))) delete props[key];
  }
}

/**
 * The last guard before styling: removes what WeChat strips or refuses (rules 1–4, 20, 21):
 * forbidden elements and comments go, `div` and other unknown tags become `section`/`span`,
 * `id` and `on*` attributes go, SVG is cut down to WeChat's element and attribute set.
 * Mostly reached through raw HTML in the Markdown.
 */
export function sanitizeTransform(tree: Root, ctx: RenderContext): void {
  const visit = (parent: Root | Element, inSvg: boolean) => {
    const out: ElementContent[] = [];
    for (const node of parent.children as ElementContent[]) {
      if (node.type === 'comment') continue;
      if (node.type !== 'element') {
        out.push(node);
        continue;
      }
      const tag = node.tagName.toLowerCase();
      // Formulas come from MathJax through texToSvg, already cut to WeChat's SVG subset.
      if (isGeneratedFormula(node)) {
        out.push(node);
        continue;
      }
      if (inSvg || tag === 'svg') {
        if (!ALLOWED_SVG.has(tag)) {
          report(ctx, 'render/html', `<${node.tagName}> removed from inline SVG: WeChat drops it`, node);
          continue;
        }
        cleanAttributes(node, true);
        visit(node, true);
        out.push(node);
        continue;
      }
      if (FORBIDDEN_TAGS.has(tag)) {
        report(
          ctx,
          'render/html',
          `<${tag}> removed: WeChat does not allow it in articles`,
          node,
          tag === 'iframe' || tag === 'video' ? 'Insert videos with the WeChat editor.' : undefined,
        );
        continue;
      }
      if (DROP.has(tag)) continue;
      if (!ALLOWED_TAGS.has(tag)) {
        const to = RENAME[tag] ?? 'span';
        node.tagName = to;
      } else if (tag === 'a' && typeof node.properties.href !== 'string') {
        node.tagName = 'span';
      }
      cleanAttributes(node, false);
      visit(node, false);
      out.push(node);
    }
    parent.children = out as typeof parent.children;
  };
  visit(tree, false);
}

/** Rehype plugin form of {@link sanitizeTransform}. */
export function rehypeWechatSanitize() {
  return (tree: Root, file: VFile) => sanitizeTransform(tree, contextOf(file));
}
