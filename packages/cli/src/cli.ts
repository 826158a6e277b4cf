/**
 * The `md2wx` command tree (commander). Only commander and this file load at start-up; every action imports
 * its module when it runs, so `md2wx --help` stays fast.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ExitCode, type ExitCodeValue, exitCodeOf, isWechatError } from './errors.js';
import type { GlobalFlags, Session } from './session.js';

const EXIT_CODES_HELP = `

Exit codes:
  0  ok
  1  content errors (broken image, field over WeChat's limit, no cover, MUST lint errors with --publish)
  2  usage (unknown flag, missing argument)
  3  WeChat API error (printed with errcode, errmsg, rid and a hint)
  4  configuration (missing credentials, bad config file, unknown --account, token service refused the
     secret or IP, Redis store unreachable)

Configuration: flags > environment (WECHAT_APP_ID, WECHAT_APP_SECRET, WECOM_CORP_ID, WECOM_CORP_SECRET,
WECOM_AGENT_ID) > .env > md2wx.config.(json|yaml|mjs) with named accounts (--account).
Shared state: MD2WX_REDIS_URL=redis://… (or \`redis:\` in the config file) keeps tokens, the upload cache and
quotas in Redis for every runner; tokens from a central service: MD2WX_TOKEN_SERVICE_URL + _SECRET.`;

const MAIN_EXAMPLES = `
Examples:
  md2wx post.md                          render + lint; with credentials also upload images, write out/post.wechat.html
  md2wx post.md --draft                  push (or update) the post's draft
  md2wx examples/hello/post.md --sandbox --draft
                                         try it all against an in-process fake WeChat
  md2wx --changed-since origin/main 'posts/**/*.md' --draft
                                         CI: only posts changed since a git ref
  md2wx a.md b.md --bundle               one draft with two articles
  md2wx post.md --publish                draft, then publish and print the article URL
  md2wx long.md --draft --title "…"      WeChat's title (≤ 32 characters) when the post's is longer
  md2wx token serve --allow-ip 10.0.0.0/8
                                         the central token service (secret from MD2WX_TOKEN_SERVICE_SECRET)`;

/** Runs a command action inside a session and turns errors into messages and exit codes. */
async function withSession(
  command: Command,
  action: (session: Session) => Promise<ExitCodeValue | undefined>,
): Promise<void> {
  const flags = command.optsWithGlobals() as GlobalFlags;
  const { Session } = await import('./session.js');
  let session: Session | undefined;
  try {
    session = await Session.open(flags);
    const code = await action(session);
    process.exitCode = code ?? ExitCode.ok;
  } catch (error) {
    process.exitCode = reportError(error, flags);
  } finally {
    await session?.close().catch(() => {});
  }
}

/** Prints an error as the user should see it (or as JSON with --json); returns its exit code. */
export function reportError(
  error: unknown,
  flags: { json?: boolean },
  stderr = process.stderr,
): ExitCodeValue {
  const code = exitCodeOf(error);
  const e = error as Error & { problems?: unknown; hint?: string };
  if (flags.json) {
    const body: Record<string, unknown> = { error: { name: e?.name, message: e?.message, exitCode: code } };
    if (isWechatError(error)) {
      Object.assign(body.error as object, {
        errcode: error.errcode,
        errmsg: error.errmsg,
        rid: error.rid,
        endpoint: error.endpoint,
        hint: error.hint,
      });
    }
    if (Array.isArray(e?.problems)) (body.error as Record<string, unknown>).problems = e.problems;
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return code;
  }
  let text = e instanceof Error ? e.message : String(error);
  if (isWechatError(error)) {
    // WeChat puts "rid: …" inside errmsg; it is printed once, in its own place.
    const errmsg = error.rid ? error.errmsg.replace(/[\s,;]*rid:\s*\S+/, '').trim() : error.errmsg;
    text = `WeChat ${error.endpoint ?? 'API'}: errcode ${error.errcode} ${errmsg}`;
    if (error.rid) text += ` (rid ${error.rid})`;
    if (error.hint) text += `\n  hint: ${error.hint}`;
  }
  stderr.write(`md2wx: ${text}\n`);
  return code;
}

function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`not a non-negative integer: ${value}`);
  return n;
}

/**
 * `--count` of the batchget endpoints: WeChat takes 1–20
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_batchgetmaterial.html,
 * https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_batchget.html); anything
 * else is a usage error.
 */
function pageCountOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 20)
    throw new InvalidArgumentError(`--count must be 1 to 20 (WeChat's page size), got ${value}`);
  return n;
}

