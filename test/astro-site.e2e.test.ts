/**
 * End-to-end: `examples/astro-site` (Astro 5, `markdown.remarkPlugins: [[remarkWechatImages, …]]` with a
 * state-file cache) built with the real `astro build` against a sandbox started here (issue 14).
 *
 * The site is copied into a temporary directory so the repository stays clean; its `node_modules` holds
 * symlinks to the workspace's `astro` and `@md2wx/*`, which resolve to the packages' built `dist/` (Astro
 * loads its config with Node's own resolver, without the `@md2wx/source` condition).
 */
import { execFile } from 'node:child_process';
import { cp, copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT, type SandboxServer, startSandbox } from '@md2wx/sandbox';
import { corpusPath, repoRoot, requireCorpus } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SITE = path.join(repoRoot, 'examples/astro-site');
const ASTRO_BIN = path.join(repoRoot, 'node_modules/astro/astro.js');
/** Built outputs the site's config imports at build time. */
const NEEDED_DIST = [
  'packages/remark-wechat-images/dist/index.js',
  'packages/wechat/dist/index.js',
  'packages/publish/dist/index.js',
];

let sandbox: SandboxServer;
let work: string;
let site: string;

const uploads = () => sandbox.stats().uploads['media/uploadimg'] ?? 0;

/** Runs `astro build` in the copied site; rejects with Astro's output when it fails. */
function astroBuild(extraEnv: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  const env = {
    ...extraEnv,
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ASTRO_TELEMETRY_DISABLED: '1',
    CI: '1',
    NO_COLOR: '1',
    WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
    WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret,
    WECHAT_BASE_URL: sandbox.url,
  };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [ASTRO_BIN, 'build'],
      { cwd: site, env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`astro build failed (${error.message}):\n${stdout}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

/** `src` of every `<img>` in the built site, per page (path relative to dist/). */
async function builtImages(): Promise<Map<string, string[]>> {
  const dist = path.join(site, 'dist');
  const pages = new Map<string, string[]>();
  for (const entry of await readdir(dist, { recursive: true })) {
    if (!entry.endsWith('.html')) continue;
    const html = await readFile(path.join(dist, entry), 'utf8');
    pages.set(
      entry,
      [...html.matchAll(/<img\b[^>]*?\bsrc="([^"]*)"/g)].map((m) =>
        (m[1] as string).replaceAll('&amp;', '&'),
      ),
    );
  }
  return pages;
}

beforeAll(async () => {
  for (const file of [...NEEDED_DIST, 'node_modules/astro/astro.js']) {
    if (!existsSync(path.join(repoRoot, file))) {
      throw new Error(
        `${file} is missing: run \`npm ci\` and \`npm run build\` first (Astro loads the built packages)`,
      );
    }
  }
  sandbox = await startSandbox();
  work = await mkdtemp(path.join(tmpdir(), 'md2wx-astro-'));
  site = path.join(work, 'site');
  await cp(SITE, site, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|dist|\.astro|\.md2wx)$/.test(source),
  });
  await mkdir(path.join(site, 'node_modules'));
  await symlink(path.join(repoRoot, 'node_modules/astro'), path.join(site, 'node_modules/astro'), 'dir');
  await symlink(path.join(repoRoot, 'node_modules/@md2wx'), path.join(site, 'node_modules/@md2wx'), 'dir');
});

afterAll(async () => {
  await sandbox?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!requireCorpus())('examples/astro-site built by astro against the sandbox', () => {
  let firstBuild: Map<string, string[]>;

  it('puts every <img> of the built HTML on the sandbox host and uploads each distinct image once', async () => {
    await astroBuild();
    firstBuild = await builtImages();
    const srcs = [...firstBuild.values()].flat();
    // 2 posts × 2 images; the logo is shared.
    expect(srcs).toHaveLength(4);
    for (const src of srcs) expect(new URL(src).origin).toBe(new URL(sandbox.imageHost).origin);
    for (const src of srcs) expect(src).toMatch(/\/mmbiz_(png|jpg)\//);
    expect(uploads()).toBe(3);
    const state = JSON.parse(await readFile(path.join(site, '.md2wx/images.json'), 'utf8'));
    expect(Object.keys(state.entries)).toHaveLength(3);
  });

  it('a second build uploads nothing (the state file is the cache) and keeps the same URLs', async () => {
    const before = uploads();
    await rm(path.join(site, 'dist'), { recursive: true });
    await astroBuild();
    expect(uploads() - before).toBe(0);
    expect(await builtImages()).toEqual(firstBuild);
  });

  it('a changed image uploads exactly 1 image, and only that image’s URL changes', async () => {
    const before = uploads();
    // A real photo (corpus) in place of the example's hero image.
    await copyFile(
      corpusPath('images/orientation/recurser-Landscape_0.jpg'),
      path.join(site, 'src/images/one.jpg'),
    );
    await astroBuild();
    expect(uploads() - before).toBe(1);
    const after = await builtImages();
    const first = after.get(path.join('posts', 'first-post', 'index.html'));
    const oldFirst = firstBuild.get(path.join('posts', 'first-post', 'index.html'));
    expect(first?.[0]).not.toBe(oldFirst?.[0]);
    expect(first?.[1]).toBe(oldFirst?.[1]);
    expect(after.get(path.join('posts', 'second-post', 'index.html'))).toEqual(
      firstBuild.get(path.join('posts', 'second-post', 'index.html')),
    );
  });

  it('with MD2WX_ASTRO_DRAFTS=1 pushes each post as a draft once, then updates only the changed post', async () => {
    const drafts = () => sandbox.inspect().drafts;
    const on = { MD2WX_ASTRO_DRAFTS: '1' };
    const { stdout } = await astroBuild(on);
    expect(stdout).toMatch(/first-post\.md: draft created/);
    expect(
      drafts()
        .map((d) => d.articles[0]?.title)
        .sort(),
    ).toEqual(['First post', 'Second post']);
    const firstDrafts = drafts().map((d) => d.media_id);

    // Nothing changed: nothing pushed.
    const unchanged = await astroBuild(on);
    expect(unchanged.stdout).toMatch(/no post changed since the last push/);

    const post = path.join(site, 'src/pages/posts/second-post.md');
    await writeFile(post, `${await readFile(post, 'utf8')}\nOne more line.\n`);
    const changed = await astroBuild(on);
    expect(changed.stdout).toMatch(/second-post\.md: draft updated/);
    expect(changed.stdout).not.toMatch(/first-post\.md: draft/);
    expect(drafts().map((d) => d.media_id)).toEqual(firstDrafts);
    const second = drafts().find((d) => d.articles[0]?.title === 'Second post');
    expect(String(second?.articles[0]?.content)).toContain('One more line.');
  });
});
