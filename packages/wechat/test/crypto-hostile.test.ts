/**
 * Issue 19 defect 7: callback crypto under hostile input. Unsigned bodies are bounded (size, depth) before any
 * parser runs; every input type fails with a typed WXBizMsgCryptError; an optional replay window; and the
 * unsigned envelope's ToUserName/AgentID are never trusted (a bounded mutation test).
 */
import { describe, expect, it } from 'vitest';
import {
  memoryStore,
  parseCallbackBody,
  parseCallbackMessage,
  unixSeconds,
  WXBizMsgCrypt,
  WXBizMsgCryptError,
  WXBizMsgCryptErrorCode,
} from '../src/index.js';

const TOKEN = '123456';
const KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const CORP_ID = 'wx49f0ab532d5d035a';
const crypt = (over: Partial<ConstructorParameters<typeof WXBizMsgCrypt>[0]> = {}) =>
  new WXBizMsgCrypt({ token: TOKEN, encodingAESKey: KEY, receiveId: CORP_ID, ...over });

/** The WXBizMsgCryptError `fn` throws; anything else (a TypeError, a RangeError, no throw) fails. */
function typedError(fn: () => unknown): WXBizMsgCryptError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a WXBizMsgCryptError').toBeInstanceOf(WXBizMsgCryptError);
  return thrown as WXBizMsgCryptError;
}

