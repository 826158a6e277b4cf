import { describe, expect, it } from 'vitest';
import { wxDecrypt, wxEncrypt, wxSignature } from '../src/index.js';

// Vectors from https://developer.work.weixin.qq.com/document/path/91144 (wechatpy tests/test_crypto.py).
const KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const CORP = 'wx49f0ab532d5d035a';
const ECHO = '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==';

describe('WXBizMsgCrypt', () => {
  it('verifies the URL-verification vector (signature and decrypted echostr)', () => {
    expect(wxSignature('123456', '1411443780', '437374425', ECHO)).toBe(
      'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96',
    );
    expect(wxDecrypt(ECHO, KEY, CORP)).toBe('5927782489442352469');
  });

  it('re-encrypts the echostr byte for byte with the same random prefix', () => {
    expect(wxEncrypt('5927782489442352469', KEY, CORP, Buffer.from('2304fc2fe146f1f8', 'latin1'))).toBe(ECHO);
  });

  it('decrypts the message vector and checks the receiveid', () => {
    const enc =
      'RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=';
    expect(wxSignature('123456', '1411525903', '461056294', enc)).toBe(
      '74d92dfeb87ba7c714f89d98870ae5eb62dff26d',
    );
    const xml = wxDecrypt(enc, KEY, CORP);
    expect(xml).toContain('<Content><![CDATA[test]]></Content>');
    expect(xml).toContain('messense');
    expect(() => wxDecrypt(enc, KEY, 'ww-other')).toThrow(/receiveid/);
  });

  it('round-trips messages whose length is a multiple of 32 (full pad block)', () => {
    const msg = 'x'.repeat(32 - 20 - CORP.length + 64);
    expect(wxDecrypt(wxEncrypt(msg, KEY, CORP), KEY, CORP)).toBe(msg);
    expect(() => wxEncrypt('m', 'short', CORP)).toThrow(/43 characters/);
  });
});
