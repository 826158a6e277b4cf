import type { Cache } from './store.js';

/** A key → value map read from one cache entry and written back in one piece. */
export interface CacheTable<V> {
  /** The value for `key`, or `undefined`; a hit makes the key the most recently used. */
  get(key: string): V | undefined;
  /** Sets `key` (most recently used); beyond `maxEntries` the least recently used key goes. */
  set(key: string, value: V): void;
  /** Number of keys held. */
  readonly size: number;
  /** Writes the table back to its cache entry when it changed since it was opened or last saved. */
  save(): Promise<void>;
}

/** Options of {@link openTable}. */
export interface TableOptions {
  /** Keys kept; the least recently used go first. Default 5000. */
  maxEntries?: number;
}

/**
 * Opens the table stored under `name` in `cache` (empty when absent, written by another
 * version/options, or corrupt — the cache warns and the table starts empty).
 *
 * A table serves callers that must look up synchronously (MathJax typesetting inside `renderSync`):
 * one read before the work and one write after it, instead of one file per key. Two processes
 * saving at once keep the last writer's table; the other's new keys are typeset again next time.
 */
export async function openTable<V>(
  cache: Cache,
  name: string,
  options: TableOptions = {},
): Promise<CacheTable<V>> {
  const maxEntries = options.maxEntries ?? 5000;
  const stored = await cache.getJSON<[string, V][]>(name);
  const map = new Map<string, V>(Array.isArray(stored) ? stored : []);
  let dirty = false;
  return {
    get(key) {
      const value = map.get(key);
      if (value !== undefined) {
        map.delete(key);
        map.set(key, value);
      }
      return value;
    },
    set(key, value) {
      map.delete(key);
      map.set(key, value);
      if (map.size > maxEntries) map.delete(map.keys().next().value as string);
      dirty = true;
    },
    get size() {
      return map.size;
    },
    async save() {
      if (!dirty) return;
      dirty = false;
      await cache.setJSON(name, [...map]);
    },
  };
}
