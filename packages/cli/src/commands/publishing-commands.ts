/** The publishing commands: the default `publish`, `lint`, `preview`, `upload`. */
import type { Command } from 'commander';
import { ExitCode } from '../errors.js';
import { EXIT_CODES_HELP, GROUPS, MAIN_EXAMPLES } from '../help-text.js';
import { intOption } from '../option-values.js';
import { withSession } from '../with-session.js';

/** Adds the publishing commands: the default `publish`, `lint`, `preview`, `upload` to `program`. */
export function addPublishingCommands(program: Command): void {
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
        const { runMain } = await import('./main.js');
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
        const { runLint } = await import('./lint.js');
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
        const { runPreview } = await import('./preview.js');
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
        const { runUpload } = await import('./upload.js');
        return runUpload(session, images, command.optsWithGlobals());
      });
    });
}
