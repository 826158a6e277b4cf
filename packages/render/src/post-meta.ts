import type { Root as MdastRoot, Yaml } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { normaliseContainerFences } from './callouts.js';
import {
  extractHeadlessFrontMatter,
  type FrontMatter,
  type FrontMatterPoint,
  parseFrontMatter,
} from './frontmatter.js';
import { remarkMathDelimiters } from './math-delimiters.js';
import { extractMeta } from './meta.js';
import type { ArticleMeta } from './types.js';

/** What {@link readMeta} (and each render) learns about a post before any transform. */
export interface MetaResult {
  meta: Omit<ArticleMeta, 'wordCount'>;
  frontMatter: FrontMatter;
  /**
   * The front matter's parse error at its 1-based line/column in the post (the block is then ignored
   * and `meta` comes from the Markdown alone).
   */
  frontMatterError?: { reason: string; line: number; column: number };
}

/**
 * The front matter of an mdast tree (its `yaml`/`toml` node, else `headless`, the Hexo block found before
 * parsing) and the meta read from it and the tree. Shared by the renderer and {@link readMeta} so that both
 * read a post the same way.
 */
export function metaOfTree(
  tree: MdastRoot,
  headless: FrontMatter | undefined,
  stripTitle: boolean,
): MetaResult {
  let fm: FrontMatter = headless ?? { data: {}, format: 'none', keys: {} };
  // Key positions count from the block's first line: the line after the opening fence, or line 1 for Hexo.
  let lineOffset = 0;
  const node = tree.children[0];
  if (node && (node.type === 'yaml' || (node.type as string) === 'toml')) {
    fm = parseFrontMatter((node as Yaml).value, node.type === 'yaml' ? 'yaml' : 'toml');
    lineOffset = node.position?.start.line ?? 1;
  }
  const result: MetaResult = { meta: extractMeta(tree, fm, stripTitle, lineOffset), frontMatter: fm };
  if (fm.error) {
    const at: FrontMatterPoint = fm.errorPosition ?? { line: 0, column: 1 };
    result.frontMatterError = {
      reason: fm.error,
      line: Math.max(1, at.line + lineOffset),
      column: at.column,
    };
  }
  return result;
}

const parser = unified()
  .use(remarkParse)
  .use(remarkFrontmatter, ['yaml', 'toml'])
  .use(remarkGfm)
  .use(remarkMath)
  .use(remarkMathDelimiters)
  .freeze();

/**
 * Reads a post's metadata without rendering it: parses the Markdown as the renderer does (front matter
 * YAML `---`, TOML `+++` or Hexo headless; GFM; math) and returns what `render(…).meta` would hold, minus
 * `wordCount`. Cheap enough to call before uploading anything (to find the cover and check the fields).
 * @param options.stripTitle as the renderer's `stripTitleHeading`; only matters for the tree, so default false.
 * @returns the meta with `origins` (key and 1-based line/column of each field), the parsed front matter, and
 *   `frontMatterError` when the block does not parse (never thrown).
 */
export function readMeta(markdown: string, options: { stripTitle?: boolean } = {}): MetaResult {
  const headless = extractHeadlessFrontMatter(markdown.replace(/^\uFEFF/, ''));
  const tree = parser.runSync(parser.parse(normaliseContainerFences(headless.markdown))) as MdastRoot;
  return metaOfTree(tree, headless.frontMatter, options.stripTitle ?? false);
}
