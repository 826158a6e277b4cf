import type { Store } from '../store/types.js';

/** A credential as WeChat hands it out: the value and its remaining lifetime in seconds. */
export interface IssuedCredential {
  value: string;
  /** Remaining lifetime, seconds. */
  expiresIn: number;
}

/**
 * Fetches a fresh credential. `staleValue` is set when the caller saw WeChat reject that value
 * (40001/40014/42001) and asks for a different one.
 */
export type CredentialSource = (request: { staleValue?: string }) => Promise<IssuedCredential>;

interface Cached {
  value: string;
  /** Milliseconds since the epoch after which the cache entry must not be used. */
  usableUntil: number;
}

export interface CredentialCacheOptions {
  store: Store;
  /** Store key, e.g. `md2wx:token:oa:<appId>`. */
  key: string;
  source: CredentialSource;
  /** Seconds subtracted from `expires_in` before the cached value counts as expired; default 300. */
  marginSeconds?: number;
  /** How long a refresher may hold the cross-process lock, milliseconds; default 20,000. */
  lockTtlMs?: number;
  /** How long a waiter waits for another refresher, milliseconds; default 25,000. */
  lockWaitMs?: number;
  onFetch?: () => void;
  /**
   * Told every value this cache hands out, whether fetched here or read from the Store (written there by
   * another process or an earlier run): the clients register it with their redactor.
   */
  onValue?: (value: string) => void;
}

/**
 * A cached credential (access_token, jsapi_ticket) shared by every caller of a Store: in-process single flight,
 * and across processes the double-checked lock — take the Store lock, re-read the cache, fetch only
 * if it is still missing (or still the rejected value), write it, release. Waiters that lose the race re-read.
 */
export class CredentialCache {
  readonly #o: Required<Omit<CredentialCacheOptions, 'onFetch' | 'onValue'>> &
    Pick<CredentialCacheOptions, 'onFetch' | 'onValue'>;
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(options: CredentialCacheOptions) {
    this.#o = { marginSeconds: 300, lockTtlMs: 20_000, lockWaitMs: 25_000, ...options };
  }

  /** Cache lifetime in seconds for a credential with `expiresIn` seconds left: minus the margin, never ≤ 0. */
  ttlFor(expiresIn: number): number {
    const margin = this.#o.marginSeconds;
    return expiresIn > 2 * margin ? expiresIn - margin : Math.max(1, Math.floor(expiresIn / 2));
  }

  async #read(): Promise<Cached | undefined> {
    const cached = await this.#o.store.get<Cached>(this.#o.key);
    if (!cached || typeof cached.value !== 'string') return undefined;
    // Even an expired value is registered: an error body may still echo it.
    this.#o.onValue?.(cached.value);
    if (cached.usableUntil <= Date.now()) return undefined;
    return cached;
  }

  /** The current value: from the Store when fresh, else fetched once for all concurrent callers. */
  async get(): Promise<string> {
    const cached = await this.#read();
    if (cached) return cached.value;
    return this.#flight('', undefined);
  }

  /**
   * `stale` was rejected by WeChat: return a different value, refreshing at most once for all callers that saw
   * the same stale value (here and in other processes sharing the Store).
   */
  async replace(stale: string): Promise<string> {
    const cached = await this.#read();
    if (cached && cached.value !== stale) return cached.value;
    return this.#flight(stale, stale);
  }

  /** Drop the cached value (next `get` fetches). */
  async clear(): Promise<void> {
    await this.#o.store.delete(this.#o.key);
  }

  #flight(id: string, stale: string | undefined): Promise<string> {
    let flight = this.#inflight.get(id);
    if (!flight) {
      flight = this.#refresh(stale).finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, flight);
    }
    return flight;
  }

  async #refresh(stale: string | undefined): Promise<string> {
    const { store, key, lockTtlMs, lockWaitMs } = this.#o;
    const lock = await store.lock(`${key}:refresh`, { ttlMs: lockTtlMs, waitMs: lockWaitMs });
    try {
      const cached = await this.#read();
      if (cached && cached.value !== stale) return cached.value;
      // Without the lock (holder stuck) we still fetch: a duplicate fetch beats failing the caller.
      this.#o.onFetch?.();
      const issued = await this.#o.source(stale === undefined ? {} : { staleValue: stale });
      this.#o.onValue?.(issued.value);
      const ttl = this.ttlFor(issued.expiresIn);
      const entry: Cached = { value: issued.value, usableUntil: Date.now() + ttl * 1000 };
      await store.set(key, entry, ttl);
      return issued.value;
    } finally {
      await lock?.release();
    }
  }
}
