/**
 * Issue 19 defect 5 (file store): a holder of the token lock killed with SIGKILL must not make the next run
 * wait out the lock's 20 s TTL. The holder is a real process, hung in its token request, then `kill -9`ed.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStore } from '../src/index.js';
import { DEFAULT_ACCOUNT, oaClient, useSandbox, useTempDir } from './helpers.js';

const ctx = useSandbox();
const tmp = useTempDir();

/** Accepts connections and never answers: the holder's token request hangs with the lock held. */
let blackHole: Server;
const sockets: Socket[] = [];
beforeAll(async () => {
  blackHole = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => blackHole.close(() => resolve()));
});

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('file store: a killed lock holder (defect 5)', () => {
  it('the next client gets its token within 3 s after the holder of the refresh lock is killed -9', async () => {
    const store = join(tmp.dir, 'store.json');
    const locks = `${store}.locks`;
    const port = (blackHole.address() as { port: number }).port;
    const script = fileURLToPath(new URL('./fixtures/token-hang.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--conditions=@md2wx/source',
        '--import',
        'tsx',
        script,
        `http://127.0.0.1:${port}`,
        store,
        DEFAULT_ACCOUNT.appId,
        DEFAULT_ACCOUNT.appSecret,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // The holder has the refresh lock once its lock file exists and its token request reached the black hole.
    await waitFor(async () => {
      const files = await readdir(locks).catch(() => [] as string[]);
      return files.some((f) => f.endsWith('.lock') && f !== 'data.lock') && sockets.length > 0;
    }, 30_000);
    child.kill('SIGKILL');
    await exited;

    const client = oaClient(ctx.sb, { store: fileStore({ path: store }) });
    const started = Date.now();
    const token = await client.getAccessToken();
    const waited = Date.now() - started;
    expect(token).toMatch(/\S{20,}/);
    expect(waited).toBeLessThan(3_000);
  }, 60_000);
});
