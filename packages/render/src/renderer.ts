import { createHash } from 'node:crypto';
import type { Root as HastRoot } from 'hast';
import type { Root as MdastRoot, Yaml } from 'mdast';
import rehypeStringify from 'rehype-stringify';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { type Processor, unified } from 'unified';
import { VFile } from 'vfile';
import { normaliseContainerFences, remarkCallouts } from './callouts.js';
import { type CompiledTheme, compileTheme } from './css/compile.js';
import { inlineTheme } from './css/inline.js';
import { RenderError } from './errors.js';
import { extractHeadlessFrontMatter, type FrontMatter, parseFrontMatter } from './frontmatter.js';
import { remarkMathDelimiters } from './math-delimiters.js';
import { countWords, extractMeta, visibleText } from './meta.js';
import { rehypeRawFast } from './raw-html.js';
import { DEFAULT_THEME, themes } from './themes/index.js';
import { codeTransform } from './transforms/code.js';
import { finalizeTree, reportDroppedStyle, wrapRoot } from './transforms/finalize.js';
import { footnotesTransform } from './transforms/footnotes.js';
import { imagesTransform } from './transforms/images.js';
import { linksTransform } from './transforms/links.js';
import { listsTransform } from './transforms/lists.js';
import { mathTransform } from './transforms/math.js';
import { sanitizeTransform } from './transforms/sanitize.js';
import { tablesTransform } from './transforms/tables.js';
import { whitespaceTransform } from './transforms/whitespace.js';
import type { ArticleMeta, RenderContext, RenderOptions, RenderResult } from './types.js';
import type { FormulaCache } from './formula-cache.js';

/** A reusable renderer: theme compiled once, processor frozen once, results cached by input. */
export interface Renderer {
  /** Renders a post (async: remark plugins such as the image uploader may be async). */
  render(markdown: string, options?: { filePath?: string }): Promise<RenderResult>;
  /** Synchronous render; throws if a configured plugin is async. */
  renderSync(markdown: string, options?: { filePath?: string }): RenderResult;
  /** The compiled theme (for inspection: rule count, resolved variables, CSS messages). */
  readonly theme: CompiledTheme;
  /** Empties the second-render cache (call when something outside the Markdown changed). */
  clearCache(): void;
}

interface PendingMeta {
  meta: Omit<ArticleMeta, 'wordCount'>;
  frontMatter: FrontMatter;
}

declare module 'vfile' {
  interface DataMap {
    md2wxMeta: PendingMeta;
    md2wxFrontMatter: FrontMatter;
  }
}

/** Reads the YAML/TOML front matter node (or the Hexo block found earlier) and the article meta. */
function remarkMeta(this: unknown, options: { stripTitle: boolean }) {
  return (tree: MdastRoot, file: VFile) => {
    const ctx = file.data.md2wx as RenderContext;
    let fm: FrontMatter = file.data.md2wxFrontMatter ?? { data: {}, format: 'none' };
    const node = tree.children[0];
    if (node && (node.type === 'yaml' || (node.type as string) === 'toml')) {
      fm = parseFrontMatter((node as Yaml).value, node.type === 'yaml' ? 'yaml' : 'toml');
      if (fm.error) {
        ctx.messages.push({
          rule: 'render/frontmatter',
          severity: 'should',
          message: `front matter does not parse: ${fm.error}`,
          position: { line: 1, column: 1 },
          fix: 'Fix the front matter syntax; it was ignored.',
          ...(ctx.file ? { file: ctx.file } : {}),
        });
      }
    }
    file.data.md2wxMeta = { meta: extractMeta(tree, fm.data, options.stripTitle), frontMatter: fm };
  };
}

/** Every WeChat transform, in order, then theme inlining and the final clean-up. */
function rehypeWechat(this: unknown, options: { theme: CompiledTheme }) {
  return (tree: HastRoot, file: VFile) => {
    const ctx = file.data.md2wx as RenderContext;
    footnotesTransform(tree, ctx);
    mathTransform(tree, ctx);
    codeTransform(tree, ctx);
    listsTransform(tree, ctx);
    tablesTransform(tree, ctx);
    imagesTransform(tree, ctx);
    linksTransform(tree, ctx);
    sanitizeTransform(tree, ctx);
    whitespaceTransform(tree, ctx);
    const root = wrapRoot(tree);
    inlineTheme(tree, options.theme, (node, d, reason) => reportDroppedStyle(ctx, node, d, reason));
    finalizeTree(root, ctx);
  };
}

