import type { Root as HastRoot } from 'hast';
import type { Plugin } from 'unified';
import type { VFile } from 'vfile';
import { type CompiledTheme, compileTheme } from './css/compile.js';
import { inlineTheme } from './css/inline.js';
import { RenderError } from './errors.js';
import { DEFAULT_THEME, themes } from './themes/index.js';
import { codeTransform } from './transforms/code.js';
import { MESSAGE_SOURCE } from './transforms/element.js';
import { finalizeTree, reportDroppedStyle, wrapRoot } from './transforms/finalize.js';
import { footnotesTransform } from './transforms/footnotes.js';
import { figuresTransform } from './transforms/figures.js';
import { linksTransform } from './transforms/links.js';
import { listsTransform } from './transforms/lists.js';
import { mathTransform } from './transforms/math.js';
import { sanitizeTransform } from './transforms/sanitize.js';
import { tablesTransform } from './transforms/tables.js';
import { whitespaceTransform } from './transforms/whitespace.js';
import type { RenderContext, RenderOptions } from './types.js';

/** Options of {@link rehypeWechat}: the theme and the transform settings of {@link RenderOptions}. */
export type RehypeWechatOptions = Pick<
  RenderOptions,
  | 'theme'
  | 'css'
  | 'captions'
  | 'referencesTitle'
  | 'footnotesTitle'
  | 'codeWindowBar'
  | 'tabSize'
  | 'formulaCache'
>;

/**
 * Compiled themes by stylesheet text, shared by every renderer of the process: a renderer made per
 * call (the CLI's, with its per-post image plugin) reuses the compiled theme instead of compiling it
 * again. A compiled theme is only read after compilation.
 */
const compiledThemes = new Map<string, CompiledTheme>();
const COMPILED_THEME_LIMIT = 32;

/**
 * The compiled built-in theme `options.theme` (default `wechat`) with `options.css` after it.
 *
 * @throws {RenderError} for an unknown theme name.
 */
export function resolveTheme(options: Pick<RenderOptions, 'theme' | 'css'>): CompiledTheme {
  const name = options.theme ?? DEFAULT_THEME;
  const css = themes[name];
  if (css === undefined) {
    throw new RenderError(`unknown theme "${name}"; built-in themes: ${Object.keys(themes).join(', ')}`);
  }
  const sheets = options.css ? [css, options.css] : [css];
  const key = sheets.join('\0/* md2wx sheet */\0');
  let theme = compiledThemes.get(key);
  if (!theme) {
    if (compiledThemes.size >= COMPILED_THEME_LIMIT)
      compiledThemes.delete(compiledThemes.keys().next().value as string);
    theme = compileTheme(sheets);
    compiledThemes.set(key, theme);
  }
  return theme;
}

/** The transform settings of a render, defaults filled in. */
export function contextOptions(options: RehypeWechatOptions): RenderContext['options'] {
  return {
    captions: options.captions ?? 'title-or-alt',
    referencesTitle: options.referencesTitle ?? '参考链接',
    footnotesTitle: options.footnotesTitle ?? '注释',
    codeWindowBar: options.codeWindowBar ?? false,
    tabSize: options.tabSize ?? 4,
  };
}

/**
 * The WeChat half of md2wx as one rehype plugin: every WeChat transform in order (footnotes, math as
 * MathJax SVG, code, lists, tables, figures, links as numbered references, sanitising to WeChat's tag
 * set, whitespace), then the theme inlined into `style` attributes and the final clean-up, leaving one
 * root `<section>` that survives `draft/add` (https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Add_draft.html)
 * and the WeChat editor. Use it after `remark-rehype` (and `rehype-raw` when raw HTML is allowed) in
 * any unified pipeline, e.g. a static-site build: `.use(remarkRehype).use(rehypeWechat, { theme: 'tech' })`.
 *
 * The theme is compiled when the plugin is attached; problems (a TeX error, an SVG image, a dropped
 * declaration, CSS the theme cannot use) are reported on the file as warnings with `source: 'md2wx'`
 * and a `render/*` ruleId.
 *
 * @throws {RenderError} (when attached) for an unknown theme name.
 */
export const rehypeWechat: Plugin<[RehypeWechatOptions?], HastRoot> = function rehypeWechat(options = {}) {
  const theme = resolveTheme(options);
  const settings = contextOptions(options);
  return (tree: HastRoot, file: VFile) => {
    const ctx: RenderContext = {
      options: settings,
      file,
      ...(options.formulaCache ? { formulaCache: options.formulaCache } : {}),
    };
    for (const m of theme.messages) {
      // The line is the stylesheet's, not the post's: it goes into the text, not the place.
      const copy = file.message(m.line ? `${m.reason} (stylesheet line ${m.line})` : m.reason, {
        ruleId: m.ruleId ?? 'render/css',
        source: MESSAGE_SOURCE,
      });
      copy.fatal = false;
      if (m.note) copy.note = m.note;
    }
    footnotesTransform(tree, ctx);
    mathTransform(tree, ctx);
    codeTransform(tree, ctx);
    listsTransform(tree, ctx);
    tablesTransform(tree, ctx);
    figuresTransform(tree, ctx);
    linksTransform(tree, ctx);
    sanitizeTransform(tree, ctx);
    whitespaceTransform(tree, ctx);
    const root = wrapRoot(tree);
    inlineTheme(tree, theme, (node, d, reason) => reportDroppedStyle(ctx, node, d, reason));
    finalizeTree(root, ctx);
  };
};
