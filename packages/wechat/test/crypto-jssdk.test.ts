import { readFileSync } from 'node:fs';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { describe, expect, it } from 'vitest';
import {
  buildJssdkConfig,
  createNonce,
  JssdkSignatureError,
  jssdkSignature,
  stripUrlFragment,
} from '../src/crypto/index.js';

// https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html vectors (JS-SDK 附录1; wechatpy
// tests/test_client.py::test_jsapi_get_jsapi_signature).
const TICKET = 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg';

describe('jssdkSignature: the JS-SDK 附录1 test vectors', () => {
  it('url http://mp.weixin.qq.com → f4d90daf…', () => {
    expect(
      jssdkSignature({
        jsapi_ticket: TICKET,
        noncestr: 'Wm3WZYTPz0wzccnW',
        timestamp: 1414587457,
        url: 'http://mp.weixin.qq.com',
      }),
    ).toBe('f4d90daf4b3bca3078ab155816175ba34c443a7b');
  });

  it('url http://mp.weixin.qq.com?params=value → 0f9de62f…', () => {
    expect(
      jssdkSignature({
        jsapi_ticket: TICKET,
        noncestr: 'Wm3WZYTPz0wzccnW',
        timestamp: '1414587457',
        url: 'http://mp.weixin.qq.com?params=value',
      }),
    ).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });

  it('drops the #fragment before signing (不包含#及其后面部分)', () => {
    const base = { jsapi_ticket: TICKET, noncestr: 'Wm3WZYTPz0wzccnW', timestamp: 1414587457 };
    expect(jssdkSignature({ ...base, url: 'http://mp.weixin.qq.com?params=value#/page?x=1#y' })).toBe(
      '0f9de62fce790f9a083d5c99e95740ceb90c27ed',
    );
    expect(stripUrlFragment('https://a.example/p?q=1#frag')).toBe('https://a.example/p?q=1');
    expect(stripUrlFragment('https://a.example/p')).toBe('https://a.example/p');
  });

  it('signs the raw URL: no escaping, no trailing-slash normalisation', () => {
    const base = { jsapi_ticket: TICKET, noncestr: 'Wm3WZYTPz0wzccnW', timestamp: 1414587457 };
    const raw = jssdkSignature({ ...base, url: 'http://mp.weixin.qq.com' });
    expect(jssdkSignature({ ...base, url: 'http://mp.weixin.qq.com/' })).not.toBe(raw);
    expect(jssdkSignature({ ...base, url: 'http://example.com/文章?a=中' })).not.toBe(
      jssdkSignature({ ...base, url: encodeURI('http://example.com/文章?a=中') }),
    );
  });

  it('refuses empty fields, non-integer timestamps and non-http(s) URLs without echoing the ticket', () => {
    const base = { jsapi_ticket: TICKET, noncestr: 'n', timestamp: 1, url: 'https://a.example/' };
    const cases: [Record<string, unknown>, string][] = [
      [{ jsapi_ticket: '' }, 'jsapi_ticket'],
      [{ noncestr: '' }, 'noncestr'],
      [{ timestamp: 1.5 }, 'timestamp'],
      [{ timestamp: '1414587457000ms' }, 'timestamp'],
      [{ url: '' }, 'url'],
      [{ url: '/relative/path' }, 'url'],
      [{ url: 'ftp://a.example/' }, 'url'],
      [{ url: '#only-a-fragment' }, 'url'],
    ];
    for (const [patch, field] of cases) {
      try {
        jssdkSignature({ ...base, ...patch } as never);
        expect.unreachable(`expected a JssdkSignatureError on ${field}`);
      } catch (error) {
        expect(error).toBeInstanceOf(JssdkSignatureError);
        expect((error as JssdkSignatureError).field).toBe(field);
        expect((error as Error).message).not.toContain(TICKET);
      }
    }
  });
});

