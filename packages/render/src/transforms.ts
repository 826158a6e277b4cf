// `@md2wx/render/transforms`: the steps of `rehypeWechat` one by one, each as a rehype plugin
// (`rehypeWechatX`) and as a function over a hast tree (`xTransform(tree, ctx)`), and the CSS engine.
export { type CompiledRule, type CompiledTheme, compileTheme } from './css/compile.js';
export { inlineTheme } from './css/inline.js';
export { isSelfContained, rehypeRawFast } from './raw-html.js';
export { codeTransform, rehypeWechatCode } from './transforms/code.js';
export { defaultContext } from './transforms/element.js';
export { figuresTransform, rehypeWechatFigures } from './transforms/figures.js';
export { footnotesTransform, rehypeWechatFootnotes } from './transforms/footnotes.js';
export { isWechatArticleUrl, linksTransform, rehypeWechatLinks } from './transforms/links.js';
export { listsTransform, rehypeWechatLists } from './transforms/lists.js';
export { mathTransform, rehypeWechatMath } from './transforms/math.js';
export {
  ALLOWED_SVG,
  ALLOWED_TAGS,
  FORBIDDEN_TAGS,
  rehypeWechatSanitize,
  sanitizeTransform,
} from './transforms/sanitize.js';
export { rehypeWechatTables, tablesTransform } from './transforms/tables.js';
export { rehypeWechatWhitespace, whitespaceTransform } from './transforms/whitespace.js';
export type { RenderContext } from './types.js';
