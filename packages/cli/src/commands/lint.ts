/**
 * `md2wx lint <posts…>`: render each post without touching its images and report the renderer's and the
 * linter's diagnostics plus WeChat's field limits. Exit 1 when any MUST rule fails.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RenderOptions } from '@md2wx/publish';
import { applyFieldFallbacks, checkArticleLimits, readPostMeta } from '@md2wx/publish';
import { diagramPlugins } from '@md2wx/publish';
import { contentMessage, ExitCode, type ExitCodeValue } from '../errors.js';
import { loadRender } from '../modules.js';
import {
  type DiagnosticJson,
  describeMessage,
  FIELD_LIMIT,
  lintOptions,
  NO_COVER,
  reportDiagnostics,
} from '@md2wx/publish';
import { expandPosts } from '../post-files.js';
import type { Session } from '../session.js';
import { assertKnownTheme } from '../theme-check.js';

export interface LintReport {
  file: string;
  diagnostics: DiagnosticJson[];
}

/**
 * Lints `patterns` (files or globs).
 * @returns ExitCode.content when a MUST diagnostic was found, else ExitCode.ok.
 */
export async function runLint(
  session: Session,
  patterns: string[],
  options: { theme?: string },
): Promise<ExitCodeValue> {
  const { config, reporter } = session;
  await assertKnownTheme(options.theme ?? config.theme);
  const files = await expandPosts(patterns, config.cwd);
  const render = await loadRender();
  const reports: LintReport[] = [];
  let must = 0;
  for (const file of files) {
    const shown = path.relative(config.cwd, file) || file;
    const source = await readFile(file, 'utf8');
    const meta = readPostMeta(source, shown);
    const fallbacks = applyFieldFallbacks(meta, shown);
    const fields = checkArticleLimits(meta, shown);
    if (!meta.cover && !config.cover && !meta.firstImage)
      fields.push(contentMessage(NO_COVER, { file: shown, ruleId: FIELD_LIMIT }));
    const renderOptions: RenderOptions = { filePath: file };
    const theme = options.theme ?? config.theme;
    if (theme) renderOptions.theme = theme;
    const drawn = await diagramPlugins(session, source);
    if (drawn.length) renderOptions.remarkPlugins = drawn;
    const { html, file: rendered } = await render.render(source, renderOptions);
    const messages = [...fields, ...fallbacks, ...rendered.messages];
    // Images are uploaded (and their src rewritten) only when publishing, so "not on WeChat" is not a finding here.
    const findings = await render.lint(html, lintOptions(session));
    const htmlMessages = findings.filter((m) => m.ruleId !== 'img-on-mmbiz');
    const diagnostics = reportDiagnostics({ messages, htmlMessages });
    const count = diagnostics.filter((d) => d.severity === 'must').length;
    must += count;
    reports.push({ file, diagnostics });
    if (diagnostics.length === 0) reporter.success(`${shown}: no problems`);
    for (const [list, target] of [
      [messages, 'markdown'],
      [htmlMessages, 'html'],
    ] as const) {
      for (const m of list) {
        const line = `${describeMessage(m, shown, target)}${m.note ? ` — ${m.note}` : ''}`;
        if (m.fatal) reporter.error(line);
        else reporter.warn(line);
      }
    }
  }
  reporter.emitJson({ posts: reports, must });
  reporter.info(`${files.length} post(s), ${must} MUST error(s)`);
  return must > 0 ? ExitCode.content : ExitCode.ok;
}
