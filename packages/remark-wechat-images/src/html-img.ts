import { parseFragment } from 'parse5';
import type { DefaultTreeAdapterMap, Token } from 'parse5';
import { parseSrcset } from 'srcset';

type ParentNode = DefaultTreeAdapterMap['parentNode'];
type ChildNode = DefaultTreeAdapterMap['childNode'];
type Element = DefaultTreeAdapterMap['element'];

/** An `<img>` found in a raw HTML string, with what is needed to rewrite it in place. */
export interface HtmlImg {
  /** The chosen source: the largest `srcset` candidate, else `data-src`, else `src`. */
  src: string;
  /** The attribute `src` came from. */
  from: 'srcset' | 'data-src' | 'src';
  /** 1-based line and column of the `<img` tag inside the HTML string. */
  line: number;
  column: number;
  /** Offset just after `<img` (where a missing `src` is inserted). */
  insertAt: number;
  /** Source spans (0-based offsets into the HTML string) of the attributes rewriting touches. */
  attrs: Partial<Record<'src' | 'data-src' | 'srcset' | 'sizes', { start: number; end: number }>>;
}

/**
 * Find every `<img>` element of an HTML fragment (an mdast `html` node's value) with a real HTML parser
 * (parse5), so comments, attributes in any order or quoting, and `>` inside values are handled.
 *
 * Source choice: `srcset` → its largest candidate (by `w`, else by `x` density; the last one on ties),
 * then `data-src` (lazy loaders keep the real image there), then `src`. Elements with none are skipped.
 */
export function findHtmlImages(html: string): HtmlImg[] {
  const fragment = parseFragment(html, { sourceCodeLocationInfo: true });
  const found: HtmlImg[] = [];
  walk(fragment, (element) => {
    if (element.tagName !== 'img') return;
    const location = element.sourceCodeLocation;
    if (!location) return;
    const value = (name: string) => element.attrs.find((a) => a.name === name)?.value.trim();
    const candidate = largestCandidate(value('srcset'));
    const dataSrc = value('data-src');
    const src = value('src');
    let chosen: Pick<HtmlImg, 'src' | 'from'> | undefined;
    if (candidate) chosen = { src: candidate, from: 'srcset' };
    else if (dataSrc) chosen = { src: dataSrc, from: 'data-src' };
    else if (src) chosen = { src, from: 'src' };
    if (!chosen) return;
    const attrs: HtmlImg['attrs'] = {};
    for (const name of ['src', 'data-src', 'srcset', 'sizes'] as const) {
      const span: Token.Location | undefined = location.attrs?.[name];
      if (span) attrs[name] = { start: span.startOffset, end: span.endOffset };
    }
    found.push({
      ...chosen,
      line: location.startLine,
      column: location.startCol,
      insertAt: location.startOffset + '<img'.length,
      attrs,
    });
  });
  return found;
}

/**
 * Rewrite `<img>` tags of `html` so each shows `url`: `src` is set (or added), `data-src`, `srcset` and `sizes`
 * are removed (WeChat keeps only `src`; a leftover `srcset` would point browsers at the old files).
 * Everything else in the string is kept byte for byte.
 */
export function rewriteHtmlImages(
  html: string,
  rewrites: ReadonlyArray<{ img: HtmlImg; url: string }>,
): string {
  const edits: Array<{ start: number; end: number; text: string }> = [];
  for (const { img, url } of rewrites) {
    const attribute = `src="${escapeAttribute(url)}"`;
    if (img.attrs.src) edits.push({ ...img.attrs.src, text: attribute });
    else edits.push({ start: img.insertAt, end: img.insertAt, text: ` ${attribute}` });
    for (const name of ['data-src', 'srcset', 'sizes'] as const) {
      const span = img.attrs[name];
      if (!span) continue;
      // Take the whitespace before the attribute with it so no double spaces are left behind.
      let start = span.start;
      while (start > 0 && /\s/.test(html[start - 1] ?? '')) start--;
      edits.push({ start, end: span.end, text: '' });
    }
  }
  // Right to left so earlier offsets stay valid; at one offset the removal goes first, then the insertion.
  edits.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = html;
  for (const edit of edits) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

function largestCandidate(srcset: string | undefined): string | undefined {
  if (!srcset) return undefined;
  let candidates: ReturnType<typeof parseSrcset>;
  try {
    candidates = parseSrcset(srcset);
  } catch {
    return undefined;
  }
  let best: { url: string; size: number; byWidth: boolean } | undefined;
  for (const candidate of candidates) {
    const byWidth = candidate.width !== undefined;
    const size = candidate.width ?? candidate.density ?? 1;
    // A width descriptor says more about pixels than a density one, so widths win over densities.
    if (!best || (byWidth && !best.byWidth) || (byWidth === best.byWidth && size >= best.size)) {
      best = { url: candidate.url, size, byWidth };
    }
  }
  return best?.url;
}

function escapeAttribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
}

function walk(node: ParentNode, visit: (element: Element) => void): void {
  for (const child of node.childNodes as ChildNode[]) {
    if ('tagName' in child) {
      visit(child);
      // `<template>` keeps its children in `content`.
      const content = (child as { content?: ParentNode }).content;
      walk(content ?? child, visit);
    }
  }
}