/**
 * Compiled themes by stylesheet text, shared by every renderer of the process: a renderer made per
 * call (the CLI's, with its per-post image plugin) reuses the compiled theme instead of compiling it
 * again. A compiled theme is only read after compilation.
 */
const compiledThemes = new Map<string, CompiledTheme>();
const COMPILED_THEME_LIMIT = 32;

function themeFor(sheets: string[]): CompiledTheme {
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

function themeSheets(options: RenderOptions): string[] {
  const name = options.theme ?? DEFAULT_THEME;
  const css = themes[name];
  if (css === undefined) {
    throw new RenderError(`unknown theme "${name}"; built-in themes: ${Object.keys(themes).join(', ')}`);
  }
  return options.css ? [css, options.css] : [css];
}

/**
 * Creates a renderer: compiles the theme (+ user CSS) once and builds the unified pipeline
 * remark-parse → frontmatter (YAML/TOML) → GFM → math (`$`, `$$`, `\\(`, `\\[`) → callouts → meta → `remarkPlugins` → remark-rehype →
 * rehype-raw → `rehypePlugins` → WeChat transforms → theme inlining → rehype-stringify.
 * A second render of the same Markdown and path is served from an LRU cache (`cacheSize`).
 *
 * @throws {RenderError} for an unknown theme name.
 */
export function createRenderer(options: RenderOptions = {}): Renderer {
  const theme = themeFor(themeSheets(options));
  const allowHtml = options.allowHtml ?? true;
  let processor = unified()
    .use(remarkParse)
    .use(remarkFrontmatter, ['yaml', 'toml'])
    .use(remarkGfm)
    .use(remarkMath)
    .use(remarkMathDelimiters)
    .use(remarkCallouts)
    .use(remarkMeta, { stripTitle: options.stripTitleHeading ?? true }) as unknown as Processor<
    MdastRoot,
    MdastRoot,
    MdastRoot
  >;
  // `use(list)` is unified's PluggableList reading: each entry a plugin, a `[plugin, ...options]`
  // tuple or a preset. Passing entries one by one would read a tuple's options as a preset.
  if (options.remarkPlugins?.length) processor = processor.use(options.remarkPlugins) as typeof processor;
  let hast = processor.use(remarkRehype, { allowDangerousHtml: allowHtml }) as unknown as Processor<
    MdastRoot,
    MdastRoot,
    HastRoot
  >;
  if (allowHtml) hast = hast.use(rehypeRawFast) as typeof hast;
  if (options.rehypePlugins?.length) hast = hast.use(options.rehypePlugins) as typeof hast;
  const pipeline = hast.use(rehypeWechat, { theme }).use(rehypeStringify, {
    // Only `"` and `&` need escaping inside double-quoted attributes; escaping `'` in every font
    // stack would cost bytes of the 1 MB budget.
    allowDangerousCharacters: true,
    characterReferences: { useNamedReferences: false },
  });
  pipeline.freeze();

  const cacheSize = options.cacheSize ?? 64;
  const cache = new Map<string, RenderResult>();
  const ctxOptions: RenderContext['options'] = {
    captions: options.captions ?? 'title-or-alt',
    referencesTitle: options.referencesTitle ?? '参考链接',
    footnotesTitle: options.footnotesTitle ?? '注释',
    codeWindowBar: options.codeWindowBar ?? false,
    tabSize: options.tabSize ?? 4,
  };

  const prepare = (markdown: string, filePath: string | undefined) => {
    if (typeof markdown !== 'string') throw new RenderError('markdown must be a string', filePath);
    const key =
      cacheSize > 0
        ? createHash('sha1')
            .update(`${filePath ?? ''}\0${markdown}`)
            .digest('hex')
        : '';
    const hit = key ? cache.get(key) : undefined;
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return { hit: copy(hit) };
    }
    const headless = extractHeadlessFrontMatter(markdown.replace(/^\uFEFF/, ''));
    const ctx: RenderContext = {
      options: ctxOptions,
      messages: [...theme.messages],
      ...(filePath ? { file: filePath } : {}),
      ...(options.formulaCache ? { formulaCache: options.formulaCache } : {}),
    };
    const file = new VFile({
      value: normaliseContainerFences(headless.markdown),
      ...(filePath ? { path: filePath } : {}),
    });
    file.data.md2wx = ctx;
    if (headless.frontMatter) file.data.md2wxFrontMatter = headless.frontMatter;
    return { key, file, ctx };
  };

  const finish = (key: string, file: VFile, ctx: RenderContext, tree: HastRoot): RenderResult => {
    const html = escapeBracketsInAttributes(pipeline.stringify(tree, file));
    const pending = file.data.md2wxMeta;
    const meta: ArticleMeta = {
      ...(pending?.meta ?? { frontmatter: {} }),
      wordCount: countWords(visibleText(tree)),
    };
    for (const m of file.messages) {
      ctx.messages.push({
        rule: `plugin/${m.source ?? m.ruleId ?? 'message'}`,
        severity: m.fatal ? 'must' : 'should',
        message: m.reason,
        ...(m.line ? { position: { line: m.line, column: m.column ?? 1 } } : {}),
        ...(ctx.file ? { file: ctx.file } : {}),
      });
    }
    const result: RenderResult = { html, meta, messages: ctx.messages };
    if (key) {
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(key, copy(result));
    }
    return result;
  };

  return {
    theme,
    clearCache: () => cache.clear(),
    async render(markdown, opts = {}) {
      const filePath = opts.filePath ?? options.filePath;
      const p = prepare(markdown, filePath);
      if ('hit' in p) return p.hit as RenderResult;
      const tree = (await pipeline.run(pipeline.parse(p.file), p.file)) as HastRoot;
      await options.formulaCache?.save?.();
      return finish(p.key, p.file, p.ctx, tree);
    },
    renderSync(markdown, opts = {}) {
      const filePath = opts.filePath ?? options.filePath;
      const p = prepare(markdown, filePath);
      if ('hit' in p) return p.hit as RenderResult;
      const tree = pipeline.runSync(pipeline.parse(p.file), p.file) as HastRoot;
      return finish(p.key, p.file, p.ctx, tree);
    },
  };
}

