import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';
import { RedisStoreError, redactRedisUrl } from './errors.js';
import { ACQUIRE_LOCK, EXTEND_LOCK, INCR_WITH_TTL, RELEASE_LOCK } from './scripts.js';
import type { Store, StoreLock } from '@md2wx/wechat';

/** Environment variable naming the Redis server, e.g. `redis://:password@redis.internal:6379/0`. */
export const REDIS_URL_ENV = 'MD2WX_REDIS_URL';

/** Default lease of a held lock, milliseconds (see `RedisStoreOptions.lockLeaseMs`). */
export const DEFAULT_LOCK_LEASE_MS = 5_000;

/** Prefix put before every key unless `prefix` says otherwise. */
export const DEFAULT_PREFIX = 'md2wx:';

/** The hint of a connection error (RedisStoreError `hint`). */
const UNREACHABLE_HINT = 'is the Redis server running and reachable?';

export interface RedisStoreOptions {
  /**
   * `redis://[:password@]host[:port][/db]` or `rediss://…` (TLS). Default: `process.env.MD2WX_REDIS_URL`.
   * Ignored when `redis` is given.
   */
  url?: string;
  /** An ioredis client you manage; `close()` then leaves it open (you own it). */
  redis?: Redis;
  /** Namespace put before every key and lock name; default `md2wx:`. Use one per team/environment. */
  prefix?: string;
  /** How often a waiter re-tries a held lock, milliseconds; default 25 (jittered ±40%). */
  lockPollMs?: number;
  /**
   * Lease of a held lock, milliseconds; default 5,000. A lock lives in Redis for one lease at a time and its
   * holder renews it every third of a lease until it releases it or its `ttlMs` runs out, so a holder that dies
   * (`kill -9`, a crash, a lost machine) blocks others for at most one lease, not for `ttlMs`.
   */
  lockLeaseMs?: number;
  /**
   * ioredis options merged over the defaults when this store creates the client (e.g. `tls`,
   * `connectTimeout`). Defaults: reconnect forever with back-off up to 2 s; a command waits through at most
   * 20 reconnect attempts (about 10 s of outage) before it fails with `RedisStoreError` code 'connection'.
   */
  redisOptions?: RedisOptions;
  /** Told about connection errors (ioredis reconnects by itself); default: ignored. Never given secrets. */
  onError?: (error: Error) => void;
}

/** A `StoreLock` that can also be extended while its holder still owns it. */
export interface RedisStoreLock extends StoreLock {
  /** The lock name as passed to `lock()` (without prefix). */
  readonly key: string;
  /**
   * Push the expiry to `ttlMs` milliseconds from now. Resolves `false` when the lock is no longer ours (it
   * expired and someone else may hold it): the holder must then stop writing what the lock protects.
   */
  extend(ttlMs: number): Promise<boolean>;
  /** Release; when the lock had already expired or been taken over, nothing is deleted. */
  release(): Promise<void>;
  /** Like `release()`, but says whether this holder still owned the lock at release time. */
  releaseChecked(): Promise<boolean>;
}

/** The Store contract of `@md2wx/wechat` on Redis, plus access to the client. */
export interface RedisStore extends Store {
  /** The ioredis client (shared with the caller when passed as `redis`). */
  readonly redis: Redis;
  /** The key prefix in force. */
  readonly prefix: string;
  lock(key: string, options: { ttlMs: number; waitMs: number }): Promise<RedisStoreLock | undefined>;
  /**
   * Resolves when Redis answers PING; throws `RedisStoreError` ('connection') otherwise. By default the PING
   * waits through the reconnect attempts of any command (about 10 s); `timeoutMs` (milliseconds) bounds it, for
   * a start-up check where a server that is not there should be said at once. The error then names the last
   * connection error seen (e.g. ECONNREFUSED).
   */
  ping(options?: { timeoutMs?: number }): Promise<void>;
  close(): Promise<void>;
}

/**
 * The Redis server URL configured by `MD2WX_REDIS_URL`, or `undefined` when unset/blank.
 */
export function redisUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[REDIS_URL_ENV]?.trim();
  return value ? value : undefined;
}

/**
 * Create a Store on Redis (ioredis) for tokens, jsapi tickets, the upload dedupe cache and quota counters
 * shared across processes and machines.
 *
 * Layout: value `key` lives at `<prefix><key>` as JSON; lock `name` lives at `<prefix>lock:<name>` holding a
 * random owner token. A key that already starts with the prefix (`md2wx:token:oa:wx…`, as @md2wx/wechat
 * writes them) is not prefixed twice. Values are JSON (`set(undefined)` is rejected); TTLs are seconds and may be fractional
 * (stored with millisecond precision).
 *
 * Locks: `SET NX PX` with a random owner token; release/extend run a Lua check-and-act so only the owner
 * frees or extends its lock; waiters poll every `lockPollMs` until `waitMs` runs out. A lock is a lease of
 * `lockLeaseMs` (5 s) renewed by its holder until `ttlMs`: a killed holder blocks the others for ≤ 5 s.
 *
 * Restarts: ioredis reconnects by itself and resends queued/unanswered commands, so a Redis restart shorter
 * than the retry budget (~10 s by default) is invisible to callers apart from latency. What survives depends
 * on the server's persistence: with AOF (`appendonly yes`) every key — tokens, upload cache, counters and
 * held locks with their remaining TTL — comes back; without persistence the restart empties the store, so the
 * next caller refetches the token once (a second refresher can run only if a lock was lost while held) and the
 * upload cache starts empty (images may be uploaded again). See README "Guarantees".
 *
 * @throws RedisStoreError code 'config' when neither `redis`, `url` nor `MD2WX_REDIS_URL` is given or the URL
 *   is not a redis:// or rediss:// URL. Store methods throw RedisStoreError 'connection' (Redis unreachable
 *   past the retry budget), 'command' (Redis refused the command, or a value is not JSON), 'closed' (after
 *   `close()`), 'invalid-argument' (bad TTL, increment or value).
 */
