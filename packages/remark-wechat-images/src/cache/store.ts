import type { CacheEntry, ImageCache } from '../types.js';

/**
 * The part of the @md2wx/wechat `Store` contract (packages/wechat/src/store/types.ts) this cache uses.
 * Declared structurally so any Store (memory, file, Redis) fits without a type-level import.
 */
export interface CacheStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set<T = unknown>(key: string, value: T, ttlSeconds?: number): Promise<void>;
  lock(
    key: string,
    options: { ttlMs: number; waitMs: number },
  ): Promise<{ release(): Promise<void> } | undefined>;
}

/** Options of `storeCache`. */
export interface StoreCacheOptions {
  /** Key prefix inside the store; default `md2wx:img:`. */
  prefix?: string;
  /** How long an upload may hold its per-image lock, milliseconds; default 120000. */
  lockTtlMs?: number;
  /** How long to wait for another process's upload of the same image, milliseconds; default 120000. */
  lockWaitMs?: number;
}

/**
 * A dedupe cache over any Store of @md2wx/wechat (memory, file, Redis): entries never expire (uploadimg URLs
 * are permanent). Uploads of one image are serialized across processes with `store.lock`, so two CI jobs
 * sharing a Redis upload it once.
 */
export function storeCache(store: CacheStore, options: StoreCacheOptions = {}): ImageCache {
  const prefix = options.prefix ?? 'md2wx:img:';
  const ttlMs = options.lockTtlMs ?? 120_000;
  const waitMs = options.lockWaitMs ?? 120_000;
  return {
    get: (key) => store.get<CacheEntry>(prefix + key),
    set: (key, entry) => store.set(prefix + key, entry),
    async lock(key) {
      const held = await store.lock(`${prefix}lock:${key}`, { ttlMs, waitMs });
      return held ? () => held.release() : undefined;
    },
  };
}
