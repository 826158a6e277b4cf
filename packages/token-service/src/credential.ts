import type { Store } from '@md2wx/wechat';
import type { Issued } from './upstream.js';

/** A credential as the service keeps it in the Store. */
export interface CredentialRecord {
  value: string;
  /** Milliseconds since the epoch when WeChat stops accepting it. */
  expiresAt: number;
  /** Milliseconds since the epoch when it was fetched. */
  fetchedAt: number;
}

export interface SharedCredentialOptions {
  store: Store;
  /** Store key of the record, e.g. `token-service:access_token:<appId>`. */
  key: string;
  /**
   * Fetch from WeChat. `stale` is set when a client saw WeChat reject that value: the fetcher must return a
   * different one if it can.
   */
  fetch: (stale: string | undefined) => Promise<Issued>;
  /** Refresh when fewer than this many milliseconds are left. */
  refreshAheadMs: number;
  /** Never refetch (without a stale report) more often than this, milliseconds; default 10 000. */
  minRefetchMs?: number;
  /** Cross-process lock lifetime and wait, milliseconds; default 20 000 each. */
  lockTtlMs?: number;
  lockWaitMs?: number;
  onRefresh?: (record: CredentialRecord) => void;
  onRefreshError?: (error: unknown, servedStale: boolean) => void;
}

/** The served credential must still have this long to live, milliseconds, or it is not handed out. */
const MIN_SERVED_LIFETIME_MS = 5_000;

/**
 * One credential (an access_token or a jsapi_ticket) cached in a Store shared by every instance of the
 * service: single flight in-process, and across processes the double-checked lock — take the Store lock,
 * re-read, fetch only if the record is still due (or still the rejected value), write, release.
 */
export class SharedCredential {
  readonly #o: Required<Omit<SharedCredentialOptions, 'onRefresh' | 'onRefreshError'>> &
    Pick<SharedCredentialOptions, 'onRefresh' | 'onRefreshError'>;
  readonly #inflight = new Map<string, Promise<CredentialRecord>>();

  constructor(options: SharedCredentialOptions) {
    this.#o = { minRefetchMs: 10_000, lockTtlMs: 20_000, lockWaitMs: 20_000, ...options };
  }

  /** The record in the Store, if it has not expired. */
  async read(): Promise<CredentialRecord | undefined> {
    const record = await this.#o.store.get<CredentialRecord>(this.#o.key);
    if (!record || typeof record.value !== 'string' || !(record.expiresAt > Date.now())) return undefined;
    return record;
  }

  /** True when `record` can be served without refreshing first. */
  #current(record: CredentialRecord): boolean {
    const now = Date.now();
    const left = record.expiresAt - now;
    if (left > this.#o.refreshAheadMs) return true;
    // WeChat may hand back the same credential with < refreshAhead left (stable_token only rotates in the last
    // 5 min): don't hammer it, serve what we have until minRefetchMs has passed.
    return left > MIN_SERVED_LIFETIME_MS && now - record.fetchedAt < this.#o.minRefetchMs;
  }

  /**
   * The credential to serve: cached when current, else refreshed once for all concurrent callers. When the
   * refresh fails but the cached one still lives, that one is served (and `onRefreshError` told).
   * @throws whatever `fetch` throws (UpstreamError) when there is nothing to fall back on.
   */
  async get(): Promise<CredentialRecord> {
    const cached = await this.read();
    if (cached && this.#current(cached)) return cached;
    try {
      return await this.#flight(undefined);
    } catch (error) {
      if (cached && cached.expiresAt - Date.now() > MIN_SERVED_LIFETIME_MS) {
        this.#o.onRefreshError?.(error, true);
        return cached;
      }
      this.#o.onRefreshError?.(error, false);
      throw error;
    }
  }

  /**
   * A credential other than `stale`, which WeChat rejected: refreshes at most once for all callers (here and in
   * other instances sharing the Store) that report the same stale value.
   */
  async replace(stale: string): Promise<CredentialRecord> {
    const cached = await this.read();
    if (cached && cached.value !== stale && cached.expiresAt - Date.now() > MIN_SERVED_LIFETIME_MS)
      return cached;
    try {
      return await this.#flight(stale);
    } catch (error) {
      this.#o.onRefreshError?.(error, false);
      throw error;
    }
  }

  #flight(stale: string | undefined): Promise<CredentialRecord> {
    const id = stale ?? '';
    let flight = this.#inflight.get(id);
    if (!flight) {
      flight = this.#refresh(stale).finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, flight);
    }
    return flight;
  }

  async #refresh(stale: string | undefined): Promise<CredentialRecord> {
    const { store, key } = this.#o;
    const lock = await store.lock(`${key}:refresh`, { ttlMs: this.#o.lockTtlMs, waitMs: this.#o.lockWaitMs });
    try {
      const again = await this.read();
      if (again) {
        const usable =
          stale === undefined
            ? this.#current(again)
            : again.value !== stale && again.expiresAt - Date.now() > MIN_SERVED_LIFETIME_MS;
        if (usable) return again;
      }
      // No lock (a holder is stuck past lockWaitMs): fetching anyway beats failing every client.
      const issued = await this.#o.fetch(stale);
      const now = Date.now();
      const record: CredentialRecord = {
        value: issued.value,
        expiresAt: now + issued.expiresIn * 1000,
        fetchedAt: now,
      };
      await store.set(key, record, issued.expiresIn);
      this.#o.onRefresh?.(record);
      return record;
    } finally {
      await lock?.release();
    }
  }
}
