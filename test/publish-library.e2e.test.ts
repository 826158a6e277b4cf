/**
 * @md2wx/publish without the CLI (issue 18): a plain Node script pushes a post as a draft through the built
 * package against the sandbox, then updates it; an AbortSignal fired mid-upload leaves a consistent state file,
 * and the next run neither loses nor duplicates the draft.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type PublishEvent, preparePost, publishPosts, Session } from '@md2wx/publish';
import { DEFAULT_ACCOUNT, type SandboxServer, startSandbox } from '@md2wx/sandbox';
import { corpusPath, repoRoot, requireCorpus } from '@md2wx/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const COVER = 'images/png/sharp-flag-nl-16bit.png';
const PHOTOS = [
  'images/photos/canon-sx60_orient6.jpg',
  'images/png/sharp-flag-nl-16bit.png',
  'images/photos/apple-iphone-5_orient3.jpg',
];

let sandbox: SandboxServer;
let dir: string;
let env: Record<string, string>;

beforeEach(async () => {
  sandbox = await startSandbox();
  dir = await mkdtemp(path.join(tmpdir(), 'md2wx-publish-lib-'));
  env = {
    WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
    WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret,
    WECHAT_BASE_URL: sandbox.url,
    PATH: process.env.PATH ?? '',
  };
});
afterEach(async () => {
  await sandbox?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `posts/<name>.md` with the corpus cover and `images` photos (copied beside it). */
async function writePost(
  name: string,
  title: string,
  images: string[] = [PHOTOS[0] as string],
): Promise<string> {
  await mkdir(path.join(dir, 'posts/images'), { recursive: true });
  await copyFile(corpusPath(COVER), path.join(dir, 'posts/images/cover.png'));
  const body: string[] = [];
  for (const [i, image] of images.entries()) {
    const file = `images/${name}-${i}${path.extname(image)}`;
    await copyFile(corpusPath(image), path.join(dir, 'posts', file));
    body.push(`![photo ${i}](${file})`);
  }
  const file = path.join(dir, 'posts', `${name}.md`);
  await writeFile(
    file,
    `---\ntitle: ${title}\ncover: images/cover.png\n---\n\n${title} text.\n\n${body.join('\n\n')}\n`,
  );
  return file;
}

const SCRIPT = `
import { preparePost, publishPosts, Session } from ${JSON.stringify(
  pathToFileURL(path.join(repoRoot, 'packages/publish/dist/index.js')).href,
)};
const session = await Session.open({}, { cwd: process.cwd(), env: process.env });
try {
  const events = [];
  const post = await preparePost(process.argv[2], { session });
  const report = await publishPosts([post], { session, mode: 'draft', onProgress: (e) => events.push(e.type) });
  console.log(JSON.stringify({ report, events }));
} finally {
  await session.close();
}
`;

describe('@md2wx/publish in a plain Node script (no CLI)', () => {
  it('creates the draft, then updates it on the next run', async () => {
    if (!requireCorpus()) return;
    const post = await writePost('hello', 'Hello from a script');
    const script = path.join(dir, 'push.mjs');
    await writeFile(script, SCRIPT);
    const once = async () => {
      const { stdout } = await run(process.execPath, [script, post], { cwd: dir, env });
      return JSON.parse(stdout) as {
        report: { posts: Array<{ draft?: { media_id: string; action: string }; error?: unknown }> };
        events: string[];
      };
    };
    const first = await once();
    expect(first.report.posts[0]?.error).toBeUndefined();
    expect(first.report.posts[0]?.draft?.action).toBe('created');
    expect(first.events).toEqual(expect.arrayContaining(['image', 'cover-uploaded', 'draft-saved']));
    const second = await once();
    expect(second.report.posts[0]?.draft).toEqual({
      media_id: first.report.posts[0]?.draft?.media_id,
      index: 0,
      action: 'updated',
    });
    const drafts = sandbox.inspect().drafts;
    expect(drafts).toHaveLength(1);
    expect(drafts[0]?.articles[0]?.title).toBe('Hello from a script');
    // The script wrote the same state file the CLI reads.
    const state = JSON.parse(await readFile(path.join(dir, '.md2wx/drafts.json'), 'utf8'));
    expect(JSON.stringify(state)).toContain(first.report.posts[0]?.draft?.media_id as string);
  });
});

