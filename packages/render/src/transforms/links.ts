import type { Element, ElementContent, Root } from 'hast';
import type { VFile } from 'vfile';
import type { RenderContext } from '../types.js';
import { contextOf } from './context.js';
import { addClass, el, text, textContent } from './element.js';

/** True for links WeChat keeps: articles on mp.weixin.qq.com (docs/wechat-html-rules.md#links). */
export function isWechatArticleUrl(href: string): boolean {
  return /^https?:\/\/mp\.weixin\.qq\.com(\/|$|\?)/i.test(href);
}

/** Links that point inside the site or page: shown as plain text, with no reference. */
function isLocal(href: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('//');
}

function strip(url: string): string {
  return url
    .replace(/^(https?:)?\/\//i, '')
    .replace(/^(mailto|tel):/i, '')
    .replace(/\/$/, '');
}

/**
 * Links → text plus `<sup>[n]</sup>` and a numbered plain-text reference list at the end
 * (docs/wechat-html-rules.md#links, rules 16–18). The same URL reuses its n; mp.weixin.qq.com links stay
 * links; `#…`/relative links become plain text; a link whose text is its own URL becomes plain text.
 */
export function linksTransform(tree: Root, ctx: RenderContext): void {
  const numbers = new Map<string, number>();
  const entries: { n: number; label: string; url: string }[] = [];
  const visit = (parent: Root | Element) => {
    const out: (typeof parent.children)[number][] = [];
    for (const node of parent.children) {
      if (node.type !== 'element') {
        out.push(node);
        continue;
      }
      if (node.tagName !== 'svg') visit(node);
      if (node.tagName !== 'a') {
        out.push(node);
        continue;
      }
      const href = typeof node.properties.href === 'string' ? node.properties.href.trim() : '';
      if (href && isWechatArticleUrl(href)) {
        node.properties = { href, ...(node.properties.style ? { style: node.properties.style } : {}) };
        addClass(node, 'wx-link');
        out.push(node);
        continue;
      }
      const label = textContent(node).trim();
      const span = el('span', { className: ['link'] }, node.children);
      if (!href || isLocal(href) || (label && strip(label) === strip(href))) {
        if (span.children.length) out.push(span);
        continue;
      }
      let n = numbers.get(href);
      if (n === undefined) {
        n = numbers.size + 1;
        numbers.set(href, n);
        entries.push({ n, label: label || href, url: href });
      }
      out.push(span, el('sup', { className: ['link-ref'], dataRef: String(n) }, [text(`[${n}]`)]));
    }
    parent.children = out as typeof parent.children;
  };
  visit(tree);
  if (entries.length === 0) return;
  const items: ElementContent[] = [
    el('h4', { className: ['references-title'] }, [text(ctx.options.referencesTitle)]),
  ];
  for (const e of entries) {
    items.push(
      el('p', { className: ['reference'] }, [
        el('span', { className: ['reference-index'] }, [text(`[${e.n}]`)]),
        text(` ${e.label}: `),
        el('span', { className: ['reference-url'] }, [text(e.url)]),
      ]),
    );
  }
  tree.children.push(el('section', { className: ['references'] }, items));
}

/** Rehype plugin form of {@link linksTransform}. */
export function rehypeWechatLinks() {
  return (tree: Root, file: VFile) => linksTransform(tree, contextOf(file));
}
