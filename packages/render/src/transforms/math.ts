import { createRequire } from 'node:module';
import type { Element, ElementContent, Properties, Root } from 'hast';
import type { liteAdaptor } from 'mathjax-full/js/adaptors/liteAdaptor.js';
import type { LiteElement, LiteNode } from 'mathjax-full/js/adaptors/lite/Element.js';
import type { LiteText } from 'mathjax-full/js/adaptors/lite/Text.js';
import type { RegisterHTMLHandler } from 'mathjax-full/js/handlers/html.js';
import type { TeX } from 'mathjax-full/js/input/tex.js';
import type { mathjax } from 'mathjax-full/js/mathjax.js';
import type { SVG } from 'mathjax-full/js/output/svg.js';
import type { VFile } from 'vfile';
import type { FormulaCache } from '../formula-cache.js';
import type { RenderContext } from '../types.js';
import { contextOf } from './context.js';
import { classList, el, isElement, report } from './element.js';
import {
  installMathJaxSpeedups,
  type MathJaxAttributesModule,
  type MathJaxFactoryModule,
} from './mathjax-speedups.js';

type MathDocument = ReturnType<typeof mathjax.document>;

let doc: MathDocument | undefined;
/** Clears what a MathJax page remembers between formulas; set once MathJax is loaded. */
let resetTex: (() => void) | undefined;
/** The font's x-height in em (0.442 for MathJax TeX): converts the `ex` sizes back to MathJax units. */
let xHeight = 0.442;

/** TeX packages: the AMS set plus what blog posts use (\boldsymbol, \color, \cancel, \ce). */
export const TEX_PACKAGES = [
  'base',
  'ams',
  'newcommand',
  'noundefined',
  'boldsymbol',
  'color',
  'cancel',
  'mhchem',
];

/**
 * The MathJax document, created on first use. MathJax is loaded here rather than imported: it is
 * ~70 ms of every process's start-up (the CLI's included) and most posts have no formula.
 * mathjax-full's `js/` tree is CommonJS, so a synchronous require keeps `renderSync` synchronous.
 */
function mathDocument(): MathDocument {
  if (!doc) {
    const require = createRequire(import.meta.url);
    const load = <T>(id: string): T => require(`mathjax-full/js/${id}.js`) as T;
    const { mathjax: core } = load<{ mathjax: typeof mathjax }>('mathjax');
    // Before any factory or MathML node exists (see mathjax-speedups.ts).
    installMathJaxSpeedups(
      {
        attributes: load<MathJaxAttributesModule>('core/MmlTree/Attributes'),
        factory: load<MathJaxFactoryModule>('core/Tree/Factory'),
      },
      core.version,
    );
    const adaptor = load<{ liteAdaptor: typeof liteAdaptor }>('adaptors/liteAdaptor').liteAdaptor();
    load<{ RegisterHTMLHandler: typeof RegisterHTMLHandler }>('handlers/html').RegisterHTMLHandler(adaptor);
    for (const config of [
      'ams/AmsConfiguration',
      'boldsymbol/BoldsymbolConfiguration',
      'cancel/CancelConfiguration',
      'color/ColorConfiguration',
      'mhchem/MhchemConfiguration',
      'newcommand/NewcommandConfiguration',
      'noundefined/NoUndefinedConfiguration',
    ])
      load(`input/tex/${config}`);
    const { TeX: TeXInput } = load<{ TeX: typeof TeX }>('input/tex');
    const { SVG: SVGOutput } = load<{ SVG: typeof SVG }>('output/svg');
    // fontCache 'none': every glyph is an inline <path>, no <defs>/<use> (docs/wechat-html-rules.md#math,
    // rule 20).
    // Keep in step with OUTPUT_OPTIONS in formula-cache.ts (part of the persistent cache's key).
    const output = new SVGOutput({ fontCache: 'none' });
    const input = new TeXInput({ packages: TEX_PACKAGES });
    doc = core.document('', { InputJax: input, OutputJax: output });
    xHeight = output.font.params.x_height;
    // MathJax treats everything it typesets as one page: `\label`s must be unique in it and
    // `\newcommand`s stay defined (in a process-wide table) for every later formula.
    const { MapHandler } = load<{ MapHandler: { getMap(name: string): unknown } }>('input/tex/MapHandler');
    resetTex = () => {
      input.reset();
      for (const name of ['new-Command', 'new-Environment', 'new-Delimiter', 'ams-declare-ops'])
        (MapHandler.getMap(name) as { map?: Map<string, unknown> } | undefined)?.map?.clear();
    };
  }
  return doc;
}

