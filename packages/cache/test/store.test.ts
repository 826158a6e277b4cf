import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cacache from 'cacache';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CacheWarning, openCache, openTable } from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'md2wx-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = { namespace: 'result', version: '1.0.0', options: { theme: 'wechat', quality: 'balanced' } };

/** Makes the pointer of `key` (`pointers.ts`) say it was last used `ms` ago. */
async function agePointer(key: string, ms: number): Promise<void> {
  const file = join(dir, 'pointers-v1', `${createHash('sha256').update(key).digest('hex')}.json`);
  const pointer = JSON.parse(await readFile(file, 'utf8')) as { usedAt: number };
  await writeFile(file, JSON.stringify({ ...pointer, usedAt: Date.now() - ms }));
}

async function contentBytes(root: string): Promise<number> {
  let total = 0;
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else total += (await stat(p)).size;
    }
  };
  await walk(join(root, 'content-v2')).catch(() => undefined);
  return total;
}

describe('openCache', () => {
  it('reads back what it stored, under .md2wx-cache of cwd by default', async () => {
    const cache = openCache({ ...base, cwd: dir });
    expect(cache.dir).toBe(join(dir, '.md2wx-cache'));
    await cache.setJSON('post.md', { html: '<p>你好，公众号</p>' });
    expect(await cache.getJSON('post.md')).toEqual({ html: '<p>你好，公众号</p>' });
    expect(await cache.get('other.md')).toBeUndefined();
  });

  it('never returns an entry written by another md2wx version', async () => {
    await openCache({ ...base, dir }).set('k', 'from 1.0.0');
    expect(await openCache({ ...base, dir, version: '1.0.1' }).get('k')).toBeUndefined();
    expect((await openCache({ ...base, dir }).get('k'))?.toString()).toBe('from 1.0.0');
  });

  it('never returns an entry written with other options, whatever the key order', async () => {
    await openCache({ ...base, dir }).set('k', 'balanced');
    expect(
      await openCache({ ...base, dir, options: { theme: 'wechat', quality: 80 } }).get('k'),
    ).toBeUndefined();
    const reordered = openCache({ ...base, dir, options: { quality: 'balanced', theme: 'wechat' } });
    expect((await reordered.get('k'))?.toString()).toBe('balanced');
  });

  it('ignores a corrupt entry with a warning, drops it and stores the rebuilt value', async () => {
    const warnings: CacheWarning[] = [];
    const cache = openCache({ ...base, dir, onWarning: (w) => warnings.push(w) });
    await cache.set('k', 'the original value');
    const info = await cacache.get.info(dir, cache.keyOf('k'));
    if (!info) throw new Error('entry not written');
    await writeFile(info.path, 'the altered value!');
    expect(await cache.get('k')).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'cache/corrupt', key: 'k' });
    expect(warnings[0]?.message).toMatch(/integrity/);
    // Dropped: a second read is a plain miss, without a second warning.
    expect(await cache.get('k')).toBeUndefined();
    expect(warnings).toHaveLength(1);
    await cache.set('k', 'the rebuilt value');
    expect((await cache.get('k'))?.toString()).toBe('the rebuilt value');
  });

  it('reads an entry through its pointer without cacache, and still checks its bytes', async () => {
    const warnings: CacheWarning[] = [];
    const cache = openCache({ ...base, dir, onWarning: (w) => warnings.push(w) });
    await cache.set('k', 'pointed at');
    const info = await cacache.get.info(dir, cache.keyOf('k'));
    if (!info) throw new Error('entry not written');
    // Without cacache's index, only the pointer can find the content.
    await rm(join(dir, 'index-v5'), { recursive: true });
    expect((await cache.get('k'))?.toString()).toBe('pointed at');
    expect(warnings).toEqual([]);
    // Content altered behind the pointer: not returned; cacache (no index now) reads it as a miss.
    await writeFile(info.path, 'pointed at!');
    expect(await cache.get('k')).toBeUndefined();
  });

  it('treats stored bytes that are not JSON as corrupt in getJSON', async () => {
    const warnings: CacheWarning[] = [];
    const cache = openCache({ ...base, dir, onWarning: (w) => warnings.push(w) });
    await cache.set('k', '{"truncated":');
    expect(await cache.getJSON('k')).toBeUndefined();
    expect(warnings.map((w) => w.code)).toEqual(['cache/corrupt']);
  });

  it('keeps the directory within maxSize, evicting the least recently used entries', async () => {
    const maxSize = 10_000;
    const cache = openCache({ ...base, dir, maxSize });
    const chunk = (i: number) => Buffer.alloc(3000, i);
    await cache.set('a', chunk(1));
    await cache.set('b', chunk(2));
    await cache.set('c', chunk(3));
    // Reading `a` makes it recently used (touches are throttled to once a minute: age it first).
    const info = await cacache.get.info(dir, cache.keyOf('a'));
    if (!info) throw new Error('entry not written');
    await cacache.index.insert(dir, cache.keyOf('a'), info.integrity, {
      size: info.size ?? 0,
      metadata: { usedAt: Date.now() - 120_000 },
    });
    await agePointer(cache.keyOf('a'), 120_000);
    expect(await cache.get('a')).toEqual(chunk(1));
    await cache.set('d', chunk(4));
    // 4 × 3000 > 10 000: one entry went, the least recently used one (b).
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toEqual(chunk(1));
    expect(await cache.get('c')).toEqual(chunk(3));
    expect(await cache.get('d')).toEqual(chunk(4));
    expect(await contentBytes(dir)).toBeLessThanOrEqual(maxSize);
    for (let i = 0; i < 20; i++) await cache.set(`x${i}`, chunk(10 + i));
    expect(await contentBytes(dir)).toBeLessThanOrEqual(maxSize);
    expect((await cache.prune()).size).toBeLessThanOrEqual(maxSize);
  });
});

describe('openTable', () => {
  it('persists keys across opens and starts empty after corruption, with a warning', async () => {
    const warnings: CacheWarning[] = [];
    const cache = openCache({ ...base, namespace: 'formula', dir, onWarning: (w) => warnings.push(w) });
    const table = await openTable<string>(cache, 'formulas');
    table.set('x^2', '<svg/>');
    await table.save();
    expect((await openTable<string>(cache, 'formulas')).get('x^2')).toBe('<svg/>');
    const info = await cacache.get.info(dir, cache.keyOf('formulas'));
    if (!info) throw new Error('table not written');
    await writeFile(info.path, '[["x^2","<svg/>"]] ');
    const reopened = await openTable<string>(cache, 'formulas');
    expect(reopened.size).toBe(0);
    expect(warnings.map((w) => w.code)).toEqual(['cache/corrupt']);
  });

  it('holds at most maxEntries, dropping the least recently used', async () => {
    const table = await openTable<number>(openCache({ ...base, dir }), 't', { maxEntries: 2 });
    table.set('a', 1);
    table.set('b', 2);
    table.get('a');
    table.set('c', 3);
    expect([table.get('a'), table.get('b'), table.get('c')]).toEqual([1, undefined, 3]);
  });
});
