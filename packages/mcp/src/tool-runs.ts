/**
 * The md2wx runs behind the tools, through `@md2wx/publish`: one post prepared (`preparePost`) and run
 * (`publishPosts`) in the tool's mode. Configuration is the CLI's (config file, `.env`, WECHAT_* variables,
 * state file), resolved against the server's root on every call, so a config or `.env` edit takes effect
 * without restarting the server.
 */
import path from 'node:path';
import {
  type PostReport,
  type PublishEvent,
  type PublishMode,
  preparePost,
  publishPosts,
  reportDiagnostics,
  Session,
} from '@md2wx/publish';
import type {
  Diagnostic,
  LintPostResult,
  PublishDraftResult,
  PushDraftResult,
  RenderPostResult,
} from './schemas.js';

/** Where the server finds its configuration. */
export interface PipelineContext {
  /** The root every path is resolved against (absolute, symlinks resolved); also where the config file is looked up. */
  root: string;
  /** Config file (`--config`), relative to `root`; default: md2wx.config.{json,yaml,yml,mjs} in `root`. */
  configFile?: string;
  /** Named account of the config file (`--account`, `MD2WX_ACCOUNT`). */
  account?: string;
  /** Environment for WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_BASE_URL, …; `.env` in `root` fills gaps. */
  env: NodeJS.ProcessEnv;
}

/** A post for render/lint: a file (absolute, checked against the root), or Markdown text. */
export interface PostSource {
  file?: string;
  markdown?: string;
}

/** What a tool call passes down: the theme, and the MCP request's cancellation and progress. */
export interface RunOptions {
  theme?: string;
  /** The MCP request's signal: the client cancelled (notifications/cancelled) or the transport closed. */
  signal?: AbortSignal;
  /** Called with each step of the run (images, cover, draft, publish). */
  onProgress?: (event: PublishEvent) => void;
}

/** Name of a Markdown text given without `path`: images then resolve against the root. */
const UNTITLED = 'untitled.md';

async function openSession(context: PipelineContext, options: { theme?: string } = {}): Promise<Session> {
  return Session.open(
    {
      ...(context.configFile ? { config: context.configFile } : {}),
      ...(context.account ? { account: context.account } : {}),
      ...(options.theme ? { theme: options.theme } : {}),
    },
    { cwd: context.root, env: context.env },
  );
}

function input(context: PipelineContext, source: PostSource): string | { markdown: string; path: string } {
  if (source.markdown === undefined) return source.file as string;
  return { markdown: source.markdown, path: source.file ?? path.join(context.root, UNTITLED) };
}

function hooks(options: RunOptions): { signal?: AbortSignal; onProgress?: (event: PublishEvent) => void } {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
}

/** Prepares and runs one post in `mode`; returns its report and final HTML. */
async function runOne(
  context: PipelineContext,
  source: PostSource,
  mode: PublishMode,
  options: RunOptions & { offline?: boolean; continueOnError?: boolean; publishTimeoutMs?: number },
): Promise<{ post: PostReport; html: string }> {
  const session = await openSession(context, options);
  try {
    const prepared = await preparePost(input(context, source), {
      session,
      mode,
      ...(options.offline ? { offline: true } : {}),
      ...hooks(options),
    });
    let html = '';
    const run = await publishPosts([prepared], {
      session,
      mode,
      noWrite: true,
      ...(options.offline ? { offline: true } : {}),
      ...(options.continueOnError ? { continueOnError: true } : {}),
      ...(options.publishTimeoutMs ? { publishTimeoutMs: options.publishTimeoutMs } : {}),
      onRendered: (_file, rendered) => {
        html = rendered;
      },
      ...hooks(options),
    });
    const post = run.posts[0] as PostReport;
    if (post.error) throw Object.assign(new Error(post.error.message), post.error);
    return { post, html };
  } finally {
    await session.close();
  }
}

/** The post's vfile messages as the tools' diagnostics (the `--json` shape). */
function diagnostics(post: PostReport): Diagnostic[] {
  return reportDiagnostics(post);
}

function counts(list: Diagnostic[]): { must: number; should: number } {
  const must = list.filter((d) => d.severity === 'must').length;
  return { must, should: list.length - must };
}

