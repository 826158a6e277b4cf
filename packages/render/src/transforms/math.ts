import type { Element, ElementContent, Properties, Root } from 'hast';
import { liteAdaptor } from 'mathjax-full/js/adaptors/liteAdaptor.js';
import type { LiteElement, LiteNode } from 'mathjax-full/js/adaptors/lite/Element.js';
import type { LiteText } from 'mathjax-full/js/adaptors/lite/Text.js';
import { RegisterHTMLHandler } from 'mathjax-full/js/handlers/html.js';
import { TeX } from 'mathjax-full/js/input/tex.js';
import 'mathjax-full/js/input/tex/ams/AmsConfiguration.js';
import 'mathjax-full/js/input/tex/boldsymbol/BoldsymbolConfiguration.js';
import 'mathjax-full/js/input/tex/cancel/CancelConfiguration.js';
import 'mathjax-full/js/input/tex/color/ColorConfiguration.js';
import 'mathjax-full/js/input/tex/newcommand/NewcommandConfiguration.js';
import 'mathjax-full/js/input/tex/noundefined/NoUndefinedConfiguration.js';
import { mathjax } from 'mathjax-full/js/mathjax.js';
import { SVG } from 'mathjax-full/js/output/svg.js';
import type { VFile } from 'vfile';
import type { RenderContext } from '../types.js';
import { contextOf } from './context.js';
import { classList, el, isElement, report } from './element.js';

type MathDocument = ReturnType<typeof mathjax.document>;

let adaptor: ReturnType<typeof liteAdaptor> | undefined;
let doc: MathDocument | undefined;

/** The MathJax document, created on first use (loading MathJax costs ~100 ms). */
function mathDocument(): MathDocument {
  if (!doc) {
    adaptor = liteAdaptor();
    RegisterHTMLHandler(adaptor);
    doc = mathjax.document('', {
      InputJax: new TeX({
        packages: ['base', 'ams', 'newcommand', 'noundefined', 'boldsymbol', 'color', 'cancel'],
      }),
      // fontCache 'none': every glyph is an inline <path>, no <defs>/<use> (wechat-html.md §8, rule 20).
      OutputJax: new SVG({ fontCache: 'none' }),
    });
  }
  return doc;
}

/** SVG attributes WeChat does not need; dropping them keeps the article under 1 MB. */
const DROP_ATTRS = new Set([
  'data-c',
  'data-mml-node',
  'focusable',
  'xmlns:xlink',
  'data-mjx-texclass',
  'aria-hidden',
]);

function toHast(node: LiteNode): ElementContent | undefined {
  if (node.kind === '#text') return { type: 'text', value: (node as LiteText).value };
  if (node.kind.startsWith('#')) return undefined;
  const lite = node as LiteElement;
  if (lite.kind === 'title') return undefined;
  const properties: Properties = {};
  for (const [name, value] of Object.entries(lite.attributes)) {
    if (DROP_ATTRS.has(name)) continue;
    if (name === 'class') {
      // mjx-solid lines are drawn by a stylesheet WeChat does not have (§8).
      if (String(value).includes('mjx-solid')) {
        properties.fill = 'none';
        properties['stroke-width'] = 70;
      }
      continue;
    }
    properties[name] = value as string;
  }
  const children: ElementContent[] = [];
  for (const child of lite.children) {
    const h = toHast(child);
    if (h) children.push(h);
  }
  return { type: 'element', tagName: lite.kind, properties, children };
}

interface Formula {
  svg: Element;
  error?: string;
}

/** Converted formulas by `display|tex`: a post in watch mode re-renders the same formulas. */
const cache = new Map<string, Formula>();
const CACHE_LIMIT = 2000;

/** Empties the formula cache (benchmarks use it to measure cold renders). */
export function clearMathCache(): void {
  cache.clear();
}

function findError(node: LiteNode): string | undefined {
  if (node.kind.startsWith('#')) return undefined;
  const lite = node as LiteElement;
  const err = lite.attributes['data-mjx-error'];
  if (err) return String(err);
  for (const c of lite.children) {
    const e = findError(c);
    if (e) return e;
  }
  return undefined;
}

/**
 * Converts TeX to a WeChat-safe SVG hast element (wechat-html.md §8, rules 20–23, 35):
 * MathJax SVG with inline paths, width/height moved into `style` in `ex`, `currentColor` ink.
 * Never throws: TeX errors come back in `error` with MathJax's red error rendering.
 */
