import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  callbackSignature,
  parseCallbackXml,
  pkcs7Pad,
  pkcs7Unpad,
  signaturesEqual,
  verifyPlainSignature,
  WXBizMsgCrypt,
  WXBizMsgCryptError,
  WXBizMsgCryptErrorCode,
} from '../src/crypto/index.js';

// https://developer.work.weixin.qq.com/document/path/91144, with the vectors of
// wechatpy tests/test_crypto.py.
const TOKEN = '123456';
const KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const CORP_ID = 'wx49f0ab532d5d035a';
const ECHOSTR = '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==';
const DECRYPT_ENCRYPT =
  'RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=';
const ENCRYPT_EXPECTED =
  '9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3';
const REPLY_XML = `<xml>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[test]]></Content>
<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>
<ToUserName><![CDATA[messense]]></ToUserName>
<AgentID>1</AgentID>
<CreateTime>1411525903</CreateTime>
</xml>`;

const crypt = () => new WXBizMsgCrypt({ token: TOKEN, encodingAESKey: KEY, receiveId: CORP_ID });

/** Expect `fn` to throw a WXBizMsgCryptError with `code`; returns it for further checks. */
function expectCode(fn: () => unknown, code: number): WXBizMsgCryptError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WXBizMsgCryptError);
    expect((error as WXBizMsgCryptError).code).toBe(code);
    return error as WXBizMsgCryptError;
  }
  throw new Error(`expected WXBizMsgCryptError ${code}, nothing was thrown`);
}

