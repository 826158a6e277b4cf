import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT, type SandboxServer, startSandbox } from '../src/index.js';
import { getJson, oaToken } from './helpers.js';

let sb: SandboxServer | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const control = (path: string) => `${(sb as SandboxServer).controlUrl}${path}`;

async function send(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(control(path), init);
  return (await res.json()) as Record<string, unknown>;
}

describe('control API (/__sandbox/…)', () => {
  it('serves counters per endpoint and the call log, without logging or counting itself', async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    await getJson(`${sb.url}/cgi-bin/draft/count?access_token=${token}`);
    await getJson(`${sb.url}/cgi-bin/draft/count?access_token=${token}`);
    const stats = await send('GET', '/stats');
    expect((stats.requests as Record<string, number>)['draft/count']).toBe(2);
    expect((stats.tokensIssued as Record<string, number>)[DEFAULT_ACCOUNT.appId]).toBe(1);
    const log = (await send('GET', '/log')) as { total: number; entries: { api: string; url: string }[] };
    expect(log.total).toBe(3);
    expect(log.entries.map((e) => e.api)).toEqual(['token', 'draft/count', 'draft/count']);
    expect(log.entries.every((e) => !e.url.includes(token))).toBe(true);
    const later = (await send('GET', '/log?since=2')) as { entries: unknown[] };
    expect(later.entries).toHaveLength(1);
  });

  it('sets faults per endpoint (merge with POST, replace with PUT): 502, 45009 and dropped answers', async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    const faults = await send('POST', '/faults', { endpoints: { 'draft/count': { http5xxRate: 1 } } });
    expect(faults).toEqual({ endpoints: { 'draft/count': { http5xxRate: 1 } } });
    const gateway = await fetch(`${sb.url}/cgi-bin/draft/count?access_token=${token}`);
    expect(gateway.status).toBe(502);
    await gateway.text();
    // Other endpoints are untouched.
    expect(
      (await getJson(`${sb.url}/cgi-bin/material/get_materialcount?access_token=${token}`)).errcode,
    ).toBe(undefined);
    await send('PUT', '/faults', { quotaRate: 1 });
    expect(await send('GET', '/faults')).toEqual({ quotaRate: 1 });
    expect((await getJson(`${sb.url}/cgi-bin/draft/count?access_token=${token}`)).errcode).toBe(45009);
    await send('PUT', '/faults', { endpoints: { 'draft/count': { dropAnswerRate: 1 } } });
    await expect(getJson(`${sb.url}/cgi-bin/draft/count?access_token=${token}`)).rejects.toThrow();
    const stats = await send('GET', '/stats');
    expect(stats.faultsInjected).toEqual({ http5xx: 1, quota: 1, dropAnswer: 1 });
    const log = (await send('GET', '/log')) as { entries: { fault?: string; status: number }[] };
    expect(log.entries.map((e) => e.fault).filter(Boolean)).toEqual(['http5xx', 'quota', 'dropAnswer']);
  });

  it('revokes tokens, shifts the clock, and resets', async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    const revoked = await send('POST', '/revoke', { principal: DEFAULT_ACCOUNT.appId });
    expect(revoked.revocations).toBe(1);
    expect((await getJson(`${sb.url}/cgi-bin/draft/count?access_token=${token}`)).errcode).toBe(40001);

    const fresh = await oaToken(sb.url);
    // Two hours and a bit later the token has expired (42001).
    const clock = await send('POST', '/clock', { offsetMs: 7_300_000 });
    expect(clock.offsetMs).toBe(7_300_000);
    expect((await getJson(`${sb.url}/cgi-bin/draft/count?access_token=${fresh}`)).errcode).toBe(42001);
    expect((await send('GET', '/clock')).offsetMs).toBe(7_300_000);

    await send('POST', '/reset');
    const stats = await send('GET', '/stats');
    expect(stats.requests).toEqual({});
    expect(stats.revocations).toBe(0);
  });

  it('answers 400 for a bad body and 404 naming the endpoints for an unknown path', async () => {
    sb = await startSandbox();
    const bad = await fetch(control('/clock'), { method: 'POST', body: '{"offsetMs":"soon"}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/offsetMs/);
    const unknown = await fetch(control('/nope'));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/GET stats\|log/);
  });
});
