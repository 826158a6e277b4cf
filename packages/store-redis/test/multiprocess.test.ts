// @module-tag redis: every test talks to a real redis-server.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT, type Sandbox, startSandbox } from '@md2wx/sandbox';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../src/index.js';
import { expectEvent, startWorkers, type Worker } from './fixtures/workers.js';

/**
 * The "Done when" list of issue 10: separate OS processes (each its own md2wx client, sharing nothing but a
 * real redis-server) against the sandbox over HTTP.
 */

const images = (names: string[]) =>
  names.map((name) => corpusPath(`markdown/doocs-advanced-java/docs/high-concurrency/images/${name}`));

const appId = DEFAULT_ACCOUNT.appId;

function uploadsOf(sandbox: Sandbox): number {
  return sandbox.stats().uploads['media/uploadimg'] ?? 0;
}

async function uploadAll(workers: Worker[], files: (i: number) => string[], dedupe = false) {
  workers.forEach((w, i) => {
    w.send({ cmd: 'upload', files: files(i), dedupe });
  });
  return Promise.all(
    workers.map(async (w) => {
      const event = expectEvent(await w.next(), 'uploaded');
      return { urls: event.urls as Record<string, string>, failed: event.failed as Record<string, string> };
    }),
  );
}

describe.skipIf(!requireCorpus())('20 processes sharing one Redis store', () => {
  let redis: RedisServer;
  let sandbox: Sandbox;
  let workers: Worker[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    sandbox = await startSandbox();
    workers = await startWorkers(20, {
      MD2WX_REDIS_URL: redis.url,
      SANDBOX_URL: sandbox.url,
      APP_ID: appId,
      APP_SECRET: DEFAULT_ACCOUNT.appSecret,
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.exit()));
    await sandbox?.close();
    await redis?.stop();
  });

  it('20 processes asking at once → exactly 1 token request, one token for all', async () => {
    for (const w of workers) w.send({ cmd: 'token' });
    const tokens = await Promise.all(workers.map(async (w) => expectEvent(await w.next(), 'token').token));
    expect(new Set(tokens).size).toBe(1);
    expect(sandbox.stats().tokenRequests[appId]).toBe(1);
    expect(sandbox.stats().tokensIssued[appId]).toBe(1);
  }, 60_000);

  it('token revoked while 20 processes upload → exactly 1 refresh, 0 failed uploads', async () => {
    const files = images(['mq-1.png', 'mq-2.png', 'mq-3.png']);
    const before = uploadsOf(sandbox);
    const first = await uploadAll(workers, () => files.slice(0, 1));
    expect(first.flatMap((r) => Object.values(r.failed))).toEqual([]);
    const issued = sandbox.stats().tokensIssued[appId] ?? 0;
    expect(issued).toBeGreaterThanOrEqual(1);

    sandbox.revokeTokens(appId);
    const second = await uploadAll(workers, () => files.slice(1));

    expect(second.flatMap((r) => Object.values(r.failed))).toEqual([]);
    expect(sandbox.stats().tokensIssued[appId]).toBe(issued + 1);
    expect(uploadsOf(sandbox) - before).toBe(20 * files.length);
    // Every process's calls after the revocation carried the new token: 40001 at most once per process.
    const rejected = sandbox.requestLog().filter((e) => e.errcode === 40001).length;
    expect(rejected).toBeGreaterThan(0);
    expect(rejected).toBeLessThanOrEqual(20);
  }, 120_000);
});

