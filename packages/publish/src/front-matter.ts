/**
 * Front matter of a post: YAML between `---` lines at the top (Jekyll, Hugo, Hexo), or Hexo's "headless" form
 * (YAML lines, then `---`, with no opening fence).
 */
import matter from 'gray-matter';
import { ContentError, type ContentProblem } from './errors.js';

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
 * js-yaml's error (through gray-matter) as a content problem at its place in the file: `mark.line` counts from
 * the line of the opening fence (0-based), so it is the 1-based file line of the error minus `lineShift`.
 */
function yamlProblem(error: unknown, file: string | undefined, lineShift: number): never {
  const e = error as Error & { reason?: string; mark?: { line?: number; column?: number } };
  if (e?.name !== 'YAMLException') throw error;
  const problem: ContentProblem = {
    file: file ?? '(front matter)',
    message: `front matter is not valid YAML: ${e.reason ?? e.message.split('\n')[0]} — fix the YAML between the --- lines (quote values holding ": " or "#")`,
  };
  if (typeof e.mark?.line === 'number') problem.line = e.mark.line + lineShift;
  if (typeof e.mark?.column === 'number') problem.column = e.mark.column + 1;
  throw new ContentError([problem]);
}

/**
 * Splits and parses the front matter of `source`. `file` (as shown to the user) names the post in errors.
 * @throws ContentError (exit 1) naming `file:line:column` and js-yaml's reason when the front matter is not
 *   valid YAML.
 */
export function parseFrontMatter(source: string, file?: string): FrontMatter {
  const text = source.replace(/^\uFEFF/, '');
  if (/^---\r?\n/.test(text)) {
    // An empty options object keeps gray-matter from caching by content (posts change between calls in watch mode).
    let parsed: ReturnType<typeof matter>;
    try {
      parsed = matter(text, {});
    } catch (error) {
      yamlProblem(error, file, 1);
    }
    const data = (parsed.data ?? {}) as Record<string, unknown>;
    const bodyStart = text.length - parsed.content.length;
    return { data, body: parsed.content, bodyLineOffset: countLines(text.slice(0, bodyStart)) };
  }
  const headless = parseHeadless(text, file);
  if (headless) return headless;
  return { data: {}, body: text, bodyLineOffset: 0 };
}

function parseHeadless(text: string, file: string | undefined): FrontMatter | undefined {
  const lines = text.split('\n');
  const end = lines.findIndex((line) => line.trimEnd() === '---');
  if (end <= 0 || end > 40) return undefined;
  const head = lines.slice(0, end);
  if (!head.every((line) => line.trim() === '' || HEADLESS_KEY.test(line) || /^\s+/.test(line)))
    return undefined;
  if (!HEADLESS_KEY.test(head[0] ?? '')) return undefined;
  let parsed: ReturnType<typeof matter>;
  try {
    parsed = matter(`---\n${head.join('\n')}\n---\n`, {});
  } catch (error) {
    yamlProblem(error, file, 0);
  }
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
