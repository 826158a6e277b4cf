export { compileTheme, type CompiledRule, type CompiledTheme } from './css/compile.js';
export { inlineTheme } from './css/inline.js';
export { RenderError } from './errors.js';
export {
  createFormulaCache,
  type FormulaCache,
  type FormulaCacheOptions,
  type StoredFormula,
} from './formula-cache.js';
export { finalizeTree, wrapRoot } from './transforms/finalize.js';
export { isSelfContained, rehypeRawFast } from './raw-html.js';
export { extractHeadlessFrontMatter, type FrontMatter, parseFrontMatter } from './frontmatter.js';
export { type LintOptions, lint } from './lint/lint.js';
export { type LintRule, RULES } from './lint/rules.js';
export { countWords } from './meta.js';
export { previewPage } from './preview.js';
export { createRenderer, type Renderer, render, renderSync } from './renderer.js';
export { DEFAULT_THEME, themes } from './themes/index.js';
export { codeTransform, protectWhitespace, rehypeWechatCode } from './transforms/code.js';
export { footnotesTransform, rehypeWechatFootnotes } from './transforms/footnotes.js';
export { imagesTransform, rehypeWechatImages } from './transforms/images.js';
export { isWechatArticleUrl, linksTransform, rehypeWechatLinks } from './transforms/links.js';
export { listsTransform, rehypeWechatLists } from './transforms/lists.js';
export {
  clearMathCache,
  mathTransform,
  rehypeWechatMath,
  resetMathState,
  texToSvg,
} from './transforms/math.js';
export {
  ALLOWED_SVG,
  ALLOWED_TAGS,
  FORBIDDEN_TAGS,
  rehypeWechatSanitize,
  sanitizeTransform,
} from './transforms/sanitize.js';
export { rehypeWechatTables, tablesTransform } from './transforms/tables.js';
export { rehypeWechatWhitespace, whitespaceTransform } from './transforms/whitespace.js';
export type {
  ArticleMeta,
  CaptionSource,
  Message,
  Position,
  RenderContext,
  RenderOptions,
  RenderResult,
  Severity,
} from './types.js';
