import type { Element, ElementContent, Root } from 'hast';
import { common, createLowlight } from 'lowlight';
import type { VFile } from 'vfile';
import type { RenderContext } from '../types.js';
import { contextOf } from './context.js';
import { addClass, classList, el, isElement, report, walkElements } from './element.js';

/** highlight.js with its ~37 common grammars, registered once per process. */
const lowlight = createLowlight(common);

const DIAGRAMS = new Set(['mermaid', 'plantuml', 'puml', 'flow', 'sequence', 'flowchart', 'graphviz', 'dot']);
const NBSP = '\u00a0';
/** Scrolling and no-wrap styles every theme gets (rule 30); themes add colours and fonts. */
const PRE_STYLE = 'overflow-x:auto;-webkit-overflow-scrolling:touch';
const CODE_STYLE =
  'display:-webkit-box;white-space:nowrap;overflow-x:auto;text-align:left;letter-spacing:0;word-spacing:0';

/** A 45×13 px macOS window bar as inline SVG (no ids, no defs: rules 20–21 of docs/wechat-html-rules.md). */
function windowBar(): Element {
  const dot = (cx: number, fill: string, stroke: string) =>
    el('ellipse', { cx: String(cx), cy: '65', rx: '50', ry: '52', stroke, strokeWidth: '2', fill });
  const svg = el(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', viewBox: '0 0 450 130', width: '45', height: '13' },
    [dot(50, '#ed6c60', '#dc3c36'), dot(225, '#f7c151', '#da9721'), dot(400, '#64c856', '#1aab29')],
  );
  return el('span', { className: ['code-window-bar'], style: 'display:block;padding:10px 14px 0' }, [svg]);
}

/**
 * Rewrites text so WeChat cannot collapse it (rules 28, 29): `\n` → `<br>`, tab → `tabSize` NBSP,
 * every space → NBSP, including spaces between two token spans. Markup is never touched.
 */
export function protectWhitespace(nodes: ElementContent[], tabSize: number): ElementContent[] {
  const tab = NBSP.repeat(tabSize);
  const out: ElementContent[] = [];
  for (const node of nodes) {
    if (node.type === 'element') {
      node.children = protectWhitespace(node.children, tabSize);
      out.push(node);
      continue;
    }
    if (node.type !== 'text') continue;
    const lines = node.value.replace(/\r\n?/g, '\n').split('\n');
    lines.forEach((line, i) => {
      if (i > 0) out.push(el('br'));
      if (line) out.push({ type: 'text', value: line.replace(/\t/g, tab).replace(/ /g, NBSP) });
    });
  }
  return out;
}

function languageOf(code: Element): string | undefined {
  for (const c of classList(code)) if (c.startsWith('language-')) return c.slice(9).toLowerCase();
  return undefined;
}

function reportDiagram(ctx: RenderContext, lang: string, pre: Element): void {
  const mermaid = lang === 'mermaid';
  report(
    ctx,
    'render/diagram',
    mermaid
      ? 'mermaid diagram kept as a code block: it was not drawn (render with @md2wx/diagrams; the CLI does)'
      : `${lang} diagram kept as a code block: md2wx draws mermaid diagrams only`,
    pre,
    mermaid
      ? 'Put remarkMermaid from @md2wx/diagrams in remarkPlugins, with Chromium installed.'
      : 'Export the diagram to PNG and insert it as an image, or rewrite it in mermaid.',
  );
}

/**
 * Code blocks → highlighted, WeChat-proof blocks (docs/wechat-html-rules.md#code, rules 28–31, 36):
 * tokens highlighted by highlight.js (lowlight) keep `hljs-*` classes that the theme turns into
 * inline colours; whitespace is protected; the content sits in one `display:block` span inside a
 * `-webkit-box` `code` so long lines scroll instead of wrapping; optional window bar.
 * Diagram blocks that reach this point stay as plain code with a warning: mermaid is drawn before, by
 * @md2wx/diagrams' remark plugin, when it can be; PlantUML and the others are not drawn.
 */
export function codeTransform(tree: Root, ctx: RenderContext): void {
  walkElements(tree, (pre) => {
    if (pre.tagName !== 'pre') return undefined;
    const code = pre.children.find((c): c is Element => isElement(c, 'code'));
    if (!code) return false;
    const lang = languageOf(code);
    if (lang === 'math') return false;
    const source = code.children
      .map((c) => (c.type === 'text' ? c.value : ''))
      .join('')
      .replace(/\n$/, '');
    let tokens: ElementContent[] = [{ type: 'text', value: source }];
    if (lang && DIAGRAMS.has(lang)) {
      // A diagram plugin that could not draw the block has said why already (`dataDiagramReported`).
      if (!code.properties.dataDiagramReported) reportDiagram(ctx, lang, pre);
    } else if (lang && lowlight.registered(lang)) {
      tokens = lowlight.highlight(lang, source).children as ElementContent[];
    }
    const body = el(
      'span',
      { className: ['code-lines'], style: 'display:block' },
      protectWhitespace(tokens, ctx.options.tabSize),
    );
    code.children = [body];
    code.properties = { className: ['code'], style: CODE_STYLE };
    pre.properties = { className: ['code-block'], ...(lang ? { dataLang: lang } : {}), style: PRE_STYLE };
    pre.children = ctx.options.codeWindowBar ? [windowBar(), code] : [code];
    return false;
  });
  // Inline code: only the hook class for the theme.
  walkElements(tree, (node) => {
    if (node.tagName === 'pre' || node.tagName === 'svg') return false;
    if (node.tagName === 'code') addClass(node, 'code-inline');
    return undefined;
  });
}

/** Rehype plugin form of {@link codeTransform}. */
export function rehypeWechatCode() {
  return (tree: Root, file: VFile) => codeTransform(tree, contextOf(file));
}
