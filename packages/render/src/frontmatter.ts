import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';

/** Front matter found in a post. */
export interface FrontMatter {
  data: Record<string, unknown>;
  format: 'yaml' | 'toml' | 'hexo' | 'none';
  /** Set when the block exists but does not parse. */
  error?: string;
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

/** Parses a YAML or TOML front-matter block into an object; a parse error is returned, not thrown. */
export function parseFrontMatter(source: string, format: 'yaml' | 'toml'): FrontMatter {
  try {
    const data = format === 'yaml' ? parseYaml(source) : parseToml(source);
    if (data && typeof data === 'object' && !Array.isArray(data))
      return { data: data as Record<string, unknown>, format };
    return { data: {}, format };
  } catch (err) {
    return { data: {}, format, error: (err as Error).message.split('\n')[0] ?? 'parse error' };
  }
}
