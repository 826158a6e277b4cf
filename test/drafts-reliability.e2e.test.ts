/**
 * Issue 19, items 1–3 and the batch behaviour: drafts never lost or duplicated, covers reconciled, one post's
 * fault never fails the others. CLI processes against a sandbox steered through its control API.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_ACCOUNT, type SandboxServer, startSandbox } from '@md2wx/sandbox';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { mediaIds, runCli } from './cli-runner.js';
import { useSandbox } from './support/e2e-sandbox.js';

const FLAG = 'images/png/sharp-flag-nl-16bit.png';
/** A 36 KB JPEG: these tests are about drafts, not image work, so the photo is cheap to compress. */
const PHOTO = 'images/special/progressive-small-nikon.jpeg';

// One sandbox for the file, reset before each test (every test counts drafts and uploads from zero).
const e2e = useSandbox({}, { fresh: 'each', prefix: 'md2wx-reliability-' });
let sandbox: SandboxServer;
let dir: string;
let env: Record<string, string>;

beforeEach(async () => {
  sandbox = e2e.sandbox;
  dir = await mkdtemp(path.join(e2e.work, 'test-'));
  env = e2e.env();
});

/** `n` posts `posts/pNN.md` sharing a cover (the flag) and a photo, from the corpus. */
async function writePosts(n: number): Promise<string[]> {
  await mkdir(path.join(dir, 'posts', 'images'), { recursive: true });
  await copyFile(corpusPath(FLAG), path.join(dir, 'posts/images/flag.png'));
  await copyFile(corpusPath(PHOTO), path.join(dir, 'posts/images/photo.jpg'));
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `posts/p${String(i).padStart(2, '0')}.md`;
    await writeFile(
      path.join(dir, name),
      `---\ntitle: Post ${i}\ncover: images/flag.png\n---\n\nPost ${i} text.\n\n![photo](images/photo.jpg)\n`,
    );
    files.push(name);
  }
  return files;
}

async function control(method: string, route: string, body?: unknown): Promise<unknown> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = JSON.stringify(body);
  return (await fetch(`${sandbox.controlUrl}${route}`, init)).json();
}

/** Drafts in the sandbox per post marker-free title. */
function draftsByTitle(): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of sandbox.inspect().drafts) {
    const title = String(d.articles[0]?.title);
    out.set(title, (out.get(title) ?? 0) + 1);
  }
  return out;
}

