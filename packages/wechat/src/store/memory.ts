import { randomUUID } from 'node:crypto';
import type { Store, StoreLock } from './types.js';

interface Entry {
  value: unknown;
  expiresAt: number | undefined;
}

/**
 * An in-process Store (contract in `./types.ts`): a Map with expiry and in-process locks. Fast, but each
 * process has its own copy — processes sharing an AppID should use `fileStore` or Redis, or they each fetch
 * an access_token.
 */
export function memoryStore(): Store {
  const data = new Map<string, Entry>();
  const locks = new Map<string, { owner: string; expiresAt: number }>();
  const waiters = new Set<() => void>();

  const live = (key: string): Entry | undefined => {
    const entry = data.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      data.delete(key);
      return undefined;
    }
    return entry;
  };
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  const tryTake = (key: string, ttlMs: number): string | undefined => {
    const held = locks.get(key);
    if (held && held.expiresAt > Date.now()) return undefined;
    const owner = randomUUID();
    locks.set(key, { owner, expiresAt: Date.now() + ttlMs });
    return owner;
  };

  return {
    async get<T>(key: string) {
      // Values are cloned so callers cannot mutate the stored copy, as with serializing stores.
      const entry = live(key);
      return entry === undefined ? undefined : (structuredClone(entry.value) as T);
    },
    async set(key, value, ttlSeconds) {
      data.set(key, {
        value: structuredClone(value),
        expiresAt: ttlSeconds && ttlSeconds > 0 ? Date.now() + ttlSeconds * 1000 : undefined,
      });
    },
    async delete(key) {
      data.delete(key);
    },
    async incr(key, by = 1, ttlSeconds) {
      const entry = live(key);
      const current = typeof entry?.value === 'number' ? entry.value : 0;
      const next = current + by;
      data.set(key, {
        value: next,
        expiresAt: entry
          ? entry.expiresAt
          : ttlSeconds && ttlSeconds > 0
            ? Date.now() + ttlSeconds * 1000
            : undefined,
      });
      return next;
    },
    async lock(key, { ttlMs, waitMs }) {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const owner = tryTake(key, ttlMs);
        if (owner) {
          const lock: StoreLock = {
            async release() {
              if (locks.get(key)?.owner === owner) {
                locks.delete(key);
                wake();
              }
            },
          };
          return lock;
        }
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        const heldUntil = locks.get(key)?.expiresAt ?? Date.now();
        // Wake on release, on the holder's expiry, or when the wait runs out — whichever comes first.
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          };
          const timer = setTimeout(done, Math.max(1, Math.min(left, heldUntil - Date.now() + 1)));
          waiters.add(done);
        });
      }
    },
    async close() {
      wake();
    },
  };
}
