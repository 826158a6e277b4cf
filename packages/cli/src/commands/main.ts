/**
 * `md2wx <posts…>`: the main job (see `pipeline.ts`), with `--changed-since` selection and `--platform wecom`.
 */
import { ExitCode, type ExitCodeValue, UsageError } from '../errors.js';
import { runPublish, type PublishOptions } from '../pipeline.js';
import { expandPosts, filterChangedSince } from '../post-files.js';
import type { Session } from '../session.js';

export interface MainOptions {
  draft?: boolean;
  bundle?: boolean;
  publish?: boolean;
  changedSince?: string;
  write?: boolean;
  rootDir?: string;
  allowOutsideRoot?: boolean;
  title?: string;
  coverFallback?: boolean;
}

/**
 * Expands the post arguments, narrows them with `--changed-since`, and runs the pipeline.
 * @returns the exit code: 0, or the worst failed post's (each failure is in the report); errors before any
 *   push (content problems, usage, configuration) are thrown.
 */
export async function runMain(
  session: Session,
  patterns: string[],
  options: MainOptions,
): Promise<ExitCodeValue> {
  const { config, reporter } = session;
  if (config.platform === 'wecom' && (options.draft || options.publish || options.bundle)) {
    throw new UsageError(
      'WeCom has no draft box: use `md2wx send <post> --to <users>` (mpnews) with --platform wecom',
    );
  }
  let posts = await expandPosts(patterns, config.cwd);
  if (options.changedSince) {
    const before = posts.length;
    posts = await filterChangedSince(posts, options.changedSince, config.cwd);
    reporter.info(`--changed-since ${options.changedSince}: ${posts.length} of ${before} post(s) changed`);
  }
  if (posts.length === 0) {
    reporter.info('no post to process');
    reporter.emitJson({ mode: 'none', posts: [] });
    return ExitCode.ok;
  }
  const publishOptions: PublishOptions = {};
  if (options.draft) publishOptions.draft = true;
  if (options.bundle) publishOptions.bundle = true;
  if (options.publish) publishOptions.publish = true;
  if (options.write === false) publishOptions.noWrite = true;
  if (options.rootDir) publishOptions.rootDir = options.rootDir;
  if (options.allowOutsideRoot) publishOptions.allowOutsideRoot = true;
  if (options.title !== undefined) publishOptions.title = options.title;
  if (options.coverFallback) publishOptions.coverFallback = true;
  if (config.platform === 'wecom') {
    const { runWecomRender } = await import('./send.js');
    return runWecomRender(session, posts, publishOptions);
  }
  const report = await runPublish(session, posts, publishOptions);
  reporter.emitJson(report);
  // One post's failure does not stop the others; the run exits with the worst post's code.
  return report.exitCode;
}
