/**
 * End-to-end: the md2wx CLI as a subprocess against a sandbox started here (issue 9, "Done when").
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lint } from '@md2wx/render';
import { DEFAULT_ACCOUNT, DEFAULT_WECOM_APP, type SandboxServer } from '@md2wx/sandbox';
import { corpusDir, corpusPath, repoRoot, requireCorpus } from '@md2wx/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, cliCommand, mediaIds, runCli } from './cli-runner.js';
import { type CorpusPost, corpusPosts } from './corpus-posts.js';
import { useSandbox } from './support/e2e-sandbox.js';

const e2e = useSandbox({ publishDelayMs: 50 }, { prefix: 'md2wx-e2e-' });
let sandbox: SandboxServer;
let work: string;
let env: Record<string, string>;
const client = () => e2e.client();
const uploads = () => e2e.uploads();
const HELLO = path.join(repoRoot, 'examples/hello/post.md');
const COVER = path.join(repoRoot, 'examples/hello/images/dusk.jpg');

beforeAll(() => {
  ({ sandbox, work } = e2e);
  env = e2e.env();
});

/** Fenced ```mermaid blocks of a post (not those shown inside another fence). */
function mermaidBlocks(markdown: string): number {
  let fence: string | undefined;
  let count = 0;
  for (const line of markdown.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})\s*(\S*)/.exec(line);
    if (!m) continue;
    const marker = m[1] as string;
    if (fence === undefined) {
      fence = marker;
      if (m[2]?.toLowerCase() === 'mermaid') count++;
    } else if (marker[0] === fence[0] && marker.length >= fence.length && !m[2]) fence = undefined;
  }
  return count;
}

/** Every <img src> of an HTML fragment. */
function imageSrcs(html: string): string[] {
  return [...html.matchAll(/<img\b[^>]*\bsrc="([^"]*)"/g)].map((m) => m[1] as string);
}

describe('md2wx CLI basics', () => {
  it('prints help with every command and the exit codes', async () => {
    const result = await runCli(['--help'], { cwd: work });
    expect(result.code).toBe(0);
    for (const command of [
      'lint',
      'preview',
      'upload',
      'materials',
      'drafts',
      'media',
      'token',
      'sandbox',
      'send',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(result.stdout).toMatch(/4 {2}configuration/);
    const sub = await runCli(['drafts', 'list', '--help'], { cwd: work });
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/draft\/batchget/);
  });

  it('exits 2 on usage errors and 4 when --draft has no credentials', async () => {
    expect((await runCli(['--no-such-flag'], { cwd: work })).code).toBe(2);
    expect((await runCli(['missing.md'], { cwd: work })).code).toBe(2);
    const noCreds = await runCli([HELLO, '--draft', '--no-write'], { cwd: work });
    expect(noCreds.code).toBe(4);
    expect(noCreds.stderr).toMatch(/WECHAT_APP_ID is not set/);
  });

  it('without credentials writes a preview with local compressed images and says how to add credentials', async () => {
    const out = path.join(work, 'nocreds');
    const result = await runCli([HELLO, '--out-dir', out], { cwd: repoRoot });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/No WeChat credentials: set WECHAT_APP_ID and WECHAT_APP_SECRET/);
    const preview = await readFile(path.join(out, 'examples/hello/post.preview.html'), 'utf8');
    const srcs = imageSrcs(preview);
    expect(srcs).toHaveLength(3);
    for (const src of srcs) expect(src).toMatch(/^post\.images\/[0-9a-f]+\.(jpg|png|gif)$/);
    const jpg = srcs.find((s) => s.endsWith('.jpg')) as string;
    const bytes = (await readFile(path.join(out, 'examples/hello', jpg))).length;
    expect(bytes).toBeLessThan(1024 * 1024);
  });
});

