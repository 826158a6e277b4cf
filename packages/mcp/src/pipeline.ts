/**
 * The md2wx runs behind the tools: one post in, the tool's result out. Configuration is the CLI's (config
 * file, `.env`, WECHAT_* variables, state file), resolved against the server's root on every call, so a
 * config or `.env` edit takes effect without restarting the server.
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type Diagnostic as CliDiagnostic, type PostReport, runPublish, Session } from '@md2wx/cli';
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

/** Swallows the CLI reporter's human lines: stdout is the MCP channel, and results travel in the tool result. */
function sink(): Writable {
  return new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
}

async function openSession(context: PipelineContext, options: { theme?: string } = {}): Promise<Session> {
  return Session.open(
    {
      ...(context.configFile ? { config: context.configFile } : {}),
      ...(context.account ? { account: context.account } : {}),
      ...(options.theme ? { theme: options.theme } : {}),
    },
    {
      cwd: context.root,
      env: context.env,
      reporter: { stdout: sink(), stderr: sink(), progress: false },
    },
  );
}

/**
 * Runs `work` on a file holding the post: the post's own file, or for Markdown text a temporary file beside
 * `file` (else in the root) so relative images resolve as they would from the post.
 */
async function withPostFile<T>(
  context: PipelineContext,
  source: PostSource,
  work: (file: string) => Promise<T>,
) {
  if (source.markdown === undefined) return work(source.file as string);
  const dir = source.file ? path.dirname(source.file) : context.root;
  const temp = path.join(dir, `.md2wx-mcp-${randomBytes(6).toString('hex')}.md`);
  await writeFile(temp, source.markdown, { flag: 'wx' });
  try {
    return await work(temp);
  } finally {
    await rm(temp, { force: true });
  }
}

function diagnostics(list: CliDiagnostic[]): Diagnostic[] {
  return list.map((d) => ({ ...d }));
}

function counts(list: Diagnostic[]): { must: number; should: number } {
  const must = list.filter((d) => d.severity === 'must').length;
  return { must, should: list.length - must };
}

function images(report: PostReport): RenderPostResult['images'] {
  const { images, processed, uploaded, cached, bytesSaved } = report.images;
  return { images, processed, uploaded, cached, bytesSaved };
}

/** The post's failure (WeChat's errcode/errmsg/rid kept) as a thrown error, so the tool reports it. */
function throwPostError(report: PostReport): void {
  if (!report.error) return;
  throw Object.assign(new Error(report.error.message), report.error);
}

/**
 * Renders a post offline: images resolved and compressed locally, nothing uploaded, whatever credentials
 * are configured.
 * @throws ContentError for a broken image (file:line:column and the image), ConfigError for the config file.
 */
export async function renderPost(
  context: PipelineContext,
  source: PostSource,
  options: { theme?: string },
): Promise<RenderPostResult> {
  const session = await openSession(context, options);
  try {
    return await withPostFile(context, source, async (file) => {
      let html = '';
      const run = await runPublish(session, [file], {
        offline: true,
        noWrite: true,
        onRendered: (_file, rendered) => {
          html = rendered;
        },
      });
      const post = run.posts[0] as PostReport;
      const list = diagnostics(post.diagnostics);
      return {
        ...(source.markdown === undefined ? { file } : source.file ? { file: source.file } : {}),
        title: post.title,
        html,
        diagnostics: list,
        ...counts(list),
        images: images(post),
      };
    });
  } finally {
    await session.close();
  }
}

/**
 * Lints a post: renderer messages and the WeChat HTML linter's findings, with positions, and WeChat's field
 * limits (title, author, digest, cover). Nothing is uploaded.
 * @throws ConfigError for the config file; an Error for an unknown theme.
 */
export async function lintPost(
  context: PipelineContext,
  source: PostSource,
  options: { theme?: string },
): Promise<LintPostResult> {
  const session = await openSession(context, options);
  try {
    return await withPostFile(context, source, async (file) => {
      // A render without uploads; a broken image becomes a warning instead of stopping the lint.
      const run = await runPublish(session, [file], { offline: true, noWrite: true, continueOnError: true });
      const list = diagnostics((run.posts[0] as PostReport).diagnostics);
      return {
        ...(source.markdown === undefined ? { file } : source.file ? { file: source.file } : {}),
        diagnostics: list,
        ...counts(list),
      };
    });
  } finally {
    await session.close();
  }
}

/**
 * Creates the post's draft, or updates it when the state file (or the draft box, by the post's marker) knows
 * it: a second push of the same post keeps its media_id.
 * https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Add_draft.html,
 * https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Update_draft.html
 * @throws ContentError (nothing uploaded) for field limits, a missing cover, a broken image; ConfigError for
 *   missing credentials; WechatApiError when WeChat refuses.
 */
export async function pushDraft(
  context: PipelineContext,
  file: string,
  options: { theme?: string },
): Promise<PushDraftResult> {
  const session = await openSession(context, options);
  try {
    const run = await runPublish(session, [file], { draft: true, noWrite: true });
    const post = run.posts[0] as PostReport;
    throwPostError(post);
    const draft = post.draft as NonNullable<PostReport['draft']>;
    const list = diagnostics(post.diagnostics);
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
  } finally {
    await session.close();
  }
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
  options: { theme?: string; timeoutMs: number },
): Promise<PublishDraftResult> {
  const session = await openSession(context, options);
  try {
    const run = await runPublish(session, [file], {
      publish: true,
      noWrite: true,
      publishTimeoutMs: options.timeoutMs,
    });
    const post = run.posts[0] as PostReport;
    throwPostError(post);
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
  } finally {
    await session.close();
  }
}

/** The secrets the configuration holds (for redaction of tool errors). */
export async function configuredSecrets(context: PipelineContext): Promise<(string | undefined)[]> {
  try {
    const session = await openSession(context);
    await session.close();
    return [
      session.config.oa?.appSecret,
      session.config.oa?.tokenService?.secret,
      session.config.wecom?.corpSecret,
    ];
  } catch {
    return [];
  }
}
