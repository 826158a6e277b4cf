/**
 * `md2wx lint <posts…>`: render each post without touching its images and report the renderer's and the
 * linter's diagnostics plus WeChat's field limits. Exit 1 when any MUST rule fails.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RenderOptions } from '@md2wx/publish';
import { applyFieldFallbacks, checkArticleLimits, firstImage, readPostMeta } from '@md2wx/publish';
import { diagramPlugins } from '@md2wx/publish';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { loadRender } from '../modules.js';
import {
  type Diagnostic,
  describeDiagnostic,
  fieldDiagnostics,
  lintOptions,
  NO_COVER,
  normaliseDiagnostics,
} from '@md2wx/publish';
import { expandPosts } from '../post-files.js';
import type { Session } from '../session.js';
import { assertKnownTheme } from '../theme-check.js';

export interface LintReport {
  file: string;
  diagnostics: Diagnostic[];
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
    if (!meta.cover && !config.cover && !firstImage(meta.body))
      fields.push({ file: shown, message: NO_COVER });
    const diagnostics: Diagnostic[] = fieldDiagnostics(fields, fallbacks);
    const renderOptions: RenderOptions = { filePath: file };
    const theme = options.theme ?? config.theme;
    if (theme) renderOptions.theme = theme;
    const drawn = await diagramPlugins(session, source);
    if (drawn.length) renderOptions.remarkPlugins = drawn;
    const { html, messages } = await render.render(source, renderOptions);
    diagnostics.push(...normaliseDiagnostics(messages, 'markdown'));
    // Images are uploaded (and their src rewritten) only when publishing, so "not on WeChat" is not a finding here.
    const findings = normaliseDiagnostics(await render.lint(html, lintOptions(session)), 'html');
    diagnostics.push(...findings.filter((d) => d.rule !== 'img-on-mmbiz'));
    const count = diagnostics.filter((d) => d.severity === 'must').length;
    must += count;
    reports.push({ file, diagnostics });
    if (diagnostics.length === 0) reporter.success(`${shown}: no problems`);
    for (const d of diagnostics) {
      const line = `${describeDiagnostic(d, shown)}${d.fix ? ` — ${d.fix}` : ''}`;
      if (d.severity === 'must') reporter.error(line);
      else reporter.warn(line);
    }
  }
  reporter.emitJson({ posts: reports, must });
  reporter.info(`${files.length} post(s), ${must} MUST error(s)`);
  return must > 0 ? ExitCode.content : ExitCode.ok;
}
