/**
 * Pointers: one small JSON file a key (`<dir>/pointers-v1/<SHA-256 of the full key>.json`) naming the content
 * file cacache stored the key's bytes in, their SRI integrity and when the entry was last read. A read through
 * its pointer needs neither cacache nor its index: loading cacache (minipass, ssri, glob…) costs more than all
 * the rest of an unchanged post's re-run. The bytes are still checked against their SHA-512 before they are
 * returned, and anything unexpected — no pointer, one for another key, a missing or altered file, a hash other
 * than one SHA-512 — sends the read to cacache, which reports and drops what is corrupt.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';

/** What a pointer file holds. */
export interface Pointer {
  /** The full key (`namespace/version/hash(options)/key`). */
  key: string;
  /** cacache's integrity of the content (`sha512-<base64>`). */
  integrity: string;
  /** The content file, relative to the cache directory. */
  path: string;
  /** When the entry was last read (or written), epoch milliseconds: the LRU order, with cacache's index. */
  usedAt: number;
}

const POINTERS = 'pointers-v1';

const pointerFile = (dir: string, key: string) =>
  join(dir, POINTERS, `${createHash('sha256').update(key).digest('hex')}.json`);

/** The pointer of `key`, or `undefined` when there is none or it cannot be read. */
export async function readPointer(dir: string, key: string): Promise<Pointer | undefined> {
  try {
    const p = JSON.parse(await readFile(pointerFile(dir, key), 'utf8')) as Partial<Pointer>;
    if (p.key !== key || typeof p.integrity !== 'string' || typeof p.path !== 'string') return undefined;
    return { key, integrity: p.integrity, path: p.path, usedAt: Number(p.usedAt) || 0 };
  } catch {
    return undefined;
  }
}

/**
 * The content `pointer` names when it is inside `dir` and its SHA-512 matches, else `undefined` (the caller then
 * asks cacache, which tells a miss from corruption).
 */
export async function readByPointer(dir: string, pointer: Pointer): Promise<Buffer | undefined> {
  const expected = /^sha512-([A-Za-z0-9+/]+={0,2})$/.exec(pointer.integrity)?.[1];
  if (!expected || isAbsolute(pointer.path) || pointer.path.startsWith('..')) return undefined;
  const data = await readFile(resolve(dir, pointer.path)).catch(() => undefined);
  if (!data || createHash('sha512').update(data).digest('base64') !== expected) return undefined;
  return data;
}

/**
 * Writes `pointer` (its `path` absolute or relative to `dir`), atomically: a reader sees the old file or the
 * new one. Failures are ignored: a pointer only saves time.
 */
export async function writePointer(dir: string, pointer: Pointer): Promise<void> {
  const file = pointerFile(dir, pointer.key);
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const path = isAbsolute(pointer.path) ? relative(dir, pointer.path) : pointer.path;
  try {
    await mkdir(join(dir, POINTERS), { recursive: true });
    await writeFile(temp, JSON.stringify({ ...pointer, path }));
    await rename(temp, file);
  } catch {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

/** Removes the pointer of `key` (no-op when absent). */
export async function removePointer(dir: string, key: string): Promise<void> {
  await rm(pointerFile(dir, key), { force: true }).catch(() => undefined);
}
