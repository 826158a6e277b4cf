/**
 * The upload dedupe cache of a run (body images and covers): on the Redis store when one is configured, in
 * memory for the in-process sandbox, else the committed `images.json` next to the draft state.
 *
 * `images.json` merges under its own file lock when written, but on its own it lets two processes upload the
 * same image at once (neither sees the other's entry before both have uploaded). `lockedFileCache` closes
 * that gap with the session store's per-key lock (the file store's lock in the cache directory), re-reading
 * the file once the lock is held and writing the entry out before letting go.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CacheEntry, ImageCache, StateFileCache } from '@md2wx/remark-wechat-images';
import type { Store } from '@md2wx/wechat';
import { loadRemarkImages } from './modules.js';
import type { Session } from './session.js';

/**
 * How long one upload may hold an image's lock, and how long another process waits for it, milliseconds. The
 * lock of a killed holder lasts until `ttlMs` runs out, unless the store detects the dead holder sooner.
 */
const IMAGE_LOCK = { ttlMs: 30_000, waitMs: 60_000 };

/** The longest wait for any store lock this process took (image and draft locks), milliseconds. */
export const lockWaits = { maxMs: 0 };

/** `store.lock(name, options)`, its wait recorded in `lockWaits`. */
export async function timedLock(
  store: Pick<Store, 'lock'>,
  name: string,
  options: { ttlMs: number; waitMs: number },
): Promise<(() => Promise<void>) | undefined> {
  const started = Date.now();
  const held = await store.lock(name, options);
  lockWaits.maxMs = Math.max(lockWaits.maxMs, Date.now() - started);
  return held ? () => held.release() : undefined;
}

/** The run's dedupe cache (see the module comment). */
export async function imageCache(session: Session): Promise<ImageCache> {
  const remark = await loadRemarkImages();
  if (session.sharedStore) {
    const store = await session.tokenStore();
    const cache = remark.storeCache(store);
    return { ...cache, lock: (key) => timedLock(store, `md2wx:img:lock:${key}`, IMAGE_LOCK) };
  }
  if (session.ephemeral) return remark.memoryCache();
  const file = path.join(path.dirname(session.config.stateFile), 'images.json');
  return lockedFileCache(
    remark.stateFileCache({ path: file }),
    await session.tokenStore(),
    remark.parseState,
  );
}

/**
 * `inner` (a state-file cache) with a cross-process `lock(key)`: taken through `store.lock`, then the file is
 * re-read so an entry another process wrote while this one waited is seen; `release` flushes first, so the
 * next holder finds this one's entry on disk.
 */
export function lockedFileCache(
  inner: StateFileCache,
  store: Pick<Store, 'lock'>,
  parse: (text: string, file?: string) => Record<string, CacheEntry>,
): ImageCache {
  const seen = new Map<string, CacheEntry>();
  return {
    async get(key) {
      return (await inner.get(key)) ?? seen.get(key);
    },
    set: (key, entry) => inner.set(key, entry),
    flush: () => inner.flush(),
    async lock(key) {
      const release = await timedLock(store, `md2wx:img-lock:${key}`, IMAGE_LOCK);
      const text = await readFile(inner.path, 'utf8').catch(() => '');
      try {
        const entry = parse(text, inner.path)[key];
        if (entry) seen.set(key, entry);
      } catch {
        // A file being rewritten right now is read again by the next lock; the upload then is only wasteful.
      }
      return async () => {
        try {
          await inner.flush();
        } finally {
          await release?.();
        }
      };
    },
  };
}
