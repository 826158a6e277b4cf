/**
 * The Store contract of `@md2wx/wechat` (packages/wechat/src/store/types.ts), mirrored structurally so this
 * package type-checks on its own; TypeScript's structural typing makes a `RedisStore` assignable wherever
 * `@md2wx/wechat` expects its `Store`.
 */
export interface Store {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set<T = unknown>(key: string, value: T, ttlSeconds?: number): Promise<void>;
  delete(key: string): Promise<void>;
  incr(key: string, by?: number, ttlSeconds?: number): Promise<number>;
  lock(key: string, options: { ttlMs: number; waitMs: number }): Promise<StoreLock | undefined>;
  close?(): Promise<void>;
}

/** A held lock; `release()` frees it only while this holder still owns it. */
export interface StoreLock {
  release(): Promise<void>;
}
