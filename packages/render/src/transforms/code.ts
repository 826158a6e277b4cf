import { createRequire } from 'node:module';
import type { Element, ElementContent, Root } from 'hast';
import type { LanguageFn } from 'highlight.js';
import { createLowlight } from 'lowlight';
import type { VFile } from 'vfile';
import type { RenderContext } from '../types.js';
import { contextOf } from './context.js';
import { addClass, classList, el, isElement, report, walkElements } from './element.js';
import { HIGHLIGHT_LANGUAGES } from './highlight-languages.js';

/**
 * highlight.js with lowlight's ~37 common grammars, each registered the first time a code block uses it:
 * loading all of them costs a first run about a quarter of the renderer's module loading
 * (bench/cli-startup/draft-modules.ts), and most posts use one or two.
 */
const lowlight = createLowlight();
/** Fence name (`js`, `html`, `typescript`…) → grammar name. */
const GRAMMAR_OF = new Map(
  Object.entries(HIGHLIGHT_LANGUAGES).flatMap(([name, { aliases }]) => [
    [name, name] as const,
    ...aliases.map((alias) => [alias, name] as const),
  ]),
);
let requireGrammar: NodeRequire | undefined;

/**
 * The grammar name for a fence language, registered (with the grammars it embeds, such as `css` and
 * `javascript` inside `xml`) on first use; `undefined` for a language md2wx does not highlight.
 * Synchronous — `renderSync` highlights too — hence a CommonJS require of highlight.js's grammar file.
 */
function grammarFor(lang: string): string | undefined {
  const name = GRAMMAR_OF.get(lang);
  if (name) register(name);
  return name;
}

/**
 * highlight.js's tokens for `source` in the fence language `lang`, as hast (`span`s with `hljs-*` classes), or
 * `undefined` when md2wx does not highlight that language.
 */
export function highlight(lang: string, source: string): ElementContent[] | undefined {
  const grammar = grammarFor(lang);
  return grammar ? (lowlight.highlight(grammar, source).children as ElementContent[]) : undefined;
}

function register(name: string): void {
  if (lowlight.registered(name)) return;
  requireGrammar ??= createRequire(import.meta.url);
  lowlight.register(name, requireGrammar(`highlight.js/lib/languages/${name}`) as LanguageFn);
  for (const embedded of HIGHLIGHT_LANGUAGES[name]?.embeds ?? [])
    if (GRAMMAR_OF.get(embedded) === embedded) register(embedded);
}

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
    } else if (lang) {
      tokens = highlight(lang, source) ?? tokens;
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