function images(report: PostReport): RenderPostResult['images'] {
  const { images, processed, uploaded, cached, bytesSaved } = report.images;
  return { images, processed, uploaded, cached, bytesSaved };
}

function fileOf(source: PostSource): { file?: string } {
  return source.file ? { file: source.file } : {};
}

/**
 * Renders a post offline: images resolved and compressed locally, nothing uploaded, whatever credentials
 * are configured.
 * @throws ContentError for a broken image (file:line:column and the image), ConfigError for the config file.
 */
export async function renderPost(
  context: PipelineContext,
  source: PostSource,
  options: RunOptions,
): Promise<RenderPostResult> {
  const { post, html } = await runOne(context, source, 'render', { ...options, offline: true });
  const list = diagnostics(post);
  return {
    ...fileOf(source),
    title: post.title,
    html,
    diagnostics: list,
    ...counts(list),
    images: images(post),
  };
}

/**
 * Lints a post: renderer messages and the WeChat HTML linter's findings, with positions, and WeChat's field
 * limits (title, author, digest, cover). Nothing is uploaded; a broken image is a finding, not a failure.
 * @throws ConfigError for the config file; an Error for an unknown theme.
 */
export async function lintPost(
  context: PipelineContext,
  source: PostSource,
  options: RunOptions,
): Promise<LintPostResult> {
  const { post } = await runOne(context, source, 'render', {
    ...options,
    offline: true,
    continueOnError: true,
  });
  const list = diagnostics(post);
  return { ...fileOf(source), diagnostics: list, ...counts(list) };
}

/**
 * Creates the post's draft, or updates it when the state file (or the draft box, by the post's marker) knows
 * it: a second push of the same post keeps its media_id.
 * https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Add_draft.html,
 * https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Update_draft.html
 * @throws ContentError (nothing uploaded) for field limits, a missing cover, a broken image; ConfigError for
 *   missing credentials; WechatApiError when WeChat refuses; `signal.reason` when cancelled.
 */
export async function pushDraft(
  context: PipelineContext,
  file: string,
  options: RunOptions,
): Promise<PushDraftResult> {
  const { post } = await runOne(context, { file }, 'draft', options);
  const draft = post.draft as NonNullable<PostReport['draft']>;
  const list = diagnostics(post);
  return {
    file,
    title: post.title,
    media_id: draft.media_id,
    action: draft.action,
    reconciled: draft.reconciled === true,
    diagnostics: list,
    ...counts(list),
    images: images(post),
  };
}

/**
 * Pushes the post's draft (as {@link pushDraft}), submits it with freepublish/submit and waits for
 * freepublish/get to leave "publishing". Refused while the linter reports `must` problems.
 * https://developers.weixin.qq.com/doc/offiaccount/Publish/Publish.html,
 * https://developers.weixin.qq.com/doc/offiaccount/Publish/Get_status.html
 * @throws ContentError for `must` problems; WechatPublishError when WeChat rejects the article;
 *   WechatTimeoutError when it is still publishing after `timeoutMs`.
 */
export async function publishDraft(
  context: PipelineContext,
  file: string,
  options: RunOptions & { timeoutMs: number },
): Promise<PublishDraftResult> {
  const { post } = await runOne(context, { file }, 'publish', {
    ...options,
    publishTimeoutMs: options.timeoutMs,
  });
  const published = post.publish as NonNullable<PostReport['publish']>;
  return {
    file,
    title: post.title,
    media_id: (post.draft as NonNullable<PostReport['draft']>).media_id,
    publish_id: published.publish_id,
    status: 'published',
    ...(published.article_id ? { article_id: published.article_id } : {}),
    urls: published.urls,
  };
}

/** The secrets the configuration holds (for redaction of tool errors); none when it cannot be read. */
export async function configuredSecrets(context: PipelineContext): Promise<(string | undefined)[]> {
  try {
    const session = await openSession(context);
    await session.close();
    const { oa, wecom } = session.config;
    return [oa?.appSecret, oa?.tokenService?.secret, wecom?.corpSecret];
  } catch {
    return [];
  }
}
