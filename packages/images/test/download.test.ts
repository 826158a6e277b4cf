import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ImageError, processImage, resolveImage } from '../src/index.js';

/** One request as the test server saw it. */
interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

describe.skipIf(!requireCorpus())('resolveImage: downloads (loopback test server)', () => {
  let server: Server;
  let base: string;
  let seen: Seen[] = [];
  let flaky = 0;
  let jpeg: Buffer;
  let gif: Buffer;
  const etag = '"v1-abc"';
  const lastModified = 'Wed, 21 Oct 2026 07:28:00 GMT';
  let cacheDir: string;

  beforeAll(async () => {
    jpeg = readFileSync(corpusPath('images/photos/canon-sx60_orient6.jpg'));
    gif = readFileSync(corpusPath('images/gif/sharp-rotating-squares.gif'));
    server = createServer((request, response) => {
      seen.push({ url: request.url ?? '', headers: request.headers });
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      switch (url.pathname) {
        case '/photo.jpg': {
          if (
            request.headers['if-none-match'] === etag ||
            request.headers['if-modified-since'] === lastModified
          ) {
            response.writeHead(304, { etag }).end();
            return;
          }
          response
            .writeHead(200, { 'content-type': 'image/jpeg', etag, 'last-modified': lastModified })
            .end(jpeg);
          return;
        }
        case '/hotlinked.gif':
          // Like many CDNs of Chinese blogs: any foreign Referer, or a non-browser client, is refused.
          if (request.headers.referer || !/Mozilla\/5\.0/.test(request.headers['user-agent'] ?? '')) {
            response.writeHead(403).end('hotlinking forbidden');
            return;
          }
          response.writeHead(200, { 'content-type': 'image/gif' }).end(gif);
          return;
        case '/redirect':
          response.writeHead(302, { location: '/redirect2' }).end();
          return;
        case '/redirect2':
          response.writeHead(301, { location: '/hotlinked.gif' }).end();
          return;
        case '/slow.jpg':
          setTimeout(() => response.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg), 1500);
          return;
        case '/flaky.gif':
          flaky++;
          if (flaky < 3) {
            response.writeHead(503).end('try later');
            return;
          }
          response.writeHead(200, { 'content-type': 'image/gif' }).end(gif);
          return;
        case '/empty.png':
          response.writeHead(200, { 'content-type': 'image/png' }).end();
          return;
        default:
          response.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen = [];
    cacheDir = mkdtempSync(path.join(tmpdir(), 'md2wx-cache-'));
    return () => rmSync(cacheDir, { recursive: true, force: true });
  });

  // The test server is on 127.0.0.1: allowed explicitly (by default a download refuses loopback addresses).
  const options = () => ({
    baseDir: '/nonexistent',
    cacheDir,
    retryDelayMs: 10,
    timeoutMs: 5000,
    allowPrivateHosts: true,
  });
  const errorOf = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as ImageError,
    );

  it('downloads with a browser User-Agent and no Referer, so hotlink-protected hosts answer', async () => {
    const resolved = await resolveImage(`${base}/hotlinked.gif`, options());
    expect(resolved.kind).toBe('http');
    expect(resolved.data?.equals(gif)).toBe(true);
    expect(resolved.sha256).toBe(createHash('sha256').update(gif).digest('hex'));
    expect(seen[0]?.headers.referer).toBeUndefined();
    expect(seen[0]?.headers['user-agent']).toMatch(/Mozilla\/5\.0 .*Chrome/);
  });

  it('caches by URL and revalidates with ETag / Last-Modified (304 answers from disk)', async () => {
    const first = await resolveImage(`${base}/photo.jpg`, options());
    expect(first.fromCache).toBe(false);
    expect(readdirSync(cacheDir).sort()).toHaveLength(2);
    const second = await resolveImage(`${base}/photo.jpg`, options());
    expect(second.fromCache).toBe(true);
    expect(second.data?.equals(jpeg)).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[1]?.headers['if-none-match']).toBe(etag);
    expect(seen[1]?.headers['if-modified-since']).toBe(lastModified);
    // The downloaded bytes go through the normal pipeline.
    const processed = await processImage(second.data ?? Buffer.alloc(0), {
      target: 'body',
      source: `${base}/photo.jpg`,
    });
    expect(processed.info.width).toBe(1080);
  });

  it('follows redirects and reports the final URL', async () => {
    const resolved = await resolveImage(`${base}/redirect`, options());
    expect(resolved.url).toBe(`${base}/hotlinked.gif`);
    expect(resolved.data?.equals(gif)).toBe(true);
    expect(seen.map((request) => request.url)).toEqual(['/redirect', '/redirect2', '/hotlinked.gif']);
  });

  it('retries 503 answers a bounded number of times', async () => {
    flaky = 0;
    const resolved = await resolveImage(`${base}/flaky.gif`, options());
    expect(resolved.data?.equals(gif)).toBe(true);
    expect(seen).toHaveLength(3);
    flaky = -10;
    const error = await errorOf(resolveImage(`${base}/flaky.gif`, { ...options(), retries: 1 }));
    expect(error?.code).toBe('unreachable');
    expect(error?.message).toMatch(/HTTP 503/);
  });

  it('times out slow answers as unreachable', async () => {
    const error = await errorOf(
      resolveImage(`${base}/slow.jpg`, { ...options(), timeoutMs: 200, retries: 0 }),
    );
    expect(error?.code).toBe('unreachable');
    expect(error?.message).toMatch(/timed out/);
  });

  it('aborts downloads over the size cap', async () => {
    const error = await errorOf(resolveImage(`${base}/photo.jpg`, { ...options(), maxBytes: 100_000 }));
    expect(error?.code).toBe('too-large');
    expect(readdirSync(cacheDir)).toHaveLength(0);
  });

  it('reports 404, empty bodies and refused connections with the URL but not its query', async () => {
    const missing = await errorOf(resolveImage(`${base}/gone.png?token=SECRET`, options()));
    expect(missing?.code).toBe('unreachable');
    expect(missing?.message).toMatch(/HTTP 404/);
    expect(missing?.message).not.toContain('SECRET');
    expect((await errorOf(resolveImage(`${base}/empty.png`, options())))?.code).toBe('empty');
    const refused = await errorOf(resolveImage('http://127.0.0.1:9/x.png', { ...options(), retries: 0 }));
    expect(refused?.code).toBe('unreachable');
  });
});
