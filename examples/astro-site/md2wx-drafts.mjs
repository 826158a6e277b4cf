// @ts-check
/**
 * An optional Astro integration: at the end of `astro build`, push the posts that changed since the last push
 * into the WeChat Official Account's draft box through @md2wx/publish (one draft per post; a changed post
 * updates its draft, never adds a second one). Off unless `enabled` (default: env MD2WX_ASTRO_DRAFTS=1).
 * Credentials and options come from the same places as the md2wx CLI (WECHAT_APP_ID, WECHAT_APP_SECRET,
 * md2wx.config.*, .env). The draft state lives in `.md2wx/drafts.json` (commit it, as with the CLI); which
 * post sources were pushed is in `.md2wx/astro-drafts.json`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @param {{ posts?: string; enabled?: boolean }} [options] `posts`: directory of the Markdown posts, relative
 *   to the site root (default `src/pages/posts`).
 * @returns {import('astro').AstroIntegration}
 */
export default function md2wxDrafts(options = {}) {
  const enabled = options.enabled ?? process.env.MD2WX_ASTRO_DRAFTS === '1';
  return {
    name: 'md2wx-drafts',
    hooks: {
      'astro:build:done': async ({ logger }) => {
        if (!enabled) return;
        const root = fileURLToPath(new URL('.', import.meta.url));
        const { openDraftState, preparePost, publishPosts, Session, writeFileAtomic } = await import(
          '@md2wx/publish'
        );
        const { readdir } = await import('node:fs/promises');
        const dir = path.join(root, options.posts ?? 'src/pages/posts');
        const files = (await readdir(dir))
          .filter((name) => name.endsWith('.md'))
          .map((name) => path.join(dir, name));
        const pushedFile = path.join(root, '.md2wx/astro-drafts.json');
        /** @type {Record<string, string>} */
        const pushed = JSON.parse(await readFile(pushedFile, 'utf8').catch(() => '{}'));
        const changed = [];
        for (const file of files) {
          const markdown = await readFile(file, 'utf8');
          const sha256 = createHash('sha256').update(markdown).digest('hex');
          const key = path.relative(root, file);
          if (pushed[key] !== sha256) changed.push({ file, key, markdown, sha256 });
        }
        if (changed.length === 0) {
          logger.info('no post changed since the last push');
          return;
        }
        const session = await Session.open({}, { cwd: root, env: process.env });
        try {
          const state = await openDraftState(session);
          const prepared = [];
          for (const post of changed) {
            prepared.push(
              await preparePost({ markdown: post.markdown, path: post.file }, { session, state }),
            );
          }
          const report = await publishPosts(prepared, {
            session,
            state,
            mode: 'draft',
            noWrite: true,
            onProgress(event) {
              if (event.type === 'draft-saved') {
                logger.info(
                  `${path.relative(root, event.files[0] ?? '')}: draft ${event.action} (${event.media_id})`,
                );
              }
            },
          });
          for (const [index, post] of changed.entries()) {
            const result = report.posts[index];
            if (result?.draft && !result.error) pushed[post.key] = post.sha256;
            else if (result?.error) logger.error(`${post.key}: ${result.error.message}`);
          }
          await writeFileAtomic(pushedFile, `${JSON.stringify(pushed, null, 2)}\n`);
        } finally {
          await session.close();
        }
      },
    },
  };
}
