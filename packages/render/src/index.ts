export { RenderError } from './errors.js';
export {
  extractHeadlessFrontMatter,
  type FrontMatter,
  type FrontMatterPoint,
  parseFrontMatter,
} from './frontmatter.js';
export {
  createFormulaCache,
  type FormulaCache,
  type FormulaCacheOptions,
  type StoredFormula,
} from './formula-cache.js';
export { type LintOptions, lint } from './lint/lint.js';
export { type LintRule, RULES } from './lint/rules.js';
export { countWords, EXPLICIT_DIGEST_KEYS, META_KEYS, type MetaField } from './meta.js';
export { type MetaResult, readMeta } from './post-meta.js';
export { previewPage } from './preview.js';
export { type RehypeWechatOptions, rehypeWechat } from './rehype-wechat.js';
export { createRenderer, type Renderer, render, renderSync } from './renderer.js';
export { DEFAULT_THEME, themes } from './themes/index.js';
export { clearMathCache, resetMathState, texToSvg } from './transforms/math.js';
export type {
  ArticleMeta,
  CaptionSource,
  MetaOrigin,
  RenderMessage,
  RenderOptions,
  RenderResult,
  Severity,
} from './types.js';
