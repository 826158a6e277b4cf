/**
 * `md2wx <posts…>`: the main job (see `pipeline.ts`), with `--changed-since` selection and `--platform wecom`.
 * Posts are files, globs, `-` (stdin) or `https://…/post.md` (see `post-sources.ts`).
 */
import path from 'node:path';
import { ExitCode, type ExitCodeValue, UsageError } from '../errors.js';
import { type PublishOptions, runReportJson } from '@md2wx/publish/flow';
import { runPublish } from '../run.js';
import { expandPosts, filterChangedSince } from '../post-files.js';
import { isPostSource, postFromStdin, postFromUrl } from '../post-sources.js';
import type { Session } from '../session.js';
import { assertKnownTheme } from '../theme-check.js';

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
  continueOnError?: boolean;
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
  await assertKnownTheme(config.theme);
  const files = patterns.filter((p) => !isPostSource(p));
  let posts =
    files.length > 0 || patterns.length === 0
      ? await expandPosts(files, config.cwd, { allowEmptyGlobs: Boolean(options.changedSince) })
      : [];
  if (patterns.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be given once');
  for (const source of patterns.filter(isPostSource)) {
    posts.push(
      source === '-'
        ? await postFromStdin(process.stdin, {
            cacheDir: config.cacheDir,
            rootDir: path.resolve(config.cwd, options.rootDir ?? '.'),
          })
        : await postFromUrl(source, { cacheDir: config.cacheDir, allowPrivateHosts: session.privateHosts() }),
    );
  }
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
  if (options.continueOnError) {
    if (options.draft || options.bundle || options.publish) {
      throw new UsageError(
        '--continue-on-error is for preview and render-only runs: a draft must not carry broken images (fix them, or run without --draft)',
      );
    }
    publishOptions.continueOnError = true;
  }
  if (config.platform === 'wecom') {
    const { runWecomRender } = await import('./send.js');
    return runWecomRender(session, posts, publishOptions);
  }
  const report = await runPublish(session, posts, publishOptions);
  reporter.emitJson(runReportJson(report));
  // One post's failure does not stop the others; the run exits with the worst post's code.
  return report.exitCode;
}
