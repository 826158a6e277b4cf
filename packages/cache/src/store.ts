import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type cacacheModule from 'cacache';
import { stringify } from 'safe-stable-stringify';
import { readByPointer, readPointer, removePointer, writePointer } from './pointers.js';

type Cacache = typeof cacacheModule;
let loaded: Promise<Cacache> | undefined;
/**
 * cacache, loaded on first use: a read served by its pointer (see `pointers.ts`) never loads it, so opening a
 * cache and reading an entry that is there costs a file read and a hash. A plain `import()` (cacache is
 * CommonJS: its `default`), so a bundler such as the CLI's esbuild build takes it into a lazy chunk.
 */
const cacacheLib = (): Promise<Cacache> => {
  loaded ??= import('cacache').then((m) => m.default);
  return loaded;
};

/** Default bound on the bytes a cache directory holds: 64 MiB. */
export const DEFAULT_MAX_SIZE = 64 * 1024 * 1024;
/** Default cache directory name, resolved against the working directory (or `cwd`). */
export const DEFAULT_CACHE_DIR = '.md2wx-cache';

/** A problem the cache recovered from: the entry was dropped and the caller rebuilds it. */
export interface CacheWarning {
  /** `cache/corrupt`: the content failed its integrity check or did not parse; `cache/io`: it could not be read or written. */
  code: 'cache/corrupt' | 'cache/io';
  /** The caller's key (without the version/options prefix). */
  key: string;
  /** What happened and what the cache did about it. */
  message: string;
  /** The underlying error (an `EINTEGRITY`/`EBADSIZE` error from cacache, a JSON `SyntaxError`, an fs error). */
  cause?: unknown;
}

/** Options of {@link openCache}. */
export interface CacheOptions {
  /** Cache directory. Default `.md2wx-cache` under `cwd`. */
  dir?: string;
  /** Base for a relative `dir`. Default `process.cwd()`. */
  cwd?: string;
  /** What the entries are (`formula`, `result`): namespaces sharing one directory never see each other's keys. */
  namespace: string;
  /** The md2wx version (or the producing package's): an entry written by another version is never read. */
  version: string;
  /**
   * Everything else the cached value depends on (render options, MathJax version…), any JSON-able value.
   * Hashed (SHA-256 of its stable JSON) into every key: an entry written with other options is never read.
   */
  options?: unknown;
  /** Bound on the bytes of content in the directory (all namespaces); least recently used entries go first. Default 64 MiB. */
  maxSize?: number;
  /** Called for each entry the cache dropped (corrupt, unreadable); the cache never logs by itself. */
  onWarning?: (warning: CacheWarning) => void;
}

/** A namespaced, versioned view of one cache directory. */
export interface Cache {
  /** The absolute cache directory. */
  readonly dir: string;
  /** The full key an entry is stored under: `namespace/version/optionsHash/key`. */
  keyOf(key: string): string;
  /** The stored bytes, or `undefined` when absent, written by another version or options, or corrupt (with a warning). */
  get(key: string): Promise<Buffer | undefined>;
  /** {@link Cache.get} parsed as JSON; content that does not parse counts as corrupt. */
  getJSON<T>(key: string): Promise<T | undefined>;
  /** Stores `data` under `key`, then evicts least recently used entries beyond `maxSize`. I/O errors become warnings. */
  set(key: string, data: Buffer | string): Promise<void>;
  /** {@link Cache.set} of `JSON.stringify(value)`. */
  setJSON(key: string, value: unknown): Promise<void>;
  /** Drops the entry for `key` (no-op when absent). */
  delete(key: string): Promise<void>;
  /** Evicts least recently used entries until the directory holds at most `maxSize` bytes; returns the bytes left. */
  prune(): Promise<{ removed: number; size: number }>;
}

/** SHA-256 hex of the stable JSON of `value`: equal for equal values whatever their key order. */
export function hashOptions(value: unknown): string {
  return createHash('sha256')
    .update(stringify(value ?? null) ?? 'undefined')
    .digest('hex');
}

/** Metadata kept in each index entry: when it was last read, for the LRU order. */
interface EntryMetadata {
  usedAt?: number;
}

/** A read refreshes the entry's use time at most this often, so hot entries do not append an index line per read. */
const TOUCH_AFTER_MS = 60_000;

/**
 * Removes every index line of `key` (`removeFully`; the typings miss cacache's third argument),
 * so `ls` no longer lists it and its bucket file does not grow with deletions.
 */
const removeEntry = async (dir: string, key: string) =>
  (
    (await cacacheLib()).rm.entry as (
      dir: string,
      key: string,
      opts: { removeFully: boolean },
    ) => Promise<unknown>
  )(dir, key, { removeFully: true }).catch(() => undefined);

/**
 * Opens a cache in `dir` (created on first write) on cacache, which stores content by its SHA-512
 * and checks it on every read: a truncated or altered file is detected, reported through
 * `onWarning` as `cache/corrupt`, removed, and read as a miss so the caller rebuilds it.
 *
 * Keys are `namespace/version/hash(options)/key`, so an entry from another md2wx version or other
 * options is never returned; such entries stay until the size bound evicts them.
 * Never throws for cache trouble (a cache must not fail a build); only programming errors escape.
 */
