import { describe, expect, it } from 'vitest';
import { CredentialCache, memoryStore, WechatApiError, WechatNetworkError } from '../src/index.js';
import { DEFAULT_ACCOUNT, oaClient, useSandbox } from './helpers.js';

const ctx = useSandbox();

describe('HTTP layer: retries, timeouts, bounded attempts', () => {
  it('retries 45011 (per-minute rate limit) with backoff and succeeds', async () => {
    ctx.sb.setFaults({ rateLimitRate: 0.3 });
    const client = oaClient(ctx.sb, { retries: 8, retryBaseMs: 1 });
    for (let i = 0; i < 30; i++) await client.countDrafts();
    const { retries } = client.stats();
    expect(retries).toBeGreaterThan(0);
    expect(ctx.sb.stats().requests['draft/count']).toBe(30 + retries);
  });

  it('gives up after `retries` extra attempts when every attempt is busy: exactly retries + 1 requests', async () => {
    const client = oaClient(ctx.sb, { retries: 3, retryBaseMs: 1 });
    await client.getAccessToken();
    ctx.sb.setFaults({ busyRate: 1 });
    const error = (await client.countDrafts().catch((e: unknown) => e)) as WechatApiError;
    expect(error).toBeInstanceOf(WechatApiError);
    expect(error.errcode).toBe(-1);
    expect(ctx.sb.stats().requests['draft/count']).toBe(4);
    expect(client.stats().retries).toBe(3);
  });

  it('every connection dropped → WechatNetworkError naming the endpoint and attempts, no token inside', async () => {
    const client = oaClient(ctx.sb, { retries: 2, retryBaseMs: 1 });
    const token = await client.getAccessToken();
    ctx.sb.setFaults({ dropRate: 1 });
    const error = (await client.countDrafts().catch((e: unknown) => e)) as WechatNetworkError;
    expect(error).toBeInstanceOf(WechatNetworkError);
    expect(error.attempts).toBe(3);
    expect(error.endpoint).toBe('cgi-bin/draft/count');
    expect(`${error.message}${error.stack}`).not.toContain(token);
  });

  it('a slow answer hits the per-attempt timeout and is retried', async () => {
    const client = oaClient(ctx.sb, { retries: 1, retryBaseMs: 1, timeoutMs: 100 });
    await client.getAccessToken();
    ctx.sb.setFaults({ latencyMs: 400 });
    const error = (await client.countDrafts().catch((e: unknown) => e)) as WechatNetworkError;
    expect(error).toBeInstanceOf(WechatNetworkError);
    expect(error.message).toMatch(/timeout/i);
    expect(error.attempts).toBe(2);
  });

  it('45009 (daily quota) is not retried', async () => {
    ctx.sb.setFaults({ exhaustedQuotas: ['draft/count'] });
    const client = oaClient(ctx.sb, { retryBaseMs: 1 });
    await expect(client.countDrafts()).rejects.toMatchObject({ errcode: 45009 });
    expect(ctx.sb.stats().requests['draft/count']).toBe(1);
  });

  it('a token rejected twice in a row is not retried forever (one refresh, one retry)', async () => {
    const client = oaClient(ctx.sb, { tokenMode: 'classic' });
    await client.countDrafts();
    ctx.sb.revokeTokens(DEFAULT_ACCOUNT.appId);
    await client.countDrafts();
    expect(client.stats()).toMatchObject({ tokenFetches: 2, tokenRetries: 1 });
  });
});

describe('CredentialCache lifetimes', () => {
  it('caches for expires_in minus the margin, or half the lifetime when it is short', () => {
    const cache = new CredentialCache({
      store: memoryStore(),
      key: 'k',
      source: async () => ({ value: 'v', expiresIn: 1 }),
    });
    expect(cache.ttlFor(7200)).toBe(6900);
    expect(cache.ttlFor(345)).toBe(172);
    expect(cache.ttlFor(1)).toBe(1);
  });

  it('a failed fetch is not cached and the next call tries again', async () => {
    let calls = 0;
    const cache = new CredentialCache({
      store: memoryStore(),
      key: 'k',
      source: async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return { value: 'second', expiresIn: 7200 };
      },
    });
    await expect(Promise.all([cache.get(), cache.get()])).rejects.toThrow('boom');
    expect(calls).toBe(1);
    expect(await cache.get()).toBe('second');
  });
});
