/**
 * Exit codes and the typed errors that carry them. The codes are documented in the README and in `md2wx --help`.
 */
import { VFileMessage } from 'vfile-message';

export const ExitCode = {
  ok: 0,
  /** Content errors: broken image, field over its limit, MUST lint error, missing cover. */
  content: 1,
  /** Usage: unknown flag, missing argument, bad flag value. */
  usage: 2,
  /** WeChat answered an errcode (or could not be reached). */
  wechat: 3,
  /**
   * Configuration: missing or incomplete credentials, unreadable config file, unknown account, a token service
   * refusing this client's secret or IP, an unreachable Redis store.
   */
  config: 4,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: every error the CLI raises on purpose knows its exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Bad command-line usage (exit 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = 'UsageError';
  }
}

/** Missing credentials, bad config file, unknown `--account` (exit 4). */
export class ConfigError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.config, options);
    this.name = 'ConfigError';
  }
}

/** Where in a post a problem sits; `line`/`column` are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number | undefined;
  column?: number | undefined;
}

/** Formats `file:line:column` (the parts that are known). */
export function formatLocation(location: SourceLocation): string {
  let text = location.file;
  if (location.line !== undefined) {
    text += `:${location.line}`;
    if (location.column !== undefined) text += `:${location.column}`;
  }
  return text;
}

/** Where a {@link contentMessage} points, and what it is about. */
export interface ContentMessageOptions extends SourceLocation {
  /** The rule broken: `wechat/field-limit`, `wechat/image`, `wechat/cover`, `render/frontmatter`, … */
  ruleId: string;
  /** The image `src` concerned (kept as the message's `actual`), when the problem is an image. */
  image?: string | undefined;
  /** `false` for a warning (a fallback taken); default `true`: the post is refused. */
  fatal?: boolean;
}

/**
 * A problem in a post's content as a vfile message (`VFileMessage` of `vfile-message`, the shape every
 * unified plugin reports with): `file` the path as shown, `place` the 1-based line/column when known,
 * `ruleId`, `source: 'md2wx'`, `fatal` (MUST) unless told otherwise, `actual` the image src for an image.
 */
export function contentMessage(reason: string, options: ContentMessageOptions): VFileMessage {
  const { file, line, column, ruleId, image, fatal = true } = options;
  const message = new VFileMessage(reason, {
    ...(line === undefined ? {} : { place: column === undefined ? { line, column: 1 } : { line, column } }),
    ruleId,
    source: 'md2wx',
  });
  // A place without a column: vfile-message wants both, the post's problem only knows the line.
  if (line !== undefined && column === undefined) message.column = undefined;
  message.file = file;
  message.fatal = fatal;
  if (image !== undefined) message.actual = image;
  return message;
}

/** A content problem as `--json` (and MCP tool errors) print it under `error.problems`. */
export interface ProblemJson {
  file: string;
  line?: number;
  column?: number;
  message: string;
  /** The image `src` concerned, when the problem is an image. */
  image?: string;
}

/** The `--json` form of a {@link contentMessage}: `{ file, line?, column?, message, image? }`. */
export function problemJson(message: VFileMessage): ProblemJson {
  const out: ProblemJson = { file: message.file ?? '', message: message.reason };
  if (message.line !== undefined) out.line = message.line;
  if (message.line !== undefined && message.column !== undefined) out.column = message.column;
  if (message.actual !== undefined) out.image = message.actual;
  return out;
}

/**
 * The `problems` of a thrown error as `--json` prints them: a {@link ContentError}'s messages, or the vfile
 * messages another error lists (`RemarkWechatImagesError`), as {@link ProblemJson}; entries of any other
 * shape as they are; undefined when the error lists none.
 */
export function problemsJson(error: unknown): unknown[] | undefined {
  const listed = error instanceof ContentError ? error.messages : (error as { problems?: unknown })?.problems;
  if (!Array.isArray(listed)) return undefined;
  return listed.map((p: unknown) => (p instanceof VFileMessage ? problemJson(p) : p));
}

/**
 * One or more content problems in posts (exit 1), each a vfile message ({@link contentMessage}) naming the
 * file, line and column. Nothing has been uploaded when this is thrown.
 */
export class ContentError extends CliError {
  readonly messages: VFileMessage[];
  constructor(messages: VFileMessage[]) {
    super(
      messages.map((m) => `${formatLocation({ ...m, file: m.file ?? '' })}: ${m.reason}`).join('\n'),
      ExitCode.content,
    );
    this.name = 'ContentError';
    this.messages = messages;
  }
}

/** The fields of `WechatApiError` (`@md2wx/wechat`) that the CLI prints. */
export interface WechatErrorLike {
  errcode: number;
  errmsg: string;
  rid?: string;
  endpoint?: string;
  hint?: string;
}

/** True for a `WechatApiError` of `@md2wx/wechat`, recognised by shape so the module need not be loaded. */
export function isWechatError(error: unknown): error is Error & WechatErrorLike {
  return (
    error instanceof Error &&
    typeof (error as Partial<WechatErrorLike>).errcode === 'number' &&
    typeof (error as Partial<WechatErrorLike>).errmsg === 'string'
  );
}

/** Error classes of @md2wx/wechat that mean "WeChat said no or could not be reached" (exit 3). */
const WECHAT_FAILURES = new Set([
  'WechatApiError',
  'WechatNetworkError',
  'WechatHttpError',
  'WechatPublishError',
  'WechatQuotaError',
  'WechatTimeoutError',
  'TokenProviderError',
]);

/**
 * HTTP statuses of the central token service that mean "this client is set up wrong" (exit 4): 401 wrong
 * bearer secret, 403 IP not in the allow-list, 404 account not served.
 */
const TOKEN_SERVICE_CONFIG_STATUSES = new Set([401, 403, 404]);

/** Maps any thrown value to the process exit code. */
export function exitCodeOf(error: unknown): ExitCodeValue {
  if (error instanceof CliError) return error.exitCode;
  if (isWechatError(error)) return ExitCode.wechat;
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'TokenProviderError') {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && TOKEN_SERVICE_CONFIG_STATUSES.has(status)) return ExitCode.config;
  }
  // The Redis store's own errors: a bad URL or an unreachable server is the setup's, not the post's.
  if (name === 'RedisStoreError') return ExitCode.config;
  if (typeof name === 'string' && WECHAT_FAILURES.has(name)) return ExitCode.wechat;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) return ExitCode.usage;
  // Network failures talking to WeChat (ECONNREFUSED, timeouts) are API failures, not content errors.
  if (typeof code === 'string' && /^(ECONN|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|UND_ERR|ERR_GOT)/.test(code)) {
    return ExitCode.wechat;
  }
  // Everything else (ImageError, WechatInputError for a field over its limit, unreadable post) is content.
  return ExitCode.content;
}
