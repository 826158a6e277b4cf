import { readFile } from 'node:fs/promises';
import type { Root } from 'mdast';
import remarkParse from 'remark-parse';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { VFile } from 'vfile';
import { collectImages } from '../src/collect.js';
import { remarkWechatImages } from '../src/index.js';
import type { RemarkWechatImagesOptions } from '../src/types.js';

/** Run one Markdown file through parse → plugin → stringify; failures come back instead of throwing. */
export async function runFile(
  filePath: string,
  options: RemarkWechatImagesOptions,
  value?: string,
): Promise<{ markdown: string; file: VFile; error?: Error; srcs: string[] }> {
  const file = new VFile({ path: filePath, value: value ?? (await readFile(filePath, 'utf8')) });
  try {
    const out = await unified()
      .use(remarkParse)
      .use(remarkWechatImages, options)
      .use(remarkStringify)
      .process(file);
    const markdown = String(out);
    return { markdown, file, srcs: imageSources(markdown) };
  } catch (error) {
    return { markdown: '', file, error: error as Error, srcs: [] };
  }
}

/** Every image source of a Markdown text (image, referenced definition, html <img>). */
export function imageSources(markdown: string): string[] {
  const tree = unified().use(remarkParse).parse(markdown) as Root;
  return collectImages(tree).occurrences.map((o) => o.src);
}

/** Sum of the sandbox's successful uploads over all endpoints. */
export function uploadCount(stats: { uploads: Record<string, number> }): number {
  return Object.values(stats.uploads).reduce((sum, n) => sum + n, 0);
}
