/**
 * Issue 19 defects 6 and 8: remote images from hostile or broken hosts. Loopback/private/link-local addresses
 * are refused unless allowed (first URL and every redirect, IP literals and DNS names); one deadline per image;
 * a minimum transfer rate; a size cap on endless bodies; no body bytes of a non-image answer in any message.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addressRange,
  downloadImage,
  hostGuard,
  type ImageError,
  isPublicAddress,
  PrivateHostError,
  probeImage,
  resolveImage,
} from '../src/index.js';

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as ImageError,
  );

describe('address classification (ipaddr.js)', () => {
  it('refuses loopback, private, link-local, CGNAT, unique-local, mapped and embedded IPv4; allows public', () => {
    for (const address of [
      '127.0.0.1',
      '127.1.2.3',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fe80::1%eth0',
      'fc00::1',
      'fd12:3456::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '64:ff9b::7f00:1',
      '2002:7f00:1::',
      '[::1]',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '203.0.114.7', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
    expect(addressRange('::ffff:192.168.0.1')).toBe('private');
  });

  it('a DNS name resolving to loopback is refused by the lookup itself', async () => {
    const guard = hostGuard(false)!;
    const error = await new Promise<unknown>((resolve) =>
      guard.lookup('localhost', { all: true }, (e) => resolve(e)),
    );
    expect(error).toBeInstanceOf(PrivateHostError);
    expect((error as PrivateHostError).range).toBe('loopback');
  });
});

describe.skipIf(!requireCorpus())('downloads from hostile hosts (loopback servers)', () => {
  let server: Server;
  let base: string;
  let port: number;
  const sockets = new Set<Socket>();
  let jpeg: Buffer;
  /** A DNS name (not an IP literal, not "localhost") that resolves to this machine: the machine's own name. */
  let localName = 'localhost';

  beforeAll(async () => {
    const addresses = await lookup(hostname(), { all: true }).catch(() => []);
    if (addresses.length > 0 && addresses.every((a) => /^127\.|^::1$/.test(a.address)))
      localName = hostname();
    jpeg = readFileSync(corpusPath('images/photos/canon-sx60_orient6.jpg'));
    server = createServer((request, response: ServerResponse) => {
      const url = new URL(request.url ?? '/', 'http://x');
      switch (url.pathname) {
        case '/photo.jpg':
          response.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
          return;
        case '/to-loopback':
          // A "public" host (allowed by host:port below) redirecting to an internal one.
          response.writeHead(302, { location: `http://${localName}:${port}/photo.jpg` }).end();
          return;
        case '/to-ipv6':
          response.writeHead(302, { location: `http://[::ffff:127.0.0.1]:${port}/photo.jpg` }).end();
          return;
        case '/passwd':
          response.writeHead(200, { 'content-type': 'text/plain' }).end('root:x:0:0:root:/root:/bin/bash\n');
          return;
        case '/never':
          return; // never answers
        case '/trickle': {
          response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '10000000' });
          const timer = setInterval(() => response.write(Buffer.alloc(1024, 0xff)), 100);
          response.on('close', () => clearInterval(timer));
          return;
        }
        case '/endless': {
          response.writeHead(200, { 'content-type': 'image/jpeg' });
          const chunk = Buffer.alloc(64 * 1024, 0xff);
          const pump = () => {
            while (response.write(chunk)) {}
          };
          response.on('drain', pump);
          pump();
          return;
        }
        default:
          response.writeHead(404).end();
      }
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses loopback by default: IPv4, IPv6, IPv4-mapped IPv6, localhost, and a name resolving to it', async () => {
    for (const url of [
      `${base}/photo.jpg`,
      `http://[::1]:${port}/photo.jpg`,
      `http://[::ffff:7f00:1]:${port}/photo.jpg`,
      `http://localhost:${port}/photo.jpg`,
      `http://${localName}:${port}/photo.jpg`,
      `http://LOCALHOST.:${port}/photo.jpg`,
      `http://2130706433:${port}/photo.jpg`,
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      const error = await errorOf(resolveImage(url, { baseDir: '/' }));
      expect(error.code, url).toBe('forbidden-host');
      expect(error.message).toMatch(/allowPrivateHosts; CLI --allow-private-hosts/);
    }
  });

  it('allowPrivateHosts: true, or the exact host:port, lets a trusted host through', async () => {
    expect((await resolveImage(`${base}/photo.jpg`, { baseDir: '/', allowPrivateHosts: true })).kind).toBe(
      'http',
    );
    const listed = await resolveImage(`${base}/photo.jpg`, {
      baseDir: '/',
      allowPrivateHosts: [`127.0.0.1:${port}`],
    });
    expect(listed.data?.equals(jpeg)).toBe(true);
    const otherPort = await errorOf(
      resolveImage(`${base}/photo.jpg`, { baseDir: '/', allowPrivateHosts: ['127.0.0.1:1'] }),
    );
    expect(otherPort.code).toBe('forbidden-host');
  });

  it('checks every redirect again: an allowed host redirecting to loopback by name or mapped IPv6 is refused', async () => {
    const allow = { baseDir: '/', allowPrivateHosts: [`127.0.0.1:${port}`], retries: 0 };
    for (const path of ['/to-loopback', '/to-ipv6']) {
      const error = await errorOf(resolveImage(`${base}${path}`, allow));
      expect(error.code, path).toBe('forbidden-host');
    }
  });

  it('a non-image answer: the message never quotes its bytes', async () => {
    const resolved = await resolveImage(`${base}/passwd`, { baseDir: '/', allowPrivateHosts: true });
    const error = await errorOf(probeImage(resolved.data!, { source: `${base}/passwd` }));
    expect(error.code).toBe('unsupported');
    expect(error.message).not.toMatch(/root|726f6f74|\/bin\/bash/);
  });

  it('one deadline per image: a URL that never answers costs the deadline, not (retries + 1) × timeout', async () => {
    const started = Date.now();
    const error = await errorOf(
      downloadImage(`${base}/never`, {
        allowPrivateHosts: true,
        timeoutMs: 2_000,
        retries: 2,
        retryDelayMs: 10,
        deadlineMs: 1_500,
      }),
    );
    const took = Date.now() - started;
    expect(error.code).toBe('unreachable');
    expect(error.message).toMatch(/1500 ms deadline/);
    expect(took).toBeLessThan(2_000);
  });

  it('a 1 KB / 100 ms trickle is dropped for being too slow (within ~5 s), long before the deadline', async () => {
    const started = Date.now();
    const error = await errorOf(
      downloadImage(`${base}/trickle`, { allowPrivateHosts: true, retries: 2, deadlineMs: 25_000 }),
    );
    const took = Date.now() - started;
    expect(error.code).toBe('unreachable');
    expect(error.message).toMatch(/slower than 16384 bytes\/s/);
    expect(took).toBeLessThan(7_000);
  }, 15_000);

  it('an endless body stops at maxBytes', async () => {
    const error = await errorOf(
      downloadImage(`${base}/endless`, { allowPrivateHosts: true, maxBytes: 2_000_000 }),
    );
    expect(error.code).toBe('too-large');
  });
});
