/**
 * Token service latency: `GET /v1/accounts/<appId>/access_token` served from the cache (memory store, Redis
 * store) against the baseline of a client calling the sandbox's stable_token itself. Prints mean µs per
 * request (sequential, keep-alive) and the ratio to the baseline.
 *
 *   npx tsx --conditions=@md2wx/source bench/redis/token-service.ts
 */
import { DEFAULT_ACCOUNT, startSandbox } from '@md2wx/sandbox';
import { createRedisStore, startRedisServer } from '@md2wx/store-redis';
import { startTokenService } from '@md2wx/token-service';

const N = Number(process.env.N ?? 1000);
const secret = 'bench-secret-0123456789abcdef';

async function time(request: () => Promise<Response>): Promise<number> {
  for (let i = 0; i < 50; i++) await (await request()).arrayBuffer();
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const response = await request();
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  }
  return Number(process.hrtime.bigint() - start) / 1000 / N;
}

const sandbox = await startSandbox();
const redis = await startRedisServer();
const store = createRedisStore({ url: redis.url });
try {
  const account = { ...DEFAULT_ACCOUNT, baseUrl: sandbox.url };
  const memory = await startTokenService({ accounts: [account], secret, rateLimit: false });
  const shared = await startTokenService({ accounts: [account], secret, rateLimit: false, store });
  const limited = await startTokenService({
    accounts: [account],
    secret,
    store,
    rateLimit: { max: 1_000_000, windowSeconds: 60 },
  });
  const path = `/v1/accounts/${DEFAULT_ACCOUNT.appId}/access_token`;
  const headers = { authorization: `Bearer ${secret}` };
  const body = JSON.stringify({
    grant_type: 'client_credential',
    appid: account.appId,
    secret: account.appSecret,
  });
  const results: Record<string, number> = {
    'stable_token direct (baseline)': await time(() =>
      fetch(`${sandbox.url}/cgi-bin/stable_token`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      }),
    ),
    'service, memory store': await time(() => fetch(memory.url + path, { headers })),
    'service, Redis store': await time(() => fetch(shared.url + path, { headers })),
    'service, Redis + rate limit': await time(() => fetch(limited.url + path, { headers })),
  };
  const base = results['stable_token direct (baseline)']!;
  console.log(`Token fetch latency, µs/request (sequential, N=${N}); ratio = ×baseline`);
  for (const [name, us] of Object.entries(results)) {
    console.log(`${name.padEnd(32)}${us.toFixed(0).padStart(8)}   ×${(us / base).toFixed(2)}`);
  }
  console.log(
    `sandbox token requests: ${JSON.stringify(sandbox.stats().tokenRequests)} (service fetches: 1 per store)`,
  );
  await Promise.all([memory.close(), shared.close(), limited.close()]);
} finally {
  await store.close();
  await redis.stop();
  await sandbox.close();
}
