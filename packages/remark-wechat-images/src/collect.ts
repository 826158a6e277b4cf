import type { Definition, Html, Image, ImageReference, Root } from 'mdast';
import type { Point, Position } from 'unist';
import { visit } from 'unist-util-visit';
import { findHtmlImages, type HtmlImg, rewriteHtmlImages } from './html-img.js';

/** One place in the tree where an image source is used. */
export interface ImageOccurrence {
  /** The source as written (a path, URL or data: URI). */
  src: string;
  /** Which syntax it came from. */
  syntax: 'image' | 'imageReference' | 'html';
  /** Where to report problems: the node, or the `<img` tag inside an html node. */
  place?: Point | Position;
  /** Record the URL this occurrence must show; applied by `ImageSites.commit()`. */
  rewrite(url: string): void;
}

/** Every image use of a tree plus the deferred rewrite, so nothing changes until all sources are settled. */
export interface ImageSites {
  occurrences: ImageOccurrence[];
  /** Apply the recorded rewrites to the tree. */
  commit(): void;
}

/**
 * Collect every image of an mdast tree: `image` nodes, `imageReference` nodes through their `definition`
 * (the definition's URL is what gets rewritten, so all references follow), and `<img>` tags of `html` nodes
 * (see `findHtmlImages` for `src`/`data-src`/`srcset`). `imageReference`s without a definition are not
 * images (they render as text) and are left alone. Alt text and titles are never touched.
 *
 * `source` (the Markdown text the tree was parsed from) makes positions of `<img>` tags on later lines of
 * an html node inside a blockquote or list exact; without it their column ignores the container prefix.
 */
export function collectImages(tree: Root, source?: string): ImageSites {
  const sourceLines = source?.split(/\r?\n|\r/);
  const occurrences: ImageOccurrence[] = [];
  const commits: Array<() => void> = [];
  const definitions = new Map<string, Definition>();
  const references: ImageReference[] = [];

  visit(tree, (node) => {
    switch (node.type) {
      case 'definition':
        // The first definition of an identifier wins, as CommonMark says.
        if (!definitions.has(node.identifier)) definitions.set(node.identifier, node);
        break;
      case 'imageReference':
        references.push(node);
        break;
      case 'image':
        occurrences.push(imageOccurrence(node, commits));
        break;
      case 'html':
        occurrences.push(...htmlOccurrences(node, commits, sourceLines));
        break;
    }
  });

  const definitionUrls = new Map<Definition, { url?: string }>();
  for (const reference of references) {
    const definition = definitions.get(reference.identifier);
    if (!definition?.url) continue;
    let slot = definitionUrls.get(definition);
    if (!slot) {
      const created: { url?: string } = {};
      slot = created;
      definitionUrls.set(definition, created);
      commits.push(() => {
        if (created.url !== undefined) definition.url = created.url;
      });
    }
    const target = slot;
    occurrences.push({
      src: definition.url,
      syntax: 'imageReference',
      place: reference.position,
      rewrite: (url) => {
        target.url = url;
      },
    });
  }

  return {
    occurrences,
    commit() {
      for (const apply of commits) apply();
    },
  };
}

function imageOccurrence(node: Image, commits: Array<() => void>): ImageOccurrence {
  let next: string | undefined;
  commits.push(() => {
    if (next !== undefined) node.url = next;
  });
  return {
    src: node.url,
    syntax: 'image',
    place: node.position,
    rewrite: (url) => {
      next = url;
    },
  };
}

function htmlOccurrences(
  node: Html,
  commits: Array<() => void>,
  sourceLines: string[] | undefined,
): ImageOccurrence[] {
  if (!/<img/i.test(node.value)) return [];
  const images = findHtmlImages(node.value);
  if (images.length === 0) return [];
  const rewrites: Array<{ img: HtmlImg; url: string }> = [];
  commits.push(() => {
    if (rewrites.length > 0) node.value = rewriteHtmlImages(node.value, rewrites);
  });
  return images.map((img) => ({
    src: img.src,
    syntax: 'html' as const,
    place: pointInside(node, img, sourceLines),
    rewrite: (url: string) => {
      rewrites.push({ img, url });
    },
  }));
}

/** Map a line/column inside an html node's value onto the Markdown file. */
function pointInside(node: Html, img: HtmlImg, sourceLines: string[] | undefined): Point | undefined {
  const position = node.position;
  if (!position) return undefined;
  const line = position.start.line + img.line - 1;
  if (img.line === 1) return { line, column: position.start.column + img.column - 1 };
  // Later lines lost their container prefix (`> `, list indentation) in the node's value: the file's line
  // ends with the value's line, so the prefix is the difference in length.
  const valueLine = node.value.split(/\r?\n|\r/)[img.line - 1];
  const fileLine = sourceLines?.[line - 1];
  const prefix =
    valueLine !== undefined && fileLine?.endsWith(valueLine) ? fileLine.length - valueLine.length : 0;
  return { line, column: prefix + img.column };
}
