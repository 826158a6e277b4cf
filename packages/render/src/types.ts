import type { Root as HastRoot } from 'hast';
import type { Root as MdastRoot } from 'mdast';
import type { PluggableList } from 'unified';
import type { FormulaCache } from './formula-cache.js';

/** Severity of a message: `must` blocks publishing, `should` is a warning. */
export type Severity = 'must' | 'should';

/** A 1-based line/column position in the Markdown source (render) or the HTML (lint). */
export interface Position {
  line: number;
  column: number;
}

/**
 * One diagnostic, from the renderer or from {@link lint}.
 * `rule` is a stable id (for example `no-div`, or `render/math` for renderer messages);
 * `fix` tells the author what to do.
 */
export interface Message {
  rule: string;
  severity: Severity;
  message: string;
  position?: Position;
  fix?: string;
  /** The file the position refers to, when known. */
  file?: string;
}

/** Article metadata, read from front matter first, then from the content. */
export interface ArticleMeta {
  /** Front matter `title`, else the text of the first `# h1`. */
  title?: string;
  /** Front matter `author` (a string, or `name` of an object / first of a list). */
  author?: string;
  /** Front matter `digest`/`description`/`summary`/`excerpt`, else the first paragraph cut to 120 characters. */
  digest?: string;
  /** Front matter `cover`/`image`/`thumbnail`/`banner`/`featured_image` as written (a path or URL). */
  cover?: string;
  /** Front matter `source_url`/`sourceUrl`/`canonical`/`link`/`url` when it is an absolute http(s) URL. */
  sourceUrl?: string;
  /** Visible characters: each CJK character counts 1, each run of Latin letters/digits counts 1. */
  wordCount: number;
  /** The whole parsed front matter (YAML or TOML), `{}` when there is none. */
  frontmatter: Record<string, unknown>;
}

/** Result of one render. */
export interface RenderResult {
  /** The article `content` HTML fragment (one root `<section>`), ready for `draft/add`. */
  html: string;
  meta: ArticleMeta;
  /** Renderer diagnostics (math errors, mermaid kept as code, unsupported CSS, …). Lint separately with {@link lint}. */
  messages: Message[];
}

/** Where captions under block images come from. */
export type CaptionSource = 'title-or-alt' | 'title' | 'alt' | 'none';

/** Options of {@link createRenderer} and {@link render}. */
export interface RenderOptions {
  /** Built-in theme name (`wechat`, `tech`, `minimal`; default `wechat`). */
  theme?: string;
  /** Extra CSS applied after the theme (a user stylesheet as text). */
  css?: string;
  /** Source file path: used in messages and as the vfile path handed to remark plugins. */
  filePath?: string;
  /**
   * Remark plugins run right after parsing (for example the image-upload plugin), as a unified
   * `PluggableList`: each entry is a plugin, a `[plugin, options]` tuple or a preset.
   */
  remarkPlugins?: PluggableList;
  /** Rehype plugins run before the WeChat transforms (a `PluggableList`, like `remarkPlugins`). */
  rehypePlugins?: PluggableList;
  /** Keep raw HTML from the Markdown (sanitised to WeChat's tag set). Default true. */
  allowHtml?: boolean;
  /** Add a macOS-style window bar (inline SVG) on code blocks. Default false. */
  codeWindowBar?: boolean;
  /** Captions under block images. Default `title-or-alt`. */
  captions?: CaptionSource;
  /** Heading of the trailing link reference list. Default `参考链接`. */
  referencesTitle?: string;
  /** Heading of the footnote list. Default `注释`. */
  footnotesTitle?: string;
  /** Drop the first `# h1` from the body when it served as the title. Default true. */
  stripTitleHeading?: boolean;
  /** Spaces per tab inside code blocks. Default 4. */
  tabSize?: number;
  /** Entries kept in the second-render cache of a renderer. Default 64; 0 disables it. */
  cacheSize?: number;
  /**
   * Typeset formulas kept across processes (`await createFormulaCache()`): a formula already in it is
   * never typeset again. `render()` saves it after each article; after `renderSync`, call `save()`.
   */
  formulaCache?: FormulaCache;
}

/** Per-render context shared by the transforms. */
export interface RenderContext {
  options: Required<
    Pick<RenderOptions, 'captions' | 'referencesTitle' | 'footnotesTitle' | 'codeWindowBar' | 'tabSize'>
  >;
  messages: Message[];
  file?: string;
  /** The `formulaCache` render option. */
  formulaCache?: FormulaCache;
}

export type { HastRoot, MdastRoot };