describe.skipIf(!requireCorpus())('upload dedupe across processes', () => {
  let redis: RedisServer;
  let sandbox: Sandbox;
  let workers: Worker[] = [];
  const set = images(['mq-1.png', 'mq-2.png', 'mq-3.png', 'mq-4.png', 'mq-5.png', 'mq-6.png']);

  beforeAll(async () => {
    redis = await startRedisServer({ persistent: true });
    sandbox = await startSandbox();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.exit()));
    await sandbox?.close();
    await redis?.stop();
  });

  it('two processes upload overlapping image sets → each image uploaded once', async () => {
    workers = await startWorkers(2, {
      MD2WX_REDIS_URL: redis.url,
      SANDBOX_URL: sandbox.url,
      APP_ID: appId,
      APP_SECRET: DEFAULT_ACCOUNT.appSecret,
      REDIS_PREFIX: 'dedupe:',
    });
    // A: 3, 4, 1, 2 and B: 3, 4, 5, 6 — both start on the shared images at the same moment.
    const [one, two, three, four, five, six] = set as [string, string, string, string, string, string];
    const results = await uploadAll(
      workers,
      (i) => (i === 0 ? [three, four, one, two] : [three, four, five, six]),
      true,
    );
    expect(results.flatMap((r) => Object.values(r.failed))).toEqual([]);
    expect(uploadsOf(sandbox)).toBe(set.length);
    // Both processes got the same URL for the images they share.
    for (const file of set.slice(2, 4)) expect(results[0]!.urls[file]).toBe(results[1]!.urls[file]);
    await Promise.all(workers.map((w) => w.exit()));
    workers = [];
  }, 120_000);

  it('two processes run the remark plugin on posts sharing images → each image uploaded once', async () => {
    sandbox.reset();
    const dir = mkdtempSync(path.join(tmpdir(), 'md2wx-posts-'));
    try {
      for (const [i, file] of set.entries()) copyFileSync(file, path.join(dir, `img${i + 1}.png`));
      const post = (numbers: number[]) =>
        numbers.map((n) => `Image ${n}:\n\n![image ${n}](./img${n}.png)\n`).join('\n');
      writeFileSync(path.join(dir, 'a.md'), post([3, 4, 1, 2]));
      writeFileSync(path.join(dir, 'b.md'), post([3, 4, 5, 6]));
      workers = await startWorkers(2, {
        MD2WX_REDIS_URL: redis.url,
        SANDBOX_URL: sandbox.url,
        APP_ID: appId,
        APP_SECRET: DEFAULT_ACCOUNT.appSecret,
        REDIS_PREFIX: 'plugin:',
      });
      workers.forEach((w, i) => {
        w.send({ cmd: 'markdown', file: path.join(dir, i === 0 ? 'a.md' : 'b.md') });
      });
      const [a, b] = await Promise.all(workers.map(async (w) => expectEvent(await w.next(), 'markdown')));
      expect(uploadsOf(sandbox)).toBe(6);
      expect((a!.uploaded as number) + (b!.uploaded as number)).toBe(6);
      expect((a!.cached as number) + (b!.cached as number)).toBe(2);
      const urlOf = (markdown: unknown, n: number) =>
        new RegExp(`!\\[image ${n}\\]\\((\\S+)\\)`).exec(String(markdown))?.[1];
      for (const n of [3, 4]) {
        expect(urlOf(a!.markdown, n)).toMatch(/mmbiz_/);
        expect(urlOf(a!.markdown, n)).toBe(urlOf(b!.markdown, n));
      }
    } finally {
      await Promise.all(workers.map((w) => w.exit()));
      workers = [];
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('Redis restarted mid-run → the run completes with nothing lost or duplicated', async () => {
    sandbox.reset();
    workers = await startWorkers(4, {
      MD2WX_REDIS_URL: redis.url,
      SANDBOX_URL: sandbox.url,
      APP_ID: appId,
      APP_SECRET: DEFAULT_ACCOUNT.appSecret,
      REDIS_PREFIX: 'restart:',
    });
    const first = await uploadAll(workers, (i) => [set[i]!, set[(i + 1) % 4]!], true);
    expect(first.flatMap((r) => Object.values(r.failed))).toEqual([]);
    expect(uploadsOf(sandbox)).toBe(4);

    // Second half: all four start on images 5 and 6 (one uploads, the others wait on its lock), slowed down
    // by 200 ms of sandbox latency; Redis crashes (SIGKILL) in the middle of it and comes back 300 ms later.
    sandbox.setFaults({ latencyMs: 200 });
    const second = uploadAll(workers, (i) => [set[4]!, set[5]!, set[(i + 1) % 4]!, set[i]!], true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.start();
    const results = await second;
    sandbox.setFaults({ latencyMs: 0 });

    expect(results.flatMap((r) => Object.values(r.failed))).toEqual([]);
    // Nothing duplicated: the cache survived (AOF), so 1-4 were not uploaded again and 5, 6 once each.
    expect(uploadsOf(sandbox)).toBe(6);
    // Nothing lost: the token survived too, so no process fetched another.
    expect(sandbox.stats().tokensIssued[appId]).toBe(1);
    for (const file of set) {
      const urls = new Set(
        [...first, ...results].map((r) => r.urls[file]).filter((url): url is string => url !== undefined),
      );
      expect(urls.size).toBe(1);
    }
  }, 120_000);
});