describe('buildJssdkConfig and createNonce', () => {
  it('builds wx.config fields whose signature matches the vector when nonce and timestamp are pinned', () => {
    expect(
      buildJssdkConfig({
        appId: 'wx5a1dbox0000000001',
        jsapi_ticket: TICKET,
        url: 'http://mp.weixin.qq.com?params=value#top',
        nonceStr: 'Wm3WZYTPz0wzccnW',
        timestamp: 1414587457,
      }),
    ).toEqual({
      appId: 'wx5a1dbox0000000001',
      timestamp: 1414587457,
      nonceStr: 'Wm3WZYTPz0wzccnW',
      signature: '0f9de62fce790f9a083d5c99e95740ceb90c27ed',
    });
  });

  it('fills a fresh nonce and the current Unix time, and signs them', () => {
    const before = Math.floor(Date.now() / 1000);
    const config = buildJssdkConfig({ appId: 'wx1', jsapi_ticket: TICKET, url: 'https://a.example/p' });
    expect(config.nonceStr).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(config.timestamp).toBeGreaterThanOrEqual(before);
    expect(config.timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(config.signature).toBe(
      jssdkSignature({
        jsapi_ticket: TICKET,
        noncestr: config.nonceStr,
        timestamp: config.timestamp,
        url: 'https://a.example/p',
      }),
    );
    expect(() => buildJssdkConfig({ appId: '', jsapi_ticket: TICKET, url: 'https://a.example/' })).toThrow(
      JssdkSignatureError,
    );
  });

  it('createNonce: requested length, [A-Za-z0-9], no repeats over 1000 draws, bad lengths refused', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(createNonce());
    expect(seen.size).toBe(1000);
    expect(createNonce(32)).toMatch(/^[A-Za-z0-9]{32}$/);
    const alphabet = new Set(createNonce(128) + createNonce(128) + createNonce(128));
    expect(alphabet.size).toBeGreaterThan(40);
    for (const bad of [0, -1, 1.5, 129]) expect(() => createNonce(bad)).toThrow(RangeError);
  });
});

describe.skipIf(!requireCorpus())('corpus: wechatpy JS-SDK fixtures (corpus/peer/wechatpy)', () => {
  it('reproduces the signature asserted in tests/test_client.py::test_jsapi_get_jsapi_signature', () => {
    const source = readFileSync(corpusPath('peer/wechatpy/tests/test_client.py'), 'utf8');
    const start = source.indexOf('def test_jsapi_get_jsapi_signature');
    expect(start).toBeGreaterThan(-1);
    const body = source.slice(start, source.indexOf('def ', start + 10));
    const read = (name: string) => {
      const match = new RegExp(`${name} = "?([^"\\n]+?)"?\\s*(?:#.*)?\\n`).exec(body);
      if (!match?.[1]) throw new Error(`${name} not found in test_jsapi_get_jsapi_signature`);
      return match[1];
    };
    const expected = /assertEqual\("([0-9a-f]{40})", signature\)/.exec(body)?.[1];
    expect(expected).toBeDefined();
    expect(
      jssdkSignature({
        jsapi_ticket: read('ticket'),
        noncestr: read('noncestr'),
        timestamp: read('timestamp'),
        url: read('url'),
      }),
    ).toBe(expected);
  });

  it('signs with the ticket of fixtures/ticket_getticket.json (the getticket answer shape)', () => {
    const answer = JSON.parse(
      readFileSync(corpusPath('peer/wechatpy/tests/fixtures/ticket_getticket.json'), 'utf8'),
    ) as {
      ticket: string;
      expires_in: number;
    };
    expect(answer.expires_in).toBe(7200);
    const config = buildJssdkConfig({
      appId: 'wx1',
      jsapi_ticket: answer.ticket,
      url: 'https://a.example/#x',
      nonceStr: 'n',
      timestamp: 1,
    });
    expect(config.signature).toMatch(/^[0-9a-f]{40}$/);
    expect(config.signature).toBe(
      jssdkSignature({ jsapi_ticket: answer.ticket, noncestr: 'n', timestamp: 1, url: 'https://a.example/' }),
    );
  });
});
