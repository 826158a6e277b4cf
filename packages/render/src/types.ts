import type { MetaField } from './meta.js';
import type { Root as HastRoot } from 'hast';
import type { Root as MdastRoot } from 'mdast';
import type { PluggableList } from 'unified';
import type { VFile } from 'vfile';
import type { FormulaCache } from './formula-cache.js';

/** Severity of a lint rule: `must` blocks publishing, `should` is a warning. */
export type Severity = 'must' | 'should';

/**
 * One problem found by the renderer or by {@link lint}: a vfile message (`VFileMessage` of
 * `vfile-message`), as every unified plugin reports, so `vfile-reporter` and other vfile tools print
 * and count them. md2wx sets:
 *
 * - `source`: `'md2wx'`;
 * - `ruleId`: `render/<step>` for the renderer (`render/math`, `render/diagram`, `render/html`,
 *   `render/css`, `render/frontmatter`, `render/svg-image`), the rule id of {@link RULES} for the linter
 *   (`no-div`, `img-on-mmbiz`, …);
 * - `fatal`: `true` for a MUST rule (WeChat rejects or breaks the article: do not publish), `false` for a
 *   SHOULD rule and for every renderer message (a warning);
 * - `place`: the node's position — in the Markdown for the renderer, in the HTML for the linter;
 * - `note`: what to do about it, when there is something to say.
 *
 * Messages that remark/rehype plugins add (`@md2wx/remark-wechat-images`, `@md2wx/diagrams`) are on the
 * same file with their own `source`.
 */
export type RenderMessage = VFile['messages'][number];

/** Article metadata, read from front matter first, then from the content. */
/** Where a field of {@link ArticleMeta} was read. */
export interface MetaOrigin {
  /**
   * The front-matter key (a path joined with `.`: `wechat_title`, `banner`, `crop.1_1`), or `heading` /
   * `paragraph` for a value taken from the Markdown tree.
   */
  key: string;
  /** 1-based line of the key (or heading/paragraph) in the post; absent when unknown. */
  line?: number;
  /** 1-based column, with `line`. */
  column?: number;
}

/**
 * The post's metadata: md2wx's one source of the draft's fields. Front-matter keys are read through
 * `META_KEYS` (the first key with a value wins); `origins` says which key gave each field and where.
 */
export interface ArticleMeta {
  /** Front matter `wechat_title`, else `title`, else the text of the first `# h1`. */
  title?: string;
  /** Front matter `author`/`authors` (a string, or `name` of an object / first of a list). */
  author?: string;
  /**
   * Front matter `wechat_digest`/`digest`/`description`/`summary`/`excerpt`/`abstract`, else the first
   * paragraph cut to 120 characters (`origins.digest.key` is then `paragraph`).
   */
  digest?: string;
  /**
   * Front matter `cover`/`image`/`thumbnail`/`banner`/`featured_image`/`featureImage`/`cover_image` as
   * written (a path or URL; `cover: { image }` too).
   */
  cover?: string;
  /**
   * The "阅读原文" URL (`content_source_url`): front matter `source_url`/`sourceUrl`/`content_source_url`/
   * `canonical`/`canonical_url`/`canonicalURL`/`original_url` as written, or `link`/`url` when it is an
   * absolute http(s) URL.
   */
  sourceUrl?: string;
  /** `need_open_comment`/`open_comment`/`comments`/`comment` as WeChat's 0/1. */
  needOpenComment?: 0 | 1;
  /** `only_fans_can_comment`/`fans_only_comment` as WeChat's 0/1. */
  onlyFansCanComment?: 0 | 1;
  /** `pic_crop_235_1` or `crop: { "2.35_1" }`: the 2.35:1 cover crop `X1_Y1_X2_Y2`, as written. */
  picCrop2351?: string;
  /** `pic_crop_1_1` or `crop: { "1_1" }`: the 1:1 cover crop, as written. */
  picCrop11?: string;
  /** `wechat_id`: a stable identity of the post for draft state files. */
  wechatId?: string;
  /** The first image of the post (an mdast `image` or an `<img>` in raw HTML), 1-based position: the default cover. */
  firstImage?: { src: string; line: number; column: number };
  /** Where each field above came from. */
  origins: Partial<Record<MetaField, MetaOrigin>>;
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
  /**
   * The vfile of the render: `path` is `filePath`, `value` the Markdown as parsed, and `messages` every
   * problem of the render as {@link RenderMessage}s — the renderer's (math errors, mermaid kept as code,
   * unsupported CSS, SVG images, …) and those of `remarkPlugins`/`rehypePlugins`. Print them with
   * `vfile-reporter`; lint the HTML separately with {@link lint}.
   */
  file: VFile;
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
  /** The file being rendered: transforms report on it with `file.message`. */
  file: VFile;
  /** The `formulaCache` render option. */
  formulaCache?: FormulaCache;
}

export type { HastRoot, MdastRoot };
