/**
 * Issue 19 defect 10: after refusing a request (401 wrong secret, 413 a body), the service stops reading it.
 * A real client streams a chunked body as fast as the socket takes it; we count the bytes the server let in.
 */
import { connect } from 'node:net';
import { DEFAULT_ACCOUNT, type Sandbox, startSandbox } from '@md2wx/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTokenService, type TokenService } from '../src/index.js';

const SECRET = 'test-bearer-secret-0123456789abcdef';
/** The client stops here if the server is still reading: 512 MB stands in for the 2 GB. */
const CAP_BYTES = 512 * 1024 * 1024;

let sandbox: Sandbox;
let svc: TokenService;
beforeAll(async () => {
  sandbox = await startSandbox();
  svc = await startTokenService({
    accounts: [{ ...DEFAULT_ACCOUNT, baseUrl: sandbox.url }],
    secret: SECRET,
  });
});
afterAll(async () => {
  await svc?.close();
  await sandbox?.close();
});

/** Stream a chunked body at `path` until the server closes the connection or CAP_BYTES are written. */
function streamBody(
  authorization: string,
): Promise<{ status: number; written: number; ms: number; response: string }> {
  const { port } = new URL(svc.url);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
  return new Promise((resolve) => {
    const started = Date.now();
    let written = 0;
    let response = '';
    let finished = false;
    const socket = connect(Number(port), '127.0.0.1');
    const done = () => {
      if (finished) return;
      finished = true;
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
      resolve({ status, written, ms: Date.now() - started, response });
    };
    socket.on('data', (d) => {
      response += d.toString('latin1');
    });
    socket.on('error', done);
    socket.on('close', done);
    const pump = () => {
      while (!finished && written < CAP_BYTES) {
        written += chunk.length;
        if (!socket.write(frame)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (written >= CAP_BYTES) done();
    };
    socket.once('connect', () => {
      socket.write(
        `POST /v1/accounts/${DEFAULT_ACCOUNT.appId}/access_token HTTP/1.1\r\nhost: x\r\n` +
          `authorization: ${authorization}\r\ntransfer-encoding: chunked\r\n\r\n`,
      );
      pump();
    });
  });
}

describe('a refused request body is not read (defect 10)', () => {
  it('401 for a wrong secret: the connection closes after a few MB, not after the whole body', async () => {
    const result = await streamBody('Bearer wrong-secret-wrong-secret-wrong');
    expect(result.status).toBe(401);
    expect(result.response.toLowerCase()).toContain('connection: close');
    expect(result.written).toBeLessThan(32 * 1024 * 1024);
    expect(result.ms).toBeLessThan(5_000);
  });

  it('413 for a body sent with the right secret, same bound', async () => {
    const result = await streamBody(`Bearer ${SECRET}`);
    expect(result.status).toBe(413);
    expect(result.written).toBeLessThan(32 * 1024 * 1024);
  });

  it('the service still answers normally afterwards', async () => {
    const res = await fetch(`${svc.url}/v1/accounts/${DEFAULT_ACCOUNT.appId}/access_token`, {
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(res.status).toBe(200);
  });
});
