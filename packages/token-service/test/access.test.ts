import { describe, expect, it } from 'vitest';
import { bearerChecker, ipAllowList, normalizeIp, TokenServiceError } from '../src/index.js';

describe('bearerChecker', () => {
  const check = bearerChecker('correct-horse-battery-staple');

  it('accepts exactly the secret, with the Bearer scheme in any case', () => {
    expect(check('Bearer correct-horse-battery-staple')).toBe(true);
    expect(check('bearer correct-horse-battery-staple')).toBe(true);
    expect(check('BEARER  correct-horse-battery-staple ')).toBe(true);
  });

  it('refuses everything else', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'correct-horse-battery-staple',
      'Basic correct-horse-battery-staple',
      'Bearer correct-horse-battery-stapl',
      'Bearer correct-horse-battery-staplee',
      'Bearer correct-horse-battery-staple extra',
    ]) {
      expect(check(header), String(header)).toBe(false);
    }
  });

  it('refuses secrets shorter than 16 characters', () => {
    expect(() => bearerChecker('too-short')).toThrow(TokenServiceError);
    expect(() => bearerChecker('')).toThrow(/at least 16/);
  });
});

describe('ipAllowList', () => {
  it('matches addresses and CIDR subnets, IPv4-mapped IPv6 included', () => {
    const allowed = ipAllowList(['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8']);
    expect(allowed('10.20.30.40')).toBe(true);
    expect(allowed('::ffff:10.1.2.3')).toBe(true);
    expect(allowed('192.168.1.7')).toBe(true);
    expect(allowed('192.168.1.8')).toBe(false);
    expect(allowed('11.0.0.1')).toBe(false);
    expect(allowed('::1')).toBe(true);
    expect(allowed('fd12:3456::1')).toBe(true);
    expect(allowed('fe80::1')).toBe(false);
    expect(allowed('')).toBe(false);
    expect(allowed('not-an-ip')).toBe(false);
  });

  it('names the bad entry', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0.0/x', 'example.com', '10.0.0.1/8/9', '::1/129']) {
      expect(() => ipAllowList(['127.0.0.1', bad])).toThrow(bad);
    }
  });

  it('normalizes IPv4-mapped addresses', () => {
    expect(normalizeIp('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(normalizeIp('::1')).toBe('::1');
    expect(normalizeIp(undefined)).toBe('');
  });
});