describe.skipIf(!requireCorpus())('drafts never lost or duplicated (issue 19)', () => {
  it('6 processes in one directory keep 6 entries in drafts.json; the next parallel run updates all 6', async () => {
    const files = await writePosts(6);
    const args = (file: string) => [file, '--draft', '--no-write', '--no-progress'];
    const first = await Promise.all(files.map((file) => runCli(args(file), { cwd: dir, env })));
    for (const r of first) expect(r.code, r.stderr).toBe(0);
    const state = JSON.parse(await readFile(path.join(dir, '.md2wx/drafts.json'), 'utf8'));
    expect(Object.keys(state.accounts[DEFAULT_ACCOUNT.appId]).sort()).toEqual(files);
    const again = await Promise.all(files.map((file) => runCli(args(file), { cwd: dir, env })));
    for (const r of again) expect(r.stdout + r.stderr).toMatch(/draft updated/);
    expect(sandbox.stats().drafts).toBe(6);
    // The cover is one material for all 6 posts, the photo one uploadimg: the cache is shared too.
    expect(sandbox.stats().uploads['material/add_material']).toBe(1);
  }, 240_000);

  it('a draft/add whose answer is lost is found in the draft box, not added again — also with the state file gone', async () => {
    const files = await writePosts(2);
    await control('POST', '/faults', { endpoints: { 'draft/add': { dropAnswerRate: 1 } } });
    const run = await runCli([...files, '--draft', '--no-write', '--json'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.failed).toBe(0);
    expect(report.posts.map((p: { draft: { reconciled?: boolean } }) => p.draft.reconciled)).toEqual([
      true,
      true,
    ]);
    expect(draftsByTitle()).toEqual(
      new Map([
        ['Post 0', 1],
        ['Post 1', 1],
      ]),
    );

    // A runner whose state file was never committed still finds both drafts and updates them.
    await rm(path.join(dir, '.md2wx/drafts.json'));
    await control('PUT', '/faults', {});
    const rerun = await runCli([...files, '--draft', '--no-write'], { cwd: dir, env });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout + rerun.stderr).toMatch(/draft updated \(found in the draft box\)/);
    expect(new Set(mediaIds(rerun.stdout))).toEqual(
      new Set(report.posts.map((p: { draft: { media_id: string } }) => p.draft.media_id)),
    );
    expect(draftsByTitle()).toEqual(
      new Map([
        ['Post 0', 1],
        ['Post 1', 1],
      ]),
    );
  }, 120_000);

  it('a cover upload whose answer is lost or that meets a 502 is reconciled by name: 1 material, every post drafted', async () => {
    const files = await writePosts(3);
    await control('POST', '/faults', { endpoints: { 'material/add_material': { dropAnswerRate: 1 } } });
    const run = await runCli([...files, '--draft', '--no-write'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(sandbox.stats().drafts).toBe(3);
    expect(sandbox.stats().uploads['material/add_material']).toBe(1);
    expect(sandbox.inspect().materials).toHaveLength(1);

    await rm(path.join(dir, '.md2wx'), { recursive: true });
    sandbox.reset();
    await control('PUT', '/faults', { endpoints: { 'material/add_material': { http5xxRate: 0.5 } } });
    const again = await runCli([...files, '--draft', '--no-write'], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    expect(sandbox.stats().drafts).toBe(3);
  }, 120_000);

  it('one post meeting 45009 fails alone: the others are drafted, each is reported, exit 3', async () => {
    // Its own sandbox: the quota is an option of the server, which a reset keeps.
    sandbox = await startSandbox({ quotas: { 'draft/add': 1 } });
    onTestFinished(() => sandbox.close());
    env.WECHAT_BASE_URL = sandbox.url;
    const files = await writePosts(3);
    const run = await runCli([...files, '--draft', '--no-write', '--json'], { cwd: dir, env });
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout);
    expect(report.failed).toBe(2);
    expect(report.exitCode).toBe(3);
    expect(report.posts[0].draft.action).toBe('created');
    for (const post of report.posts.slice(1)) {
      expect(post.draft).toBeUndefined();
      expect(post.error).toMatchObject({ errcode: 45009, exitCode: 3, endpoint: expect.any(String) });
      expect(post.error.rid).toMatch(/./);
    }
    const text = await runCli([...files, '--draft', '--no-write', '--no-progress'], { cwd: dir, env });
    expect(text.code).toBe(3);
    expect(text.stderr).toMatch(/posts\/p01\.md: WeChat .*errcode 45009/);
    expect(text.stderr).toMatch(/2 of 3 post\(s\) failed/);
  }, 120_000);
});

describe.skipIf(!requireCorpus())('batch behaviour (issue 16)', () => {
  it("every post's content problems are reported together with file:line before anything is pushed", async () => {
    await writePosts(1);
    await writeFile(path.join(dir, 'posts/broken.md'), '---\ntitle: ok\nbad: [1, 2\nx: y\n---\n\nText.\n');
    await writeFile(path.join(dir, 'posts/nocover.md'), '---\ntitle: No cover\n---\n\nNo image here.\n');
    const run = await runCli(['posts/broken.md', 'posts/nocover.md', 'posts/p00.md', '--draft', '--json'], {
      cwd: dir,
      env,
    });
    expect(run.code).toBe(1);
    const problems = JSON.parse(run.stdout).error.problems as {
      file: string;
      line?: number;
      message: string;
    }[];
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'posts/broken.md',
        line: 4,
        message: expect.stringMatching(/not valid YAML/),
      }),
      expect.objectContaining({ file: 'posts/nocover.md', message: expect.stringMatching(/no cover/) }),
    ]);
    expect(sandbox.stats().requests).toEqual({});
  }, 60_000);

  it('--bundle keeps the order given: the first post is the headline article', async () => {
    const files = await writePosts(3);
    const order = [files[2], files[0], files[1]] as string[];
    const run = await runCli([...order, '--bundle', '--no-write'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    const [draft] = sandbox.inspect().drafts;
    expect(draft?.articles.map((a) => a.title)).toEqual(['Post 2', 'Post 0', 'Post 1']);
  }, 60_000);
});