export function texToSvg(tex: string, display: boolean): Formula {
  const key = `${display ? 'D' : 'I'}|${tex}`;
  const hit = cache.get(key);
  if (hit) return { svg: structuredClone(hit.svg), ...(hit.error ? { error: hit.error } : {}) };
  const container = mathDocument().convert(tex, { display }) as LiteElement;
  const svgNode = container.children.find((c) => c.kind === 'svg') as LiteElement | undefined;
  const svg = (svgNode ? toHast(svgNode) : undefined) as Element | undefined;
  const result: Formula = svg
    ? { svg }
    : { svg: el('svg', { xmlns: 'http://www.w3.org/2000/svg', viewBox: '0 0 0 0' }), error: 'empty formula' };
  const error = svgNode ? findError(svgNode) : undefined;
  if (error) result.error = error;
  const props = result.svg.properties;
  const width = props.width;
  const height = props.height;
  delete props.width;
  delete props.height;
  const base = typeof props.style === 'string' ? props.style.replace(/;\s*$/, '').replace(/:\s+/g, ':') : '';
  const sizes = [width !== undefined ? `width:${width}` : '', height !== undefined ? `height:${height}` : ''];
  // Inline: an over-long formula shrinks to the column instead of widening the page.
  const extra = display ? 'max-width:300% !important' : 'display:inline;max-width:100%';
  props.style = [base, ...sizes, extra].filter(Boolean).join(';');
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  // The caller gets the fresh tree and may mutate it; the cache keeps its own copy.
  cache.set(key, { ...result, svg: structuredClone(result.svg) });
  return result;
}

function codeText(code: Element): string {
  return code.children.map((c) => (c.type === 'text' ? c.value : '')).join('');
}

const NBSP = '\u00a0';

/** Formula wrappers made here: later passes may trust them (raw HTML cannot forge membership). */
const generated = new WeakSet<Element>();

/** True for a formula wrapper produced by {@link mathTransform}. */
export function isGeneratedFormula(node: Element): boolean {
  return generated.has(node);
}

/**
 * remark-math output → MathJax SVG: inline `code.math-inline` becomes
 * `<span class="inline-equation">NBSP<svg>NBSP</span>` (the NBSPs keep the spaces WeChat would
 * eat, rule 35), display `pre > code.math-display` becomes a centred, horizontally scrolling
 * `<section class="block-equation">`. TeX errors are reported with the source position.
 */
export function mathTransform(tree: Root, ctx: RenderContext): void {
  const visit = (parent: Root | Element) => {
    const children = parent.children as ElementContent[];
    for (let i = 0; i < children.length; i++) {
      const node = children[i];
      if (node?.type !== 'element') continue;
      if (node.tagName === 'code' && classList(node).includes('math-inline')) {
        const tex = codeText(node);
        const { svg, error } = texToSvg(tex, false);
        if (error)
          report(ctx, 'render/math', 'should', `TeX error in $${tex}$: ${error}`, node, 'Fix the formula.');
        const prev = children[i - 1];
        const next = children[i + 1];
        const kids: ElementContent[] = [svg];
        if (prev?.type === 'text' || prev?.type === 'element') kids.unshift({ type: 'text', value: NBSP });
        if (next?.type === 'text' || next?.type === 'element') kids.push({ type: 'text', value: NBSP });
        if (prev?.type === 'text') prev.value = prev.value.replace(/ +$/, '');
        if (next?.type === 'text') next.value = next.value.replace(/^ +/, '');
        const span = el('span', { className: ['inline-equation'], dataFormula: tex }, kids);
        generated.add(span);
        children[i] = span;
        continue;
      }
      if (node.tagName === 'pre') {
        const code = node.children.find((c): c is Element => isElement(c, 'code'));
        if (code && classList(code).includes('math-display')) {
          const tex = codeText(code);
          const { svg, error } = texToSvg(tex, true);
          if (error)
            report(
              ctx,
              'render/math',
              'should',
              `TeX error in $$${tex}$$: ${error}`,
              node,
              'Fix the formula.',
            );
          const section = el(
            'section',
            {
              className: ['block-equation'],
              dataFormula: tex,
              style: 'text-align:center;overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%',
            },
            [svg],
          );
          generated.add(section);
          children[i] = section;
          continue;
        }
      }
      visit(node);
    }
  };
  visit(tree);
}

/** Rehype plugin form of {@link mathTransform}. */
export function rehypeWechatMath() {
  return (tree: Root, file: VFile) => mathTransform(tree, contextOf(file));
}
