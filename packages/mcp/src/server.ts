/**
 * The md2wx MCP server: four tools over `@md2wx/publish` (render, lint, push a draft, publish), each a thin
 * translation between an MCP tool call and one md2wx run. A cancelled request (notifications/cancelled)
 * aborts its run through the request's AbortSignal; what was already saved stays in the state file.
 * Tools: https://modelcontextprotocol.io/specification/2025-06-18/server/tools
 */
import { readFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import {
  configuredSecrets,
  lintPost,
  type PipelineContext,
  type PostSource,
  type RunOptions,
  publishDraft,
  pushDraft,
  renderPost,
} from './tool-runs.js';
import { progressListener } from './progress.js';
import { openRoot, resolveInRoot } from './root.js';
import {
  lintPostOutput,
  postSourceInput,
  publishDraftInput,
  publishDraftOutput,
  pushDraftInput,
  pushDraftOutput,
  renderPostOutput,
} from './schemas.js';
import { secretsRedactor, toolError } from './tool-errors.js';

/** Options of {@link createServer}; the bin reads them from its flags and environment. */
export interface ServerOptions {
  /**
   * The folder the server serves (absolute or relative to the working directory): tool paths are resolved
   * against it and refused outside it; the config file and `.env` are looked up in it. Default: the working
   * directory.
   */
  root?: string;
  /** Config file (relative to `root`), as the CLI's `--config`; default md2wx.config.{json,yaml,yml,mjs} in `root`. */
  config?: string;
  /** Account of the config file, as the CLI's `--account`; default `MD2WX_ACCOUNT`, else the file's `default`. */
  account?: string;
  /** Environment (WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_BASE_URL, MD2WX_REDIS_URL, …); default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** The tools the server lists, in order. */
export const TOOL_NAMES = ['render_post', 'lint_post', 'push_draft', 'publish_draft'] as const;

/** Default wait for freepublish's verdict, seconds. */
const PUBLISH_TIMEOUT_S = 120;

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** A successful result: the structured fields, and the same as JSON text for clients that only show text. */
function success<T extends Record<string, unknown>>(result: T): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(result, null, 2) }], structuredContent: result };
}

/**
 * Creates the server with its tools registered; connect it to a transport (`server.connect(new
 * StdioServerTransport())`, as the `md2wx-mcp` bin does).
 *
 * @returns an `McpServer` of `@modelcontextprotocol/sdk`.
 * @throws Error when `root` does not exist.
 */
export async function createServer(options: ServerOptions = {}): Promise<McpServer> {
  const context: PipelineContext = {
    root: await openRoot(options.root ?? process.cwd()),
    env: options.env ?? process.env,
  };
  if (options.config) context.configFile = options.config;
  if (options.account) context.account = options.account;

  const server = new McpServer({ name: 'md2wx', version: version() });

  /** Runs one tool call; any failure becomes an `isError` result with secrets scrubbed. */
  const call = async (work: () => Promise<Record<string, unknown>>): Promise<CallToolResult> => {
    try {
      return success(await work());
    } catch (error) {
      return toolError(error, secretsRedactor(await configuredSecrets(context)));
    }
  };

  const source = async (args: {
    path?: string | undefined;
    markdown?: string | undefined;
  }): Promise<PostSource> => {
    if (args.path === undefined && args.markdown === undefined) {
      throw new Error('give `path` (a Markdown file under the server root) or `markdown` (the post as text)');
    }
    const out: PostSource = {};
    if (args.path !== undefined) out.file = await resolveInRoot(context.root, args.path);
    if (args.markdown !== undefined) out.markdown = args.markdown;
    return out;
  };
  /** The run options of one call: the theme, the request's cancellation, and progress when asked for. */
  const run = (value: string | undefined, extra: Extra): RunOptions => {
    const listener = progressListener(extra);
    return {
      ...(value ? { theme: value } : {}),
      signal: extra.signal,
      ...(listener ? { onProgress: listener } : {}),
    };
  };

  server.registerTool(
    'render_post',
    {
      title: 'Render a post to WeChat HTML',
      description:
        'Render a Markdown post to WeChat Official Account article HTML (the draft `content`), offline: images are ' +
        'compressed locally and nothing is uploaded, whatever credentials are configured. Returns the title, the ' +
        'HTML, and the renderer and linter diagnostics with line/column.',
      inputSchema: postSourceInput,
      outputSchema: renderPostOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args, extra) => call(async () => renderPost(context, await source(args), run(args.theme, extra))),
  );

  server.registerTool(
    'lint_post',
    {
      title: 'Lint a post for WeChat',
      description:
        "Check a Markdown post against WeChat's rules without uploading anything: what the WeChat editor strips or " +
        'breaks (linter rules with line/column), and the article field limits (title ≤ 32 characters, author ≤ 16, ' +
        'digest ≤ 128, a cover). `must` diagnostics block publish_draft.',
      inputSchema: postSourceInput,
      outputSchema: lintPostOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args, extra) => call(async () => lintPost(context, await source(args), run(args.theme, extra))),
  );

  server.registerTool(
    'push_draft',
    {
      title: 'Push a post to the WeChat draft box',
      description:
        "Upload the post's images and cover to WeChat and create its draft in the Official Account's draft box, " +
        'or update it when it was pushed before (same media_id; the state file .md2wx/drafts.json records it). ' +
        'Needs WeChat credentials in the server configuration. Nothing is uploaded when the post has field or ' +
        'image problems.',
      inputSchema: pushDraftInput,
      outputSchema: pushDraftOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    (args, extra) =>
      call(async () => pushDraft(context, (await source(args)).file as string, run(args.theme, extra))),
  );

  server.registerTool(
    'publish_draft',
    {
      title: 'Publish a post on WeChat',
      description:
        "Push the post's draft (as push_draft), then publish it (freepublish/submit) and wait for WeChat's verdict. " +
        'Publishing is public and cannot be undone from here: confirm with the user first. Refused while lint_post ' +
        'reports `must` problems. Returns the publish_id, article_id and article URLs.',
      inputSchema: publishDraftInput,
      outputSchema: publishDraftOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    (args, extra) =>
      call(async () =>
        publishDraft(context, (await source(args)).file as string, {
          ...run(args.theme, extra),
          timeoutMs: (args.timeout_seconds ?? PUBLISH_TIMEOUT_S) * 1000,
        }),
      ),
  );

  return server;
}
