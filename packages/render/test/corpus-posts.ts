import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';
import { corpusPath } from '@md2wx/testkit';

/** Paths (relative to the corpus) of every Markdown post under corpus/markdown, sorted. */
export function corpusPosts(): string[] {
  const root = corpusPath('markdown');
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((f) => /\.(md|markdown)$/i.test(f))
    .map((f) => path.join('markdown', f))
    .sort();
}

/**
 * Stands in for the image-upload remark plugin: every image URL becomes an mmbiz URL derived from
 * its source, which is what the real plugin produces after uploading.
 */
export function remarkFakeUpload() {
  return (tree: Root) => {
    visit(tree, 'image', (node) => {
      if (node.url.startsWith('https://mmbiz.qpic.cn/')) return;
      const id = createHash('sha1').update(node.url).digest('hex').slice(0, 16);
      node.url = `https://mmbiz.qpic.cn/mmbiz_png/${id}/0?wx_fmt=png`;
    });
    // Reference-style images: the definition's URL is what gets rewritten.
    const refs = new Set<string>();
    visit(tree, 'imageReference', (node) => {
      refs.add(node.identifier);
    });
    visit(tree, 'definition', (node) => {
      if (!refs.has(node.identifier) || node.url.startsWith('https://mmbiz.qpic.cn/')) return;
      const id = createHash('sha1').update(node.url).digest('hex').slice(0, 16);
      node.url = `https://mmbiz.qpic.cn/mmbiz_png/${id}/0?wx_fmt=png`;
    });
    // The real plugin also uploads <img> found in raw HTML.
    visit(tree, 'html', (node) => {
      node.value = node.value.replace(
        /(<img\b[^>]*\bsrc=["'])([^"']+)/gi,
        (_m, head: string, url: string) => {
          if (url.startsWith('https://mmbiz.qpic.cn/')) return head + url;
          const id = createHash('sha1').update(url).digest('hex').slice(0, 16);
          return `${head}https://mmbiz.qpic.cn/mmbiz_png/${id}/0?wx_fmt=png`;
        },
      );
    });
  };
}
