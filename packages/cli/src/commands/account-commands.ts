/** The token, doctor, quota, callback, jssdk, sandbox and send commands. */
import type { Command } from 'commander';
import { GROUPS } from '../help-text.js';
import { intOption, listOption } from '../option-values.js';
import { withSession } from '../with-session.js';

/** Adds the token, doctor, quota, callback, jssdk, sandbox and send commands to `program`. */
export function addAccountCommands(program: Command): void {
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
        const { runToken } = await import('./token.js');
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
        const { runTokenServe } = await import('./token-serve.js');
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
        const { runDoctor } = await import('./doctor.js');
        return runDoctor(session);
      });
    });

  program
    .command('quota')
    .helpGroup(GROUPS.wecom)
    .description('WeCom: media/uploadimg usage today and this month (1,000/day, 3,000/month per corp)')
    .action(async (_options, command: Command) => {
      await withSession(command, async (session) => {
        const { runQuota } = await import('./quota.js');
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
        const { runCallback } = await import('./callback.js');
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
        const { runCallback } = await import('./callback.js');
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
        const { runJssdkSign } = await import('./jssdk.js');
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
        const { runSandbox } = await import('./sandbox.js');
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
        const { runSend } = await import('./send.js');
        return runSend(session, post, command.optsWithGlobals());
      });
    });
}
