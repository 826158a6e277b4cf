import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT, type SandboxServer, startSandbox } from '../src/index.js';
import { getJson, jpeg, oaToken, upload, wecomToken } from './helpers.js';

let sb: SandboxServer | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const countUrl = (base: string, token: string) => `${base}/cgi-bin/draft/count?access_token=${token}`;

async function errcodes(base: string, token: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await getJson(countUrl(base, token))).errcode ?? 0);
  return out;
}

describe('fault injection', () => {
  it('busyRate answers -1 "system error" with a reproducible seeded pattern', async () => {
    sb = await startSandbox({ seed: 7, faults: { busyRate: 0.5 } });
    const a = await errcodes(sb.url, await oaToken(sb.url), 40);
    await sb.close();
    sb = await startSandbox({ seed: 7, faults: { busyRate: 0.5 } });
    const b = await errcodes(sb.url, await oaToken(sb.url), 40);
    expect(a).toEqual(b);
    expect(new Set(a)).toEqual(new Set([0, -1]));
    const busy = a.filter((c) => c === -1).length;
    expect(busy).toBeGreaterThan(8);
    expect(busy).toBeLessThan(32);
  });

  it('a different seed gives a different pattern', async () => {
    sb = await startSandbox({ seed: 1, faults: { busyRate: 0.5 } });
    const a = await errcodes(sb.url, await oaToken(sb.url), 30);
    await sb.close();
    sb = await startSandbox({ seed: 2, faults: { busyRate: 0.5 } });
    const b = await errcodes(sb.url, await oaToken(sb.url), 30);
    expect(a).not.toEqual(b);
  });

  it("rateLimitRate 1 answers 45011; scope 'api' spares the token endpoint, 'all' does not", async () => {
    sb = await startSandbox({ faults: { rateLimitRate: 1 } });
    const token = await oaToken(sb.url);
    const body = await getJson(countUrl(sb.url, token));
    expect(body.errcode).toBe(45011);
    expect(String(body.errmsg)).toMatch(/^api minute-quota reach limit/);
    sb.setFaults({ scope: 'all' });
    const t = await getJson(
      `${sb.url}/cgi-bin/token?grant_type=client_credential&appid=${DEFAULT_ACCOUNT.appId}&secret=${DEFAULT_ACCOUNT.appSecret}`,
    );
    expect(t.errcode).toBe(45011);
    sb.setFaults({ rateLimitRate: 0 });
    expect(await getJson(countUrl(sb.url, token))).toEqual({ total_count: 0 });
  });

  it('dropRate 1 destroys the connection without an answer', async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    sb.setFaults({ dropRate: 1 });
    await expect(fetch(countUrl(sb.url, token))).rejects.toThrow();
    expect(sb.stats().requests['draft/count']).toBe(1);
    const entry = sb.requestLog().find((e) => e.api === 'draft/count');
    expect(entry?.status).toBe(0);
  });

  it('dropAnswerRate 1 carries the request out, then destroys the connection instead of answering', async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    sb.setFaults({ dropAnswerRate: 1 });
    const url = `${sb.url}/cgi-bin/material/add_material?access_token=${token}&type=image`;
    await expect(upload(url, { data: jpeg(), filename: 'a.jpg', type: 'image/jpeg' })).rejects.toThrow();
    sb.setFaults({ dropAnswerRate: 0 });
    // The material exists although the caller never heard so: what a repeat after a lost answer would duplicate.
    expect(sb.stats().materials).toBe(1);
    expect(sb.requestLog().find((e) => e.api === 'material/add_material')?.status).toBe(0);
    expect(await getJson(countUrl(sb.url, token))).toEqual({ total_count: 0 });
  });

  it('latencyMs delays answers (measured loosely: at least the fixed part)', async () => {
    sb = await startSandbox({ faults: { latencyMs: 120, scope: 'all' } });
    const t0 = performance.now();
    await oaToken(sb.url);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it("IP whitelist 'token' answers 40164 with the caller's IP on token endpoints only", async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    sb.setFaults({ ipWhitelist: { allowed: ['10.0.0.1'], appliesTo: 'token' } });
    const body = await getJson(
      `${sb.url}/cgi-bin/token?grant_type=client_credential&appid=${DEFAULT_ACCOUNT.appId}&secret=${DEFAULT_ACCOUNT.appSecret}`,
    );
    expect(body.errcode).toBe(40164);
    expect(String(body.errmsg)).toMatch(
      /^invalid ip 127\.0\.0\.1 ipv6 ::ffff:127\.0\.0\.1, not in whitelist rid: /,
    );
    expect(await getJson(countUrl(sb.url, token))).toEqual({ total_count: 0 });
    expect(sb.stats().tokenRequests[DEFAULT_ACCOUNT.appId]).toBe(2);
    expect(sb.stats().tokensIssued[DEFAULT_ACCOUNT.appId]).toBe(1);
  });

  it("IP whitelist 'all' blocks every endpoint; allowing the IP lets calls through; WeCom answers 60020", async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    const wt = await wecomToken(sb.wecomUrl);
    sb.setFaults({ ipWhitelist: { allowed: ['10.0.0.1'], appliesTo: 'all' } });
    expect((await getJson(countUrl(sb.url, token))).errcode).toBe(40164);
    const w = await getJson(`${sb.wecomUrl}/cgi-bin/media/get?access_token=${wt}&media_id=x`);
    expect(w.errcode).toBe(60020);
    expect(String(w.errmsg)).toContain('from ip: 127.0.0.1');
    sb.setFaults({ ipWhitelist: { allowed: ['::ffff:127.0.0.1'], appliesTo: 'all' } });
    expect(await getJson(countUrl(sb.url, token))).toEqual({ total_count: 0 });
    sb.setFaults({ ipWhitelist: undefined });
    expect(await getJson(countUrl(sb.url, token))).toEqual({ total_count: 0 });
  });

  it('exhaustedQuotas answers 45009 "reach max api daily quota limit" for the named APIs only', async () => {
    sb = await startSandbox({ faults: { exhaustedQuotas: ['draft/count'] } });
    const token = await oaToken(sb.url);
    const body = await getJson(countUrl(sb.url, token));
    expect(body.errcode).toBe(45009);
    expect(String(body.errmsg)).toMatch(/^reach max api daily quota limit rid: /);
    const other = await getJson(`${sb.url}/cgi-bin/material/get_materialcount?access_token=${token}`);
    expect(other).toEqual({ voice_count: 0, video_count: 0, image_count: 0, news_count: 0 });
  });

  it("exhaustedQuotas 'wecom/…' hits WeCom only, a plain path name both platforms", async () => {
    sb = await startSandbox({ faults: { exhaustedQuotas: ['wecom/media/get'] } });
    const token = await oaToken(sb.url);
    const wt = await wecomToken(sb.wecomUrl);
    expect((await getJson(`${sb.wecomUrl}/cgi-bin/media/get?access_token=${wt}&media_id=x`)).errcode).toBe(
      45009,
    );
    expect((await getJson(`${sb.url}/cgi-bin/media/get?access_token=${token}&media_id=x`)).errcode).toBe(
      40007,
    );
    sb.setFaults({ exhaustedQuotas: ['media/get'] });
    expect((await getJson(`${sb.url}/cgi-bin/media/get?access_token=${token}&media_id=x`)).errcode).toBe(
      45009,
    );
    expect((await getJson(`${sb.wecomUrl}/cgi-bin/media/get?access_token=${wt}&media_id=x`)).errcode).toBe(
      45009,
    );
  });

  it('revokeTokensAfter revokes live tokens once, after N answered business calls', async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    sb.setFaults({ revokeTokensAfter: 2 });
    expect((await getJson(countUrl(sb.url, token))).errcode).toBeUndefined();
    expect((await getJson(countUrl(sb.url, token))).errcode).toBeUndefined();
    expect((await getJson(countUrl(sb.url, token))).errcode).toBe(40001);
    const fresh = await oaToken(sb.url);
    for (let i = 0; i < 5; i++) expect(await getJson(countUrl(sb.url, fresh))).toEqual({ total_count: 0 });
  });

  it('revokeTokensOf limits the revocation to one account', async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    const wt = await wecomToken(sb.wecomUrl);
    sb.setFaults({ revokeTokensAfter: 1, revokeTokensOf: 'ww5a1dbox00000001' });
    expect(await getJson(countUrl(sb.url, token))).toEqual({ total_count: 0 });
    expect(await getJson(countUrl(sb.url, token))).toEqual({ total_count: 0 });
    expect((await getJson(`${sb.wecomUrl}/cgi-bin/media/get?access_token=${wt}&media_id=x`)).errcode).toBe(
      40014,
    );
  });

  it('auth errors come after faults: a busy answer hides a bad token, as WeChat’s gateway would', async () => {
    sb = await startSandbox({ faults: { busyRate: 1 } });
    expect((await getJson(countUrl(sb.url, 'bad'))).errcode).toBe(-1);
  });
});
