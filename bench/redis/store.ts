/**
 * Store operation latency: Redis (@md2wx/store-redis, a local redis-server) against the baselines
 * memoryStore and fileStore of @md2wx/wechat. Prints µs per operation and the ratio to memoryStore.
 *
 *   npx tsx --conditions=@md2wx/source bench/redis/store.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRedisStore, startRedisServer } from '@md2wx/store-redis';
import { fileStore, memoryStore, type Store } from '@md2wx/wechat';

const N = Number(process.env.N ?? 2000);

async function time(op: (i: number) => Promise<unknown>, n = N): Promise<number> {
  for (let i = 0; i < 50; i++) await op(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await op(i);
  return Number(process.hrtime.bigint() - start) / 1000 / n;
}

async function measure(store: Store) {
  const value = { access_token: 'x'.repeat(160), expires_at: Date.now() + 7_200_000 };
  return {
    set: await time((i) => store.set(`bench:k${i % 100}`, value, 3600)),
    get: await time((i) => store.get(`bench:k${i % 100}`)),
    incr: await time(() => store.incr('bench:counter', 1, 86_400)),
    'lock+release': await time(async (i) =>
      (await store.lock(`bench:l${i % 10}`, { ttlMs: 5000, waitMs: 0 }))?.release(),
    ),
  };
}

const server = await startRedisServer();
const dir = mkdtempSync(path.join(tmpdir(), 'md2wx-bench-'));
try {
  const redis = createRedisStore({ url: server.url });
  const file = fileStore({ path: path.join(dir, 'state.json') });
  const results = {
    memoryStore: await measure(memoryStore()),
    fileStore: await measure(file),
    redisStore: await measure(redis),
  };
  await redis.close();
  await file.close?.();
  const base = results.memoryStore;
  console.log(`Store latency, µs/op (sequential, N=${N}); ratio = ×memoryStore (baseline)`);
  console.log(['op'.padEnd(14), ...Object.keys(results).map((k) => k.padStart(22))].join(''));
  for (const op of Object.keys(base) as (keyof typeof base)[]) {
    const cells = Object.values(results).map((r) =>
      `${r[op].toFixed(1)} (×${(r[op] / base[op]).toFixed(0)})`.padStart(22),
    );
    console.log([op.padEnd(14), ...cells].join(''));
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
