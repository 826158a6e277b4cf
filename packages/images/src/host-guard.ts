import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which hosts a download may reach although they are not public: `true` (any: a trusted machine, tests),
 * `false` (none, the default), or a list of hosts as `host` or `host:port` (e.g. the sandbox's `127.0.0.1:4123`).
 */
export type AllowPrivateHosts = boolean | readonly string[];

/** Thrown inside got (URL check, redirect hook, DNS lookup) when a download would reach a non-public address. */
export class PrivateHostError extends Error {
  readonly code = 'ERR_MD2WX_PRIVATE_HOST';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${host} is ${address === host ? '' : `${address}, `}a ${range} address`);
    this.name = 'PrivateHostError';
  }
}

/**
 * The ipaddr.js range of `address` (`unicast` for a public address; `loopback`, `private`, `linkLocal`,
 * `uniqueLocal`, `carrierGradeNat`, `unspecified`, `reserved`, … otherwise). IPv4-mapped IPv6 (`::ffff:127.0.0.1`)
 * is classified as the IPv4 address it carries; NAT64, 6to4 and Teredo prefixes, which embed an IPv4 address,
 * count as non-public too.
 */
export function addressRange(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!ipaddr.isValid(bare)) return 'invalid';
  return ipaddr.process(bare).range();
}

/** True when `address` (IPv4 or IPv6 text) is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  return addressRange(address) === 'unicast';
}

/**
 * The checks that keep a download (and each of its redirects) on public addresses: `checkUrl` for IP-literal
 * hosts (Node connects to those without a DNS lookup) and `lookup`, a `dns.lookup` replacement for got's
 * `dnsLookup` that refuses a name resolving to any non-public address. `undefined` when everything is allowed.
 */
export function hostGuard(allow: AllowPrivateHosts | undefined):
  | {
      checkUrl(url: URL): void;
      lookup: typeof dnsLookup;
    }
  | undefined {
  if (allow === true) return undefined;
  const allowed = new Set((allow || []).map((h) => h.toLowerCase()));
  const hostAllowed = (url: URL) =>
    allowed.has(url.host.toLowerCase()) || allowed.has(url.hostname.toLowerCase());
  const checkUrl = (url: URL) => {
    if (hostAllowed(url)) return;
    const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
    if (isIP(host)) {
      const range = addressRange(host);
      if (range !== 'unicast') throw new PrivateHostError(host, host, range);
    } else if (host === 'localhost' || host.endsWith('.localhost')) {
      throw new PrivateHostError(host, '127.0.0.1', 'loopback');
    }
  };
  const lookup = ((
    hostname: string,
    options: LookupOptions | number | ((...args: unknown[]) => void),
    callback?: (...args: unknown[]) => void,
  ) => {
    const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    const opts: LookupOptions =
      typeof options === 'object' ? options : typeof options === 'number' ? { family: options } : {};
    dnsLookup(hostname, { ...opts, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return done(error);
      if (!allowed.has(hostname.toLowerCase())) {
        // Every address is checked, not only the first: a name may resolve to a public and a private one.
        for (const { address } of addresses) {
          const range = addressRange(address);
          if (range !== 'unicast') return done(new PrivateHostError(hostname, address, range));
        }
      }
      if (opts.all) return done(null, addresses);
      const first = addresses[0];
      if (!first) return done(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }));
      return done(null, first.address, first.family);
    });
  }) as typeof dnsLookup;
  return { checkUrl, lookup };
}
