/**
 * End-to-end (issue 10, CLI part): several md2wx processes sharing state through a real redis-server
 * (MD2WX_REDIS_URL), and `md2wx token serve` feeding another md2wx process that has no AppSecret.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT, type Sandbox, startSandbox } from '@md2wx/sandbox';
import { createRedisStore, freePort, type RedisServer, startRedisServer } from '@md2wx/store-redis';
import { repoRoot } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaIds, runCli, startCli } from './cli-runner.js';

const IMAGES = path.join(repoRoot, 'examples/hello/images');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'md2wx-shared-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/**
 * A runner's checkout: its own directory (own state file and file caches, as on another machine) holding two
 * posts that use the same three images: a JPEG (also the cover), a PNG and an animated GIF.
 */
async function runnerCheckout(name: string): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(path.join(dir, 'images'), { recursive: true });
  for (const image of ['dusk.jpg', 'pipeline.png', 'spinner.gif'])
    await copyFile(path.join(IMAGES, image), path.join(dir, 'images', image));
  for (const n of [1, 2]) {
    await writeFile(
      path.join(dir, `post-${n}.md`),
      `---\ntitle: ${name} post ${n}\n---\n\n![dusk](images/dusk.jpg)\n\nText ${n}.\n\n![pipeline](images/pipeline.png)\n\n![spinner](images/spinner.gif)\n`,
    );
  }
  return dir;
}

describe('Redis store (MD2WX_REDIS_URL) shared by two CLI processes', { tags: ['redis'] }, () => {
  let redis: RedisServer;
  let sandbox: Sandbox;
  beforeAll(async () => {
    redis = await startRedisServer();
    // A sandbox of its own: its counters are this test's alone.
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
    await redis?.stop();
  });

  it('two processes pushing posts that share images upload each image once and request one token', async () => {
    const [a, b] = await Promise.all([runnerCheckout('runner-a'), runnerCheckout('runner-b')]);
    const env = {
      WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
      WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret,
      WECHAT_BASE_URL: sandbox.url,
      MD2WX_REDIS_URL: redis.url,
    };
    const args = ['post-1.md', 'post-2.md', '--draft', '--no-write'];
    const [ra, rb] = await Promise.all([runCli(args, { cwd: a, env }), runCli(args, { cwd: b, env })]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    expect(new Set([...mediaIds(ra.stdout), ...mediaIds(rb.stdout)]).size).toBe(4);

    const stats = sandbox.stats();
    // Body images: the JPEG and the PNG through uploadimg; the animated GIF as material. Covers (the JPEG,
    // compressed for the cover) as material: one for all four posts.
    expect(stats.uploads['media/uploadimg']).toBe(2);
    expect(stats.uploads['material/add_material']).toBe(2);
    expect(stats.tokenRequests[DEFAULT_ACCOUNT.appId]).toBe(1);
    expect(stats.drafts).toBe(4);
    // The dedupe cache lives in Redis, not in the runners' committed state files.
    for (const dir of [a, b]) expect(existsSync(path.join(dir, '.md2wx/images.json'))).toBe(false);
    const store = createRedisStore({ url: redis.url });
    try {
      expect((await store.redis.keys('md2wx:img:*')).filter((k) => !k.includes(':lock:')).length).toBe(4);
      // One token for the account, keyed by appId and a hash of secret + base URL.
      const tokens = await store.redis.keys(`md2wx:token:oa:${DEFAULT_ACCOUNT.appId}:*`);
      expect(tokens.filter((k) => /^md2wx:token:oa:[^:]+:[0-9a-f]{16}$/.test(k))).toHaveLength(1);
    } finally {
      await store.close();
    }

    // A third run anywhere finds everything in Redis: it uploads nothing and reuses the token.
    const c = await runnerCheckout('runner-c');
    const rc = await runCli(['post-1.md', '--draft', '--no-write'], { cwd: c, env });
    expect(rc.code, rc.stderr).toBe(0);
    expect(sandbox.stats().uploads).toEqual(stats.uploads);
    expect(sandbox.stats().tokenRequests[DEFAULT_ACCOUNT.appId]).toBe(1);
  });

  it('an unreachable Redis is a configuration error (exit 4) that never shows the password', async () => {
    const port = await freePort();
    const result = await runCli(['token'], {
      cwd: work,
      env: {
        WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
        WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret,
        WECHAT_BASE_URL: sandbox.url,
        MD2WX_REDIS_URL: `redis://:hunter2-redis-password@127.0.0.1:${port}/0`,
      },
    });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/Redis store redis:\/\/.*127\.0\.0\.1:\d+.* does not answer/);
    expect(result.stderr).not.toContain('hunter2-redis-password');
    // Said at the start-up PING's bound, with the reason, rather than after ~10 s of reconnects.
    expect(result.stderr).toMatch(/within 3000 ms: connect ECONNREFUSED/);
    // One piece of advice, the CLI's, not the store's as well.
    expect(result.stderr).toContain('start it, fix the URL, or unset MD2WX_REDIS_URL');
    expect(result.stderr).not.toContain('reachable?');
  }, 60_000);
});

