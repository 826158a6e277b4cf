import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { TokenServiceError } from './errors.js';

/** Shortest bearer secret the service accepts, characters. */
export const MIN_SECRET_LENGTH = 16;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * A checker for `Authorization: Bearer <secret>` headers. Both sides are hashed first so the comparison
 * (`crypto.timingSafeEqual`) takes the same time whatever the length or content of the guess.
 * @throws TokenServiceError 'config' when `secret` is shorter than 16 characters.
 */
export function bearerChecker(secret: string): (header: string | undefined) => boolean {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new TokenServiceError(
      'config',
      `token service secret must be at least ${MIN_SECRET_LENGTH} characters (generate one: openssl rand -hex 32)`,
    );
  }
  const expected = sha256(secret);
  return (header) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
    const given = sha256(match?.[1] ?? '');
    // Compare even when the header is malformed, so timing does not reveal which check failed.
    return timingSafeEqual(given, expected) && match !== null;
  };
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; other addresses unchanged. */
export function normalizeIp(address: string | undefined): string {
  if (!address) return '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/**
 * A predicate for client IPs from allow-list entries: single addresses (`10.0.0.7`, `::1`) or CIDR subnets
 * (`10.0.0.0/8`, `fd00::/8`). IPv4 entries also match their IPv4-mapped IPv6 form.
 * @throws TokenServiceError 'config' naming the first entry that is neither.
 */
export function ipAllowList(entries: readonly string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? undefined : Number(bits);
    const maxBits = family === 4 ? 32 : 128;
    if (
      !family ||
      extra !== undefined ||
      (prefix !== undefined && (!/^\d+$/.test(bits ?? '') || prefix < 0 || prefix > maxBits))
    ) {
      throw new TokenServiceError('config', `allowIps entry "${raw}" is not an IP address or CIDR subnet`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return (ip) => {
    const normalized = normalizeIp(ip);
    const family = isIP(normalized);
    if (!family) return false;
    return list.check(normalized, family === 4 ? 'ipv4' : 'ipv6');
  };
}
