/**
 * How a failed tool call reaches the agent: an MCP tool result with `isError: true` (so the model sees the
 * failure and can act on it, https://modelcontextprotocol.io/specification/2025-06-18/server/tools#error-handling)
 * rather than a JSON-RPC error, which clients tend to show as "tool failed" with no detail.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { problemsJson } from '@md2wx/publish/errors';
import { Redactor } from '@md2wx/wechat';

/** What a tool error tells the agent, beyond the message. WeChat's own fields are kept as WeChat sent them. */
export interface ToolErrorDetails {
  /** The error class (`WechatApiError`, `ContentError`, `PathOutsideRootError`, …). */
  name: string;
  message: string;
  /** WeChat's errcode, errmsg and rid (https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html). */
  errcode?: number;
  errmsg?: string;
  rid?: string;
  /** The WeChat endpoint that answered, e.g. `cgi-bin/draft/add`. */
  endpoint?: string;
  /** What to do about it. */
  hint?: string;
  /** Content problems with their place in the post (`line`/`column` 1-based). */
  problems?: { file: string; line?: number; column?: number; message: string; image?: string }[];
}

type ErrorFields = Partial<Omit<ToolErrorDetails, 'problems'>> & { problems?: unknown };

/**
 * The details of a thrown value (or of a post's `error` in a run report), each text field passed through
 * `redactor` so that no AppSecret, access_token or token-service secret reaches the agent — an agent's
 * transcript is logged and shared far more widely than a terminal.
 */
export function errorDetails(error: unknown, redactor: Redactor): ToolErrorDetails {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorFields;
  const clean = (text: string) => redactor.redact(text);
  const message =
    error instanceof Error ? error.message : typeof e.message === 'string' ? e.message : String(error);
  const details: ToolErrorDetails = {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: clean(message),
  };
  if (typeof e.errcode === 'number') details.errcode = e.errcode;
  if (typeof e.errmsg === 'string') details.errmsg = clean(e.errmsg);
  if (typeof e.rid === 'string') details.rid = e.rid;
  if (typeof e.endpoint === 'string') details.endpoint = e.endpoint;
  if (typeof e.hint === 'string') details.hint = clean(e.hint);
  // A ContentError's vfile messages in the `--json` shape; plain objects as they are.
  const problems = problemsJson(error);
  if (Array.isArray(problems)) {
    details.problems = (problems as NonNullable<ToolErrorDetails['problems']>).map((p) => ({
      ...p,
      message: clean(p.message),
    }));
  }
  return details;
}

/** One line an agent can read aloud: WeChat's errcode/errmsg/rid and the hint when WeChat said no, else the message. */
function describe(details: ToolErrorDetails): string {
  if (details.errcode === undefined) return details.message;
  let text =
    `WeChat ${details.endpoint ?? 'API'}: errcode ${details.errcode} ${details.errmsg ?? ''}`.trimEnd();
  if (details.rid && !text.includes(details.rid)) text += ` (rid ${details.rid})`;
  if (details.hint) text += ` — hint: ${details.hint}`;
  return text;
}

/**
 * The tool result for a failure: a readable line, then the details as JSON (errcode, errmsg, rid, hint,
 * problems with line/column) for agents that parse. No `structuredContent`: MCP clients validate it against
 * the tool's output schema, which describes success.
 */
export function toolError(error: unknown, redactor: Redactor): CallToolResult {
  const details = errorDetails(error, redactor);
  return {
    isError: true,
    content: [
      { type: 'text', text: describe(details) },
      { type: 'text', text: JSON.stringify({ error: details }, null, 2) },
    ],
  };
}

/** A redactor that knows the configured secrets (AppSecret, token-service secret) besides WeChat's patterns. */
export function secretsRedactor(secrets: (string | undefined)[]): Redactor {
  const redactor = new Redactor();
  for (const secret of secrets) redactor.add(secret);
  return redactor;
}