describe('md2wx token serve (central token service) as a subprocess', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('serves tokens to a CLI process without the AppSecret; a wrong secret exits 4; secrets never printed', async () => {
    const secret = 'e2e-token-serve-bearer-secret-0001';
    const { server, match } = await startCli(['token', 'serve', '--secret-env', 'E2E_SERVICE_SECRET'], {
      cwd: work,
      env: {
        WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
        WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret,
        WECHAT_BASE_URL: sandbox.url,
        E2E_SERVICE_SECRET: secret,
      },
      ready: /^MD2WX_TOKEN_SERVICE_URL=(\S+)$/m,
    });
    try {
      const url = match[1] as string;
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await fetch(`${url}/v1/accounts/${DEFAULT_ACCOUNT.appId}/access_token`)).toHaveProperty(
        'status',
        401,
      );

      const dir = path.join(work, 'service-client');
      await mkdir(dir, { recursive: true });
      await copyFile(path.join(IMAGES, 'dusk.jpg'), path.join(dir, 'cover.jpg'));
      await writeFile(
        path.join(dir, 'p.md'),
        '---\ntitle: Via md2wx token serve\ncover: cover.jpg\n---\n\nHi.\n',
      );
      const clientEnv = {
        WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
        WECHAT_BASE_URL: sandbox.url,
        MD2WX_TOKEN_SERVICE_URL: url,
        MD2WX_TOKEN_SERVICE_SECRET: secret,
      };
      const before = sandbox.stats().drafts;
      const pushed = await runCli(['p.md', '--draft', '--no-write'], { cwd: dir, env: clientEnv });
      expect(pushed.code, pushed.stderr).toBe(0);
      expect(mediaIds(pushed.stdout)).toHaveLength(1);
      expect(sandbox.stats().drafts).toBe(before + 1);
      // Only the service asked WeChat for a token.
      expect(sandbox.stats().tokenRequests[DEFAULT_ACCOUNT.appId]).toBe(1);

      const wrong = await runCli(['token', '--cache-dir', path.join(dir, 'fresh-cache')], {
        cwd: dir,
        env: { ...clientEnv, MD2WX_TOKEN_SERVICE_SECRET: 'wrong-secret-wrong-secret' },
      });
      expect(wrong.code, wrong.stderr).toBe(4);
      expect(wrong.stderr).toMatch(/token service answered HTTP 401: unauthorized: check the bearer secret/);
      expect(wrong.stderr).not.toContain('wrong-secret-wrong-secret');

      const revealed = await runCli(['token', '--reveal', '--cache-dir', path.join(dir, 'c3')], {
        cwd: dir,
        env: clientEnv,
      });
      const token = revealed.stdout.trim();
      expect(token.length).toBeGreaterThan(10);
      const { stdout, stderr } = server.output();
      expect(stderr).toMatch(/token service serving wx\S+ at http:\/\/127\.0\.0\.1:\d+/);
      for (const hidden of [secret, DEFAULT_ACCOUNT.appSecret, token]) {
        expect(stdout).not.toContain(hidden);
        expect(stderr).not.toContain(hidden);
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('refuses to start without a bearer secret, or with one that is too short (exit 4)', async () => {
    const env = { WECHAT_APP_ID: DEFAULT_ACCOUNT.appId, WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret };
    const missing = await runCli(['token', 'serve'], { cwd: work, env });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/MD2WX_TOKEN_SERVICE_SECRET is not set/);
    const short = await runCli(['token', 'serve'], {
      cwd: work,
      env: { ...env, MD2WX_TOKEN_SERVICE_SECRET: 'short-secret' },
    });
    expect(short.code).toBe(4);
    expect(short.stderr).toMatch(/holds 12 characters; the service needs at least 16/);
    expect(short.stderr).not.toContain('short-secret');
  });
});
