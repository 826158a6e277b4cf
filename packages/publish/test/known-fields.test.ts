import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCache } from '@md2wx/cache';
import { ContentError } from '../src/errors.js';
import { postFields } from '../src/known-fields.js';
import { MD2WX_VERSION } from '../src/result-cache.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'md2wx-fields-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = '/posts/hello.md';
const longDescription = `description: ${'长'.repeat(130)}`;
const source = `---\ntitle: Hello\n${longDescription}\n---\n\n# Body\n`;

/** The cache postFields keeps its entries in, opened as a second process would. */
const memos = () => openCache({ namespace: 'fields', version: MD2WX_VERSION, dir });

describe('postFields (fields memoised beside the result cache)', () => {
  it('reads the fields once, then serves them from the memo until the source changes', async () => {
    const first = await postFields(dir, file, source, 'hello.md');
    expect(first.meta).toMatchObject({ title: 'Hello', titleLine: 2 });
    expect(first.meta.digest).toBeUndefined();
    expect(first.fallbacks).toHaveLength(1);
    expect(first.fallbacks[0]).toMatchObject({ file: 'hello.md', line: 3 });

    // The memo is what the second call returns: a memo naming another title proves it was read.
    const stored = await memos().getJSON<{ meta: object }>(file);
    if (!stored) throw new Error('no memo written');
    const altered = { ...stored, meta: { ...stored.meta, title: 'From the memo' } };
    await memos().setJSON(file, altered);
    expect((await postFields(dir, file, source, 'hello.md')).meta.title).toBe('From the memo');

    // Other bytes, another shown name, a damaged memo: read again.
    expect((await postFields(dir, file, source.replace('Hello', 'Hi'), 'hello.md')).meta.title).toBe('Hi');
    await memos().setJSON(file, altered);
    expect((await postFields(dir, file, source, 'posts/hello.md')).meta.title).toBe('Hello');
    await memos().set(file, '{"version":');
    expect((await postFields(dir, file, source, 'hello.md')).meta.title).toBe('Hello');
  });

  it('gives each caller its own objects, and memoises nothing without a directory or for a broken post', async () => {
    const a = await postFields(dir, file, source, 'hello.md');
    a.meta.title = 'changed by the caller';
    expect((await postFields(dir, file, source, 'hello.md')).meta.title).toBe('Hello');

    const none = await mkdtemp(path.join(tmpdir(), 'md2wx-fields-none-'));
    await postFields(undefined, file, source, 'hello.md');
    await expect(postFields(none, file, '---\ntitle: [unclosed\n---\n', 'broken.md')).rejects.toThrow(
      ContentError,
    );
    expect(await readdir(none)).toEqual([]);
    await rm(none, { recursive: true, force: true });
  });
});
