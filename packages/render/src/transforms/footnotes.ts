import type { Element, ElementContent, Root } from 'hast';
import type { VFile } from 'vfile';
import type { RenderContext } from '../types.js';
import { contextOf } from './context.js';
import { addClass, el, isElement, text, walkElements } from './element.js';

function isBackref(node: ElementContent): boolean {
  return isElement(node, 'a') && node.properties.dataFootnoteBackref !== undefined;
}

function stripBackrefs(node: Element): void {
  node.children = node.children.filter((c) => !isBackref(c));
  const last = node.children[node.children.length - 1];
  if (last?.type === 'text') last.value = last.value.replace(/\s+$/, '');
  for (const c of node.children) if (c.type === 'element') stripBackrefs(c);
}

/**
 * GFM footnotes → plain notes (docs/wechat-html-rules.md#links, rule 19): each reference becomes
 * `<sup data-footnote="n">(n)</sup>` with no link, and the footnote section becomes
 * `<section class="footnotes">` with a title and one paragraph per note, starting `(n)`,
 * without `↩` back-references or `#fn` anchors (WeChat refuses to save `#…` links).
 */
export function footnotesTransform(tree: Root, ctx: RenderContext): void {
  walkElements(tree, (node) => {
    if (node.tagName === 'svg') return false;
    if (node.tagName !== 'sup') return undefined;
    const a = node.children.find(
      (c): c is Element => isElement(c, 'a') && c.properties.dataFootnoteRef !== undefined,
    );
    if (!a) return undefined;
    const n = a.children.map((c) => (c.type === 'text' ? c.value : '')).join('');
    node.properties = { dataFootnote: n };
    addClass(node, 'footnote-ref');
    node.children = [text(`(${n})`)];
    return false;
  });
  const children = tree.children;
  for (let i = 0; i < children.length; i++) {
    const section = children[i];
    if (!isElement(section, 'section') || section.properties.dataFootnotes === undefined) continue;
    const ol = section.children.find((c): c is Element => isElement(c, 'ol'));
    const notes: ElementContent[] = [];
    let n = 0;
    for (const li of ol?.children ?? []) {
      if (!isElement(li, 'li')) continue;
      n++;
      stripBackrefs(li);
      const blocks = li.children.filter((c) => c.type === 'element' || (c.type === 'text' && c.value.trim()));
      const marker = el('span', { className: ['footnote-index'] }, [text(`(${n}) `)]);
      let first = true;
      for (const block of blocks) {
        if (first) {
          first = false;
          if (isElement(block, 'p')) {
            block.children.unshift(marker);
            addClass(block, 'footnote');
            notes.push(block);
            continue;
          }
          notes.push(el('p', { className: ['footnote'] }, [marker]));
        }
        if (block.type === 'element') addClass(block, 'footnote');
        notes.push(block);
      }
      if (first) notes.push(el('p', { className: ['footnote'] }, [marker]));
    }
    const title = el('h4', { className: ['footnotes-title'] }, [text(ctx.options.footnotesTitle)]);
    children[i] = el('section', { className: ['footnotes'] }, [title, ...notes]);
  }
}

/** Rehype plugin form of {@link footnotesTransform}. */
export function rehypeWechatFootnotes() {
  return (tree: Root, file: VFile) => footnotesTransform(tree, contextOf(file));
}
