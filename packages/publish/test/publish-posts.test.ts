import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentError, UsageError } from '../src/errors.js';
import { modeFlags, preparePost, publishPosts } from '../src/pipeline.js';
import { Session } from '../src/session.js';

let dir: string;
let session: Session;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'md2wx-publish-posts-'));
  session = await Session.open({}, { cwd: dir, env: {} });
});
afterEach(async () => {
  await session.close();
  await rm(dir, { recursive: true, force: true });
});

describe('modeFlags', () => {
  it('maps each mode onto the run flags', () => {
    expect(modeFlags('render')).toEqual({});
    expect(modeFlags('draft')).toEqual({ draft: true });
    expect(modeFlags('bundle')).toEqual({ draft: true, bundle: true });
    expect(modeFlags('publish')).toEqual({ draft: true, publish: true });
  });
});

describe('preparePost', () => {
  it('reads { markdown, path } without a file on disk and takes the front-matter fields', async () => {
    const post = await preparePost(
      { markdown: '---\ntitle: In memory\nauthor: Ann\n---\n\nText.\n', path: 'posts/mem.md' },
      { session, mode: 'render' },
    );
    expect(post.file).toBe(path.join(dir, 'posts/mem.md'));
    expect(post.meta.title).toBe('In memory');
    expect(post.meta.author).toBe('Ann');
    expect(post.forDraft).toBe(false);
  });

  it('refuses a draft without credentials before reading anything (ConfigError)', async () => {
    await expect(
      preparePost({ markdown: '# T\n', path: 'a.md' }, { session, mode: 'draft' }),
    ).rejects.toMatchObject({ name: 'ConfigError', exitCode: 4 });
  });

  it('reports a field over its limit with its line, in render mode too (as a diagnostic, not thrown)', async () => {
    const long = 'x'.repeat(40);
    const post = await preparePost(
      { markdown: `---\ntitle: ${long}\n---\n\nText.\n`, path: 'long.md' },
      { session, mode: 'render' },
    );
    expect(post.fields?.some((m) => m.ruleId === 'wechat/field-limit' && m.fatal && m.line === 2)).toBe(true);
  });

  it('throws ContentError naming the file for broken front matter', async () => {
    await writeFile(path.join(dir, 'bad.md'), '---\ntitle: [unclosed\n---\n');
    await expect(preparePost('bad.md', { session, mode: 'render' })).rejects.toBeInstanceOf(ContentError);
  });
});

describe('publishPosts', () => {
  it('refuses a post prepared for a render in a draft mode, before any request', async () => {
    const post = await preparePost({ markdown: '# T\n', path: 'r.md' }, { session, mode: 'render' });
    await expect(publishPosts([post], { session, mode: 'draft' })).rejects.toBeInstanceOf(UsageError);
  });
});