describe('quick start: examples/hello with the in-process sandbox', () => {
  it('the example post lints clean (no MUST, no SHOULD)', async () => {
    const result = await runCli(['lint', 'examples/hello/post.md', '--json'], { cwd: repoRoot });
    expect(result.code, result.stdout).toBe(0);
    expect(JSON.parse(result.stdout).posts[0].diagnostics).toEqual([]);
  });

  it('pushes a draft and prints its media_id and where the HTML and preview are', async () => {
    const out = path.join(work, 'quick');
    const result = await runCli(['examples/hello/post.md', '--sandbox', '--draft', '--out-dir', out], {
      cwd: repoRoot,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(mediaIds(result.stdout)).toHaveLength(1);
    expect(result.stderr).toMatch(/html +.*post\.wechat\.html/);
    expect(result.stderr).toMatch(/preview +.*post\.preview\.html/);
    const html = await readFile(path.join(out, 'examples/hello/post.wechat.html'), 'utf8');
    const srcs = imageSrcs(html);
    expect(srcs).toHaveLength(3);
    for (const src of srcs) expect(src).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mmbiz_(png|jpg|jpeg|gif)\//);
    expect(srcs.some((s) => s.includes('/mmbiz_gif/'))).toBe(true);
    // The sandbox is gone with the run: the preview page shows local copies of the uploaded images.
    const preview = await readFile(path.join(out, 'examples/hello/post.preview.html'), 'utf8');
    const local = imageSrcs(preview);
    expect(local).toHaveLength(3);
    for (const src of local) {
      expect(src).toMatch(/^post\.images\/[0-9a-f]{16}\.(jpg|png|gif)$/);
      expect((await readFile(path.join(out, 'examples/hello', src))).length).toBeGreaterThan(0);
    }
  });
});

/**
 * Real posts whose own front matter WeChat would refuse, with the flag their author passes instead (md2wx never
 * truncates or drops a field silently). Keyed by path under the corpus.
 */
const FRONT_MATTER_FIXES: Record<string, { args: string[]; reason: RegExp; why: string }> = {
  'markdown/pingcap-blog-cn/chaos-mesh.md': {
    args: ['--title', 'Chaos Mesh：让应用跟混沌在 K8s 上共舞'],
    reason: /chaos-mesh\.md:\d+: title is 35 characters; WeChat allows at most 32/,
    why: 'its title is 35 characters; WeChat allows 32',
  },
  'markdown/sofastack.tech/content/zh/blog/spring-boot-sofa-boot-class-isolation-integration/index.md': {
    args: ['--cover-fallback'],
    reason: /index\.md:\d+: cover \/cover\.jpg: .*(not found|no such file)/i,
    why: 'its front-matter cover is the site-absolute /cover.jpg, which the repository does not hold',
  },
};

describe.skipIf(!requireCorpus())('corpus posts with local or data: images, as drafts in the sandbox', () => {
  const all = requireCorpus() ? corpusPosts(corpusDir()) : [];
  const eligible = all.filter((p) => p.remote.length === 0 && p.missing.length === 0);
  const drafts = new Map<string, string>();
  const state = () => path.join(work, 'corpus', '.md2wx', 'drafts.json');
  const nameOf = (post: CorpusPost) => path.relative(corpusDir(), post.file).split(path.sep).join('/');
  const baseArgs = (post: CorpusPost) => [
    post.file,
    '--draft',
    '--out-dir',
    path.join(work, 'corpus', 'out'),
    '--root-dir',
    path.join(corpusDir(), 'markdown'),
    '--state-file',
    state(),
    '--cache-dir',
    path.join(work, 'corpus', 'cache'),
    // Posts without any image (and no front-matter cover) need a cover from somewhere.
    ...(post.images.length === 0 ? ['--cover', COVER] : []),
  ];
  const args = (post: CorpusPost) => [...baseArgs(post), ...(FRONT_MATTER_FIXES[nameOf(post)]?.args ?? [])];

  it('finds the eligible posts, and every post listed with a front-matter fix among them', () => {
    expect(eligible.length).toBeGreaterThanOrEqual(10);
    for (const name of Object.keys(FRONT_MATTER_FIXES)) expect(eligible.map(nameOf), name).toContain(name);
  });

  it('without its flag, each listed post is refused for its reason before anything is uploaded', async () => {
    for (const post of eligible.filter((p) => FRONT_MATTER_FIXES[nameOf(p)])) {
      const fix = FRONT_MATTER_FIXES[nameOf(post)] as (typeof FRONT_MATTER_FIXES)[string];
      const before = { uploads: uploads(), drafts: sandbox.stats().drafts };
      const result = await runCli(baseArgs(post), { cwd: work, env });
      expect(result.code, `${nameOf(post)}: ${result.stderr}`).toBe(1);
      expect(result.stderr, `${nameOf(post)} (${fix.why})`).toMatch(fix.reason);
      expect(uploads(), `${nameOf(post)} uploaded nothing`).toBe(before.uploads);
      expect(sandbox.stats().drafts, `${nameOf(post)} pushed nothing`).toBe(before.drafts);
    }
  }, 120_000);

  /**
   * The CLI runs that draft `posts`: one run (with --json) for the posts without a front-matter fix and with
   * images, one for those that need `--cover`, and one per post with a fix (its own flag, and its stderr is
   * what the test reads). The test is about each post's draft, not about one process per post.
   */
  function runsOf(posts: CorpusPost[]): Array<{ posts: CorpusPost[]; json: boolean }> {
    const fixed = posts.filter((p) => FRONT_MATTER_FIXES[nameOf(p)]);
    const batched = posts.filter((p) => !FRONT_MATTER_FIXES[nameOf(p)]);
    const batches = [
      batched.filter((p) => p.images.length > 0),
      batched.filter((p) => p.images.length === 0),
    ];
    return [
      ...batches.filter((b) => b.length > 0).map((b) => ({ posts: b, json: true })),
      ...fixed.map((p) => ({ posts: [p], json: false })),
    ];
  }
  const runArgs = (run: { posts: CorpusPost[]; json: boolean }) => {
    const [first] = run.posts as [CorpusPost];
    const shared = args(first).slice(1);
    return [...run.posts.map((p) => p.file), ...shared, ...(run.json ? ['--json'] : [])];
  };
  /** The part of a `--json` run report's `posts` this test reads (the CLI's RunReport). */
  interface PostReport {
    file: string;
    draft?: { media_id: string; action: string };
    error?: { message: string; exitCode: number };
  }
  interface Drafted {
    post: CorpusPost;
    media_id?: string;
    action?: string;
    failure?: string;
  }
  /** Each post's draft from one run: from the --json report, or from stdout's `media_id` line. */
  function draftedBy(run: { posts: CorpusPost[]; json: boolean }, result: CliResult): Drafted[] {
    if (!run.json) {
      const [post] = run.posts as [CorpusPost];
      if (result.code !== 0) return [{ post, failure: `exit ${result.code}: ${result.stderr.trim()}` }];
      return [
        {
          post,
          media_id: mediaIds(result.stdout)[0],
          action: /draft updated/.test(result.stderr) ? 'updated' : 'other',
        },
      ];
    }
    let report: { posts?: PostReport[] } = {};
    try {
      report = JSON.parse(result.stdout);
    } catch {
      // Not a report (the run failed as a whole): each post's failure below carries the output.
    }
    return run.posts.map((post) => {
      const entry = report.posts?.find((r) => r.file === post.file);
      if (!entry)
        return { post, failure: `exit ${result.code}, not in the report: ${result.stdout}${result.stderr}` };
      if (entry.error) return { post, failure: `exit ${entry.error.exitCode}: ${entry.error.message}` };
      return { post, media_id: entry.draft?.media_id, action: entry.draft?.action };
    });
  }

  /** First and second run over `posts` (with diagrams or without). */
  function draftsOf(posts: CorpusPost[]): void {
    it('first run: every post yields a draft whose content lints clean with every image on the sandbox host', async () => {
      const failed: string[] = [];
      for (const run of runsOf(posts)) {
        const result = await runCli(runArgs(run), { cwd: work, env });
        for (const { post, media_id, failure } of draftedBy(run, result)) {
          const name = nameOf(post);
          if (failure) {
            failed.push(`${name} (${failure})`);
            continue;
          }
          expect(media_id, name).toBeDefined();
          const draft = await client().getDraft(media_id as string);
          const article = draft.news_item[0];
          const content = article?.content ?? '';
          for (const src of imageSrcs(content))
            expect(src.startsWith(`${sandbox.imageHost}/`), `${name}: ${src}`).toBe(true);
          // Mermaid blocks are drawn and uploaded as images too.
          const diagrams = mermaidBlocks(readFileSync(post.file, 'utf8'));
          expect(imageSrcs(content).length, name).toBe(post.local.length + post.data + diagrams);
          const must = lint(content, { imageHosts: [`${sandbox.imageHost}/`] }).filter(
            (m) => m.fatal === true,
          );
          expect(must, `${name}: ${JSON.stringify(must)}`).toEqual([]);
          const fix = FRONT_MATTER_FIXES[name];
          const title = fix?.args[fix.args.indexOf('--title') + 1];
          if (fix?.args.includes('--title')) expect(article?.title, name).toBe(title);
          if (fix?.args.includes('--cover-fallback'))
            expect(result.stderr, name).toMatch(
              /front-matter cover \/cover\.jpg is missing .*--cover-fallback/,
            );
          drafts.set(post.file, media_id as string);
        }
      }
      console.info(
        `e2e: ${posts.filter((p) => drafts.has(p.file)).length} of ${posts.length} corpus posts drafted in ${runsOf(posts).length} CLI runs (front-matter fixes: ${Object.entries(
          FRONT_MATTER_FIXES,
        )
          .map(([name, fix]) => `${path.basename(name)} ${fix.args.join(' ')}`)
          .join('; ')})`,
      );
      expect(failed, failed.join('\n\n')).toEqual([]);
      expect(posts.filter((p) => drafts.has(p.file)).length).toBe(posts.length);
    }, 600_000);

    it('second run: updates the same drafts and uploads nothing', async () => {
      const drafted = posts.filter((p) => drafts.has(p.file));
      expect(drafted.length).toBe(posts.length);
      const before = { uploads: uploads(), drafts: sandbox.stats().drafts };
      for (const run of runsOf(drafted)) {
        const result = await runCli(runArgs(run), { cwd: work, env });
        expect(result.code, result.stderr).toBe(0);
        for (const { post, media_id, action, failure } of draftedBy(run, result)) {
          expect(failure, nameOf(post)).toBeUndefined();
          expect(media_id, nameOf(post)).toBe(drafts.get(post.file));
          expect(action, `${nameOf(post)}: draft updated`).toBe('updated');
        }
      }
      expect(uploads()).toBe(before.uploads);
      expect(sandbox.stats().drafts).toBe(before.drafts);
      // The state file holds every post drafted so far (this group's and any group before it), no other.
      const saved = JSON.parse(await readFile(state(), 'utf8'));
      expect(Object.keys(saved.accounts[DEFAULT_ACCOUNT.appId])).toHaveLength(drafts.size);
    }, 600_000);
  }

  const withDiagrams = eligible.filter((p) => mermaidBlocks(readFileSync(p.file, 'utf8')) > 0);
  describe('posts without mermaid diagrams', () => {
    draftsOf(eligible.filter((p) => !withDiagrams.includes(p)));
  });
  describe.skipIf(withDiagrams.length === 0)('posts with mermaid diagrams', { tags: ['chromium'] }, () => {
    draftsOf(withDiagrams);
  });

  it('a post with a broken image exits 1, names the image with file:line, and uploads nothing', async () => {
    const post = corpusPath('markdown/pingcap-blog-cn/tifs-can-save-data-but-not-files.md');
    const before = { uploads: uploads(), drafts: sandbox.stats().drafts };
    const result = await runCli(
      [post, '--out-dir', path.join(work, 'broken'), '--root-dir', path.join(corpusDir(), 'markdown')],
      { cwd: work, env },
    );
    expect(result.code).toBe(1);
    const missing = all.find((p) => p.file === post)?.missing[0] as string;
    const source = await readFile(post, 'utf8');
    const line = source.split('\n').findIndex((l) => l.includes(missing)) + 1;
    expect(result.stderr).toContain(`tifs-can-save-data-but-not-files.md:${line}`);
    expect(result.stderr).toContain(missing);
    expect(uploads()).toBe(before.uploads);
    expect(sandbox.stats().drafts).toBe(before.drafts);
  });
});

describe('refusals before any upload', () => {
  it('a corrupt image in a post with --draft: exit 1 naming file:line, nothing uploaded or pushed', async () => {
    const dir = path.join(work, 'corrupt');
    await mkdir(dir, { recursive: true });
    await copyFile(path.join(repoRoot, 'examples/hello/images/pipeline.png'), path.join(dir, 'ok.png'));
    await writeFile(path.join(dir, 'bad.png'), Buffer.from('89504e470d0a1a0a0000', 'hex'));
    await writeFile(
      path.join(dir, 'post.md'),
      '---\ntitle: Broken\n---\n\n![ok](ok.png)\n\nText.\n\n![bad](bad.png)\n',
    );
    const before = { uploads: uploads(), drafts: sandbox.stats().drafts };
    const result = await runCli(['post.md', '--draft', '--no-write'], { cwd: dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/post\.md:9(:\d+)?.*bad\.png/);
    expect(uploads()).toBe(before.uploads);
    expect(sandbox.stats().drafts).toBe(before.drafts);
  });

  it('a title over 32 characters is refused before any upload, naming file and line', async () => {
    const dir = path.join(work, 'long-title');
    await mkdir(dir, { recursive: true });
    await copyFile(COVER, path.join(dir, 'cover.jpg'));
    await writeFile(
      path.join(dir, 'post.md'),
      '---\nauthor: me\ntitle: 这是一个非常非常长的标题它一共有超过三十二个汉字所以微信会拒绝它的呀\n---\n\n![c](cover.jpg)\n',
    );
    const before = uploads();
    const result = await runCli(['post.md', '--draft'], { cwd: dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/post\.md:3: title is 3\d characters; WeChat allows at most 32/);
    expect(uploads()).toBe(before);
  });

  it('--title takes one post only (exit 2); --cover-fallback with nothing to fall back on still refuses', async () => {
    const dir = path.join(work, 'fallback');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'a.md'), '---\ntitle: A\ncover: /gone.jpg\n---\n\nNo image.\n');
    await writeFile(path.join(dir, 'b.md'), '# B\n\nText.\n');
    const before = { uploads: uploads(), drafts: sandbox.stats().drafts };
    const two = await runCli(['a.md', 'b.md', '--draft', '--title', 'T'], { cwd: dir, env });
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/--title gives one post its title, but 2 posts were given/);
    const nothing = await runCli(['a.md', '--draft', '--cover-fallback', '--no-write'], { cwd: dir, env });
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/a\.md:3: cover \/gone\.jpg: .*--cover-fallback found no other cover/);
    expect(uploads()).toBe(before.uploads);
    expect(sandbox.stats().drafts).toBe(before.drafts);
    const withCover = await runCli(['a.md', '--draft', '--cover-fallback', '--cover', COVER, '--no-write'], {
      cwd: dir,
      env,
    });
    expect(withCover.code, withCover.stderr).toBe(0);
    expect(withCover.stderr).toMatch(
      /front-matter cover \/gone\.jpg is missing \(not-found\); using .*dusk\.jpg/,
    );
  });

  it('a post without any image or cover is refused with what to do', async () => {
    const dir = path.join(work, 'no-cover');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'post.md'), '# Just text\n\nNo image here.\n');
    const result = await runCli(['post.md', '--draft'], { cwd: dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no cover: add `cover: .*--cover <image>/);
  });
});

describe('drafts, bundles, publishing and the other commands', () => {
  it('--bundle puts several posts into one draft; --json reports it', async () => {
    const dir = path.join(work, 'bundle');
    await mkdir(dir, { recursive: true });
    await copyFile(COVER, path.join(dir, 'cover.jpg'));
    await writeFile(path.join(dir, 'a.md'), '---\ntitle: A\ncover: cover.jpg\n---\n\nAlpha.\n');
    await writeFile(path.join(dir, 'b.md'), '---\ntitle: B\ncover: cover.jpg\n---\n\nBeta.\n');
    const result = await runCli(['a.md', 'b.md', '--bundle', '--json', '--no-write'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.mode).toBe('draft');
    expect(report.posts).toHaveLength(2);
    const ids = new Set(report.posts.map((p: { draft: { media_id: string } }) => p.draft.media_id));
    expect(ids.size).toBe(1);
    const draft = await client().getDraft([...ids][0] as string);
    expect(draft.news_item.map((n) => n.title)).toEqual(['A', 'B']);
    // One cover upload for both posts: the dedupe cache knows the second.
    expect(report.posts.map((p: { cover: { cached: boolean } }) => p.cover.cached)).toEqual([false, true]);
  });

  it('re-creates a draft deleted in WeChat and updates the state file', async () => {
    const dir = path.join(work, 'recreate');
    await mkdir(dir, { recursive: true });
    await copyFile(COVER, path.join(dir, 'cover.jpg'));
    await writeFile(
      path.join(dir, 'r.md'),
      '---\ntitle: Again\ncover: cover.jpg\nwechat_id: again-1\n---\n\nText.\n',
    );
    const first = await runCli(['r.md', '--draft', '--no-write'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    const [id] = mediaIds(first.stdout);
    await client().deleteDraft(id as string);
    const second = await runCli(['r.md', '--draft', '--no-write'], { cwd: dir, env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/draft recreated/);
    const [newId] = mediaIds(second.stdout);
    expect(newId).not.toBe(id);
    const state = JSON.parse(await readFile(path.join(dir, '.md2wx/drafts.json'), 'utf8'));
    expect(state.accounts[DEFAULT_ACCOUNT.appId]['wechat_id:again-1'].media_id).toBe(newId);
  });

  it('--publish drafts, publishes and prints the article URL; drafts list/get/delete work', async () => {
    const dir = path.join(work, 'publish');
    await mkdir(dir, { recursive: true });
    await copyFile(COVER, path.join(dir, 'cover.jpg'));
    await writeFile(path.join(dir, 'p.md'), '---\ntitle: Published\ncover: cover.jpg\n---\n\nHello world.\n');
    const result = await runCli(['p.md', '--publish', '--no-write'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^https?:\/\/\S+$/m);

    await writeFile(path.join(dir, 'q.md'), '---\ntitle: Kept\ncover: cover.jpg\n---\n\nDraft only.\n');
    const drafted = await runCli(['q.md', '--draft', '--no-write'], { cwd: dir, env });
    const [id] = mediaIds(drafted.stdout);
    const list = await runCli(['drafts', 'list'], { cwd: dir, env });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(id);
    const got = await runCli(['drafts', 'get', id as string, '--json'], { cwd: dir, env });
    expect(JSON.parse(got.stdout).news_item[0].title).toBe('Kept');
    const deleted = await runCli(['drafts', 'delete', id as string], { cwd: dir, env });
    expect(deleted.code).toBe(0);
    const state = JSON.parse(await readFile(path.join(dir, '.md2wx/drafts.json'), 'utf8'));
    expect(state.accounts[DEFAULT_ACCOUNT.appId]['q.md']).toBeUndefined();
    const again = await runCli(['drafts', 'get', id as string], { cwd: dir, env });
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/errcode 40007/);
  });

  it('token shows status only, the token with --reveal; upload prints a sandbox URL; materials count', async () => {
    const token = await runCli(['token'], { cwd: work, env });
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toBe('');
    expect(token.stderr).toMatch(/access_token ok for wx5a1dbox0000000001/);
    const revealed = await runCli(['token', '--reveal'], { cwd: work, env });
    expect(revealed.stdout.trim().length).toBeGreaterThan(10);
    expect(token.stderr).not.toContain(revealed.stdout.trim());

    const upload = await runCli(['upload', COVER], { cwd: work, env });
    expect(upload.code, upload.stderr).toBe(0);
    expect(upload.stdout).toMatch(new RegExp(`\\t${sandbox.imageHost}/mmbiz_jpg/`));
    const count = await runCli(['materials', 'count', '--json'], { cwd: work, env });
    expect(count.code, count.stderr).toBe(0);
    expect(JSON.parse(count.stdout).image_count).toBeGreaterThan(0);
  });

  it('a WeChat error exits 3 with errcode and hint', async () => {
    // A fresh cache: the token store of earlier runs would still hold a valid token for this appId.
    const result = await runCli(['token', '--cache-dir', path.join(work, 'fresh-cache')], {
      cwd: work,
      env: { ...env, WECHAT_APP_SECRET: 'wrong-secret' },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/errcode 40\d\d\d/);
    expect(result.stderr).not.toContain('wrong-secret');
  });
});

describe('CI: --changed-since with globs', () => {
  it('handles only the posts changed since a git ref', async () => {
    const repo = path.join(work, 'blog');
    await mkdir(path.join(repo, 'posts'), { recursive: true });
    await copyFile(COVER, path.join(repo, 'posts', 'cover.jpg'));
    const post = (title: string) => `---\ntitle: ${title}\ncover: cover.jpg\n---\n\n${title} text.\n`;
    await writeFile(path.join(repo, 'posts', 'old.md'), post('Old'));
    await writeFile(path.join(repo, 'posts', 'changed.md'), post('Changed'));
    const git = (...args: string[]) =>
      new Promise<void>((resolve, reject) =>
        execFile('git', args, { cwd: repo }, (error) => (error ? reject(error) : resolve())),
      );
    await git('init', '-q');
    await git('-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.');
    await git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'first');
    await writeFile(path.join(repo, 'posts', 'changed.md'), post('Changed again'));
    await writeFile(path.join(repo, 'posts', 'new.md'), post('New'));
    const result = await runCli(
      ['--changed-since', 'HEAD', 'posts/**/*.md', '--draft', '--json', '--no-write'],
      {
        cwd: repo,
        env,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const titles = JSON.parse(result.stdout).posts.map((p: { title: string }) => p.title);
    expect(titles.sort()).toEqual(['Changed again', 'New']);
    const state = JSON.parse(await readFile(path.join(repo, '.md2wx/drafts.json'), 'utf8'));
    expect(Object.keys(state.accounts[DEFAULT_ACCOUNT.appId]).sort()).toEqual([
      'posts/changed.md',
      'posts/new.md',
    ]);

    const none = await runCli(['--changed-since', 'HEAD', 'posts/nothing-*.md', '--draft'], {
      cwd: repo,
      env,
    });
    expect(none.code).toBe(0);
    const badRef = await runCli(['--changed-since', 'no-such-ref', 'posts/**/*.md'], { cwd: repo, env });
    expect(badRef.code).toBe(2);
    expect(badRef.stderr).toMatch(/--changed-since no-such-ref: git failed/);
  });
});

describe('WeCom: md2wx send', () => {
  it('sends a post as mpnews with its images on WeCom', async () => {
    const wecomEnv = {
      WECOM_CORP_ID: DEFAULT_WECOM_APP.corpId,
      WECOM_CORP_SECRET: DEFAULT_WECOM_APP.corpSecret,
      WECOM_AGENT_ID: String(DEFAULT_WECOM_APP.agentId),
      WECOM_BASE_URL: sandbox.wecomUrl,
    };
    const dir = path.join(work, 'wecom');
    await mkdir(dir, { recursive: true });
    await copyFile(path.join(repoRoot, 'examples/hello/images/pipeline.png'), path.join(dir, 'diagram.png'));
    await writeFile(
      path.join(dir, 'memo.md'),
      '---\ntitle: 周报\n---\n\n本周进展：\n\n![diagram](diagram.png)\n',
    );
    const before = sandbox.stats();
    const result = await runCli(['send', 'memo.md', '--to', 'zhangsan|nobody'], { cwd: dir, env: wecomEnv });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^msgid \S+/m);
    // WeChat sends to the valid recipients and names the others.
    expect(result.stderr).toMatch(/invalid users: nobody/);
    const after = sandbox.stats();
    expect(after.messagesSent).toBe((before.messagesSent as number) + 1);
    expect(after.uploads['wecom/media/uploadimg'] ?? 0).toBeGreaterThan(
      before.uploads['wecom/media/uploadimg'] ?? 0,
    );
  });
});

describe('materials and temporary media', () => {
  it('media upload/get and materials list/get/delete round-trip through the sandbox', async () => {
    const dir = path.join(work, 'media');
    await mkdir(dir, { recursive: true });
    const png = path.join(repoRoot, 'examples/hello/images/pipeline.png');
    const uploaded = await runCli(['media', 'upload', png, '--type', 'image'], { cwd: dir, env });
    expect(uploaded.code, uploaded.stderr).toBe(0);
    const mediaId = uploaded.stdout.trim();
    const got = await runCli(['media', 'get', '-o', 'copy.png', '--', mediaId], { cwd: dir, env });
    expect(got.code, got.stderr).toBe(0);
    expect(await readFile(path.join(dir, 'copy.png'))).toEqual(await readFile(png));

    const material = await client().addMaterial({ type: 'image', file: png, filename: 'm.png' });
    const list = await runCli(['materials', 'list', '--type', 'image', '--count', '20', '--json'], {
      cwd: dir,
      env,
    });
    expect(list.code, list.stderr).toBe(0);
    const page = JSON.parse(list.stdout) as { total_count: number; item: Array<{ media_id: string }> };
    expect(page.total_count).toBeGreaterThan(0);
    const fetched = await runCli(['materials', 'get', '--output', 'm.png', '--', material.media_id], {
      cwd: dir,
      env,
    });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(await readFile(path.join(dir, 'm.png'))).toEqual(await readFile(png));
    const deleted = await runCli(['materials', 'delete', '--', material.media_id], { cwd: dir, env });
    expect(deleted.code, deleted.stderr).toBe(0);
    const gone = await runCli(['materials', 'get', '--', material.media_id], { cwd: dir, env });
    expect(gone.code).toBe(3);
  });
});

describe('md2wx sandbox', () => {
  it('serves the fake WeChat until interrupted, printing its URL and test credentials', async () => {
    const child = spawn(process.execPath, [...cliCommand(), 'sandbox'], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', CI: '1', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /^WECHAT_BASE_URL=(\S+)$/m.exec(out);
        if (match && /^WECOM_AGENT_ID=/m.test(out)) resolve(match[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`sandbox exited early (${code}): ${out}`)));
    });
    expect(out).toContain(`WECHAT_APP_ID=${DEFAULT_ACCOUNT.appId}`);
    const token = await fetch(
      `${url}/cgi-bin/token?grant_type=client_credential&appid=${DEFAULT_ACCOUNT.appId}&secret=${DEFAULT_ACCOUNT.appSecret}`,
    );
    expect((await token.json()) as { access_token?: string }).toHaveProperty('access_token');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
