/**
 * The one conversion of the flow's vfile messages to what `--json` prints (and MCP tool results carry): a
 * post's messages become `diagnostics` (`{ rule, severity, message, fix?, in, line?, column? }`), and the
 * text form `post.md:12:3 [MUST rule] message` the CLI prints comes from the same fields.
 */
import type { VFileMessage } from 'vfile-message';
import type { PostReport, RunReport } from './pipeline.js';

/** What a message's `line`/`column` point into: the Markdown post, or the rendered HTML (the linter's). */
export type MessageTarget = 'markdown' | 'html';

/** A post's problem as `--json` prints it under `posts[].diagnostics`. */
export interface DiagnosticJson {
  /** The ruleId for md2wx's own messages (`no-div`, `render/math`, `wechat/field-limit`), `plugin/<source>` else. */
  rule: string;
  /** `must` for a fatal message (publishing refuses it), `should` else. */
  severity: 'must' | 'should';
  message: string;
  /** What to do about it (the message's `note`). */
  fix?: string;
  in?: MessageTarget;
  line?: number;
  column?: number;
}

/** A post's report as `--json` prints it: `messages` and `htmlMessages` as one `diagnostics` list. */
export type PostReportJson = Omit<PostReport, 'messages' | 'htmlMessages'> & {
  diagnostics: DiagnosticJson[];
};

/** The `--json` document of a run. */
export type RunReportJson = Omit<RunReport, 'posts'> & { posts: PostReportJson[] };

/** The rule a message is shown under: its `ruleId` when md2wx reported it, `plugin/<source>` for a plugin's. */
export function ruleOf(message: VFileMessage): string {
  return message.source === 'md2wx'
    ? (message.ruleId ?? 'render')
    : `plugin/${message.source ?? message.ruleId ?? 'message'}`;
}

/** A vfile message as a `--json` diagnostic; `target` says what its position points into. */
export function diagnosticJson(message: VFileMessage, target?: MessageTarget): DiagnosticJson {
  const d: DiagnosticJson = {
    rule: ruleOf(message),
    severity: message.fatal ? 'must' : 'should',
    message: message.reason,
  };
  if (message.note) d.fix = message.note;
  if (target) d.in = target;
  if (message.line !== undefined) {
    d.line = message.line;
    if (message.column !== undefined) d.column = message.column;
  }
  return d;
}

/** A post's messages as `--json` diagnostics: those in the post, then the linter's on the HTML. */
export function reportDiagnostics(report: Pick<PostReport, 'messages' | 'htmlMessages'>): DiagnosticJson[] {
  return [
    ...report.messages.map((m) => diagnosticJson(m, 'markdown')),
    ...report.htmlMessages.map((m) => diagnosticJson(m, 'html')),
  ];
}

/** `report` as `--json` prints it: `diagnostics` where `messages` was, `htmlMessages` folded into it. */
export function postReportJson(report: PostReport): PostReportJson {
  const entries = Object.entries(report)
    .filter(([key]) => key !== 'htmlMessages')
    .map(([key, value]) => (key === 'messages' ? ['diagnostics', reportDiagnostics(report)] : [key, value]));
  return Object.fromEntries(entries) as PostReportJson;
}

/** The `--json` document of `run`. */
export function runReportJson(run: RunReport): RunReportJson {
  return { ...run, posts: run.posts.map(postReportJson) };
}

/** `post.md:12:3 [MUST rule] message`, or `post.md (html 1:1032) …` for a position in the rendered HTML. */
export function describeMessage(message: VFileMessage, shown: string, target?: MessageTarget): string {
  const d = diagnosticJson(message, target);
  const pos = d.line === undefined ? '' : `${d.line}${d.column === undefined ? '' : `:${d.column}`}`;
  const where = !pos ? shown : target === 'html' ? `${shown} (html ${pos})` : `${shown}:${pos}`;
  return `${where} [${d.severity.toUpperCase()} ${d.rule}] ${d.message}`;
}
