import { describe, expect, it } from 'vitest';
import { hintFor, ipFromErrmsg, Redactor, redactPatterns, WechatApiError } from '../src/index.js';

describe('WechatApiError', () => {
  it('keeps errcode, errmsg, rid, endpoint and a hint', () => {
    const error = new WechatApiError({
      errcode: 40007,
      errmsg: 'invalid media_id hint: [Wk3PvA0362d418] rid: 621c3b52-130b105c-72f26f3e',
      endpoint: 'cgi-bin/draft/add',
      platform: 'oa',
    });
    expect(error.errcode).toBe(40007);
    expect(error.rid).toBe('621c3b52-130b105c-72f26f3e');
    expect(error.endpoint).toBe('cgi-bin/draft/add');
    expect(error.hint).toMatch(/permanent material/);
    expect(error.message).toContain('cgi-bin/draft/add failed: errcode 40007');
    expect(error).toBeInstanceOf(Error);
  });

  it('names the caller IP of a 40164 and points to the whitelist and the token service', () => {
    const errmsg =
      'invalid ip 47.103.62.98 ipv6 ::ffff:47.103.62.98, not in whitelist rid: 6125a48e-4bc55df9-6a1d6b57';
    expect(ipFromErrmsg(errmsg)).toBe('47.103.62.98');
    const error = new WechatApiError({
      errcode: 40164,
      errmsg,
      endpoint: 'cgi-bin/stable_token',
      platform: 'oa',
    });
    expect(error.ip).toBe('47.103.62.98');
    expect(error.message).toContain('IP 47.103.62.98');
    expect(error.message).toContain('IP白名单');
    expect(error.message).toContain('token service');
  });

  it.each([
    40164, 40125, 40001, 40013, 41001, 42001, 40014, 41005, 40113, 40004, 40005, 40006, 40007, 45001, 45002,
    45003, 45004, 45110, 45166, 45009, 45011, 48001, 45103, 63002,
  ])('has an OA hint for %i', (errcode) => {
    expect(hintFor('oa', errcode)).toBeTruthy();
  });

  it.each([830001, 830002, 830003, 301019, 40001, 45009])('has a WeCom hint for %i', (errcode) => {
    expect(hintFor('wecom', errcode)).toBeTruthy();
  });

  it('uses drafts as the fix for the retired add_news (45103)', () => {
    expect(hintFor('oa', 45103)).toMatch(/addDraft/);
  });
});

describe('redaction', () => {
  it('scrubs remembered secrets and well-known carriers', () => {
    const r = new Redactor();
    r.add('sandbox-app-secret-0000000000000001');
    r.add('TOKEN-abcdef-123456');
    const text =
      'GET /cgi-bin/token?appid=wx1&secret=sandbox-app-secret-0000000000000001 then ' +
      '{"access_token":"other-token-value"} with TOKEN-abcdef-123456 and Authorization: Bearer s3cr3t-bearer';
    const out = r.redact(text);
    expect(out).not.toContain('sandbox-app-secret');
    expect(out).not.toContain('TOKEN-abcdef-123456');
    expect(out).not.toContain('other-token-value');
    expect(out).not.toContain('s3cr3t-bearer');
    expect(out).toContain('secret=***');
    expect(out).toContain('appid=wx1');
  });

  it('leaves short values alone so ordinary words survive', () => {
    const r = new Redactor();
    r.add('ab');
    expect(r.redact('about')).toBe('about');
    expect(redactPatterns('x?access_token=abc&media_id=1')).toBe('x?access_token=***&media_id=1');
  });
});
