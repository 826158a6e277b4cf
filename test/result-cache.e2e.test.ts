/**
 * End-to-end (issue 17): the result cache of unchanged posts. A `--draft` re-run of an unchanged post only
 * updates the draft; a changed image, other options or a corrupt cache entry make it render again.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT, type Sandbox, startSandbox } from '@md2wx/sandbox';
import { corpusPath, repoRoot } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaIds, runCli } from './cli-runner.js';

const IMAGES = path.join(repoRoot, 'examples/hello/images');
const UNCHANGED = 'unchanged since the last run (result cache)';

let work: string;
let sandbox: Sandbox;
let env: Record<string, string>;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'md2wx-result-cache-'));
  sandbox = await startSandbox();
  env = {
    WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
    WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret,
    WECHAT_BASE_URL: sandbox.url,
  };
  await mkdir(path.join(work, 'images'));
  for (const image of ['dusk.jpg', 'pipeline.png'])
    await copyFile(path.join(IMAGES, image), path.join(work, 'images', image));
  await writeFile(
    path.join(work, 'post.md'),
    '---\ntitle: Result cache\ncover: images/dusk.jpg\n---\n\n![dusk](images/dusk.jpg)\n\nEnergy $E = mc^2$.\n\n![pipeline](images/pipeline.png)\n',
  );
});
afterAll(async () => {
  await sandbox?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const uploads = () => Object.values(sandbox.stats().uploads).reduce((a, b) => a + b, 0);
const draftCalls = (name: string) => sandbox.stats().requests[name] ?? 0;
const draft = async (...extra: string[]) => {
  const result = await runCli(['post.md', '--draft', ...extra], { cwd: work, env });
  expect(result.code, result.stderr).toBe(0);
  // The reporter writes progress to stderr and results (media_id lines) to stdout.
  return { ...result, all: result.stdout + result.stderr };
};

describe('result cache of unchanged posts (--draft)', () => {
  it('serves an unchanged post without rendering, and only updates its draft', async () => {
    const first = await draft();
    expect(first.all).not.toContain(UNCHANGED);
    const [media_id] = mediaIds(first.stdout);
    const uploaded = uploads();
    expect(uploaded).toBeGreaterThanOrEqual(3); // two body images and the cover
    const updates = draftCalls('draft/update');

    const second = await draft();
    expect(second.all).toContain(UNCHANGED);
    expect(second.all).toContain('draft updated');
    expect(mediaIds(second.stdout)).toEqual([media_id]);
    expect(uploads()).toBe(uploaded);
    expect(draftCalls('draft/update')).toBe(updates + 1);
  });

  it('renders again when an image changed, with other options, and after a corrupt entry (with a warning)', async () => {
    // Another real photo under the same name: the source text is unchanged, the bytes are not.
    await copyFile(
      corpusPath('images/photos/apple-iphone-4s_orient6.jpg'),
      path.join(work, 'images', 'pipeline.png'),
    );
    const before = uploads();
    const changed = await draft();
    expect(changed.all).not.toContain(UNCHANGED);
    expect(uploads()).toBe(before + 1);
    expect((await draft()).all).toContain(UNCHANGED);

    const themed = await draft('--theme', 'tech');
    expect(themed.all).not.toContain(UNCHANGED);
    expect((await draft('--theme', 'tech')).all).toContain(UNCHANGED);

    // Every stored blob (result entries, formula table) damaged in place.
    const content = path.join(work, '.md2wx-cache', 'content-v2');
    const files = (await readdir(content, { recursive: true, withFileTypes: true })).filter((e) =>
      e.isFile(),
    );
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) await writeFile(path.join(f.parentPath, f.name), 'damaged');
    const rebuilt = await draft('--theme', 'tech');
    expect(rebuilt.all).toMatch(/failed its integrity check.*rebuilt/);
    expect(rebuilt.all).not.toContain(UNCHANGED);
    const again = await draft('--theme', 'tech');
    expect(again.all).toContain(UNCHANGED);
    expect(again.all).not.toMatch(/integrity/);
  });
});