/** SVG attributes WeChat does not need; dropping them keeps the article under 1 MB. */
const DROP_ATTRS = new Set([
  // MathJax ids equation labels (`mjx-eqn:1`); WeChat forbids id (rule 4).
  'id',
  'data-c',
  'data-mml-node',
  'focusable',
  'xmlns:xlink',
  'data-mjx-texclass',
  'aria-hidden',
  'data-table',
  'data-labels',
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
      // mjx-solid lines are drawn by a stylesheet WeChat does not have (docs/wechat-html-rules.md#math).
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

/**
 * MathJax's output by `display|tex`: a post in watch mode re-renders the same formulas. The lite
 * tree is kept rather than the hast built from it: rebuilding hast from it is cheaper than copying
 * a cached hast tree (the caller owns and mutates what it gets), and MathJax never touches a
 * container again once it has returned it.
 */
const cache = new Map<string, { svg: LiteElement | undefined; error: string | undefined }>();
const CACHE_LIMIT = 2000;

/** A formula that defines a macro or environment for the formulas after it. */
const DEFINES =
  /\\(?:(?:re)?newcommand|newenvironment|renewenvironment|def|let|DeclareMathOperator)(?![a-zA-Z])/;
/**
 * The definitions typeset so far in this article: part of every cache key, so a formula using `\R`
 * is not served the output of another article's `\R`.
 */
let definitions = '';

/**
 * Starts a new MathJax page: forgets `\label`s and `\newcommand`s of the formulas typeset before.
 * The renderer calls it once per article, so labels and macros of one post do not leak into the next.
 */
export function resetMathState(): void {
  definitions = '';
  resetTex?.();
}

/** Empties the formula cache and starts a new MathJax page (benchmarks use it to measure cold renders). */
export function clearMathCache(): void {
  cache.clear();
  resetMathState();
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
 * Converts TeX to a WeChat-safe SVG hast element (docs/wechat-html-rules.md#math, rules 20–23, 35):
 * MathJax SVG with inline paths, width/height moved into `style` in `ex`, `currentColor` ink.
 * Never throws: TeX errors come back in `error` with MathJax's red error rendering.
 * Each call returns a fresh tree the caller may change.
 *
 * `store` (the `formulaCache` render option) is asked after the in-process cache and before
 * MathJax, and given every formula MathJax typesets: its SVG is byte-identical to a cold typeset.
 */
export function texToSvg(tex: string, display: boolean, store?: FormulaCache): Formula {
  // A definition must reach MathJax every time (a cache hit would not define anything).
  const defines = DEFINES.test(tex);
  const key = `${definitions}\0${display ? 'D' : 'I'}|${tex}`;
  let converted = defines ? undefined : cache.get(key);
  let svg: Element | undefined;
  const stored = converted || defines ? undefined : store?.get(key);
  if (stored) {
    svg = stored.svg ? (JSON.parse(stored.svg) as Element) : undefined;
    converted = { svg: undefined, error: stored.error };
  } else {
    if (!converted) {
      const container = mathDocument().convert(tex, { display }) as LiteElement;
      const svgNode = container.children.find((c) => c.kind === 'svg') as LiteElement | undefined;
      converted = { svg: svgNode, error: svgNode ? findError(svgNode) : undefined };
      if (defines) definitions += `${tex}\0`;
      else {
        if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
        cache.set(key, converted);
      }
      svg = (converted.svg ? toHast(converted.svg) : undefined) as Element | undefined;
      if (store && !defines)
        store.set(key, {
          ...(svg ? { svg: JSON.stringify(svg) } : {}),
          ...(converted.error ? { error: converted.error } : {}),
        });
    } else svg = (converted.svg ? toHast(converted.svg) : undefined) as Element | undefined;
  }
  const result: Formula = svg
    ? { svg }
    : { svg: el('svg', { xmlns: 'http://www.w3.org/2000/svg', viewBox: '0 0 0 0' }), error: 'empty formula' };
  if (converted.error) result.error = converted.error;
  fixFullWidth(result.svg);
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
  return result;
}

const num = (v: unknown) => Number.parseFloat(String(v));

/**
 * MathJax lays out a formula with an equation label (`\tag`, numbered environments) at 100 % of
 * the container: an `<svg width="100%">` without viewBox, whose label and body are nested `<svg>`s
 * placed by `preserveAspectRatio`. WeChat needs every svg with a viewBox and an explicit size
 * (rule 22), so this fixes the layout at the formula's minimum width (`min-width`, label beside
 * the body) and replaces each nested `<svg>` by the `<g transform>` a browser would apply for it.
 */
function fixFullWidth(svg: Element): void {
  const props = svg.properties;
  if (props.viewBox !== undefined) return;
  const style = typeof props.style === 'string' ? props.style : '';
  const minWidth = /min-width:\s*(-?[\d.]+)ex/.exec(style);
  const height = /(?:^|;)\s*height:\s*([\d.]+)ex/.exec(style) ?? /^([\d.]+)ex$/.exec(String(props.height));
  const root = svg.children.find((c): c is Element => isElement(c, 'g'));
  const lift = /translate\(\s*0\s*,\s*(-?[\d.]+)\s*\)/.exec(String(root?.properties.transform ?? ''));
  if (!minWidth?.[1] || !height?.[1] || !root || !lift?.[1]) return;
  const unitsPerEx = 1000 * xHeight;
  const w = num(minWidth[1]) * unitsPerEx;
  const h = -num(lift[1]);
  const total = num(height[1]) * unitsPerEx;
  props.viewBox = `0 ${fmt(-h)} ${fmt(w)} ${fmt(total)}`;
  props.width = `${minWidth[1]}ex`;
  props.style = style
    .split(';')
    .filter((d) => d.trim() && !/^\s*(min-)?width\s*:/.test(d))
    .join(';');
  root.properties.transform = 'scale(1,-1)';
  const flatten = (node: Element) => {
    for (let i = 0; i < node.children.length; i++) {
      const child = node.children[i];
      if (!isElement(child)) continue;
      // Only the full-viewport svgs (no size of their own) are the label layout; a sized nested svg
      // (a stretchy arrow, clipped to its box) lives in its parent's units and stays as it is.
      if (
        child.tagName === 'svg' &&
        (child.properties.width !== undefined || child.properties.height !== undefined)
      )
        continue;
      if (child.tagName !== 'svg') {
        flatten(child);
        continue;
      }
      // The nested svgs sat in a px system scaled back to MathJax units; without the outer
      // px system the scale goes, and the nested viewport is the whole w × total box.
      node.properties.transform = String(node.properties.transform ?? '')
        .replace(/\s*scale\([^)]*\)\s*$/, '')
        .trim();
      node.children[i] = el('g', { transform: placement(child, w, total) }, child.children);
      flatten(node.children[i] as Element);
    }
  };
  flatten(root);
}

/** The transform SVG's viewBox + preserveAspectRatio (meet) amounts to in a `vw × vh` viewport. */
function placement(svg: Element, vw: number, vh: number): string {
  const [x = 0, y = 0, bw = vw, bh = vh] = String(svg.properties.viewBox ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  const k = Math.min(vw / bw, vh / bh);
  const align = String(svg.properties.preserveAspectRatio ?? 'xMidYMid');
  const free = (room: number, used: number, axis: 'x' | 'y') => {
    const a = axis === 'x' ? align.slice(0, 4) : align.slice(4, 8);
    return a.endsWith('Min') ? 0 : a.endsWith('Max') ? room - used : (room - used) / 2;
  };
  const tx = free(vw, bw * k, 'x') - x * k;
  const ty = free(vh, bh * k, 'y') - y * k;
  // The ex sizes MathJax prints are rounded to 3 decimals: a scale within 0.1 % of 1 is 1.
  return `translate(${fmt(tx)} ${fmt(ty)})${Math.abs(k - 1) > 1e-3 ? ` scale(${fmt(k)})` : ''}`;
}

function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function codeText(code: Element): string {
  return code.children.map((c) => (c.type === 'text' ? c.value : '')).join('');
}

const NBSP = '\u00a0';
/** Punctuation that must not start a line (CJK and Latin closing marks), taken with the formula before it. */
const CLOSING_PUNCTUATION = /^[。，、；：？！）」』】〉》”’….,;:!?)\]}%]+/u;

/** Formula wrappers made here: later passes may trust them (raw HTML cannot forge membership). */
const generated = new WeakSet<Element>();

/** True for a formula wrapper produced by {@link mathTransform}. */
export function isGeneratedFormula(node: Element): boolean {
  return generated.has(node);
}

/**
 * remark-math output → MathJax SVG: inline `code.math-inline` becomes
 * `<span class="inline-equation">NBSP<svg>NBSP</span>` (the NBSPs keep the spaces WeChat would
 * eat, rule 35; a closing `。`/`，`/`.` right after it is kept on the formula's line in a
 * `white-space:nowrap` span), display `pre > code.math-display` becomes a centred, horizontally scrolling
 * `<section class="block-equation">`. TeX errors are reported with the source position.
 */
export function mathTransform(tree: Root, ctx: RenderContext): void {
  resetMathState();
  const visit = (parent: Root | Element) => {
    const children = parent.children as ElementContent[];
    for (let i = 0; i < children.length; i++) {
      const node = children[i];
      if (node?.type !== 'element') continue;
      if (node.tagName === 'code' && classList(node).includes('math-inline')) {
        const tex = codeText(node);
        const { svg, error } = texToSvg(tex, false, ctx.formulaCache);
        if (error) report(ctx, 'render/math', `TeX error in $${tex}$: ${error}`, node, 'Fix the formula.');
        const prev = children[i - 1];
        const next = children[i + 1];
        const kids: ElementContent[] = [svg];
        if (prev?.type === 'text' || prev?.type === 'element') kids.unshift({ type: 'text', value: NBSP });
        if (next?.type === 'text' || next?.type === 'element') kids.push({ type: 'text', value: NBSP });
        if (prev?.type === 'text') prev.value = prev.value.replace(/ +$/, '');
        if (next?.type === 'text') next.value = next.value.replace(/^ +/, '');
        const closing = next?.type === 'text' ? CLOSING_PUNCTUATION.exec(next.value)?.[0] : undefined;
        if (closing && next?.type === 'text') {
          // Browsers may break between the SVG and what follows even across an NBSP: the formula and the
          // punctuation after it go in one unbreakable span, with no padding between them.
          if (kids[kids.length - 1]?.type === 'text') kids.pop();
          next.value = next.value.slice(closing.length);
        }
        const span = el('span', { className: ['inline-equation'], dataFormula: tex }, kids);
        generated.add(span);
        children[i] = closing
          ? el('span', { style: 'white-space:nowrap' }, [span, { type: 'text', value: closing }])
          : span;
        if (closing && next?.type === 'text' && next.value === '') children.splice(i + 1, 1);
        continue;
      }
      if (node.tagName === 'pre') {
        const code = node.children.find((c): c is Element => isElement(c, 'code'));
        if (code && classList(code).includes('math-display')) {
          const tex = codeText(code);
          const { svg, error } = texToSvg(tex, true, ctx.formulaCache);
          if (error)
            report(ctx, 'render/math', `TeX error in $$${tex}$$: ${error}`, node, 'Fix the formula.');
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
