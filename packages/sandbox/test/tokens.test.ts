import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT, DEFAULT_WECOM_APP, type SandboxServer, startSandbox } from '../src/index.js';
import { fakeClock, getJson, oaToken, postJson, wecomToken } from './helpers.js';

let sb: SandboxServer | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const { appId, appSecret } = DEFAULT_ACCOUNT;
const tokenUrl = (base: string, q: string) => `${base}/cgi-bin/token?${q}`;

describe('GET /cgi-bin/token', () => {
  it('issues a WeChat-shaped token with expires_in 7200 and counts it', async () => {
    sb = await startSandbox();
    const body = await getJson(
      tokenUrl(sb.url, `grant_type=client_credential&appid=${appId}&secret=${appSecret}`),
    );
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in']);
    expect(body.expires_in).toBe(7200);
    expect(String(body.access_token)).toMatch(/^\d{2}_[A-Za-z0-9_-]{150}$/);
    expect(sb.stats().tokensIssued).toEqual({ [appId]: 1 });
    expect(sb.stats().tokenRequests).toEqual({ [appId]: 1 });
  });

  it.each([
    ['grant_type=password&appid=A&secret=B', 40002],
    ['grant_type=client_credential&secret=B', 41002],
    [`grant_type=client_credential&appid=${appId}`, 41004],
    ['grant_type=client_credential&appid=wxunknown&secret=B', 40013],
    [`grant_type=client_credential&appid=${appId}&secret=wrong`, 40125],
  ])('%s → %i', async (query, errcode) => {
    sb = await startSandbox();
    const body = await getJson(tokenUrl(sb.url, query));
    expect(body.errcode).toBe(errcode);
    expect(String(body.errmsg)).toMatch(/ rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
    expect(sb.stats().tokensIssued).toEqual({});
  });

  it('a new token supersedes the old one, which stays valid for 300 s, then answers 40001', async () => {
    const clock = fakeClock();
    sb = await startSandbox({ clock: clock.now });
    const first = await oaToken(sb.url);
    const second = await oaToken(sb.url);
    expect(second).not.toBe(first);
    const count = (t: string) => getJson(`${sb?.url}/cgi-bin/draft/count?access_token=${t}`);
    expect(await count(first)).toEqual({ total_count: 0 });
    clock.advance(299_000);
    expect(await count(first)).toEqual({ total_count: 0 });
    clock.advance(2_000);
    expect((await count(first)).errcode).toBe(40001);
    expect(await count(second)).toEqual({ total_count: 0 });
  });

  it('expired tokens answer 42001, missing 41001, garbage 40014, unknown token-shaped 40001', async () => {
    const clock = fakeClock();
    sb = await startSandbox({ clock: clock.now, tokenTtlSeconds: 60 });
    const token = await oaToken(sb.url);
    const count = (q: string) => getJson(`${sb?.url}/cgi-bin/draft/count${q}`);
    expect((await count('')).errcode).toBe(41001);
    expect((await count('?access_token=nonsense')).errcode).toBe(40014);
    expect((await count(`?access_token=95_${'A'.repeat(150)}`)).errcode).toBe(40001);
    clock.advance(60_000);
    expect((await count(`?access_token=${token}`)).errcode).toBe(42001);
  });

  it('revokeTokens() invalidates live tokens at once (40001) and the next fetch gets a new one', async () => {
    sb = await startSandbox();
    const token = await oaToken(sb.url);
    sb.revokeTokens(appId);
    expect((await getJson(`${sb.url}/cgi-bin/draft/count?access_token=${token}`)).errcode).toBe(40001);
    const again = await oaToken(sb.url);
    expect(again).not.toBe(token);
    expect(await getJson(`${sb.url}/cgi-bin/draft/count?access_token=${again}`)).toEqual({ total_count: 0 });
  });

  it('enforces the 2000/day token quota (45009) and resets at 00:00 Beijing time', async () => {
    const clock = fakeClock(Date.UTC(2026, 0, 5, 15, 0, 0)); // 23:00 in Beijing
    sb = await startSandbox({ clock: clock.now, quotas: { token: 2 } });
    await oaToken(sb.url);
    await oaToken(sb.url);
    const q = `grant_type=client_credential&appid=${appId}&secret=${appSecret}`;
    expect((await getJson(tokenUrl(sb.url, q))).errcode).toBe(45009);
    clock.advance(3600_000);
    expect(typeof (await getJson(tokenUrl(sb.url, q))).access_token).toBe('string');
  });

  it('keeps accounts apart: a token only works for its own account', async () => {
    const other = { appId: 'wx5a1dbox0000000002', appSecret: 'sandbox-app-secret-0000000000000002' };
    sb = await startSandbox({ accounts: [DEFAULT_ACCOUNT, other] });
    const t1 = await oaToken(sb.url);
    const t2 = await oaToken(sb.url, other);
    const up = await postJson(`${sb.url}/cgi-bin/draft/get?access_token=${t2}`, { media_id: 'x' });
    expect(up.errcode).toBe(40007);
    expect(sb.stats().tokensIssued).toEqual({ [appId]: 1, [other.appId]: 1 });
    expect(t1).not.toBe(t2);
  });
});

describe('POST /cgi-bin/stable_token', () => {
  const stable = (base: string, extra: Record<string, unknown> = {}) =>
    postJson(`${base}/cgi-bin/stable_token`, {
      grant_type: 'client_credential',
      appid: appId,
      secret: appSecret,
      ...extra,
    });

  it('normal mode returns the same token with the remaining expires_in', async () => {
    const clock = fakeClock();
    sb = await startSandbox({ clock: clock.now });
    const a = await stable(sb.url);
    clock.advance(1000_000);
    const b = await stable(sb.url);
    expect(b.access_token).toBe(a.access_token);
    expect(a.expires_in).toBe(7200);
    expect(b.expires_in).toBe(6200);
  });

  it('rotates in the last 5 minutes with both tokens valid', async () => {
    const clock = fakeClock();
    sb = await startSandbox({ clock: clock.now });
    const a = await stable(sb.url);
    clock.advance(7200_000 - 200_000);
    const b = await stable(sb.url);
    expect(b.access_token).not.toBe(a.access_token);
    expect(b.expires_in).toBe(7200);
    const count = (t: unknown) => getJson(`${sb?.url}/cgi-bin/draft/count?access_token=${String(t)}`);
    expect(await count(a.access_token)).toEqual({ total_count: 0 });
    expect(await count(b.access_token)).toEqual({ total_count: 0 });
    clock.advance(200_000);
    expect((await count(a.access_token)).errcode).toBe(42001);
  });

  it('is isolated from /token: fetching a classic token does not touch the stable one', async () => {
    sb = await startSandbox();
    const a = await stable(sb.url);
    await oaToken(sb.url);
    await oaToken(sb.url);
    expect((await stable(sb.url)).access_token).toBe(a.access_token);
    const count = await getJson(`${sb.url}/cgi-bin/draft/count?access_token=${String(a.access_token)}`);
    expect(count).toEqual({ total_count: 0 });
  });

  it('force_refresh kills the old token, needs 30 s spacing, and allows 20 a day', async () => {
    const clock = fakeClock();
    sb = await startSandbox({ clock: clock.now });
    const a = await stable(sb.url);
    const b = await stable(sb.url, { force_refresh: true });
    expect(b.access_token).not.toBe(a.access_token);
    expect(
      (await getJson(`${sb.url}/cgi-bin/draft/count?access_token=${String(a.access_token)}`)).errcode,
    ).toBe(40001);
    clock.advance(10_000);
    const c = await stable(sb.url, { force_refresh: true });
    expect(c.access_token).toBe(b.access_token);
    for (let i = 1; i < 20; i++) {
      clock.advance(31_000);
      const next = await stable(sb.url, { force_refresh: true });
      expect(typeof next.access_token).toBe('string');
    }
    clock.advance(31_000);
    expect((await stable(sb.url, { force_refresh: true })).errcode).toBe(45009);
  });

  it('answers 43002 to GET and 47001/44002 to bad bodies, 40125 to a wrong secret', async () => {
    sb = await startSandbox();
    expect((await getJson(`${sb.url}/cgi-bin/stable_token`)).errcode).toBe(43002);
    expect((await postJson(`${sb.url}/cgi-bin/stable_token`, '{not json')).errcode).toBe(47001);
    expect((await postJson(`${sb.url}/cgi-bin/stable_token`, '')).errcode).toBe(44002);
    expect((await stable(sb.url, { secret: 'nope' })).errcode).toBe(40125);
    expect(sb.stats().tokenRequests[appId]).toBe(1);
  });
});

describe('WeCom GET /cgi-bin/gettoken', () => {
  it('answers errcode 0 and the same token while it is valid', async () => {
    sb = await startSandbox();
    const url = `${sb.wecomUrl}/cgi-bin/gettoken?corpid=${DEFAULT_WECOM_APP.corpId}&corpsecret=${DEFAULT_WECOM_APP.corpSecret}`;
    const a = await getJson(url);
    expect(a).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    const b = await getJson(url);
    expect(b.access_token).toBe(a.access_token);
    expect(sb.stats().tokensIssued[DEFAULT_WECOM_APP.corpId]).toBe(2);
  });

  it.each([
    ['corpsecret=x', 41002],
    [`corpid=${DEFAULT_WECOM_APP.corpId}`, 41004],
    ['corpid=wwunknown&corpsecret=x', 40013],
    [`corpid=${DEFAULT_WECOM_APP.corpId}&corpsecret=wrong`, 40001],
  ])('%s → %i with a WeCom-style errmsg', async (query, errcode) => {
    sb = await startSandbox();
    const body = await getJson(`${sb.wecomUrl}/cgi-bin/gettoken?${query}`);
    expect(body.errcode).toBe(errcode);
    expect(String(body.errmsg)).toMatch(/, hint: \[.+\], from ip: 127\.0\.0\.1, more info at /);
  });

  it('WeCom and OA tokens are not interchangeable', async () => {
    sb = await startSandbox();
    const wt = await wecomToken(sb.wecomUrl);
    const ot = await oaToken(sb.url);
    expect((await getJson(`${sb.url}/cgi-bin/draft/count?access_token=${wt}`)).errcode).toBe(40014);
    const r = await postJson(`${sb.wecomUrl}/cgi-bin/media/get_upload_by_url_result?access_token=${ot}`, {
      jobid: 'x',
    });
    expect(r.errcode).toBe(40014);
  });
});
