/**
 * The remark plugin: ```mermaid code blocks → a PNG image (a `data:` URL that the image plugin after it
 * compresses, uploads and deduplicates like any image) or inline WeChat-safe SVG.
 */
import type { Code, Html, Image, Paragraph, Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { BrowserNotFoundError } from './chromium.js';
import { DiagramRenderer, type DiagramRendererOptions, DiagramSyntaxError } from './mermaid.js';

/** Options of {@link remarkMermaid}. */
export interface RemarkMermaidOptions extends DiagramRendererOptions {
  /**
   * A renderer shared by every post of a run (one browser per run, see {@link DiagramRenderer}); the
   * caller closes it. Without it the plugin makes one per processor and closes it after each file.
   */
  renderer?: DiagramRenderer;
}

/** vfile message source of this plugin (the renderer reports it as `plugin/diagrams`). */
export const MESSAGE_SOURCE = 'diagrams';

const DIAGRAM_LANGS = new Set(['mermaid']);

/**
 * Remark plugin: draws every ```mermaid block (see {@link DiagramRenderer}); put it before the image
 * plugin. A block that cannot be drawn stays a code block, with a vfile warning at its position naming
 * why: no browser (with how to install one) or mermaid's syntax error. The browser starts only when a
 * post has a diagram that is not in the cache.
 */
export function remarkMermaid(options: RemarkMermaidOptions = {}) {
  const { renderer: shared, ...rendererOptions } = options;
  return async (tree: Root, file: VFile) => {
    const blocks: { node: Code; index: number; parent: { children: unknown[] } }[] = [];
    visit(tree, 'code', (node, index, parent) => {
      if (node.lang && DIAGRAM_LANGS.has(node.lang.toLowerCase()) && parent && index !== undefined)
        blocks.push({ node, index, parent: parent as { children: unknown[] } });
    });
    if (blocks.length === 0) return;
    const renderer = shared ?? new DiagramRenderer(rendererOptions);
    try {
      for (const { node, index, parent } of blocks) {
        try {
          const diagram = await renderer.mermaid(node.value);
          if (diagram.format === 'svg') {
            const html: Html = {
              type: 'html',
              value: `<section style="text-align:center;overflow-x:auto;max-width:100%">${diagram.data.toString('utf8')}</section>`,
            };
            if (node.position) html.position = node.position;
            parent.children[index] = html;
          } else {
            const image: Image = {
              type: 'image',
              url: `data:image/png;base64,${diagram.data.toString('base64')}`,
              // Alt and title become the caption under a lone image: none for a diagram.
              alt: '',
              title: null,
              data: { hProperties: { width: diagram.width, height: diagram.height } },
            };
            if (node.position) image.position = node.position;
            const paragraph: Paragraph = { type: 'paragraph', children: [image] };
            if (node.position) paragraph.position = node.position;
            parent.children[index] = paragraph;
          }
        } catch (error) {
          const reason =
            error instanceof BrowserNotFoundError
              ? `mermaid diagram kept as code: ${error.message}`
              : error instanceof DiagramSyntaxError
                ? `mermaid diagram kept as code: mermaid cannot parse it: ${error.message}`
                : `mermaid diagram kept as code: ${(error as Error).message}`;
          file.message(reason, { place: node.position, source: MESSAGE_SOURCE, ruleId: 'mermaid' });
          // @md2wx/render then leaves out its own, vaguer "kept as a code block" warning for this block.
          const data = (node.data ?? {}) as { hProperties?: Record<string, string> };
          data.hProperties = { ...data.hProperties, dataDiagramReported: 'true' };
          node.data = data as Code['data'];
        }
      }
    } finally {
      if (!shared) await renderer.close();
    }
  };
}