/** Encrypt an arbitrary plaintext with the vector key, bypassing the library's framing (for malformed-buffer tests). */
function rawEncrypt(plain: Buffer): string {
  const key = Buffer.from(`${KEY}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function frame(message: Buffer, receiveId: string, declaredLength = message.length): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(declaredLength, 0);
  return Buffer.concat([Buffer.from('0123456789abcdef'), length, message, Buffer.from(receiveId)]);
}

describe('WXBizMsgCrypt: wechatpy test vectors', () => {
  it('URL verification: signature dd6b9c95… and echostr → 5927782489442352469', () => {
    const c = crypt();
    expect(c.getSignature('1411443780', '437374425', ECHOSTR)).toBe(
      'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96',
    );
    expect(c.verifyUrl('dd6b9c95b495b3f7e2901bfbc76c664930ffdb96', '1411443780', '437374425', ECHOSTR)).toBe(
      '5927782489442352469',
    );
  });

  it('URL verification fails with -40001 when the nonce differs (wechatpy test_check_signature_should_fail)', () => {
    expectCode(
      () => crypt().verifyUrl('dd6b9c95b495b3f7e2901bfbc76c664930ffdb96', '1411443780', '437374424', ECHOSTR),
      WXBizMsgCryptErrorCode.ValidateSignature,
    );
  });

  it('decrypted echostr carries the documented random prefix and padding', () => {
    // wechatpy's vector: random prefix `2304fc2fe146f1f8`, pad 7 —
    // check by decrypting with no framing at all.
    const key = Buffer.from(`${KEY}=`, 'base64');
    const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    d.setAutoPadding(false);
    const plain = Buffer.concat([d.update(Buffer.from(ECHOSTR, 'base64')), d.final()]);
    expect(plain.subarray(0, 16).toString()).toBe('2304fc2fe146f1f8');
    expect(plain.at(-1)).toBe(7);
    expect(pkcs7Unpad(plain).subarray(20).toString()).toBe(`5927782489442352469${CORP_ID}`);
  });

  it('decryptMessage: XML envelope with msg_signature 74d92dfe… → the text message from messense', () => {
    const body = `<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>
<Encrypt><![CDATA[${DECRYPT_ENCRYPT}]]></Encrypt>
<AgentID><![CDATA[1]]></AgentID>
</xml>`;
    const out = crypt().decryptMessage({
      msg_signature: '74d92dfeb87ba7c714f89d98870ae5eb62dff26d',
      timestamp: '1411525903',
      nonce: '461056294',
      body,
    });
    expect(out.format).toBe('xml');
    expect(out.receiveId).toBe(CORP_ID);
    expect(out.toUserName).toBe(CORP_ID);
    expect(out.agentId).toBe('1');
    const fields = parseCallbackXml(out.message);
    expect(fields.Content).toBe('test');
    expect(fields.FromUserName).toBe('messense');
    expect(fields.AgentID).toBe('1');
  });

  it('decryptMessage accepts the body as a Buffer and a numeric timestamp (wechatpy test_decrypt_binary_message)', () => {
    const body = Buffer.from(
      `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${DECRYPT_ENCRYPT}]]></Encrypt></xml>`,
    );
    const out = crypt().decryptMessage({
      msg_signature: '74d92dfeb87ba7c714f89d98870ae5eb62dff26d',
      timestamp: 1411525903,
      nonce: '461056294',
      body,
    });
    expect(parseCallbackXml(out.message).Content).toBe('test');
    // The envelope has no AgentID; the signed payload has one, and only the payload counts.
    expect(out.agentId).toBe('1');
  });

  it('encrypt with the fixed random 1234567890123456 reproduces Encrypt 9s4gMv99… and MsgSignature 407518b7…', () => {
    const out = crypt().encrypt(REPLY_XML, {
      random: Buffer.from('1234567890123456'),
      timestamp: '1411525903',
      nonce: '461056294',
    });
    expect(out).toEqual({
      encrypt: ENCRYPT_EXPECTED,
      msg_signature: '407518b7649e86ef23978113f92d27afa9296533',
      timestamp: '1411525903',
      nonce: '461056294',
    });
  });

  it('encryptReply (XML) carries the four reply fields of the vector and decrypts back', () => {
    const c = crypt();
    const xml = c.encryptReply(REPLY_XML, {
      random: Buffer.from('1234567890123456'),
      timestamp: 1411525903,
      nonce: '461056294',
    });
    const fields = parseCallbackXml(xml);
    expect(fields).toEqual({
      Encrypt: ENCRYPT_EXPECTED,
      MsgSignature: '407518b7649e86ef23978113f92d27afa9296533',
      TimeStamp: '1411525903',
      Nonce: '461056294',
    });
    expect(
      c.decryptMessage({
        msg_signature: '407518b7649e86ef23978113f92d27afa9296533',
        timestamp: 1411525903,
        nonce: '461056294',
        body: xml,
      }).message,
    ).toBe(REPLY_XML);
  });

  it('encryptReply (JSON) uses WeCom JSON-mode keys encrypt/msgsignature/timestamp/nonce, all strings', () => {
    const json = crypt().encryptReply('{"msgtype":"text"}', {
      format: 'json',
      random: Buffer.from('1234567890123456'),
      timestamp: 1411525903,
      nonce: '461056294',
    });
    const parsed = JSON.parse(json) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['encrypt', 'msgsignature', 'timestamp', 'nonce']);
    expect(parsed.timestamp).toBe('1411525903');
    expect(parsed.msgsignature).toBe(
      crypt().getSignature('1411525903', '461056294', parsed.encrypt as string),
    );
  });

  it('OA plaintext-mode signature: token AAAAA, 1714037059, 486452656 → 899cf89e…', () => {
    expect(callbackSignature(['AAAAA', '1714037059', '486452656'])).toBe(
      '899cf89e464efb63f54ddac96b0a0a235f53aa78',
    );
    expect(
      verifyPlainSignature({
        token: 'AAAAA',
        signature: '899cf89e464efb63f54ddac96b0a0a235f53aa78',
        timestamp: 1714037059,
        nonce: '486452656',
      }),
    ).toBe(true);
    expect(
      verifyPlainSignature({
        token: 'AAAAB',
        signature: '899cf89e464efb63f54ddac96b0a0a235f53aa78',
        timestamp: 1714037059,
        nonce: '486452656',
      }),
    ).toBe(false);
  });

  it('the signature sorts the parts as plain strings, not numbers', () => {
    // '10' < '9' as strings: a numeric sort would give a different digest.
    const expected = createHash('sha1').update('109tokenx').digest('hex');
    expect(callbackSignature(['token', '9', '10', 'x'])).toBe(expected);
  });
});

describe('WXBizMsgCrypt: round trips', () => {
  it('round-trips UTF-8 text of every length 0..70 bytes (covers the full 32-byte pad block)', () => {
    const c = crypt();
    for (let n = 0; n <= 70; n++) {
      const message = '微'.repeat(Math.floor(n / 3)) + 'x'.repeat(n % 3);
      const { encrypt, msg_signature, timestamp, nonce } = c.encrypt(message);
      expect(Buffer.from(encrypt, 'base64').length % 32).toBe(0);
      expect(c.verifySignature(msg_signature, timestamp, nonce, encrypt)).toBe(true);
      expect(c.decrypt(encrypt).message).toBe(message);
    }
  });

  it('fresh encryptions of the same message differ (random prefix) and use fresh nonces', () => {
    const c = crypt();
    const a = c.encrypt('same');
    const b = c.encrypt('same');
    expect(a.encrypt).not.toBe(b.encrypt);
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.nonce).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(Number(a.timestamp)).toBeGreaterThan(1_700_000_000);
  });

  it('decryptMessage reads the WeCom JSON envelope {tousername, encrypt, agentid}', () => {
    const c = crypt();
    const sealed = c.encrypt('{"MsgType":"event"}', { timestamp: 1700000000, nonce: 'n1' });
    const body = JSON.stringify({ tousername: CORP_ID, encrypt: sealed.encrypt, agentid: 1000002 });
    const out = c.decryptMessage({
      msg_signature: sealed.msg_signature,
      timestamp: '1700000000',
      nonce: 'n1',
      body,
    });
    // tousername/agentid of the unsigned envelope are not trusted; the payload has neither.
    expect(out).toEqual({ message: '{"MsgType":"event"}', receiveId: CORP_ID, format: 'json' });
  });

  it('decryptMessage accepts already-parsed envelope fields', () => {
    const c = crypt();
    const sealed = c.encrypt('<xml/>', { timestamp: 1700000000, nonce: 'n1' });
    const out = c.decryptMessage({
      msg_signature: sealed.msg_signature,
      timestamp: 1700000000,
      nonce: 'n1',
      body: { ToUserName: CORP_ID, Encrypt: sealed.encrypt },
    });
    expect(out.format).toBe('xml');
    expect(out.message).toBe('<xml/>');
  });

  it('verifyUrl restores a "+" that form decoding turned into a space, and a still-percent-encoded echostr', () => {
    const c = crypt();
    const sig = 'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96';
    expect(ECHOSTR).toContain('+');
    expect(c.verifyUrl(sig, '1411443780', '437374425', ECHOSTR.replace(/\+/g, ' '))).toBe(
      '5927782489442352469',
    );
    expect(c.verifyUrl(sig, '1411443780', '437374425', encodeURIComponent(ECHOSTR))).toBe(
      '5927782489442352469',
    );
  });

  it('signature comparison is case-insensitive', () => {
    expect(
      crypt().verifyUrl('DD6B9C95B495B3F7E2901BFBC76C664930FFDB96', '1411443780', '437374425', ECHOSTR),
    ).toBe('5927782489442352469');
  });
});

describe('Official Account 安全模式 (receiveId = AppID)', () => {
  it('checks both the plaintext signature and msg_signature of one request, then decrypts for the AppID', () => {
    const appId = 'wx5a1dbox0000000001';
    const token = 'AAAAA';
    const oa = new WXBizMsgCrypt({ token, encodingAESKey: KEY, receiveId: appId });
    const inner = `<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[oOpenId]]></FromUserName><CreateTime>1714037059</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content><MsgId>24542340234234234</MsgId></xml>`;
    const sealed = oa.encrypt(inner, { timestamp: 1714037059, nonce: '486452656' });
    // WeChat's POST URL: ?signature=…&timestamp=…&nonce=…&openid=…&encrypt_type=aes&msg_signature=…
    const query = new URLSearchParams({
      signature: '899cf89e464efb63f54ddac96b0a0a235f53aa78',
      timestamp: '1714037059',
      nonce: '486452656',
      openid: 'oOpenId',
      encrypt_type: 'aes',
      msg_signature: sealed.msg_signature,
    });
    expect(
      verifyPlainSignature({
        token,
        signature: query.get('signature')!,
        timestamp: query.get('timestamp')!,
        nonce: query.get('nonce')!,
      }),
    ).toBe(true);
    const out = oa.decryptMessage({
      msg_signature: query.get('msg_signature')!,
      timestamp: query.get('timestamp')!,
      nonce: query.get('nonce')!,
      body: `<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><Encrypt><![CDATA[${sealed.encrypt}]]></Encrypt></xml>`,
    });
    expect(out.receiveId).toBe(appId);
    expect(out.toUserName).toBe('gh_0123456789ab');
    expect(parseCallbackXml(out.message).Content).toBe('你好');
    // The plaintext signature is not a msg_signature: passing it instead is a -40001.
    expectCode(
      () =>
        oa.decryptMessage({
          msg_signature: query.get('signature')!,
          timestamp: 1714037059,
          nonce: '486452656',
          body: `<xml><Encrypt><![CDATA[${sealed.encrypt}]]></Encrypt></xml>`,
        }),
      WXBizMsgCryptErrorCode.ValidateSignature,
    );
  });

  it('a 256 KiB message round-trips', () => {
    const c = crypt();
    const message = `<xml><Content><![CDATA[${'图'.repeat(87_382)}]]></Content></xml>`;
    const sealed = c.encrypt(message);
    expect(
      c.decryptMessage({ ...sealed, body: `<xml><Encrypt>${sealed.encrypt}</Encrypt></xml>` }).message,
    ).toBe(message);
  });
});

describe('WXBizMsgCrypt: error paths carry the official codes', () => {
  it('-40001 bad signature: one flipped hex digit, a truncated signature, an empty one', () => {
    const c = crypt();
    const good = 'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96';
    for (const bad of [`${good.slice(0, -1)}7`, good.slice(0, 39), '', `${good}00`]) {
      const error = expectCode(
        () => c.verifyUrl(bad, '1411443780', '437374425', ECHOSTR),
        WXBizMsgCryptErrorCode.ValidateSignature,
      );
      expect(error.codeName).toBe('ValidateSignature_Error');
    }
  });

  it('-40001 when the Encrypt element was altered after signing', () => {
    const c = crypt();
    const sealed = c.encrypt('hello', { timestamp: 1, nonce: 'n' });
    const tampered = sealed.encrypt.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A'));
    expectCode(
      () =>
        c.decryptMessage({
          msg_signature: sealed.msg_signature,
          timestamp: 1,
          nonce: 'n',
          body: `<xml><Encrypt><![CDATA[${tampered}]]></Encrypt></xml>`,
        }),
      WXBizMsgCryptErrorCode.ValidateSignature,
    );
  });

  it('-40005 wrong receiveId: a message for another CorpID is refused, naming both ids', () => {
    const other = new WXBizMsgCrypt({ token: TOKEN, encodingAESKey: KEY, receiveId: 'ww0000000000000001' });
    const sealed = other.encrypt('for someone else');
    const error = expectCode(() => crypt().decrypt(sealed.encrypt), WXBizMsgCryptErrorCode.ValidateReceiveId);
    expect(error.message).toContain('ww0000000000000001');
    expect(error.message).toContain(CORP_ID);
  });

  it('-40007 bad padding: wrong EncodingAESKey', () => {
    const otherKey = new WXBizMsgCrypt({ token: TOKEN, encodingAESKey: 'a'.repeat(43), receiveId: CORP_ID });
    expectCode(() => otherKey.decrypt(DECRYPT_ENCRYPT), WXBizMsgCryptErrorCode.DecryptAES);
  });

  it('-40007 bad padding: pad byte 0, pad byte 33, inconsistent pad bytes', () => {
    const c = crypt();
    const body = frame(Buffer.from('hi'), CORP_ID); // 16+4+2+18 = 40 bytes
    const cases = [
      Buffer.concat([body, Buffer.alloc(24, 0)]), // pad byte 0
      Buffer.concat([body, Buffer.alloc(24, 33)]), // pad byte above the 32-byte block
      Buffer.concat([body, Buffer.alloc(23, 1), Buffer.from([24])]), // claims 24 but the others are 1
    ];
    for (const plain of cases) {
      expect(plain.length % 32).toBe(0);
      expectCode(() => c.decrypt(rawEncrypt(plain)), WXBizMsgCryptErrorCode.DecryptAES);
    }
  });

  it('-40007 ciphertext not a multiple of 16 bytes (truncated)', () => {
    const truncated = Buffer.from(DECRYPT_ENCRYPT, 'base64').subarray(0, 40).toString('base64');
    expectCode(() => crypt().decrypt(truncated), WXBizMsgCryptErrorCode.DecryptAES);
  });

  it('-40008 illegal buffer: declared length beyond the payload, payload shorter than the header, invalid UTF-8', () => {
    const c = crypt();
    expectCode(() => c.decrypt(rawEncrypt(pkcs7Pad(frame(Buffer.from('hi'), CORP_ID, 500)))), -40008);
    expectCode(() => c.decrypt(rawEncrypt(pkcs7Pad(Buffer.from('0123456789')))), -40008);
    expectCode(() => c.decrypt(rawEncrypt(pkcs7Pad(frame(Buffer.from([0xff, 0xfe]), CORP_ID)))), -40008);
  });

  it('-40010 ciphertext that is not base64', () => {
    for (const bad of ['', 'not base64!', 'abc', '====']) {
      expectCode(() => crypt().decrypt(bad), WXBizMsgCryptErrorCode.DecodeBase64);
    }
  });

  it('-40004 bad AES key length or alphabet, without echoing the key', () => {
    for (const key of ['', KEY.slice(0, 42), `${KEY}A`, `${KEY.slice(0, 42)}+`, `${KEY.slice(0, 42)}=`]) {
      const error = expectCode(
        () => new WXBizMsgCrypt({ token: TOKEN, encodingAESKey: key, receiveId: CORP_ID }),
        WXBizMsgCryptErrorCode.IllegalAesKey,
      );
      if (key.length > 8) expect(error.message).not.toContain(key);
      expect(error.message).toMatch(/43 characters/);
    }
  });

  it('-40003 empty token, -40005 empty receiveId at construction', () => {
    expectCode(() => new WXBizMsgCrypt({ token: '', encodingAESKey: KEY, receiveId: CORP_ID }), -40003);
    expectCode(() => new WXBizMsgCrypt({ token: TOKEN, encodingAESKey: KEY, receiveId: '' }), -40005);
  });

  it('-40002 body is neither XML nor JSON, malformed, or lacks Encrypt', () => {
    const c = crypt();
    const input = { msg_signature: 'x', timestamp: 1, nonce: 'n' };
    for (const body of [
      '',
      'Encrypt=abc',
      '<xml><Encrypt>abc</xml>',
      '{"encrypt":',
      '<xml><ToUserName>a</ToUserName></xml>',
      '[1]',
    ]) {
      expectCode(() => c.decryptMessage({ ...input, body }), WXBizMsgCryptErrorCode.Parse);
    }
    const error = expectCode(() => c.decryptMessage({ ...input, body: '{"tousername":"x"}' }), -40002);
    expect(error.message).toContain('"encrypt"');
  });

  it('-40011 reply timestamp/nonce that would break the envelope; -40006 random prefix of the wrong size', () => {
    const c = crypt();
    expectCode(() => c.encryptReply('x', { nonce: 'a]]><x>' }), WXBizMsgCryptErrorCode.GenReturn);
    expectCode(() => c.encryptReply('x', { timestamp: '12:00' }), WXBizMsgCryptErrorCode.GenReturn);
    expectCode(() => c.encrypt('x', { random: Buffer.alloc(15) }), WXBizMsgCryptErrorCode.EncryptAES);
  });

  it('never exposes the Token or EncodingAESKey through logging or JSON', async () => {
    const c = crypt();
    const { inspect } = await import('node:util');
    const shown = `${inspect(c, { depth: 5, showHidden: true })} ${JSON.stringify(c)}`;
    expect(shown).not.toContain(KEY);
    expect(shown).not.toContain(Buffer.from(`${KEY}=`, 'base64').toString('hex'));
    expect(JSON.stringify(c)).not.toContain(TOKEN);
    expect(shown).toContain(CORP_ID);
  });
});

describe('PKCS#7 with block size 32 and constant-time comparison', () => {
  it('pads 1..32 bytes, a full block when already aligned, and unpads back', () => {
    for (let n = 0; n <= 64; n++) {
      const data = Buffer.alloc(n, 0x61);
      const padded = pkcs7Pad(data);
      expect(padded.length % 32).toBe(0);
      expect(padded.length - n).toBe(32 - (n % 32));
      expect(pkcs7Unpad(padded).equals(data)).toBe(true);
    }
  });

  it('signaturesEqual compares whole strings regardless of where they differ', () => {
    const a = callbackSignature(['a']);
    expect(signaturesEqual(a, a)).toBe(true);
    expect(signaturesEqual(a, `${a.slice(0, 39)}${a[39] === '0' ? '1' : '0'}`)).toBe(false);
    expect(signaturesEqual(a.slice(1), a)).toBe(false);
    expect(signaturesEqual('', a)).toBe(false);
  });
});
