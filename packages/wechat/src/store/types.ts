/**
 * The Store contract shared by the token cache, the upload dedupe cache and the quota counters.
 *
 * Implementations: memory and file (`@md2wx/wechat`), Redis (`@md2wx/store-redis`). Values are any
 * JSON-serializable data; a store serializes them itself. Keys are plain strings that callers namespace
 * (e.g. `md2wx:token:oa:<appId>`); a store may add its own prefix.
 */
export interface Store {
  /** The value under `key`, or `undefined` when absent or expired. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /**
   * Store `value` under `key`. `ttlSeconds` (seconds, > 0) makes it expire; without it the entry lives until
   * deleted. Writes must be atomic: a reader never sees a half-written value, a crash never corrupts the store.
   */
  set<T = unknown>(key: string, value: T, ttlSeconds?: number): Promise<void>;
  /** Remove `key`; no error when absent. */
  delete(key: string): Promise<void>;
  /**
   * Atomically add `by` (default 1) to the integer counter under `key` and return the new value. `ttlSeconds`
   * sets the expiry when the counter is created (quota windows: a day, a month).
   */
  incr(key: string, by?: number, ttlSeconds?: number): Promise<number>;
  /**
   * Take the exclusive lock `key`, held across processes (and machines, for shared stores) for at most
   * `ttlMs` milliseconds, so a crashed holder cannot block others forever. Waits up to `waitMs` milliseconds
   * (0 = try once). Resolves to a `StoreLock` when taken, `undefined` when the wait ran out.
   */
  lock(key: string, options: { ttlMs: number; waitMs: number }): Promise<StoreLock | undefined>;
  /** Release connections and timers. Optional; idempotent. */
  close?(): Promise<void>;
}

/** A held lock. `release()` frees it only if this holder still owns it (never another holder's lock). */
export interface StoreLock {
  release(): Promise<void>;
}
