import type { Element, ElementContent, Root } from 'hast';
import type { VFile } from 'vfile';
import type { CaptionSource, RenderContext } from '../types.js';
import { contextOf } from './context.js';
import { addClass, addStyle, el, isElement, report, text } from './element.js';

/** Styles every image gets (rule 26): never wider than the column, natural size otherwise. */
const BLOCK_IMG_STYLE = 'display:block;max-width:100%;height:auto;margin:0 auto';
const INLINE_IMG_STYLE = 'max-width:100%;height:auto;vertical-align:middle';

function captionOf(img: Element, source: CaptionSource): string | undefined {
  const title = typeof img.properties.title === 'string' ? img.properties.title.trim() : '';
  const alt = typeof img.properties.alt === 'string' ? img.properties.alt.trim() : '';
  switch (source) {
    case 'none':
      return undefined;
    case 'title':
      return title || undefined;
    case 'alt':
      return alt || undefined;
    default:
      return title || alt || undefined;
  }
}

function fixImage(img: Element, ctx: RenderContext, style: string): void {
  const p = img.properties;
  const px = (v: unknown) =>
    typeof v === 'number' || /^\d+(\.\d+)?$/.test(String(v)) ? `${v}px` : undefined;
  const w = px(p.width);
  delete p.width;
  delete p.height;
  delete p.srcSet;
  delete p.sizes;
  delete p.loading;
  delete p.decoding;
  addStyle(img, [style, w ? `width:${w}` : ''].filter(Boolean).join(';'));
  const src = typeof p.src === 'string' ? p.src : '';
  if (/\.svg(\?|#|$)/i.test(src)) {
    report(
      ctx,
      'render/svg-image',
      `SVG image ${src} will not upload to WeChat`,
      img,
      'Rasterise it to PNG.',
    );
  }
}

/**
 * Images → `max-width:100%` with size attributes moved into `style` (docs/wechat-html-rules.md#images, rule
 * 26). An image alone in its paragraph becomes `<figure class="image">` with a `<figcaption>` taken from its
 * title or alt text (per `captions`).
 */
export function figuresTransform(tree: Root, ctx: RenderContext): void {
  const visit = (parent: Root | Element) => {
    const children = parent.children as ElementContent[];
    for (let i = 0; i < children.length; i++) {
      const node = children[i];
      if (node?.type !== 'element') continue;
      if (node.tagName === 'p') {
        const content = node.children.filter((c) => !(c.type === 'text' && c.value.trim() === ''));
        const only = content[0];
        if (content.length === 1 && isElement(only, 'img')) {
          fixImage(only, ctx, BLOCK_IMG_STYLE);
          const caption = captionOf(only, ctx.options.captions);
          const figure = el('figure', { className: ['image'] }, [only]);
          if (caption) figure.children.push(el('figcaption', { className: ['caption'] }, [text(caption)]));
          figure.position = node.position;
          children[i] = figure;
          continue;
        }
      }
      if (node.tagName === 'img') {
        fixImage(node, ctx, INLINE_IMG_STYLE);
        addClass(node, 'inline-image');
        continue;
      }
      if (node.tagName === 'svg') continue;
      visit(node);
    }
  };
  visit(tree);
}

/** Rehype plugin form of {@link figuresTransform}. */
export function rehypeWechatFigures() {
  return (tree: Root, file: VFile) => figuresTransform(tree, contextOf(file));
}