/** Help headings of `md2wx --help`. */
const GROUPS = {
  publishing: 'Publishing:',
  media: 'Materials and media:',
  accounts: 'Accounts and tokens:',
  wecom: 'WeCom:',
  tools: 'Tools:',
} as const;

/** Collects a repeatable, comma-separated option into one list. */
function listOption(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

/** Builds the command tree. `md2wx --help` lists every command; each has its own `--help`. */
export function buildProgram(): Command {
  const program = new Command('md2wx');
  program
    .description(
      'Markdown → WeChat Official Account articles: WeChat-ready HTML, images on WeChat, drafts, publishing.',
    )
    .version('0.1.0', '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .option(
      '-c, --config <file>',
      'config file (default: md2wx.config.json|yaml|yml|mjs in the working directory)',
    )
    .option('-a, --account <name>', 'named account of the config file (env MD2WX_ACCOUNT)')
    .option(
      '--app-id <appId>',
      'Official Account appId (env WECHAT_APP_ID; the secret only via env WECHAT_APP_SECRET)',
    )
    .option('--base-url <url>', 'WeChat API base URL (a sandbox: md2wx sandbox prints one)')
    .option('--token-service <url>', 'central access_token service (secret: env MD2WX_TOKEN_SERVICE_SECRET)')
    .addOption(new Option('--platform <platform>', 'target platform').choices(['oa', 'wecom']))
    .option('--sandbox', 'run against an in-process fake WeChat (demo, CI dry runs); nothing persists')
    .addOption(
      new Option(
        '--diagrams <format>',
        'mermaid diagrams as png (2×, uploaded like any image; default) or WeChat-safe inline svg',
      ).choices(['png', 'svg']),
    )
    .option(
      '--sandbox-state <dir>',
      'like --sandbox, but the fake WeChat, draft state, upload cache and tokens persist in <dir> (rehearse updates)',
    )
    .option(
      '--allow-private-hosts',
      'let image downloads reach loopback/private/link-local addresses (refused by default; trusted posts only)',
    )
    .option('--state-file <file>', 'draft state file to commit (default .md2wx/drafts.json)')
    .option('--cache-dir <dir>', 'token and download cache, not committed (default .md2wx-cache)')
    .option('--json', 'print one JSON document on stdout (for scripts)')
    .option('-q, --quiet', 'print only results and errors')
    .option('--no-progress', 'plain lines instead of progress bars')
    .addHelpText('after', MAIN_EXAMPLES + EXIT_CODES_HELP);

  // The main job is a default subcommand, so its options (-o, --cover, --theme) do not shadow the
  // subcommands' own: program-level options are recognised after a subcommand name too.
  const publish = program
    .command('publish', { isDefault: true })
    .helpGroup(GROUPS.publishing)
    .summary('(default) render posts, move images onto WeChat, push or update drafts, publish')
    .description(
      'Render posts, move their images onto WeChat and, with --draft, push or update their drafts. ' +
        '`md2wx <posts…>` is short for `md2wx publish <posts…>`.',
    )
    .argument('[posts...]', 'Markdown posts, or quoted globs like "posts/**/*.md"')
    .option('-d, --draft', 'push each post into the draft box; later runs update the same draft')
    .option('--bundle', 'one multi-article draft for all posts (implies --draft)')
    .option(
      '--publish',
      'draft, then freepublish and wait; prints the article URL (refused on MUST lint errors)',
    )
    .option('--changed-since <ref>', 'only posts changed since this git ref (CI)')
    .option(
      '-o, --out-dir <dir>',
      'where .wechat.html and .preview.html go (default: out/ next to each post)',
    )
    .option('--no-write', 'write no HTML or preview files')
    .option(
      '--cover <image>',
      'cover for posts whose front matter has none (default: the first image); `generate`: a title card in the theme colours',
    )
    .option(
      '--cover-fallback',
      'when a front-matter cover is missing, warn and use --cover or the first image (config coverFallback)',
    )
    .option(
      '--title <title>',
      "the article's title, over front matter and first heading (one post; WeChat allows 32 characters)",
    )
    .option('--theme <name>', 'render theme')
    .option('--root-dir <dir>', 'site root for /absolute image paths and boundary for relative ones')
    .option('--allow-outside-root', 'allow relative image paths that climb out of the root dir')
    .option(
      '--continue-on-error',
      'render-only: leave broken images (unreachable, undecodable) as they are, with a warning',
    )
    .action(async (posts: string[], _options, command: Command) => {
      const options = command.optsWithGlobals();
      if (posts.length === 0) {
        if (!options.changedSince) program.outputHelp();
        process.exitCode = options.changedSince ? ExitCode.ok : ExitCode.usage;
        return;
      }
      await withSession(command, async (session) => {
        const { runMain } = await import('./commands/main.js');
        return runMain(session, posts, options);
      });
    });
  publish.addHelpText('after', MAIN_EXAMPLES + EXIT_CODES_HELP);

  program
    .command('lint')
    .helpGroup(GROUPS.publishing)
    .description('render posts and check the HTML against WeChat’s rules (no upload); exit 1 on MUST errors')
    .argument('<posts...>', 'Markdown posts or globs')
    .option('--theme <name>', 'render theme')
    .action(async (posts: string[], _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runLint } = await import('./commands/lint.js');
        return runLint(session, posts, command.optsWithGlobals());
      });
    });

  program
    .command('preview')
    .helpGroup(GROUPS.publishing)
    .description('serve the preview page of a post on localhost and reload it on save')
    .argument('<post>', 'Markdown post')
    .option('-p, --port <port>', 'port (default: a free one)', intOption)
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('--once', 'write the preview page once and print its path (no server)')
    .option(
      '--continue-on-error',
      'leave broken images (unreachable, undecodable) as they are, with a warning',
    )
    .option(
      '-o, --out-dir <dir>',
      'where the preview page and its images go (default: out/ next to the post)',
    )
    .action(async (post: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runPreview } = await import('./commands/preview.js');
        return runPreview(session, post, command.optsWithGlobals());
      });
    });

  program
    .command('upload')
    .helpGroup(GROUPS.media)
    .description(
      'upload images for article bodies (media/uploadimg; animated GIFs as material) and print their URLs; an image uploaded before comes from the dedupe cache',
    )
    .argument('<images...>', 'image files or URLs')
    .option('--force', 'upload again even when the dedupe cache knows the image')
    .action(async (images: string[], _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runUpload } = await import('./commands/upload.js');
        return runUpload(session, images, command.optsWithGlobals());
      });
    });

  const materials = program
    .command('materials')
    .helpGroup(GROUPS.media)
    .description('permanent materials (素材): add, list, count, get, delete');
  materials
    .command('add')
    .description('add a permanent material (material/add_material) and print its media_id (and URL)')
    .argument('<file>')
    .addOption(
      new Option('-t, --type <type>', 'material type')
        .choices(['image', 'voice', 'video', 'thumb'])
        .default('image'),
    )
    .option('--title <title>', 'video: its title (required for video)')
    .option('--introduction <text>', 'video: its description')
    .action(async (file: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runAddMaterial } = await import('./commands/materials.js');
        return runAddMaterial(session, file, command.optsWithGlobals());
      });
    });
  materials
    .command('list')
    .description('list permanent materials (material/batchget_material)')
    .addOption(
      new Option('-t, --type <type>', 'material type')
        .choices(['image', 'voice', 'video', 'news'])
        .default('image'),
    )
    .option('--offset <n>', 'offset', intOption, 0)
    .option('--count <n>', 'how many (1-20)', pageCountOption, 20)
    .action(async (_options, command: Command) => {
      await withSession(command, async (session) => {
        const { runMaterials } = await import('./commands/materials.js');
        return runMaterials(session, 'list', undefined, command.optsWithGlobals());
      });
    });
  materials
    .command('count')
    .description('count permanent materials by type (material/get_materialcount)')
    .action(async (_options, command: Command) => {
      await withSession(command, async (session) => {
        const { runMaterials } = await import('./commands/materials.js');
        return runMaterials(session, 'count', undefined, command.optsWithGlobals());
      });
    });
  materials
    .command('get')
    .description('get a permanent material (material/get_material)')
    .argument('<media_id>')
    .option('-o, --output <file>', 'write binary material here')
    .action(async (mediaId: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runMaterials } = await import('./commands/materials.js');
        return runMaterials(session, 'get', mediaId, command.optsWithGlobals());
      });
    });
  materials
    .command('delete')
    .description('delete a permanent material (material/del_material; irreversible)')
    .argument('<media_id>')
    .action(async (mediaId: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runMaterials } = await import('./commands/materials.js');
        return runMaterials(session, 'delete', mediaId, command.optsWithGlobals());
      });
    });

  const drafts = program
    .command('drafts')
    .helpGroup(GROUPS.publishing)
    .description('the draft box: list, get, delete');
  drafts
    .command('list')
    .description('list drafts (draft/batchget)')
    .option('--offset <n>', 'offset', intOption, 0)
    .option('--count <n>', 'how many (1-20)', pageCountOption, 20)
    .action(async (_options, command: Command) => {
      await withSession(command, async (session) => {
        const { runDrafts } = await import('./commands/drafts.js');
        return runDrafts(session, 'list', undefined, command.optsWithGlobals());
      });
    });
  drafts
    .command('get')
    .description('show a draft (draft/get)')
    .argument('<media_id>')
    .action(async (mediaId: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runDrafts } = await import('./commands/drafts.js');
        return runDrafts(session, 'get', mediaId, command.optsWithGlobals());
      });
    });
  drafts
    .command('delete')
    .description('delete a draft (draft/delete; irreversible) and forget it in the state file')
    .argument('<media_id>')
    .action(async (mediaId: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runDrafts } = await import('./commands/drafts.js');
        return runDrafts(session, 'delete', mediaId, command.optsWithGlobals());
      });
    });

  const media = program
    .command('media')
    .helpGroup(GROUPS.media)
    .description('temporary media (3 days): upload, get; WeCom: upload-by-url');
  media
    .command('upload')
    .description('upload temporary media (media/upload) and print its media_id')
    .argument('<file>')
    .addOption(
      new Option('-t, --type <type>', 'media type')
        .choices(['image', 'voice', 'video', 'thumb', 'file'])
        .default('image'),
    )
    .option(
      '--compress',
      'image/thumb: re-encode as JPEG to fit (image ≤ 1 MB, thumb ≤ 64 KB) before sending',
    )
    .action(async (file: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runMedia } = await import('./commands/media.js');
        return runMedia(session, 'upload', file, command.optsWithGlobals());
      });
    });
  media
    .command('get')
    .description('download temporary media (media/get; WeCom in Range chunks)')
    .argument('<media_id>')
    .requiredOption('-o, --output <file>', 'where to write it')
    .option('--hd-voice', 'the HD (speex 16 kHz) voice of a JS-SDK uploadVoice serverId (media/get/jssdk)')
    .action(async (mediaId: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runMedia } = await import('./commands/media.js');
        return runMedia(session, 'get', mediaId, command.optsWithGlobals());
      });
    });

  media
    .command('upload-by-url')
    .description(
      'WeCom: let WeCom download a video/file from a URL with Range support (media/upload_by_url, up to 200 MB); --wait polls for the media_id',
    )
    .argument('<url>')
    .addOption(new Option('-t, --type <type>', 'media type').choices(['video', 'file']).default('file'))
    .option('--filename <name>', 'display name (default: the URL’s last path segment)')
    .option('--md5 <hex>', 'MD5 of the file (default: downloaded once here to compute it)')
    .option('--wait', 'poll get_upload_by_url_result until the job ends; print the media_id')
    .option('--timeout <seconds>', 'how long --wait polls', intOption, 600)
    .action(async (url: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runUploadByUrl } = await import('./commands/media.js');
        return runUploadByUrl(session, url, command.optsWithGlobals());
      });
    });

  const token = program
    .command('token')
    .helpGroup(GROUPS.accounts)
    .description(
      'get an access_token and say where it came from (cache, WeChat, token service); --check makes one live call',
    )
    .option(
      '--check',
      'also make one live authenticated call (getcallbackip): fails on a wrong secret or 40164',
    )
    .option('--reveal', 'print the access_token itself (it grants full API access: keep it out of logs)')
    .action(async (_options, command: Command) => {
      await withSession(command, async (session) => {
        const { runToken } = await import('./commands/token.js');
        return runToken(session, command.optsWithGlobals());
      });
    });
  token
    .command('serve')
    .description(
      'run the central token service (中控服务器) for IP-whitelisted accounts: holds the AppSecret(s), serves tokens to clients with the bearer secret',
    )
    .option('-p, --port <port>', 'port (default: a free one, printed)', intOption)
    .option(
      '--host <host>',
      'bind address (0.0.0.0 to serve other machines: then set --allow-ip)',
      '127.0.0.1',
    )
    .option(
      '--secret-env <name>',
      'environment variable holding the bearer secret (≥ 16 characters; never printed)',
      'MD2WX_TOKEN_SERVICE_SECRET',
    )
    .option(
      '--allow-ip <ips>',
      'client IP or CIDR allowed (repeatable or comma-separated; default every IP)',
      listOption,
    )
    .option('--rate-limit <n>', 'requests per client IP per minute (0: no limit)', intOption, 600)
    .option('--refresh-ahead <seconds>', 'refresh tokens this long before they expire', intOption, 300)
    .option('--local-address <ip>', 'local address for requests to WeChat (the whitelisted one)')
    .addHelpText(
      'after',
      `
Accounts: --account NAME, else every Official Account of md2wx.config.*, else WECHAT_APP_ID + WECHAT_APP_SECRET.
With MD2WX_REDIS_URL set, tokens live in Redis, so several instances share one token per account.
Clients: MD2WX_TOKEN_SERVICE_URL=<printed URL> MD2WX_TOKEN_SERVICE_SECRET=<the secret> md2wx post.md --draft
Endpoints: GET /healthz; GET /v1/accounts/<appId>/access_token and /jsapi_ticket (Authorization: Bearer <secret>).`,
    )
    .action(async (_options, command: Command) => {
      await withSession(command, async (session) => {
        const { runTokenServe } = await import('./commands/token-serve.js');
        return runTokenServe(session, command.optsWithGlobals());
      });
    });

  program
    .command('doctor')
    .helpGroup(GROUPS.accounts)
    .description(
      'check configuration, credentials, store, network and the token (one live call); says what to fix',
    )
    .action(async (_options, command: Command) => {
      await withSession(command, async (session) => {
        const { runDoctor } = await import('./commands/doctor.js');
        return runDoctor(session);
      });
    });

  program
    .command('quota')
    .helpGroup(GROUPS.wecom)
    .description('WeCom: media/uploadimg usage today and this month (1,000/day, 3,000/month per corp)')
    .action(async (_options, command: Command) => {
      await withSession(command, async (session) => {
        const { runQuota } = await import('./commands/quota.js');
        return runQuota(session);
      });
    });

  const callback = program
    .command('callback')
    .helpGroup(GROUPS.wecom)
    .description(
      'debug a callback endpoint (WXBizMsgCrypt): verify-url, decrypt; Token and EncodingAESKey from MD2WX_CALLBACK_TOKEN / MD2WX_CALLBACK_AES_KEY',
    );
  callback
    .command('verify-url')
    .description('check the signature of a URL-verification GET and print the echostr plaintext to answer')
    .argument('<url>', 'the request URL as WeChat called it (msg_signature, timestamp, nonce, echostr)')
    .option('--receive-id <id>', 'CorpID or AppID the messages are for (default: the configured one)')
    .action(async (url: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runCallback } = await import('./commands/callback.js');
        return runCallback(session, 'verify-url', url, undefined, command.optsWithGlobals());
      });
    });
  callback
    .command('decrypt')
    .description('check the signature of a POSTed callback and print the decrypted message')
    .argument('<url>', 'the request URL as WeChat called it (msg_signature, timestamp, nonce)')
    .argument('<body>', 'file holding the POST body, or - for stdin')
    .option('--receive-id <id>', 'CorpID or AppID the messages are for (default: the configured one)')
    .action(async (url: string, body: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runCallback } = await import('./commands/callback.js');
        return runCallback(session, 'decrypt', url, body, command.optsWithGlobals());
      });
    });

  const jssdk = program
    .command('jssdk')
    .helpGroup(GROUPS.tools)
    .description('JS-SDK: sign a page for wx.config');
  jssdk
    .command('sign')
    .description('print the wx.config object for a page URL, signed with the cached jsapi_ticket')
    .argument('<url>', 'the page URL (its #fragment is not signed)')
    .option('--timestamp <seconds>', 'sign this timestamp (default now)', intOption)
    .option('--nonce <text>', 'sign this nonceStr (default random)')
    .option('--api <names>', 'jsApiList entries (comma-separated)', listOption)
    .action(async (url: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runJssdkSign } = await import('./commands/jssdk.js');
        return runJssdkSign(session, url, command.optsWithGlobals());
      });
    });

  program
    .command('sandbox')
    .helpGroup(GROUPS.tools)
    .description(
      'run the fake WeChat server (Official Account + WeCom) until Ctrl-C; prints its URL and credentials',
    )
    .option('-p, --port <port>', 'port (default: a free one)', intOption)
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('--state <dir>', 'keep the sandbox’s drafts, media and tokens in <dir> across restarts')
    .action(async (_options, command: Command) => {
      await withSession(command, async (session) => {
        const { runSandbox } = await import('./commands/sandbox.js');
        return runSandbox(session, command.optsWithGlobals());
      });
    });

  program
    .command('send')
    .helpGroup(GROUPS.wecom)
    .description('WeCom: send a post as an mpnews message (images via WeCom uploadimg)')
    .argument('<post>', 'Markdown post')
    .requiredOption('--to <users>', 'user ids joined by | or , (@all for everyone in the app’s range)')
    .option('--party <ids>', 'department ids joined by |')
    .option('--tag <ids>', 'tag ids joined by |')
    .option('--cover <image>', 'cover when the post has none (default: first image)')
    .option('--safe', 'safe mode: no forwarding (safe=1)')
    .action(async (post: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runSend } = await import('./commands/send.js');
        return runSend(session, post, command.optsWithGlobals());
      });
    });

  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/**
 * Runs the CLI with `argv` (as `process.argv`). Sets `process.exitCode` rather than exiting, so pending
 * output is flushed.
 */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version print themselves and exit 0; everything else commander rejects is usage.
      process.exitCode =
        error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0
          ? ExitCode.ok
          : ExitCode.usage;
      return;
    }
    process.exitCode = reportError(error, program.opts());
  }
}
