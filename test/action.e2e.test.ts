/**
 * End-to-end: the GitHub Action (`action.yml`) in a blog repository (issue 14). The harness
 * (`support/action-harness.ts`) runs the action's `run:` steps as the runner would, in a temporary git
 * repository that holds only posts and pushes to a bare remote; the CLI is the published `@md2wx/cli` from a
 * local registry (Verdaccio, `support/local-registry.ts`) and talks to a sandbox started here.
 *
 * Needs the packages built (`npm run build`): the registry publishes their `dist/`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT, type SandboxServer, startSandbox } from '@md2wx/sandbox';
import { corpusPath, repoRoot, requireCorpus } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRun, runAction } from './support/action-harness.js';
import { type LocalRegistry, startLocalRegistry } from './support/local-registry.js';

const HELLO = path.join(repoRoot, 'examples/hello');
const STATE = '.md2wx/drafts.json';
const CLI_VERSION: string = JSON.parse(
  await readFile(path.join(repoRoot, 'packages/cli/package.json'), 'utf8'),
).version;

let registry: LocalRegistry;
let work: string;
/** Wall times of the action's steps, printed at the end (milliseconds). */
const timings: string[] = [];

function git(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'user.name=Blog Author', '-c', 'user.email=author@example.com', ...args],
      { cwd },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args.join(' ')} in ${cwd}: ${stderr || error.message}`));
        else resolve(stdout.trim());
      },
    );
  });
}

/** A bare remote and a clone of it (the runner's checkout) holding `files` (path → source file or text). */
async function createBlog(
  name: string,
  files: Record<string, { from: string } | { text: string }>,
): Promise<{ checkout: string; remote: string }> {
  const remote = path.join(work, `${name}.git`);
  const checkout = path.join(work, name);
  await git(work, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
  await git(work, 'clone', '--quiet', remote, checkout);
  await git(checkout, 'checkout', '--quiet', '-B', 'main');
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(checkout, file);
    await mkdir(path.dirname(target), { recursive: true });
    if ('from' in content) await cp(content.from, target, { recursive: true });
    else await writeFile(target, content.text);
  }
  await git(checkout, 'add', '-A');
  await git(checkout, 'commit', '--quiet', '-m', 'posts');
  await git(checkout, 'push', '--quiet', '-u', 'origin', 'main');
  return { checkout, remote };
}

/** A post with a real photo from the corpus as its cover and in its body. */
function photoPost(title: string, image: string): string {
  return `---\ntitle: ${title}\ncover: ${image}\n---\n\n# ${title}\n\nA photo from the corpus:\n\n![photo](${image})\n`;
}

/** The PATH of a runner: this machine's, without the workspace's node_modules/.bin (no md2wx there). */
function runnerPath(): string {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => !dir.includes(`${path.sep}node_modules${path.sep}`))
    .join(path.delimiter);
}

function runBlogAction(
  checkout: string,
  sandbox: SandboxServer,
  before: string,
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  return runAction({
    actionPath: repoRoot,
    workspace: checkout,
    inputs: { 'app-id': DEFAULT_ACCOUNT.appId, 'app-secret': DEFAULT_ACCOUNT.appSecret, ...inputs },
    env: { ...registry.env, PATH: runnerPath(), WECHAT_BASE_URL: sandbox.url },
    github: { event: { before }, ref: 'refs/heads/main' },
  });
}

/** The remote's file at main, parsed. */
async function remoteJson(remote: string, file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await git(remote, 'show', `main:${file}`));
}

function draftsOf(state: Record<string, unknown>): Record<string, { media_id: string; updated_at: string }> {
  return ((state.accounts as Record<string, unknown>)[DEFAULT_ACCOUNT.appId] ?? {}) as Record<
    string,
    { media_id: string; updated_at: string }
  >;
}

/** Why a run failed, for assertion messages. */
function log(run: ActionRun): string {
  return run.steps.map((s) => `## ${s.name}: ${s.outcome}\n${s.stdout}\n${s.stderr}`).join('\n');
}

