/**
 * The render theme named by `--theme` or the config file's `theme`, checked before any post is read, so a typo
 * is a usage error (exit 2) and not a content error in every post.
 */
import { UsageError } from './errors.js';
import { loadRender } from './modules.js';

/**
 * @throws UsageError naming the theme and the built-in ones when `theme` is not one of them.
 */
export async function assertKnownTheme(theme: string | undefined): Promise<void> {
  if (!theme) return;
  const { themes } = await loadRender();
  if (!Object.hasOwn(themes, theme)) {
    throw new UsageError(
      `unknown theme "${theme}" (--theme or config "theme"); built-in themes: ${Object.keys(themes).join(', ')}`,
    );
  }
}
