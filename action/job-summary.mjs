#!/usr/bin/env node
/**
 * The action's job summary (GitHub-flavoured Markdown on stdout, appended to $GITHUB_STEP_SUMMARY): one row per
 * post with its draft action and media_id.
 *
 *   node action/job-summary.mjs --report <md2wx --json output> --state <state file> \
 *     --state-before <copy of the state file before the run> --exit-code <md2wx's exit code>
 *
 * The `--json` report lists every post, a failed one with its `error` (the others go on). A run that failed
 * before any post was handled (configuration, content problems) holds only the error, so the drafts it still
 * created or updated are read from the state file: entries that are new or changed since
 * the copy taken before the run (the CLI saves the state after each draft).
 *
 * Job summaries: https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-job-summary
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    report: { type: 'string' },
    state: { type: 'string' },
    'state-before': { type: 'string' },
    'exit-code': { type: 'string', default: '0' },
  },
});

/** Parsed JSON of a file, or undefined when it is missing or not JSON (a crash may leave an empty report). */
function readJson(file) {
  if (!file) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Table cells must not break the table. */
const cell = (text) =>
  String(text ?? '')
    .replaceAll('|', '\\|')
    .replaceAll(/\r?\n/g, ' ');

const report = readJson(values.report) ?? {};
const code = Number(values['exit-code']);
const lines = ['### md2wx: WeChat drafts', ''];

if (Array.isArray(report.posts) && report.posts.length === 0) {
  lines.push('No post to handle (none matched, or none changed since the pushed range began).');
} else if (Array.isArray(report.posts)) {
  lines.push(
    `${report.posts.length} post(s), mode \`${report.mode}\`${report.account ? `, account \`${report.account}\`` : ''}.`,
    '',
  );
  // One post's failure does not stop the others: the report lists every post, the failed ones with `error`.
  const failed = report.posts.filter((post) => post.error);
  if (failed.length > 0 || code !== 0) {
    const error = failed[0]?.error ?? {};
    const where =
      error.errcode !== undefined ? ` errcode ${error.errcode}${error.rid ? ` (rid ${error.rid})` : ''}` : '';
    lines.push(
      `**md2wx failed** (exit ${code}):${where} ${failed.length} of ${report.posts.length} post(s) failed${
        failed[0] ? ` — first \`${cell(failed[0].key)}\`: ${cell(error.errmsg ?? error.message)}` : ''
      }`,
    );
    if (error.hint) lines.push('', `Hint: ${cell(error.hint)}`);
    lines.push('');
  }
  lines.push('| post | title | draft | media_id |', '| --- | --- | --- | --- |');
  for (const post of report.posts) {
    const action = post.error
      ? `failed${post.error.errcode !== undefined ? ` (errcode ${post.error.errcode})` : ''}`
      : post.publish
        ? `${post.draft?.action ?? ''}, published`
        : (post.draft?.action ?? 'rendered only');
    const media = post.draft
      ? `\`${post.draft.media_id}\`${post.draft.index > 0 ? ` #${post.draft.index}` : ''}`
      : '—';
    lines.push(`| \`${cell(post.key)}\` | ${cell(post.title)} | ${action} | ${media} |`);
  }
} else {
  const error = report.error ?? {};
  const where =
    error.errcode !== undefined ? ` errcode ${error.errcode}${error.rid ? ` (rid ${error.rid})` : ''}` : '';
  lines.push(
    `**md2wx failed** (exit ${code}):${where} ${cell(error.message ?? 'no report (see the step log)')}`,
  );
  if (error.hint) lines.push('', `Hint: ${cell(error.hint)}`);
  for (const problem of error.problems ?? []) {
    const at = [problem.file, problem.line, problem.column].filter((x) => x !== undefined).join(':');
    lines.push(`- ${cell(at)} ${cell(problem.message)}`);
  }
  const before = readJson(values['state-before'])?.accounts ?? {};
  const after = readJson(values.state)?.accounts ?? {};
  const saved = [];
  for (const [account, posts] of Object.entries(after)) {
    for (const [key, entry] of Object.entries(posts ?? {})) {
      const old = before[account]?.[key];
      if (old && old.media_id === entry.media_id && old.updated_at === entry.updated_at) continue;
      const action = !old ? 'created' : old.media_id === entry.media_id ? 'updated' : 'recreated';
      saved.push(`| \`${cell(key)}\` | ${cell(entry.title)} | ${action} | \`${entry.media_id}\` |`);
    }
  }
  lines.push('');
  if (saved.length > 0) {
    lines.push(
      `Drafts this run saved before it failed (kept in \`${cell(values.state)}\`, committed by the next step):`,
      '',
    );
    lines.push('| post | title | draft | media_id |', '| --- | --- | --- | --- |', ...saved);
  } else {
    lines.push('No draft was created or updated.');
  }
}
process.stdout.write(`${lines.join('\n')}\n\n`);