beforeAll(async () => {
  for (const pkg of ['cli', 'wechat', 'sandbox', 'render', 'images', 'remark-wechat-images']) {
    if (!existsSync(path.join(repoRoot, 'packages', pkg, 'dist/index.js'))) {
      throw new Error(
        `packages/${pkg}/dist is missing: run \`npm run build\` first (the registry publishes dist/)`,
      );
    }
  }
  work = await mkdtemp(path.join(tmpdir(), 'md2wx-action-'));
  registry = await startLocalRegistry();
  await registry.publishWorkspace();
}, 180_000);

afterAll(async () => {
  await registry?.close();
  if (work) await rm(work, { recursive: true, force: true });
  if (timings.length > 0) console.log(`action step wall times:\n  ${timings.join('\n  ')}`);
});

describe.skipIf(!requireCorpus())('action.yml in a blog repository', () => {
  describe('two pushes', () => {
    let sandbox: SandboxServer;
    let blog: { checkout: string; remote: string };
    let first: Record<string, { media_id: string; updated_at: string }>;
    /** State keys by file name. */
    let keys: Record<string, string>;

    beforeAll(async () => {
      sandbox = await startSandbox();
      blog = await createBlog('blog', {
        'posts/hello/post.md': { from: path.join(HELLO, 'post.md') },
        'posts/hello/images': { from: path.join(HELLO, 'images') },
        'posts/photo.md': { text: photoPost('A landscape', 'images/landscape.jpg') },
        'posts/images/landscape.jpg': { from: corpusPath('images/orientation/recurser-Landscape_0.jpg') },
      });
    });
    afterAll(() => sandbox?.close());

    it('first push: installs the @md2wx/cli of the action’s own version, creates the drafts and commits the state', async () => {
      const run = await runBlogAction(blog.checkout, sandbox, '0'.repeat(40));
      expect(run.outcome, log(run)).toBe('success');
      timings.push(
        `first push: install ${run.step('install').durationMs.toFixed(0)} ms (shared npm cache: cold on a clean clone), run ${run.step('run').durationMs.toFixed(0)} ms`,
      );
      expect(run.outputs.version).toBe(CLI_VERSION);
      expect(run.step('install').stdout).toContain(CLI_VERSION);
      expect(run.step('actions/setup-node@v4').outcome).toBe('skipped');

      expect(sandbox.stats().requests['draft/add']).toBe(2);
      const report = JSON.parse(await readFile(run.outputs.report as string, 'utf8'));
      expect(report.posts).toHaveLength(2);
      keys = Object.fromEntries(
        report.posts.map((p: { file: string; key: string }) => [path.basename(p.file), p.key]),
      );
      first = draftsOf(await remoteJson(blog.remote, STATE));
      expect(Object.keys(first).sort()).toEqual([keys['post.md'], keys['photo.md']].sort());
      expect(await git(blog.remote, 'log', '-1', '--format=%an %s', 'main')).toBe(
        'md2wx[bot] md2wx: update WeChat draft state [skip ci]',
      );
      // The image cache is committed too: the next runner starts with it.
      await remoteJson(blog.remote, '.md2wx/images.json');
      for (const post of report.posts) {
        expect(post.draft).toEqual({ action: 'created', media_id: first[post.key]?.media_id, index: 0 });
        expect(run.summary).toContain(
          `| \`${post.key}\` | ${post.title} | created | \`${post.draft.media_id}\` |`,
        );
      }
    }, 300_000);

    it('second push with one post changed updates only that draft and commits the state', async () => {
      const before = await git(blog.checkout, 'rev-parse', 'HEAD');
      await appendFile(path.join(blog.checkout, 'posts/photo.md'), '\nOne more paragraph.\n');
      await git(blog.checkout, 'commit', '--quiet', '-am', 'photo: one more paragraph');
      await git(blog.checkout, 'push', '--quiet');
      const requests = { ...sandbox.stats().requests };
      const uploads = { ...sandbox.stats().uploads };

      const run = await runBlogAction(blog.checkout, sandbox, before);
      expect(run.outcome, log(run)).toBe('success');
      timings.push(
        `second push: install ${run.step('install').durationMs.toFixed(0)} ms (warm npm cache), run ${run.step('run').durationMs.toFixed(0)} ms`,
      );
      const after = sandbox.stats();
      expect(after.requests['draft/add'] ?? 0).toBe(requests['draft/add'] ?? 0);
      expect((after.requests['draft/update'] ?? 0) - (requests['draft/update'] ?? 0)).toBe(1);
      // The photo and the cover come from the committed caches.
      expect(after.uploads).toEqual(uploads);

      const state = draftsOf(await remoteJson(blog.remote, STATE));
      const [hello, photo] = [keys['post.md'] as string, keys['photo.md'] as string];
      expect(state[hello]).toEqual(first[hello]);
      expect(state[photo]?.media_id).toBe(first[photo]?.media_id);
      expect(state[photo]?.updated_at).not.toBe(first[photo]?.updated_at);
      expect(run.summary).toContain(
        `| \`${photo}\` | A landscape | updated | \`${state[photo]?.media_id}\` |`,
      );
      expect(run.summary).not.toContain(hello);
      const draft = sandbox.inspect().drafts.find((d) => d.media_id === state[photo]?.media_id);
      expect(draft?.articles[0]?.content).toContain('One more paragraph.');
    }, 300_000);
  });

  it('refuses a dist-tag or `workspace` as md2wx-version, before installing anything', async () => {
    const sandbox = await startSandbox();
    try {
      const blog = await createBlog('blog-version', {
        'posts/a.md': { text: photoPost('A', 'images/a.jpg') },
        'posts/images/a.jpg': { from: corpusPath('images/orientation/recurser-Portrait_8.jpg') },
      });
      for (const version of ['latest', 'workspace', '^0.1.0']) {
        const run = await runBlogAction(blog.checkout, sandbox, '0'.repeat(40), { 'md2wx-version': version });
        expect(run.step('version')).toMatchObject({ outcome: 'failure', exitCode: 2 });
        expect(run.step('version').stderr).toContain(`md2wx-version must be an exact version of @md2wx/cli`);
        expect(run.step('install').outcome).toBe('skipped');
        expect(run.step('run').outcome).toBe('skipped');
        expect(run.step('Commit the draft state').stdout).toBe('state unchanged\n');
      }
      expect(sandbox.stats().requests).toEqual({});
    } finally {
      await sandbox.close();
    }
  });

  it('a failure on the second post still commits the first post’s draft, and the summary says both', async () => {
    // WeChat's daily draft/add quota runs out after the first draft: the second post gets 45009.
    const sandbox = await startSandbox({ quotas: { 'draft/add': 1 } });
    try {
      const blog = await createBlog('blog-quota', {
        'posts/a-first.md': { text: photoPost('First', 'images/one.jpg') },
        'posts/b-second.md': { text: photoPost('Second', 'images/two.jpg') },
        'posts/images/one.jpg': { from: corpusPath('images/orientation/recurser-Portrait_6.jpg') },
        'posts/images/two.jpg': { from: corpusPath('images/photos/canon-sx60_orient6.jpg') },
      });
      const run = await runBlogAction(blog.checkout, sandbox, '0'.repeat(40));
      expect(run.outcome).toBe('failure');
      expect(run.step('run').outcome).toBe('failure');
      expect(run.step('run').exitCode).toBe(3);
      expect(run.step('Commit the draft state').outcome, log(run)).toBe('success');

      // Only the first post has a draft, and the commit step pushed it.
      const state = draftsOf(await remoteJson(blog.remote, STATE));
      const saved = Object.entries(state);
      expect(saved).toHaveLength(1);
      const [key, entry] = saved[0] as [string, { media_id: string; title?: string }];
      expect(key).toMatch(/a-first/);
      expect(sandbox.inspect().drafts.map((d) => d.media_id)).toEqual([entry.media_id]);
      expect(run.summary).toMatch(/md2wx failed\*\* \(exit 3\): errcode 45009/);
      expect(run.summary).toContain(`| \`${key}\` | First | created | \`${entry.media_id}\` |`);
    } finally {
      await sandbox.close();
    }
  }, 300_000);
});
