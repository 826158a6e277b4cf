/**
 * Classifies the corpus posts by their images, for the end-to-end tests: which posts have only local (existing)
 * or `data:` images, which reference a local image that does not exist.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface CorpusPost {
  file: string;
  /** Image sources as written, outside fenced code. */
  images: string[];
  local: string[];
  data: number;
  remote: string[];
  missing: string[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Image sources of a Markdown text (Markdown images, reference definitions used as images, HTML <img>). */
export function imageSources(markdown: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const m = FENCE.exec(line);
    if (m) {
      const marker = m[1] ?? '';
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const text = line.replace(/`[^`]*`/g, '');
    for (const match of text.matchAll(/!\[[^\]]*\]\(\s*(?:<([^>]+)>|([^\s)]+))/g))
      out.push((match[1] ?? match[2]) as string);
    for (const match of text.matchAll(/<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi))
      out.push(match[1] as string);
  }
  return out;
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.md$/i.test(name)) out.push(full);
  }
}

/** Every Markdown post under `<corpus>/markdown`, classified. */
export function corpusPosts(corpus: string): CorpusPost[] {
  const files: string[] = [];
  walk(path.join(corpus, 'markdown'), files);
  return files.sort().map((file) => {
    const images = imageSources(readFileSync(file, 'utf8'));
    const post: CorpusPost = { file, images, local: [], data: 0, remote: [], missing: [] };
    for (const src of images) {
      if (/^data:/i.test(src)) post.data++;
      else if (/^(https?:)?\/\//i.test(src)) post.remote.push(src);
      else {
        const clean = decodeURI(src.split(/[?#]/)[0] as string);
        const resolved = clean.startsWith('/') ? undefined : path.resolve(path.dirname(file), clean);
        if (resolved && existsSync(resolved)) post.local.push(src);
        else post.missing.push(src);
      }
    }
    return post;
  });
}
