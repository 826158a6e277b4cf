import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fileStore, memoryStore, type Store } from '../src/index.js';
import { runNode } from './helpers.js';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'md2wx-store-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const suites: [string, () => Promise<Store>][] = [
  ['memoryStore', async () => memoryStore()],
  ['fileStore', async () => fileStore({ path: join(await tempDir(), 'store.json') })],
];

describe.each(suites)('%s (Store contract)', (_name, make) => {
  it('get/set/delete round-trips JSON values and reports absent keys as undefined', async () => {
    const store = await make();
    expect(await store.get('missing')).toBeUndefined();
    await store.set('k', { a: [1, 'x'], b: null });
    expect(await store.get('k')).toEqual({ a: [1, 'x'], b: null });
    await store.delete('k');
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
  });

  it('expires entries after ttlSeconds', async () => {
    const store = await make();
    await store.set('short', 'v', 1);
    await store.set('forever', 'w');
    expect(await store.get('short')).toBe('v');
    await sleep(1100);
    expect(await store.get('short')).toBeUndefined();
    expect(await store.get('forever')).toBe('w');
  });

  it('incr counts atomically under concurrency and keeps the expiry of the window', async () => {
    const store = await make();
    const results = await Promise.all(Array.from({ length: 20 }, () => store.incr('n', 1, 60)));
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await store.incr('n', 5)).toBe(25);
    await store.incr('w', 1, 1);
    await sleep(1100);
    expect(await store.incr('w', 1, 1)).toBe(1);
  });

  it('lock is exclusive, try-once with waitMs 0, and release frees it only for its owner', async () => {
    const store = await make();
    const first = await store.lock('L', { ttlMs: 5000, waitMs: 0 });
    expect(first).toBeDefined();
    expect(await store.lock('L', { ttlMs: 5000, waitMs: 0 })).toBeUndefined();
    const waiting = store.lock('L', { ttlMs: 5000, waitMs: 3000 });
    await sleep(50);
    await first!.release();
    const second = await waiting;
    expect(second).toBeDefined();
    // The first holder releasing again must not free the second holder's lock.
    await first!.release();
    expect(await store.lock('L', { ttlMs: 5000, waitMs: 0 })).toBeUndefined();
    await second!.release();
  });

  it('a lock whose holder never releases expires after ttlMs', async () => {
    const store = await make();
    expect(await store.lock('crash', { ttlMs: 200, waitMs: 0 })).toBeDefined();
    const started = Date.now();
    const next = await store.lock('crash', { ttlMs: 200, waitMs: 2000 });
    expect(next).toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('lock gives up after waitMs', async () => {
    const store = await make();
    await store.lock('busy', { ttlMs: 10_000, waitMs: 0 });
    const started = Date.now();
    expect(await store.lock('busy', { ttlMs: 10_000, waitMs: 150 })).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('fileStore on disk', () => {
  it('writes the JSON file atomically with mode 0600 and leaves no temp files', async () => {
    const dir = await tempDir();
    const path = join(dir, 'nested', 'store.json');
    const store = fileStore({ path });
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.set(`k${i}`, i)));
    const data = JSON.parse(await readFile(path, 'utf8')) as Record<string, { v: number }>;
    expect(Object.keys(data)).toHaveLength(10);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readdir(join(dir, 'nested'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('names the file when it is corrupt', async () => {
    const path = join(await tempDir(), 'store.json');
    await writeFile(path, '{not json');
    await expect(fileStore({ path }).get('x')).rejects.toThrow(`${path} is not valid JSON`);
  });

  it('counts exactly across 4 processes incrementing the same counter', async () => {
    const path = join(await tempDir(), 'store.json');
    const script = fileURLToPath(new URL('./fixtures/store-incr.ts', import.meta.url));
    const runs = Array.from({ length: 4 }, () => runNode(script, [path, '25']));
    const outputs = await Promise.all(runs);
    for (const out of outputs) expect(out.code).toBe(0);
    expect(await fileStore({ path }).get('counter')).toBe(100);
  }, 60_000);
});

describe('fileStore lock files', () => {
  it('takes over a lock file left empty by a creator that died between open and write', async () => {
    const { utimes } = await import('node:fs/promises');
    const { createHash } = await import('node:crypto');
    const dir = await tempDir();
    const path = join(dir, 'store.json');
    const store = fileStore({ path });
    const first = await store.lock('k', { ttlMs: 60_000, waitMs: 0 });
    await first!.release();
    const lockFile = join(`${path}.locks`, `${createHash('sha1').update('k').digest('hex')}.lock`);
    await writeFile(lockFile, '');
    expect(await store.lock('k', { ttlMs: 60_000, waitMs: 0 })).toBeUndefined();
    const old = new Date(Date.now() - 60_000);
    await utimes(lockFile, old, old);
    const taken = await store.lock('k', { ttlMs: 60_000, waitMs: 0 });
    expect(taken).toBeDefined();
    expect(await store.lock('k', { ttlMs: 60_000, waitMs: 0 })).toBeUndefined();
    await taken!.release();
    expect(await store.lock('k', { ttlMs: 60_000, waitMs: 0 })).toBeDefined();
  });
});
