/**
 * The `md2wx` command tree (commander). Only commander and this file load at start-up; every action imports
 * its module when it runs, so `md2wx --help` stays fast.
 */
import { Command, CommanderError, Option } from 'commander';
import { addAccountCommands } from './commands/account-commands.js';
import { addAssetCommands } from './commands/asset-commands.js';
import { addPublishingCommands } from './commands/publishing-commands.js';
import { ExitCode } from './errors.js';
import { EXIT_CODES_HELP, MAIN_EXAMPLES } from './help-text.js';
import { reportError } from './report-error.js';

export { reportError };

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
  addPublishingCommands(program);
  addAssetCommands(program);
  addAccountCommands(program);

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
