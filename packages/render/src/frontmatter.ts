import { parse as parseToml, TomlError } from 'smol-toml';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';

/** A 1-based line and column. */
export interface FrontMatterPoint {
  line: number;
  column: number;
}

/** Front matter found in a post: md2wx's one front-matter parser (YAML with `---`, TOML with `+++`, Hexo's headless YAML). */
export interface FrontMatter {
  data: Record<string, unknown>;
  format: 'yaml' | 'toml' | 'hexo' | 'none';
  /**
   * Where each top-level key is written, by key. Lines and columns count from the first line of the
   * block's text (the line after `---`/`+++`); the renderer's `meta` shifts them to lines of the post.
   */
  keys: Record<string, FrontMatterPoint>;
  /** Set when the block exists but does not parse: the parser's reason, first line only. */
  error?: string;
  /** Where the parser stopped, counted like {@link FrontMatter.keys}. */
  errorPosition?: FrontMatterPoint;
}

const HEXO_LINE = /^([A-Za-z_][\w-]*:(\s.*)?|\s+\S.*|-\s.*|\s*)$/;

/**
 * Hexo posts may start with front matter that has no leading `---` (`title: x` … `---`).
 * Returns the Markdown with that block blanked out (same number of lines, so positions in
 * messages stay right) and its parsed data; anything else is returned unchanged.
 */
export function extractHeadlessFrontMatter(markdown: string): {
  markdown: string;
  frontMatter?: FrontMatter;
} {
  if (!/^[A-Za-z_][\w-]*:/.test(markdown)) return { markdown };
  const lines = markdown.split('\n');
  const end = lines.findIndex((l, i) => i > 0 && /^---\s*$/.test(l));
  if (end < 0 || end > 200) return { markdown };
  const head = lines.slice(0, end);
  if (!head.every((l) => HEXO_LINE.test(l.replace(/\r$/, '')))) return { markdown };
  const parsed = parseFrontMatter(head.join('\n'), 'yaml');
  if (parsed.error || Object.keys(parsed.data).length === 0) return { markdown };
  return {
    markdown: '\n'.repeat(end + 1) + lines.slice(end + 1).join('\n'),
    frontMatter: { ...parsed, format: 'hexo' },
  };
}

/**
 * Parses a YAML (`yaml`, YAML 1.2 core schema) or TOML (`smol-toml`, TOML 1.0) front-matter block —
 * the text between the fences — into an object, with the place of each top-level key.
 * @returns the data (`{}` when the block is not a mapping); a parse error is returned in `error` and
 *   `errorPosition`, never thrown.
 */
export function parseFrontMatter(source: string, format: 'yaml' | 'toml'): FrontMatter {
  return format === 'yaml' ? parseYamlBlock(source) : parseTomlBlock(source);
}

function parseYamlBlock(source: string): FrontMatter {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  const [error] = doc.errors;
  if (error) {
    const at = lineCounter.linePos(error.pos[0]);
    return {
      data: {},
      format: 'yaml',
      keys: {},
      error: error.message.split('\n')[0] ?? 'parse error',
      errorPosition: { line: at.line, column: at.col },
    };
  }
  const data = doc.toJS() as unknown;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return { data: {}, format: 'yaml', keys: {} };
  const keys: Record<string, FrontMatterPoint> = {};
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      const key = pair.key;
      if (!isScalar(key) || !key.range) continue;
      const { line, col } = lineCounter.linePos(key.range[0]);
      keys[String(key.value)] = { line, column: col };
    }
  }
  return { data: data as Record<string, unknown>, format: 'yaml', keys };
}

/** A top-level TOML key (bare or quoted) before `=`. */
const TOML_KEY = /^([ \t]*)(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))[ \t]*=/;

function parseTomlBlock(source: string): FrontMatter {
  let data: Record<string, unknown>;
  try {
    data = parseToml(source) as Record<string, unknown>;
  } catch (err) {
    const e = err as Error;
    return {
      data: {},
      format: 'toml',
      keys: {},
      error: e.message.split('\n')[0] ?? 'parse error',
      ...(e instanceof TomlError ? { errorPosition: { line: e.line, column: e.column } } : {}),
    };
  }
  // smol-toml keeps no positions; top-level keys are the `key =` lines before the first [table] header,
  // which the parse above has just proven to be well-formed TOML.
  const keys: Record<string, FrontMatterPoint> = {};
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^[ \t]*\[/.test(line)) break;
    const m = TOML_KEY.exec(line);
    const name = m && (m[2] ?? m[3] ?? m[4]);
    if (m && name && !(name in keys) && name in data)
      keys[name] = { line: i + 1, column: (m[1]?.length ?? 0) + 1 };
  }
  return { data, format: 'toml', keys };
}
