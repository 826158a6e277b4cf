// @module-tag redis: every test talks to a real redis-server.
/**
 * Issue 19 defect 5 (Redis): image locks are taken for ~120 s; a holder killed with SIGKILL must not make the
 * next run (on any machine) wait those 120 s. Real redis-server, real processes.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisStore,
  DEFAULT_LOCK_LEASE_MS,
  type RedisServer,
  type RedisStore,
  redisUrlFromEnv,
  startRedisServer,
} from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let server: RedisServer | undefined;
let url: string;
const stores: RedisStore[] = [];

beforeAll(async () => {
  const external = redisUrlFromEnv();
  if (external) url = external;
  else {
    server = await startRedisServer();
    url = server.url;
  }
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await server?.stop();
});

function newStore(prefix: string, over: Parameters<typeof createRedisStore>[0] = {}): RedisStore {
  const store = createRedisStore({ url, prefix, ...over });
  stores.push(store);
  return store;
}

/** Start a process that takes `name` for `ttlMs` and keeps working; resolves once it holds the lock. */
function holder(prefix: string, name: string, ttlMs: number) {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@md2wx/source',
      '--import',
      'tsx',
      path.join(here, 'fixtures/hold-lock.ts'),
      url,
      prefix,
      name,
      String(ttlMs),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const held = new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
  });
  return { child, exited, held };
}

describe('Redis locks heal after kill -9 (defect 5)', () => {
  it('a 120 s image lock whose holder is killed is free again within one lease (5 s)', async () => {
    const prefix = `kill${randomUUID().slice(0, 6)}:`;
    const name = 'images:lock:sha256-of-an-image';
    const h = holder(prefix, name, 120_000);
    expect(await h.held).toBe('held');
    const store = newStore(prefix);
    // Alive, the holder keeps its lease: after two leases the lock is still taken.
    await new Promise((resolve) => setTimeout(resolve, DEFAULT_LOCK_LEASE_MS * 1.5));
    expect(await store.lock(name, { ttlMs: 120_000, waitMs: 0 })).toBeUndefined();

    h.child.kill('SIGKILL');
    await h.exited;
    const started = Date.now();
    const lock = await store.lock(name, { ttlMs: 120_000, waitMs: 30_000 });
    const waited = Date.now() - started;
    expect(lock).toBeDefined();
    expect(waited).toBeLessThan(DEFAULT_LOCK_LEASE_MS + 500);
    await lock?.release();
  }, 60_000);

  it('a live holder keeps its lock for the whole ttlMs (the lease is renewed), then it lapses', async () => {
    const prefix = `lease${randomUUID().slice(0, 6)}:`;
    const a = newStore(prefix, { lockLeaseMs: 300 });
    const b = newStore(prefix, { lockLeaseMs: 300 });
    const lock = await a.lock('l', { ttlMs: 1_500, waitMs: 0 });
    expect(lock).toBeDefined();
    expect(await a.redis.pttl(`${prefix}lock:l`)).toBeLessThanOrEqual(300);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await b.lock('l', { ttlMs: 1_000, waitMs: 0 })).toBeUndefined();
    // Past ttlMs the holder stops renewing: the lock is free within one lease after it.
    const taken = await b.lock('l', { ttlMs: 1_000, waitMs: 1_500 });
    expect(taken).toBeDefined();
    expect(await lock!.releaseChecked()).toBe(false);
  });
});