describe('AbortSignal', () => {
  async function openSession(): Promise<Session> {
    return Session.open({}, { cwd: dir, env });
  }

  it('stops mid-upload: no further request, a consistent state file, and the re-run drafts each post once', async () => {
    if (!requireCorpus()) return;
    const first = await writePost('first', 'First post');
    const second = await writePost('second', 'Second post', PHOTOS);
    // Each answer takes 150 ms, so the abort lands while the second post's images are on the wire.
    await fetch(`${sandbox.controlUrl}/faults`, { method: 'PUT', body: JSON.stringify({ latencyMs: 150 }) });
    const controller = new AbortController();
    const events: PublishEvent[] = [];
    const session = await openSession();
    try {
      const prepared = [await preparePost(first, { session }), await preparePost(second, { session })];
      let uploadsOfSecond = 0;
      let abortedAt = 0;
      const running = publishPosts(prepared, {
        session,
        mode: 'draft',
        signal: controller.signal,
        onProgress: (event) => {
          events.push(event);
          if (event.type === 'image' && event.file === second && event.image.stage === 'uploaded') {
            uploadsOfSecond++;
            if (uploadsOfSecond === 1) {
              abortedAt = Date.now();
              controller.abort();
            }
          }
        },
      });
      await expect(running).rejects.toMatchObject({ name: 'AbortError' });
      await new Promise((resolve) => setTimeout(resolve, 400));
      // Nothing was sent after the abort (an upload already on the wire may finish; nothing new starts).
      expect(abortedAt).toBeGreaterThan(0);
      expect(sandbox.requestLog().filter((entry) => entry.time > abortedAt + 5)).toEqual([]);
    } finally {
      await session.close();
    }
    // Posts render before any draft is made: the abort came before draft/add, so no draft and no entry.
    expect(sandbox.inspect().drafts).toHaveLength(0);
    expect(events.some((e) => e.type === 'draft-saved')).toBe(false);
    const stateFile = path.join(dir, '.md2wx/drafts.json');
    const text = await readFile(stateFile, 'utf8').catch(() => '{"accounts":{}}');
    const stateAfterAbort = JSON.parse(text) as { accounts: Record<string, Record<string, unknown>> };
    expect(Object.keys(stateAfterAbort.accounts[DEFAULT_ACCOUNT.appId] ?? {})).toEqual([]);

    await fetch(`${sandbox.controlUrl}/faults`, { method: 'PUT', body: '{}' });
    const again = await openSession();
    try {
      const prepared = [
        await preparePost(first, { session: again }),
        await preparePost(second, { session: again }),
      ];
      const report = await publishPosts(prepared, { session: again, mode: 'draft' });
      expect(report.posts.map((p) => p.draft?.action)).toEqual(['created', 'created']);
    } finally {
      await again.close();
    }
    expect(sandbox.inspect().drafts).toHaveLength(2);
  });

  it('after a draft was saved: the abort keeps it recorded, and the re-run updates it instead of adding one', async () => {
    if (!requireCorpus()) return;
    const first = await writePost('first', 'First post');
    const second = await writePost('second', 'Second post');
    const controller = new AbortController();
    const session = await openSession();
    let saved = '';
    try {
      const prepared = [await preparePost(first, { session }), await preparePost(second, { session })];
      const running = publishPosts(prepared, {
        session,
        mode: 'draft',
        signal: controller.signal,
        onProgress: (event) => {
          if (event.type === 'draft-saved') {
            saved = event.media_id;
            controller.abort();
          }
        },
      });
      await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      await session.close();
    }
    expect(sandbox.inspect().drafts).toHaveLength(1);
    const state = JSON.parse(await readFile(path.join(dir, '.md2wx/drafts.json'), 'utf8')) as {
      accounts: Record<string, Record<string, { media_id: string }>>;
    };
    const entries = Object.values(state.accounts[DEFAULT_ACCOUNT.appId] ?? {});
    expect(entries.map((e) => e.media_id)).toEqual([saved]);

    const again = await openSession();
    try {
      const prepared = [
        await preparePost(first, { session: again }),
        await preparePost(second, { session: again }),
      ];
      const report = await publishPosts(prepared, { session: again, mode: 'draft' });
      expect(report.posts.map((p) => p.draft?.action)).toEqual(['updated', 'created']);
      expect(report.posts[0]?.draft?.media_id).toBe(saved);
    } finally {
      await again.close();
    }
    expect(sandbox.inspect().drafts).toHaveLength(2);
  });
});
