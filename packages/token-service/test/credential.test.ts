import { memoryStore } from '@md2wx/wechat';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SharedCredential, UpstreamError } from '../src/index.js';
import type { Issued } from '../src/upstream.js';

/**
 * The caching rules of SharedCredential with a scripted source and the clock under test control (only `Date`
 * is faked: timers stay real, so the store and the lock behave as in production).
 */

function scripted(answers: Array<Issued | Error>) {
  const calls: Array<string | undefined> = [];
  const fetch = async (stale: string | undefined): Promise<Issued> => {
    calls.push(stale);
    const next = answers.shift();
    if (!next) throw new Error('source called more often than scripted');
    if (next instanceof Error) throw next;
    return next;
  };
  return { calls, fetch };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SharedCredential', () => {
  it('fetches once for concurrent callers and serves the cache until refreshAhead before expiry', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    const source = scripted([
      { value: 'T1', expiresIn: 7200 },
      { value: 'T2', expiresIn: 7200 },
    ]);
    const credential = new SharedCredential({
      store: memoryStore(),
      key: 'k',
      fetch: source.fetch,
      refreshAheadMs: 300_000,
    });
    const first = await Promise.all(Array.from({ length: 10 }, () => credential.get()));
    expect(new Set(first.map((r) => r.value))).toEqual(new Set(['T1']));
    expect(source.calls).toEqual([undefined]);
    vi.setSystemTime(1_000_000 + 6_800_000); // 400 s left: still served
    expect((await credential.get()).value).toBe('T1');
    vi.setSystemTime(1_000_000 + 6_950_000); // 250 s left: refreshed
    expect((await credential.get()).value).toBe('T2');
    expect(source.calls).toEqual([undefined, undefined]);
  });

  it('does not hammer WeChat when it hands back the same credential with little time left', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const source = scripted([
      { value: 'T1', expiresIn: 200 },
      { value: 'T1', expiresIn: 190 },
    ]);
    const credential = new SharedCredential({
      store: memoryStore(),
      key: 'k',
      fetch: source.fetch,
      refreshAheadMs: 300_000,
    });
    expect((await credential.get()).value).toBe('T1');
    // Just fetched: served for minRefetchMs (10 s) although under refreshAhead.
    vi.setSystemTime(5_000);
    expect((await credential.get()).value).toBe('T1');
    expect(source.calls).toHaveLength(1);
    vi.setSystemTime(11_000);
    const again = await credential.get();
    expect(again.value).toBe('T1');
    expect(source.calls).toHaveLength(2);
    expect(again.expiresAt).toBe(11_000 + 190_000);
  });

  it('serves the cached credential when a refresh fails while it still lives, and reports it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const errors: Array<[unknown, boolean]> = [];
    const source = scripted([
      { value: 'T1', expiresIn: 7200 },
      new UpstreamError('cgi-bin/stable_token', -1, 'system error'),
    ]);
    const credential = new SharedCredential({
      store: memoryStore(),
      key: 'k',
      fetch: source.fetch,
      refreshAheadMs: 300_000,
      onRefreshError: (error, servedStale) => errors.push([error, servedStale]),
    });
    await credential.get();
    vi.setSystemTime(7_000_000);
    expect((await credential.get()).value).toBe('T1');
    expect(errors).toHaveLength(1);
    expect(errors[0]![1]).toBe(true);
  });

  it('throws the upstream error when there is nothing to fall back on', async () => {
    const source = scripted([
      new UpstreamError('cgi-bin/stable_token', 40164, 'invalid ip 1.2.3.4, not in whitelist'),
    ]);
    const credential = new SharedCredential({
      store: memoryStore(),
      key: 'k',
      fetch: source.fetch,
      refreshAheadMs: 300_000,
    });
    await expect(credential.get()).rejects.toMatchObject({ errcode: 40164 });
  });

  it('replaces a stale credential once for every caller reporting it; older reports get the current one', async () => {
    const source = scripted([
      { value: 'T1', expiresIn: 7200 },
      { value: 'T2', expiresIn: 7200 },
    ]);
    const credential = new SharedCredential({
      store: memoryStore(),
      key: 'k',
      fetch: source.fetch,
      refreshAheadMs: 300_000,
    });
    await credential.get();
    const replaced = await Promise.all(Array.from({ length: 5 }, () => credential.replace('T1')));
    expect(new Set(replaced.map((r) => r.value))).toEqual(new Set(['T2']));
    expect((await credential.replace('T1')).value).toBe('T2');
    expect((await credential.replace('T0')).value).toBe('T2');
    expect(source.calls).toEqual([undefined, 'T1']);
  });

  it('shares the credential through the store: a second instance does not fetch', async () => {
    const store = memoryStore();
    const a = scripted([{ value: 'T1', expiresIn: 7200 }]);
    const b = scripted([]);
    await new SharedCredential({ store, key: 'k', fetch: a.fetch, refreshAheadMs: 300_000 }).get();
    const other = new SharedCredential({ store, key: 'k', fetch: b.fetch, refreshAheadMs: 300_000 });
    expect((await other.get()).value).toBe('T1');
    expect(b.calls).toEqual([]);
  });
});
