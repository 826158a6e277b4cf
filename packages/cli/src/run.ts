/**
 * The main job as the CLI runs it: @md2wx/publish `runPublish`, with its events printed by the reporter
 * (a progress bar per post on a TTY, ✔/warning/error lines, media_id and URLs on stdout).
 */
import {
  CREDENTIALS_HINT,
  describeMessage,
  describePostError,
  displayPath,
  FIELD_FALLBACK,
  FIELD_LIMIT,
  type PostReport,
  type PublishEvent,
  type PublishOptions,
  type RunReport,
  runPublish as publishRun,
} from '@md2wx/publish/flow';
import { formatBytes, type Progress } from './reporter.js';
import type { Session } from './session.js';

/**
 * Runs the main job over `files` (absolute paths), printing its progress.
 * @returns the run report (printed as JSON by the caller with `--json`).
 * @throws what @md2wx/publish `runPublish` throws (ContentError, UsageError, ConfigError…).
 */
export async function runPublish(
  session: Session,
  files: string[],
  options: PublishOptions,
): Promise<RunReport> {
  const report = await publishRun(session, files, options, { onProgress: printer(session) });
  const failed = report.posts.filter((r) => r.error);
  if (failed.length > 0) {
    session.reporter.error(
      `${failed.length} of ${report.posts.length} post(s) failed (the others went on): ${failed
        .map((r) => displayPath(r.file, session.config.cwd))
        .join(', ')}`,
    );
  }
  return report;
}

/** A listener printing each {@link PublishEvent} the way the CLI always has. */
export function printer(session: Session): (event: PublishEvent) => Promise<void> {
  const { reporter, config } = session;
  const shown = (file: string) => displayPath(file, config.cwd);
  const bars = new Map<string, Progress>();
  return async (event) => {
    switch (event.type) {
      case 'render-started':
        if (reporter.progressBars) bars.set(event.file, await reporter.progress(shown(event.file), 1));
        return;
      case 'image': {
        const bar = bars.get(event.file);
        if (!bar) return;
        bar.setTotal(event.image.totals.images);
        if (['uploaded', 'cached', 'skipped', 'written', 'failed'].includes(event.image.stage)) {
          bar.increment();
          bar.note(`${formatBytes(event.image.totals.bytesSaved)} saved`);
        }
        return;
      }
      case 'render-finished':
        bars.get(event.file)?.stop();
        bars.delete(event.file);
        return;
      case 'rendered':
        printPostSummary(session, event.report, shown(event.file));
        return;
      case 'unchanged':
        reporter.info('  unchanged since the last run (result cache): not rendered again');
        return;
      case 'cache-warning':
        reporter.warn(event.message);
        return;
      case 'post-failed':
        reporter.error(`${shown(event.file)}: ${describePostError(event.error)}`);
        return;
      case 'cover-fallback':
        reporter.warn(event.message);
        return;
      case 'no-credentials':
        reporter.info(CREDENTIALS_HINT);
        return;
      case 'draft-saved': {
        const found = event.reconciled ? ' (found in the draft box)' : '';
        if (event.bundle) {
          reporter.success(`draft ${event.action}${found}: ${event.files.length} articles in one draft`);
        } else {
          reporter.success(`${shown(event.files[0] as string)}: draft ${event.action}${found}`);
        }
        reporter.result(`media_id ${event.media_id}`);
        return;
      }
      case 'draft-failed':
        reporter.error(
          `${event.bundle ? '--bundle' : shown(event.files[0] as string)}: ${describePostError(event.error)}`,
        );
        return;
      case 'bundle-skipped':
        reporter.error(`--bundle: not pushed, because ${event.failed.map(shown).join(', ')} failed`);
        return;
      case 'publish-submitted':
        reporter.info(`publishing draft ${event.media_id} (publish_id ${event.publish_id})…`);
        return;
      case 'published':
        reporter.success(`published: ${event.urls.join(' ') || event.article_id || event.publish_id}`);
        for (const url of event.urls) reporter.result(url);
        return;
      case 'publish-failed':
        reporter.error(`draft ${event.media_id}: ${describePostError(event.error)}`);
        return;
      case 'cover-uploaded':
        return;
    }
  };
}

function printPostSummary(session: Session, report: PostReport, shown: string): void {
  const { reporter } = session;
  const t = report.images;
  const parts = [`${t.images} image(s)`];
  if (t.uploaded) parts.push(`${t.uploaded} uploaded`);
  if (t.cached) parts.push(`${t.cached} cached`);
  if (t.skipped) parts.push(`${t.skipped} already on WeChat`);
  if (t.bytesSaved > 0) parts.push(`${formatBytes(t.bytesSaved)} saved`);
  const refused = report.messages.some((m) => m.ruleId === FIELD_LIMIT);
  if (refused) reporter.error(`${shown}: "${report.title}" — ${parts.join(', ')}; --draft would refuse it:`);
  else reporter.success(`${shown}: "${report.title}" — ${parts.join(', ')}`);
  for (const [list, target] of [
    [report.messages, 'markdown'],
    [report.htmlMessages, 'html'],
  ] as const) {
    for (const m of list) {
      const text = `${describeMessage(m, shown, target)}${m.note ? ` — ${m.note}` : ''}`;
      if (m.source === 'md2wx' && m.ruleId === FIELD_LIMIT) reporter.error(text);
      else if (m.fatal || (m.source === 'md2wx' && m.ruleId === FIELD_FALLBACK)) reporter.warn(text);
      else reporter.info(`  ${text}`);
    }
  }
  if (report.html) reporter.info(`  html    ${displayPath(report.html, session.config.cwd)}`);
  if (report.preview) reporter.info(`  preview ${displayPath(report.preview, session.config.cwd)}`);
}
