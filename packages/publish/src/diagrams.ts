/**
 * Mermaid diagrams for the CLI's renders: a post with a ```mermaid block gets @md2wx/diagrams' remark plugin
 * ahead of the image plugin, sharing the session's one renderer (one browser per run, started only for a
 * diagram that is not in `<cacheDir>/diagrams`). Posts without diagrams never load the package.
 */
import type { RenderOptions } from '@md2wx/render';
import { loadDiagrams } from './modules.js';
import type { Session } from './session.js';

const MERMAID_FENCE = /^[ \t>]*(?:`{3,}|~{3,})[ \t]*mermaid\b/im;

/** True when `markdown` has a fenced ```mermaid (or ~~~mermaid) block. */
export function hasMermaid(markdown: string): boolean {
  return MERMAID_FENCE.test(markdown);
}

/** The remark plugins that draw `markdown`'s diagrams: none when it has no mermaid block. */
export async function diagramPlugins(
  session: Session,
  markdown: string,
): Promise<NonNullable<RenderOptions['remarkPlugins']>> {
  if (!hasMermaid(markdown)) return [];
  const diagrams = await loadDiagrams();
  return [[diagrams.remarkMermaid, { renderer: await session.diagramRenderer() }]];
}