export function createRedisStore(options: RedisStoreOptions = {}): RedisStore {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const pollMs = options.lockPollMs ?? 25;
  const leaseMs = options.lockLeaseMs ?? DEFAULT_LOCK_LEASE_MS;
  if (!Number.isFinite(leaseMs) || leaseMs < 100) {
    throw new RedisStoreError('config', `lockLeaseMs must be a number ≥ 100, got ${leaseMs}`);
  }
  let redis: Redis;
  let owned: boolean;
  let where: string;
  if (options.redis) {
    redis = options.redis;
    owned = false;
    where = 'the given ioredis client';
  } else {
    const url = options.url ?? redisUrlFromEnv();
    if (!url) {
      throw new RedisStoreError(
        'config',
        `no Redis server configured: pass { url } or { redis } to createRedisStore, or set ${REDIS_URL_ENV}=redis://host:6379`,
      );
    }
    if (!/^rediss?:\/\//i.test(url)) {
      throw new RedisStoreError(
        'config',
        `Redis URL ${redactRedisUrl(url)} must start with redis:// or rediss:// (check ${REDIS_URL_ENV} or the config file)`,
      );
    }
    where = redactRedisUrl(url);
    redis = new Redis(url, {
      maxRetriesPerRequest: 20,
      retryStrategy: (times) => Math.min(times * 50, 2000),
      ...options.redisOptions,
    });
    owned = true;
  }
  const onError = options.onError ?? (() => {});
  let lastError: Error | undefined;
  // Without a listener ioredis prints every reconnect failure to stderr.
  const errorListener = (error: Error) => {
    lastError = error;
    onError(error);
  };
  redis.on('error', errorListener);

  let closed = false;
  // Callers such as @md2wx/wechat already namespace their keys (`md2wx:token:oa:<appId>`): don't double it.
  const bare = (key: string) => (prefix !== '' && key.startsWith(prefix) ? key.slice(prefix.length) : key);
  const k = (key: string) => prefix + bare(key);
  const lockKey = (key: string) => `${prefix}lock:${bare(key)}`;

  async function run<T>(what: string, command: () => Promise<T>): Promise<T> {
    if (closed) throw new RedisStoreError('closed', `Redis store is closed (${what})`);
    try {
      return await command();
    } catch (error) {
      if (error instanceof RedisStoreError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const connection =
        /max retries|connection is closed|ECONNREFUSED|ETIMEDOUT|ENOTFOUND|Stream isn't writeable/i.test(
          message,
        );
      throw new RedisStoreError(
        connection ? 'connection' : 'command',
        `Redis ${what} failed on ${where}: ${message}`,
        { cause: error, ...(connection ? { hint: UNREACHABLE_HINT } : {}) },
      );
    }
  }

  const shas = new Map<string, string>();
  /**
   * Run a one-key Lua script by its SHA1 (EVALSHA), sending the source (EVAL) only when Redis does not know it
   * yet — after a start or restart, which empties the script cache.
   */
  async function script(lua: string, key: string, ...args: string[]): Promise<unknown> {
    let sha = shas.get(lua);
    if (!sha) {
      sha = createHash('sha1').update(lua).digest('hex');
      shas.set(lua, sha);
    }
    try {
      return await redis.evalsha(sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(lua, 1, key, ...args);
    }
  }

  function ttlMsOf(ttlSeconds: number | undefined, what: string): number | undefined {
    if (ttlSeconds === undefined) return undefined;
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
      throw new RedisStoreError(
        'invalid-argument',
        `${what}: ttlSeconds must be a number > 0, got ${ttlSeconds}`,
      );
    }
    return Math.max(1, Math.ceil(ttlSeconds * 1000));
  }

  /**
   * A held lock: Redis keeps it for one lease, a timer renews the lease every `leaseMs / 3` while the holder
   * lives, up to `holdUntil` (the `ttlMs` the caller asked for, pushed on by `extend`).
   */
  function makeLock(key: string, token: string, ttlMs: number): RedisStoreLock {
    const full = lockKey(key);
    let holdUntil = Date.now() + ttlMs;
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (timer) clearInterval(timer);
      timer = undefined;
    };
    const renew = async (): Promise<boolean> => {
      const left = holdUntil - Date.now();
      if (left <= 0) {
        stop();
        return true;
      }
      const result = await run(`renew lock ${key}`, () =>
        script(EXTEND_LOCK, full, token, String(Math.ceil(Math.min(leaseMs, left)))),
      );
      if (result !== 1) stop();
      return result === 1;
    };
    const startRenewing = () => {
      if (timer || holdUntil - Date.now() <= leaseMs) return;
      timer = setInterval(
        () => {
          // A failed renewal (Redis briefly away) is retried at the next tick; the lease covers two of them.
          renew().catch(() => {});
        },
        Math.max(50, Math.floor(leaseMs / 3)),
      );
      // The lease must not keep a finished process alive: its lock then lapses within one lease.
      timer.unref();
    };
    startRenewing();
    return {
      key,
      async extend(ttlMs: number) {
        if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
          throw new RedisStoreError('invalid-argument', `lock ${key}: ttlMs must be > 0, got ${ttlMs}`);
        }
        holdUntil = Date.now() + ttlMs;
        const result = await run(`extend lock ${key}`, () =>
          script(EXTEND_LOCK, full, token, String(Math.ceil(Math.min(leaseMs, ttlMs)))),
        );
        if (result === 1) startRenewing();
        else stop();
        return result === 1;
      },
      async releaseChecked() {
        stop();
        const result = await run(`release lock ${key}`, () => script(RELEASE_LOCK, full, token));
        return result === 1;
      },
      async release() {
        await this.releaseChecked();
      },
    };
  }

  const store: RedisStore = {
    redis,
    prefix,

    async get<T = unknown>(key: string): Promise<T | undefined> {
      const raw = await run(`GET ${key}`, () => redis.get(k(key)));
      if (raw === null) return undefined;
      try {
        return JSON.parse(raw) as T;
      } catch (error) {
        throw new RedisStoreError(
          'command',
          `value under ${k(key)} is not JSON (written by something other than md2wx?); delete it or use another prefix`,
          { cause: error },
        );
      }
    },

    async set<T = unknown>(key: string, value: T, ttlSeconds?: number): Promise<void> {
      const ttlMs = ttlMsOf(ttlSeconds, `set ${key}`);
      const json = JSON.stringify(value);
      if (json === undefined) {
        throw new RedisStoreError(
          'invalid-argument',
          `set ${key}: value is not JSON-serializable (use delete())`,
        );
      }
      await run(`SET ${key}`, () =>
        ttlMs === undefined ? redis.set(k(key), json) : redis.set(k(key), json, 'PX', ttlMs),
      );
    },

    async delete(key: string): Promise<void> {
      await run(`DEL ${key}`, () => redis.del(k(key)));
    },

    async incr(key: string, by = 1, ttlSeconds?: number): Promise<number> {
      if (!Number.isSafeInteger(by)) {
        throw new RedisStoreError('invalid-argument', `incr ${key}: increment must be an integer, got ${by}`);
      }
      const ttlMs = ttlMsOf(ttlSeconds, `incr ${key}`) ?? 0;
      const result = await run(`INCRBY ${key}`, () =>
        script(INCR_WITH_TTL, k(key), String(by), String(ttlMs)),
      );
      return Number(result);
    },

    async lock(key: string, { ttlMs, waitMs }: { ttlMs: number; waitMs: number }) {
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw new RedisStoreError('invalid-argument', `lock ${key}: ttlMs must be > 0, got ${ttlMs}`);
      }
      const token = randomUUID();
      const full = lockKey(key);
      const deadline = Date.now() + Math.max(0, waitMs);
      for (;;) {
        const taken = await run(`lock ${key}`, () =>
          script(ACQUIRE_LOCK, full, token, String(Math.ceil(Math.min(ttlMs, leaseMs)))),
        );
        if (taken === 1) return makeLock(key, token, ttlMs);
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        const jittered = pollMs * (0.6 + Math.random() * 0.8);
        await sleep(Math.min(left, jittered));
      }
    },

    async ping(pingOptions: { timeoutMs?: number } = {}): Promise<void> {
      const pong = run('PING', () => redis.ping());
      const { timeoutMs } = pingOptions;
      if (timeoutMs === undefined) {
        await pong;
        return;
      }
      // The PING stays queued in ioredis after the timeout; its later rejection (on close) is not news.
      pong.catch(() => {});
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const seen = lastError ? `: ${lastError.message}` : '';
          reject(
            new RedisStoreError(
              'connection',
              `Redis PING got no answer from ${where} within ${timeoutMs} ms${seen}`,
              { hint: UNREACHABLE_HINT },
            ),
          );
        }, timeoutMs);
      });
      try {
        await Promise.race([pong, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (!owned) {
        redis.off('error', errorListener);
        return;
      }
      // QUIT on a connection that is not up waits in the offline queue behind every pending command, through
      // the reconnect attempts (~10 s): there is nothing to say goodbye to, so drop it.
      if (redis.status !== 'ready') {
        redis.disconnect();
        return;
      }
      try {
        await redis.quit();
      } catch {
        // Already disconnected: nothing left to release.
        redis.disconnect();
      }
    },
  };
  return store;
}