export function openCache(options: CacheOptions): Cache {
  const dir = resolve(options.cwd ?? process.cwd(), options.dir ?? DEFAULT_CACHE_DIR);
  const maxSize = options.maxSize ?? DEFAULT_MAX_SIZE;
  const prefix = `${options.namespace}/${options.version}/${hashOptions(options.options)}/`;
  const warn = (w: CacheWarning) => options.onWarning?.(w);
  const keyOf = (key: string) => prefix + key;

  const drop = async (key: string, integrity?: string) => {
    await removePointer(dir, keyOf(key));
    await removeEntry(dir, keyOf(key));
    if (integrity) await (await cacacheLib()).rm.content(dir, integrity).catch(() => undefined);
  };

  const cache: Cache = {
    dir,
    keyOf,
    async get(key) {
      const pointer = await readPointer(dir, keyOf(key));
      const fast = pointer && (await readByPointer(dir, pointer));
      if (pointer && fast) {
        if (Date.now() - pointer.usedAt > TOUCH_AFTER_MS)
          await writePointer(dir, { ...pointer, usedAt: Date.now() });
        return fast;
      }
      const cacache = await cacacheLib();
      let info: cacacheModule.CacheObject | null;
      try {
        info = await cacache.get.info(dir, keyOf(key));
      } catch (cause) {
        warn({ code: 'cache/io', key, message: `cache index for ${key} unreadable; ignored`, cause });
        return undefined;
      }
      if (!info) return undefined;
      let data: Buffer;
      try {
        data = await cacache.get.byDigest(dir, info.integrity, { size: info.size });
      } catch (cause) {
        const code = (cause as { code?: string }).code;
        if (code === 'ENOENT') {
          await drop(key);
          return undefined;
        }
        const corrupt = code === 'EINTEGRITY' || code === 'EBADSIZE';
        warn({
          code: corrupt ? 'cache/corrupt' : 'cache/io',
          key,
          message: corrupt
            ? `cache entry ${key} in ${dir} failed its integrity check (${code}); dropped, it will be rebuilt`
            : `cache entry ${key} in ${dir} unreadable; ignored`,
          cause,
        });
        if (corrupt) await drop(key, info.integrity);
        return undefined;
      }
      let usedAt = (info.metadata as EntryMetadata | undefined)?.usedAt ?? info.time;
      if (Date.now() - usedAt > TOUCH_AFTER_MS) {
        usedAt = Date.now();
        await cacache.index
          .insert(dir, keyOf(key), info.integrity, { size: info.size, metadata: { usedAt } })
          .catch(() => undefined);
      }
      // The next read of this entry goes through its pointer, without cacache.
      await writePointer(dir, {
        key: keyOf(key),
        integrity: info.integrity,
        path: info.path,
        usedAt: Math.max(usedAt, pointer?.usedAt ?? 0),
      });
      return data;
    },
    async getJSON<T>(key: string) {
      const data = await cache.get(key);
      if (!data) return undefined;
      try {
        return JSON.parse(data.toString('utf8')) as T;
      } catch (cause) {
        warn({
          code: 'cache/corrupt',
          key,
          message: `cache entry ${key} is not JSON; dropped, it will be rebuilt`,
          cause,
        });
        await drop(key);
        return undefined;
      }
    },
    async set(key, data) {
      try {
        // As bytes: cacache records a string's length in characters, and a non-ASCII value would then fail
        // its size check on every read.
        const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
        const cacache = await cacacheLib();
        const usedAt = Date.now();
        await cacache.put(dir, keyOf(key), bytes, { metadata: { usedAt } satisfies EntryMetadata });
        // What the index now holds for the key (this write, or a later one of another process).
        const info = await cacache.get.info(dir, keyOf(key));
        if (info)
          await writePointer(dir, { key: keyOf(key), integrity: info.integrity, path: info.path, usedAt });
      } catch (cause) {
        warn({ code: 'cache/io', key, message: `cache entry ${key} could not be written to ${dir}`, cause });
        return;
      }
      await cache.prune();
    },
    setJSON(key, value) {
      return cache.set(key, JSON.stringify(value));
    },
    async delete(key) {
      await drop(key);
    },
    async prune() {
      const cacache = await cacacheLib();
      let entries: Record<string, cacacheModule.CacheObject>;
      try {
        entries = await cacache.ls(dir);
      } catch {
        return { removed: 0, size: 0 };
      }
      // Content is shared by entries with equal bytes: count and remove it once.
      const sizeOf = new Map<string, number>();
      for (const e of Object.values(entries)) sizeOf.set(e.integrity, e.size ?? 0);
      let size = 0;
      for (const s of sizeOf.values()) size += s;
      if (size <= maxSize) return { removed: 0, size };
      // Reads through a pointer touch the pointer, not the index: an entry was last used at the later of the two.
      const pointerUse = new Map<string, number>();
      for (const e of Object.values(entries))
        pointerUse.set(e.key, (await readPointer(dir, e.key))?.usedAt ?? 0);
      const usedAt = (e: cacacheModule.CacheObject) =>
        Math.max((e.metadata as EntryMetadata | undefined)?.usedAt ?? e.time, pointerUse.get(e.key) ?? 0);
      const byAge = Object.values(entries).sort((a, b) => usedAt(a) - usedAt(b));
      const users = new Map<string, number>();
      for (const e of byAge) users.set(e.integrity, (users.get(e.integrity) ?? 0) + 1);
      let removed = 0;
      for (const e of byAge) {
        if (size <= maxSize) break;
        await removePointer(dir, e.key);
        await removeEntry(dir, e.key);
        removed++;
        const left = (users.get(e.integrity) ?? 1) - 1;
        users.set(e.integrity, left);
        if (left === 0) {
          await cacache.rm.content(dir, e.integrity).catch(() => undefined);
          size -= sizeOf.get(e.integrity) ?? 0;
        }
      }
      return { removed, size };
    },
  };
  return cache;
}