const PAYLOAD = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content><AgentID>1000002</AgentID></xml>`;

function signedRequest(c = crypt(), timestamp = '1700000000', nonce = 'n0nce') {
  const sealed = c.encrypt(PAYLOAD, { nonce });
  // Signed by hand: a forger with the Token could sign any timestamp, even ones encrypt() refuses ("abc").
  const msg_signature = c.getSignature(timestamp, nonce, sealed.encrypt);
  return {
    sealed,
    query: { msg_signature, timestamp, nonce },
    xml: `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${sealed.encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`,
  };
}

describe('bounds before parsing unsigned bodies', () => {
  const deepJson = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
  const deepXml = `<xml>${'<a>'.repeat(3000)}x${'</a>'.repeat(3000)}<Encrypt>abc</Encrypt></xml>`;

  it('a JSON body nested 3,000 deep: -40002, not a RangeError (decryptMessage, parseCallbackMessage)', () => {
    const { query } = signedRequest();
    const e = typedError(() => crypt().decryptMessage({ ...query, body: deepJson }));
    expect(e.code).toBe(WXBizMsgCryptErrorCode.Parse);
    expect(e.message).toMatch(/deeper than 32/);
    expect(typedError(() => parseCallbackMessage(deepJson)).code).toBe(-40002);
    expect(typedError(() => parseCallbackBody(`[${deepJson}]`)).code).toBe(-40002);
  });

  it('an XML body nested 3,000 deep, and one over 1 MiB: -40002', () => {
    const { query } = signedRequest();
    expect(typedError(() => crypt().decryptMessage({ ...query, body: deepXml })).code).toBe(-40002);
    expect(typedError(() => parseCallbackMessage(deepXml)).code).toBe(-40002);
    const huge = `<xml><Encrypt>${'A'.repeat(1024 * 1024 + 1)}</Encrypt></xml>`;
    const e = typedError(() => crypt().decryptMessage({ ...query, body: huge }));
    expect(e.message).toMatch(/1048576-byte bound/);
  });

  it('normal bodies within the bounds still parse (depth 32 is allowed)', () => {
    const ok = `${'{"a":'.repeat(31)}1${'}'.repeat(31)}`;
    expect(parseCallbackBody(ok).format).toBe('json');
    const { query, xml } = signedRequest();
    expect(crypt().decryptMessage({ ...query, body: xml }).message).toBe(PAYLOAD);
  });
});

describe('typed errors for every input type', () => {
  const { query, sealed } = signedRequest();
  const c = crypt();

  it('verifyUrl with a number, an array, undefined or an object as echostr / nonce / timestamp', () => {
    const { msg_signature, timestamp, nonce } = query;
    for (const bad of [5, ['a', 'b'], undefined, null, {}, Symbol('x')]) {
      typedError(() => c.verifyUrl(msg_signature, timestamp, nonce, bad as never));
      typedError(() => c.verifyUrl(msg_signature, timestamp, bad as never, sealed.encrypt));
      typedError(() => c.verifyUrl(msg_signature, bad as never, nonce, sealed.encrypt));
      typedError(() => c.verifyUrl(bad as never, timestamp, nonce, sealed.encrypt));
    }
    expect(typedError(() => c.verifyUrl(msg_signature, timestamp, nonce, 5 as never)).code).toBe(-40002);
  });

  it('decryptMessage(undefined), null, a string, a body of the wrong type', () => {
    for (const bad of [undefined, null, 'xml', 42, []]) typedError(() => c.decryptMessage(bad as never));
    for (const body of [undefined, null, 5, true, ['<xml/>'], Symbol('s')])
      typedError(() => c.decryptMessage({ ...query, body: body as never }));
    typedError(() => c.decryptMessage({ ...query, body: { Encrypt: ['a', 'b'] } as never }));
    typedError(() => parseCallbackMessage(undefined as never));
    typedError(() => c.decrypt(undefined as never));
  });
});

describe('replay window (maxAgeSeconds)', () => {
  it('refuses timestamps of 2001, 2100, "abc" and NaN; accepts now', () => {
    const c = crypt({ maxAgeSeconds: 300 });
    for (const timestamp of ['978307200', '4102444800', 'abc', 'NaN', String(unixSeconds() - 301)]) {
      const { query, xml } = signedRequest(c, timestamp);
      const e = typedError(() => c.decryptMessage({ ...query, body: xml }));
      expect(e.code).toBe(WXBizMsgCryptErrorCode.ValidateSignature);
      expect(e.message).toMatch(/within ±300 s/);
    }
    typedError(() => c.decryptMessage({ ...signedRequest(c).query, timestamp: Number.NaN, body: '' }));
    const now = signedRequest(c, String(unixSeconds()));
    expect(c.decryptMessage({ ...now.query, body: now.xml }).message).toBe(PAYLOAD);
    // Without a window the old behaviour stays (Tencent's samples check no timestamp).
    const old = signedRequest(crypt(), '978307200');
    expect(crypt().decryptMessage({ ...old.query, body: old.xml }).message).toBe(PAYLOAD);
  });

  it('decryptMessageOnce refuses a replay, across two instances sharing one store', async () => {
    const store = memoryStore();
    const a = crypt({ maxAgeSeconds: 300, replayStore: store });
    const b = crypt({ maxAgeSeconds: 300, replayStore: store });
    const { query, xml } = signedRequest(a, String(unixSeconds()));
    expect((await a.decryptMessageOnce({ ...query, body: xml })).message).toBe(PAYLOAD);
    await expect(b.decryptMessageOnce({ ...query, body: xml })).rejects.toThrow(/already accepted/);
    await expect(a.decryptMessageOnce({ ...query, body: xml })).rejects.toBeInstanceOf(WXBizMsgCryptError);
    const fresh = signedRequest(a, String(unixSeconds()), 'other-nonce');
    expect((await b.decryptMessageOnce({ ...fresh.query, body: fresh.xml })).message).toBe(PAYLOAD);
    await expect(crypt().decryptMessageOnce({ ...query, body: xml })).rejects.toThrow(/needs maxAgeSeconds/);
  });
});

/** A small deterministic PRNG (mulberry32), so a failing mutation can be replayed from its index. */
function prng(seed: number): () => number {
  let t = seed;
  return () => {
    t = (t + 0x6d2b79f5) | 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

describe('unsigned fields are never trusted (mutation test, 3,000 mutations)', () => {
  it('every mutated body either yields the signed payload with its own ToUserName/AgentID, or a typed error', () => {
    const c = crypt();
    const { query, sealed } = signedRequest(c);
    const rand = prng(19);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
    const forged = ['wxATTACKER', 'gh_forged', '999', ''];
    const envelopes = [
      (e: string) =>
        `<xml><ToUserName>${pick(forged)}</ToUserName><Encrypt><![CDATA[${e}]]></Encrypt><AgentID>${pick(forged)}</AgentID></xml>`,
      (e: string) =>
        `<xml><Encrypt>${e}</Encrypt><ToUserName><a><b>${pick(forged)}</b></a></ToUserName></xml>`,
      (e: string) => JSON.stringify({ tousername: pick(forged), encrypt: e, agentid: pick(forged) }),
      (e: string) => JSON.stringify({ ToUserName: [pick(forged)], Encrypt: e, AgentID: { x: 1 } }),
      (e: string) =>
        `<xml><Encrypt>${e}</Encrypt><Encrypt>${e}</Encrypt><AgentID>${pick(forged)}</AgentID></xml>`,
    ];
    const mutations: Array<(body: string) => string> = [
      (b) => b,
      (b) => {
        const i = Math.floor(rand() * b.length);
        return b.slice(0, i) + String.fromCharCode(32 + Math.floor(rand() * 95)) + b.slice(i + 1);
      },
      (b) => b.slice(0, Math.floor(rand() * b.length)),
      (b) => {
        const i = Math.floor(rand() * b.length);
        return (
          b.slice(0, i) +
          pick(['<', '>', '{', '[', '"', '\\', '&amp;', '<![CDATA[', ']]>', '\u0000']) +
          b.slice(i)
        );
      },
      (b) => b.replace(/<\/xml>|}$/, (end) => `${'<x>'.repeat(Math.floor(rand() * 60))}${end}`),
      (b) => `${'['.repeat(Math.floor(rand() * 100))}${b}`,
      (b) => b.replace(sealed.encrypt, sealed.encrypt.slice(0, -4)),
    ];
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const body = pick(mutations)(pick(envelopes)(sealed.encrypt));
      let out: ReturnType<typeof c.decryptMessage>;
      try {
        out = c.decryptMessage({ ...query, body: rand() < 0.5 ? body : Buffer.from(body) });
      } catch (error) {
        if (!(error instanceof WXBizMsgCryptError))
          throw new Error(`mutation ${i} threw ${String(error)}: ${body.slice(0, 200)}`);
        continue;
      }
      accepted++;
      expect(out.message, `mutation ${i}`).toBe(PAYLOAD);
      expect(out.toUserName, `mutation ${i}`).toBe(CORP_ID);
      expect(out.agentId, `mutation ${i}`).toBe('1000002');
    }
    // Some mutations leave Encrypt intact (extra envelope fields): those are accepted, with trusted fields only.
    expect(accepted).toBeGreaterThan(100);
  });
});
