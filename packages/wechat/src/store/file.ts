import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';
import { WechatError } from '../core/errors.js';
import { acquireFileLock, releaseFileLock } from './file-lock.js';
import type { Store, StoreLock } from './types.js';

interface FileEntry {
  v: unknown;
  /** Expiry, milliseconds since the epoch. */
  e?: number;
}
type FileData = Record<string, FileEntry>;

/** Where `fileStore()` keeps its JSON when no path is given: `<user config dir>/md2wx/store.json`. */
export function defaultStorePath(): string {
  return join(envPaths('md2wx', { suffix: '' }).config, 'store.json');
}

/**
 * A Store (contract in `./types.ts`) kept in one JSON file, shared safely by every process on the machine.
 *
 * - `path`: the JSON file; default `defaultStorePath()` (env-paths config dir, e.g. `~/.config/md2wx/store.json`).
 * - Writes are atomic (temp file + rename, mode 0600 because the file holds access_tokens) and serialized
 *   across processes by an O_EXCL lock file next to it; reads never see a half-written file.
 * - `lock(key)` creates `<path>.locks/<sha1(key)>.lock` holding the owner's pid and host. A holder on this machine
 *   that died (`kill -9`, crash) is detected by its pid and taken over at the next poll (≤ 100 ms); a holder on
 *   another host (a network drive) is taken over after `ttlMs`.
 *
 * Throws `WechatError` (code 'store') when the file exists but is not valid JSON, naming the path.
 */
export function fileStore(options: { path?: string } = {}): Store {
  const path = options.path ?? defaultStorePath();
  const lockDir = `${path}.locks`;
  let dirsReady: Promise<void> | undefined;
  const ensureDirs = () => {
    dirsReady ??= (async () => {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await mkdir(lockDir, { recursive: true, mode: 0o700 });
    })();
    return dirsReady;
  };
  const lockPath = (key: string) => join(lockDir, `${createHash('sha1').update(key).digest('hex')}.lock`);

  const load = async (): Promise<FileData> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text) as FileData;
    } catch {
      throw new WechatError(
        'store',
        `${path} is not valid JSON: delete it (it only holds caches and counters).`,
      );
    }
  };
  const live = (data: FileData, key: string, now = Date.now()): FileEntry | undefined => {
    const entry = data[key];
    if (!entry || (entry.e !== undefined && entry.e <= now)) return undefined;
    return entry;
  };
  const save = async (data: FileData) => {
    const now = Date.now();
    for (const [key, entry] of Object.entries(data))
      if (entry.e !== undefined && entry.e <= now) delete data[key];
    const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await writeFile(temp, JSON.stringify(data), { mode: 0o600 });
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  };
  // Every read-modify-write of the data file runs under one cross-process lock.
  const mutate = async <R>(fn: (data: FileData) => R): Promise<R> => {
    await ensureDirs();
    const dataLock = join(lockDir, 'data.lock');
    const owner = await acquireFileLock(dataLock, 10_000, 30_000);
    if (!owner) throw new WechatError('store', `Timed out waiting for the lock on ${path}.`);
    try {
      const data = await load();
      const result = fn(data);
      await save(data);
      return result;
    } finally {
      await releaseFileLock(dataLock, owner);
    }
  };
  const expiry = (ttlSeconds?: number) =>
    ttlSeconds && ttlSeconds > 0 ? Date.now() + ttlSeconds * 1000 : undefined;

  return {
    async get<T>(key: string) {
      const entry = live(await load(), key);
      return entry === undefined ? undefined : (entry.v as T);
    },
    async set(key, value, ttlSeconds) {
      await mutate((data) => {
        const e = expiry(ttlSeconds);
        data[key] = e === undefined ? { v: value } : { v: value, e };
      });
    },
    async delete(key) {
      await mutate((data) => {
        delete data[key];
      });
    },
    async incr(key, by = 1, ttlSeconds) {
      return mutate((data) => {
        const entry = live(data, key);
        const next = (typeof entry?.v === 'number' ? entry.v : 0) + by;
        const e = entry ? entry.e : expiry(ttlSeconds);
        data[key] = e === undefined ? { v: next } : { v: next, e };
        return next;
      });
    },
    async lock(key, { ttlMs, waitMs }) {
      await ensureDirs();
      const file = lockPath(key);
      const owner = await acquireFileLock(file, ttlMs, waitMs);
      if (!owner) return undefined;
      const lock: StoreLock = { release: () => releaseFileLock(file, owner) };
      return lock;
    },
    async close() {},
  };
}
