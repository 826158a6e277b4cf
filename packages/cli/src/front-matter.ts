/**
 * Front matter of a post: YAML between `---` lines at the top (Jekyll, Hugo, Hexo), or Hexo's "headless" form
 * (YAML lines, then `---`, with no opening fence).
 */
import matter from 'gray-matter';

export interface FrontMatter {
  /** The parsed YAML (empty object when there is none). */
  data: Record<string, unknown>;
  /** The Markdown after the front matter. */
  body: string;
  /** How many lines of the file come before `body` (add it to a body line to get the file line). */
  bodyLineOffset: number;
}

const HEADLESS_KEY = /^[A-Za-z_][\w-]*:(\s|$)/;

/**
 * Splits and parses the front matter of `source`.
 * @throws Error with the YAML parser's message when the front matter is not valid YAML.
 */
export function parseFrontMatter(source: string): FrontMatter {
  const text = source.replace(/^\uFEFF/, '');
  if (/^---\r?\n/.test(text)) {
    // An empty options object keeps gray-matter from caching by content (posts change between calls in watch mode).
    const parsed = matter(text, {});
    const data = (parsed.data ?? {}) as Record<string, unknown>;
    const bodyStart = text.length - parsed.content.length;
    return { data, body: parsed.content, bodyLineOffset: countLines(text.slice(0, bodyStart)) };
  }
  const headless = parseHeadless(text);
  if (headless) return headless;
  return { data: {}, body: text, bodyLineOffset: 0 };
}

function parseHeadless(text: string): FrontMatter | undefined {
  const lines = text.split('\n');
  const end = lines.findIndex((line) => line.trimEnd() === '---');
  if (end <= 0 || end > 40) return undefined;
  const head = lines.slice(0, end);
  if (!head.every((line) => line.trim() === '' || HEADLESS_KEY.test(line) || /^\s+/.test(line)))
    return undefined;
  if (!HEADLESS_KEY.test(head[0] ?? '')) return undefined;
  const parsed = matter(`---\n${head.join('\n')}\n---\n`, {});
  return {
    data: (parsed.data ?? {}) as Record<string, unknown>,
    body: lines.slice(end + 1).join('\n'),
    bodyLineOffset: end + 1,
  };
}

function countLines(text: string): number {
  let n = 0;
  for (const ch of text) if (ch === '\n') n++;
  return n;
}

/** The 1-based file line of the front-matter key `key` (`title:`), if present. */
export function frontMatterLine(source: string, key: string): number | undefined {
  const lines = source.split('\n');
  const pattern = new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`);
  const index = lines.findIndex((line, i) => i < 200 && pattern.test(line));
  return index >= 0 ? index + 1 : undefined;
}
