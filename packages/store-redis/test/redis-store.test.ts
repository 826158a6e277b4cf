// @module-tag redis: every test talks to a real redis-server.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Store } from '@md2wx/wechat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisStore,
  type RedisServer,
  type RedisStore,
  RedisStoreError,
  redisUrlFromEnv,
  startRedisServer,
} from '../src/index.js';

let server: RedisServer | undefined;
let url: string;
const stores: RedisStore[] = [];

/** A store on the shared server with a prefix of its own, so tests never see each other's keys. */
function newStore(prefix = `t${randomUUID().slice(0, 8)}:`): RedisStore {
  const store = createRedisStore({ url, prefix });
  stores.push(store);
  return store;
}

beforeAll(async () => {
  const external = redisUrlFromEnv();
  if (external) {
    url = external;
  } else {
    server = await startRedisServer();
    url = server.url;
  }
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await server?.stop();
});

describe('values', () => {
  it('round-trips JSON values and answers undefined for absent keys', async () => {
    const store = newStore();
    expect(await store.get('missing')).toBeUndefined();
    const value = { access_token: 'x'.repeat(512), expires_at: 1_700_000_000_000, nested: [1, 'two', null] };
    await store.set('token:oa:wx1', value);
    expect(await store.get('token:oa:wx1')).toEqual(value);
    await store.set('n', 0);
    expect(await store.get('n')).toBe(0);
    await store.delete('token:oa:wx1');
    await store.delete('token:oa:wx1');
    expect(await store.get('token:oa:wx1')).toBeUndefined();
  });

  it('namespaces keys with the prefix, md2wx: by default', async () => {
    const raw = new Redis(url);
    try {
      const store = createRedisStore({ url });
      stores.push(store);
      const key = `ns-${randomUUID()}`;
      await store.set(key, { a: 1 });
      expect(await raw.get(`md2wx:${key}`)).toBe('{"a":1}');
      const other = newStore('team-b:');
      expect(await other.get(key)).toBeUndefined();
      // Keys already in the namespace (as @md2wx/wechat writes them) are not prefixed twice.
      expect(await store.get(`md2wx:${key}`)).toEqual({ a: 1 });
      await other.set(`md2wx:${key}`, 2);
      expect(await raw.get(`team-b:md2wx:${key}`)).toBe('2');
      const lock = await store.lock(`md2wx:${key}:refresh`, { ttlMs: 5_000, waitMs: 0 });
      expect(await raw.exists(`md2wx:lock:${key}:refresh`)).toBe(1);
      expect(await store.lock(`${key}:refresh`, { ttlMs: 5_000, waitMs: 0 })).toBeUndefined();
      await lock!.release();
      await store.delete(key);
      await other.delete(`md2wx:${key}`);
    } finally {
      raw.disconnect();
    }
  });

  it('sets the TTL in milliseconds from seconds, and the value expires', async () => {
    const store = newStore();
    await store.set('long', 'v', 60);
    const pttl = await store.redis.pttl(`${store.prefix}long`);
    expect(pttl).toBeGreaterThan(58_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    await store.set('short', 'v', 0.05);
    await sleep(200);
    expect(await store.get('short')).toBeUndefined();
    await store.set('forever', 'v');
    expect(await store.redis.pttl(`${store.prefix}forever`)).toBe(-1);
  });

  it('rejects bad TTLs and non-JSON values with typed errors', async () => {
    const store = newStore();
    await expect(store.set('k', 'v', 0)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(store.set('k', 'v', Number.NaN)).rejects.toBeInstanceOf(RedisStoreError);
    await expect(store.set('k', undefined)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(store.incr('k', 1.5)).rejects.toMatchObject({ code: 'invalid-argument' });
    await store.redis.set(`${store.prefix}foreign`, 'not json{');
    await expect(store.get('foreign')).rejects.toThrow(/not JSON/);
  });
});

describe('incr', () => {
  it('counts atomically across connections', async () => {
    const a = newStore('count:');
    const b = createRedisStore({ url, prefix: 'count:' });
    stores.push(b);
    const key = `c-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).incr(key)));
    expect(new Set(results).size).toBe(200);
    expect(Math.max(...results)).toBe(200);
    expect(await a.get(key)).toBe(200);
    expect(await a.incr(key, 5)).toBe(205);
    expect(await a.incr(key, -10)).toBe(195);
  });

  it('sets the TTL when the counter is created and keeps it afterwards', async () => {
    const store = newStore();
    expect(await store.incr('quota:day', 1, 86_400)).toBe(1);
    await store.redis.pexpire(`${store.prefix}quota:day`, 50_000);
    expect(await store.incr('quota:day', 1, 86_400)).toBe(2);
    const pttl = await store.redis.pttl(`${store.prefix}quota:day`);
    expect(pttl).toBeGreaterThan(45_000);
    expect(pttl).toBeLessThanOrEqual(50_000);
    expect(await store.incr('nottl')).toBe(1);
    expect(await store.redis.pttl(`${store.prefix}nottl`)).toBe(-1);
  });
});

describe('lock', () => {
  it('is exclusive until released, and try-once answers undefined while held', async () => {
    const a = newStore('locks:');
    const b = createRedisStore({ url, prefix: 'locks:' });
    stores.push(b);
    const name = `refresh-${randomUUID()}`;
    const held = await a.lock(name, { ttlMs: 10_000, waitMs: 0 });
    expect(held).toBeDefined();
    expect(await b.lock(name, { ttlMs: 10_000, waitMs: 0 })).toBeUndefined();
    expect(await b.lock(name, { ttlMs: 10_000, waitMs: 100 })).toBeUndefined();
    await held!.release();
    const next = await b.lock(name, { ttlMs: 10_000, waitMs: 0 });
    expect(next).toBeDefined();
    await next!.release();
  });

  it('lets a waiter in as soon as the holder releases, within its bounded wait', async () => {
    const store = newStore();
    const held = await store.lock('l', { ttlMs: 30_000, waitMs: 0 });
    const waiting = store.lock('l', { ttlMs: 30_000, waitMs: 10_000 });
    await sleep(100);
    await held!.release();
    const got = await waiting;
    expect(got).toBeDefined();
    await got!.release();
  });

  it('expires after ttlMs so a crashed holder cannot block forever', async () => {
    const store = newStore();
    const crashed = await store.lock('l', { ttlMs: 100, waitMs: 0 });
    expect(crashed).toBeDefined();
    const next = await store.lock('l', { ttlMs: 10_000, waitMs: 5_000 });
    expect(next).toBeDefined();
    await next!.release();
  });

  it('never releases or extends a lock that another holder took over', async () => {
    const store = newStore();
    const first = await store.lock('l', { ttlMs: 80, waitMs: 0 });
    await sleep(150);
    const second = await store.lock('l', { ttlMs: 30_000, waitMs: 0 });
    expect(second).toBeDefined();
    expect(await first!.releaseChecked()).toBe(false);
    expect(await first!.extend(30_000)).toBe(false);
    expect(await store.lock('l', { ttlMs: 30_000, waitMs: 0 })).toBeUndefined();
    expect(await second!.extend(60_000)).toBe(true);
    // Held for 60 s more, but Redis only ever holds one lease (5 s) that the holder keeps renewing.
    expect(await store.redis.pttl(`${store.prefix}lock:l`)).toBeGreaterThan(4_000);
    expect(await store.redis.pttl(`${store.prefix}lock:l`)).toBeLessThanOrEqual(5_000);
    expect(await second!.releaseChecked()).toBe(true);
  });

  it('serializes read-modify-write across 8 connections', async () => {
    const prefix = `rmw${randomUUID().slice(0, 6)}:`;
    const clients = Array.from({ length: 8 }, () => newStore(prefix));
    await clients[0]!.set('n', 0);
    await Promise.all(
      clients.map(async (store) => {
        for (let i = 0; i < 10; i++) {
          const lock = await store.lock('n', { ttlMs: 10_000, waitMs: 20_000 });
          if (!lock) throw new Error('lock wait ran out');
          const n = (await store.get<number>('n')) ?? 0;
          await sleep(1);
          await store.set('n', n + 1);
          await lock.release();
        }
      }),
    );
    expect(await clients[0]!.get('n')).toBe(80);
  });
});

describe('configuration and errors', () => {
  it('is a Store of @md2wx/wechat (type-checked) and works through that interface', async () => {
    const store: Store = newStore();
    await store.set('k', [1, 2]);
    expect(await store.get('k')).toEqual([1, 2]);
    const lock = await store.lock('k', { ttlMs: 1_000, waitMs: 0 });
    await lock?.release();
    expect(lock).toBeDefined();
  });

  it('needs a URL, from the options or MD2WX_REDIS_URL', () => {
    const saved = process.env.MD2WX_REDIS_URL;
    delete process.env.MD2WX_REDIS_URL;
    try {
      expect(() => createRedisStore()).toThrow(/MD2WX_REDIS_URL/);
    } finally {
      if (saved !== undefined) process.env.MD2WX_REDIS_URL = saved;
    }
    expect(redisUrlFromEnv({ MD2WX_REDIS_URL: '  redis://h:1 ' })).toBe('redis://h:1');
    expect(redisUrlFromEnv({ MD2WX_REDIS_URL: ' ' })).toBeUndefined();
  });

  it('never shows the Redis password in error messages', () => {
    let caught: unknown;
    try {
      createRedisStore({ url: 'http://user:hunter2-secret@example.com' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RedisStoreError);
    expect((caught as RedisStoreError).code).toBe('config');
    expect(String((caught as Error).message)).not.toContain('hunter2');
  });

  it('fails with a connection error, without the password, when Redis is unreachable', async () => {
    const store = createRedisStore({
      url: 'redis://:hunter2-secret@127.0.0.1:1',
      redisOptions: { maxRetriesPerRequest: 1, retryStrategy: () => 50 },
    });
    try {
      const error = await store.get('x').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RedisStoreError);
      expect((error as RedisStoreError).code).toBe('connection');
      expect((error as Error).message).toContain('127.0.0.1:1');
      expect((error as Error).message).not.toContain('hunter2');
      // The advice is apart too, for callers that give their own.
      expect((error as RedisStoreError).hint).toBe('is the Redis server running and reachable?');
      expect((error as Error).message).toBe(
        `${(error as RedisStoreError).detail} — ${(error as RedisStoreError).hint}`,
      );
      expect((error as RedisStoreError).detail).not.toContain('reachable');
    } finally {
      await store.close();
    }
  });

  it('refuses calls after close(), and close() is idempotent', async () => {
    const store = createRedisStore({ url });
    await store.ping();
    await store.close();
    await store.close();
    await expect(store.get('x')).rejects.toMatchObject({ code: 'closed' });
  });

  it('leaves a caller-owned ioredis client open on close()', async () => {
    const redis = new Redis(url);
    try {
      const store = createRedisStore({ redis, prefix: 'own:' });
      await store.set('k', 1);
      await store.close();
      expect(await redis.get('own:k')).toBe('1');
      await redis.del('own:k');
    } finally {
      redis.disconnect();
    }
  });
});

describe('Redis restarts', () => {
  it('with AOF persistence: keys, counters and held locks survive a SIGKILL restart', async () => {
    const own = await startRedisServer({ persistent: true });
    const store = createRedisStore({ url: own.url });
    try {
      await store.set('token:oa:wx1', { access_token: 'T1' }, 3600);
      await store.incr('quota', 3, 86_400);
      const lock = await store.lock('refresh', { ttlMs: 60_000, waitMs: 0 });
      await own.restart();
      expect(await store.get('token:oa:wx1')).toEqual({ access_token: 'T1' });
      expect(await store.incr('quota')).toBe(4);
      expect(await store.lock('refresh', { ttlMs: 60_000, waitMs: 0 })).toBeUndefined();
      expect(await lock!.releaseChecked()).toBe(true);
    } finally {
      await store.close();
      await own.stop();
    }
  });

  it('ping({ timeoutMs }) reports a server that is not there within the bound, naming the refusal', async () => {
    const own = await startRedisServer();
    const { url: goneUrl } = own;
    await own.stop();
    const store = createRedisStore({ url: goneUrl });
    try {
      const started = performance.now();
      const error = await store.ping({ timeoutMs: 500 }).catch((e: unknown) => e);
      const ms = performance.now() - started;
      expect(error).toBeInstanceOf(RedisStoreError);
      expect((error as RedisStoreError).code).toBe('connection');
      expect((error as Error).message).toMatch(/within 500 ms: .*ECONNREFUSED/);
      // The default PING waits through ~10 s of reconnects; the bounded one answers at its bound.
      expect(ms).toBeGreaterThanOrEqual(450);
      expect(ms).toBeLessThan(3_000);
    } finally {
      await store.close();
    }
    // Bounded or not, a live server answers.
    await expect(newStore().ping({ timeoutMs: 2_000 })).resolves.toBeUndefined();
  });

  it('commands issued while Redis is down complete once it is back', async () => {
    const own = await startRedisServer({ persistent: true });
    const store = createRedisStore({ url: own.url });
    try {
      await store.ping();
      await own.kill();
      const pending = Promise.all([store.set('during', 'outage'), store.incr('n'), store.incr('n')]);
      await sleep(300);
      await own.start();
      await pending;
      expect(await store.get('during')).toBe('outage');
      expect(await store.get('n')).toBe(2);
    } finally {
      await store.close();
      await own.stop();
    }
  });

  it('without persistence: a lock lost to the restart can be taken again, and the old holder cannot free it', async () => {
    const own = await startRedisServer();
    const a = createRedisStore({ url: own.url });
    const b = createRedisStore({ url: own.url });
    try {
      const first = await a.lock('refresh', { ttlMs: 60_000, waitMs: 0 });
      expect(first).toBeDefined();
      await own.restart();
      const second = await b.lock('refresh', { ttlMs: 60_000, waitMs: 0 });
      expect(second).toBeDefined();
      expect(await first!.releaseChecked()).toBe(false);
      expect(await first!.extend(60_000)).toBe(false);
      expect(await a.lock('refresh', { ttlMs: 60_000, waitMs: 0 })).toBeUndefined();
      expect(await second!.releaseChecked()).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await own.stop();
    }
  });

  it('without persistence: the store reconnects and works, starting empty', async () => {
    const own = await startRedisServer();
    const store = createRedisStore({ url: own.url });
    try {
      await store.set('k', 'v');
      await own.restart(100);
      expect(await store.get('k')).toBeUndefined();
      await store.set('k', 'v2');
      expect(await store.get('k')).toBe('v2');
    } finally {
      await store.close();
      await own.stop();
    }
  });
});
