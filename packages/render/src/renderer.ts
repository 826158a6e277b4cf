import { createHash } from 'node:crypto';
import type { Root as HastRoot } from 'hast';
import type { Root as MdastRoot } from 'mdast';
import rehypeStringify from 'rehype-stringify';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { type Processor, unified } from 'unified';
import { VFile } from 'vfile';
import { normaliseContainerFences, remarkCallouts } from './callouts.js';
import type { CompiledTheme } from './css/compile.js';
import { RenderError } from './errors.js';
import { extractHeadlessFrontMatter, type FrontMatter } from './frontmatter.js';
import { remarkMathDelimiters } from './math-delimiters.js';
import { countWords, visibleText } from './meta.js';
import { metaOfTree, type MetaResult } from './post-meta.js';
import { rehypeRawFast } from './raw-html.js';
import { rehypeWechat, resolveTheme } from './rehype-wechat.js';
import { MESSAGE_SOURCE } from './transforms/element.js';
import type { ArticleMeta, RenderOptions, RenderResult } from './types.js';
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

declare module 'vfile' {
  interface DataMap {
    md2wxMeta: MetaResult;
    md2wxFrontMatter: FrontMatter;
  }
}

/** Reads the YAML/TOML front matter node (or the Hexo block found earlier) and the article meta. */
function remarkMeta(this: unknown, options: { stripTitle: boolean }) {
  return (tree: MdastRoot, file: VFile) => {
    const found = metaOfTree(tree, file.data.md2wxFrontMatter, options.stripTitle);
    if (found.frontMatterError) {
      const { reason, line, column } = found.frontMatterError;
      const message = file.message(`front matter does not parse: ${reason}`, {
        place: { line, column },
        ruleId: 'render/frontmatter',
        source: MESSAGE_SOURCE,
      });
      message.fatal = false;
      message.note = 'Fix the front matter syntax; it was ignored.';
    }
    file.data.md2wxMeta = found;
  };
}

/**
 * Creates a renderer: compiles the theme (+ user CSS) once and builds the unified pipeline
 * remark-parse → frontmatter (YAML/TOML) → GFM → math (`$`, `$$`, `\\(`, `\\[`) → callouts → meta → `remarkPlugins` → remark-rehype →
 * rehype-raw → `rehypePlugins` → {@link rehypeWechat} (WeChat transforms, theme inlining) → rehype-stringify.
 * The HTML is the `content` of `draft/add` (https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Add_draft.html).
 * A second render of the same Markdown and path is served from an LRU cache (`cacheSize`).
 *
 * @throws {RenderError} for an unknown theme name.
 */
export function createRenderer(options: RenderOptions = {}): Renderer {
  const theme = resolveTheme(options);
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
  const {
    theme: themeName,
    css,
    captions,
    referencesTitle,
    footnotesTitle,
    codeWindowBar,
    tabSize,
  } = options;
  const pipeline = hast
    .use(rehypeWechat, {
      theme: themeName,
      css,
      captions,
      referencesTitle,
      footnotesTitle,
      codeWindowBar,
      tabSize,
      ...(options.formulaCache ? { formulaCache: options.formulaCache } : {}),
    })
    .use(rehypeStringify, {
      // Only `"` and `&` need escaping inside double-quoted attributes; escaping `'` in every font
      // stack would cost bytes of the 1 MB budget.
      allowDangerousCharacters: true,
      characterReferences: { useNamedReferences: false },
    });
  pipeline.freeze();

  const cacheSize = options.cacheSize ?? 64;
  const cache = new Map<string, RenderResult>();

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
    const file = new VFile({
      value: normaliseContainerFences(headless.markdown),
      ...(filePath ? { path: filePath } : {}),
    });
    if (headless.frontMatter) file.data.md2wxFrontMatter = headless.frontMatter;
    return { key, file };
  };

  const finish = (key: string, file: VFile, tree: HastRoot): RenderResult => {
    const html = escapeBracketsInAttributes(pipeline.stringify(tree, file));
    const pending = file.data.md2wxMeta;
    const meta: ArticleMeta = {
      ...(pending?.meta ?? { frontmatter: {}, origins: {} }),
      wordCount: countWords(visibleText(tree)),
    };
    const result: RenderResult = { html, meta, file };
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
      return finish(p.key, p.file, tree);
    },
    renderSync(markdown, opts = {}) {
      const filePath = opts.filePath ?? options.filePath;
      const p = prepare(markdown, filePath);
      if ('hit' in p) return p.hit as RenderResult;
      const tree = pipeline.runSync(pipeline.parse(p.file), p.file) as HastRoot;
      return finish(p.key, p.file, tree);
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

/** A result that shares nothing mutable with `r`: the cache hands out copies, so callers may change theirs. */
function copy(r: RenderResult): RenderResult {
  const file = new VFile({ value: r.file.value, ...(r.file.path ? { path: r.file.path } : {}) });
  // Plugins' own data (say, the image plugin's upload records) is shared as the plugins left it.
  file.data = { ...r.file.data };
  for (const m of r.file.messages) {
    const clone = Object.assign(Object.create(Object.getPrototypeOf(m)) as typeof m, m);
    clone.file = file.path;
    file.messages.push(clone);
  }
  return { html: r.html, meta: { ...r.meta }, file };
}

const shared = new Map<string, Renderer>();
const sharedWithFormulaCache = new WeakMap<FormulaCache, Map<string, Renderer>>();

/**
 * Renders Markdown to the WeChat article HTML fragment (`html`), its metadata (`meta`) and its vfile
 * (`file`, whose `messages` are the problems found, as vfile messages with `source: 'md2wx'`).
 * Renderers without plugins are kept per theme/CSS/options, so repeated calls reuse the compiled theme.
 *
 * @example const { html, meta, file } = await render('# Hello\n\nWorld', { theme: 'tech' });
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