/** Any `<` or `>` after `="` before the closing quote: only then is the full pass needed. */
const BRACKET_IN_ATTRIBUTE = /="[^"<>]*[<>]/;
/** A start tag with double-quoted attributes (the only form rehype-stringify writes here). */
const START_TAG = /<[a-zA-Z][^\s/>]*(?:\s+[^\s"'>/=]+(?:="[^"]*")?)*\s*\/?>/g;

/**
 * Writes `<` and `>` inside attribute values (a formula's TeX in `data-formula`, an alt text) as
 * character references. HTML allows them raw, but counters that strip tags with `<[^>]*>` — as
 * WeChat's 20,000-character check may, and as `visibleText` in @md2wx/wechat does — would cut the
 * tag short and count the rest of it as text. Text nodes need nothing: their `<` is always escaped.
 */
function escapeBracketsInAttributes(html: string): string {
  if (!BRACKET_IN_ATTRIBUTE.test(html)) return html;
  return html.replace(START_TAG, (tag) =>
    tag.replace(
      /="([^"]*)"/g,
      (_m, value: string) => `="${value.replace(/</g, '&#x3C;').replace(/>/g, '&#x3E;')}"`,
    ),
  );
}

function copy(r: RenderResult): RenderResult {
  return { html: r.html, meta: { ...r.meta }, messages: r.messages.map((m) => ({ ...m })) };
}

const shared = new Map<string, Renderer>();
const sharedWithFormulaCache = new WeakMap<FormulaCache, Map<string, Renderer>>();

/**
 * Renders Markdown to the WeChat article HTML fragment plus metadata and messages.
 * Renderers without plugins are kept per theme/CSS/options, so repeated calls reuse the compiled theme.
 *
 * @example const { html, meta } = await render('# Hello\n\nWorld', { theme: 'tech' });
 * @throws {RenderError} for an unknown theme or a non-string input.
 */
export async function render(markdown: string, options: RenderOptions = {}): Promise<RenderResult> {
  return rendererFor(options).render(markdown, options.filePath ? { filePath: options.filePath } : {});
}

/** Synchronous {@link render}; throws if a plugin in `options` is async. */
export function renderSync(markdown: string, options: RenderOptions = {}): RenderResult {
  return rendererFor(options).renderSync(markdown, options.filePath ? { filePath: options.filePath } : {});
}

function rendererFor(options: RenderOptions): Renderer {
  if (options.remarkPlugins?.length || options.rehypePlugins?.length) return createRenderer(options);
  const { filePath: _f, formulaCache, ...rest } = options;
  // JSON drops the cache object: renderers with one are pooled per cache, or two caches would share one.
  let pool = shared;
  if (formulaCache) {
    pool = sharedWithFormulaCache.get(formulaCache) ?? new Map();
    sharedWithFormulaCache.set(formulaCache, pool);
  }
  const key = JSON.stringify(rest);
  let r = pool.get(key);
  if (!r) {
    if (pool.size > 16) pool.clear();
    r = createRenderer(formulaCache ? { ...rest, formulaCache } : rest);
    pool.set(key, r);
  }
  return r;
}
