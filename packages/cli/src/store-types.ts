/**
 * The Store contract (contract 1, `packages/wechat/src/store/types.ts`), restated structurally so the CLI's
 * types do not depend on what `@md2wx/wechat` re-exports at a given moment. Any store of that package fits.
 */
export interface Store {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set<T = unknown>(key: string, value: T, ttlSeconds?: number): Promise<void>;
  delete(key: string): Promise<void>;
  incr(key: string, by?: number, ttlSeconds?: number): Promise<number>;
  lock(
    key: string,
    options: { ttlMs: number; waitMs: number },
  ): Promise<{ release(): Promise<void> } | undefined>;
  close?(): Promise<void>;
}
