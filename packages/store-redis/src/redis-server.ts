import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisStoreError } from './errors.js';

export interface RedisServerOptions {
  /** Executable; default `redis-server` from PATH. */
  binary?: string;
  /** TCP port on 127.0.0.1; default a free one. Kept across `restart()`. */
  port?: number;
  /**
   * Persist every write to an append-only file (`appendonly yes`, `appendfsync always`) so a restart — even
   * after SIGKILL — brings every key back. Default false: an in-memory server that forgets on restart.
   */
  persistent?: boolean;
  /** How long to wait for the server to accept connections, milliseconds; default 10 000. */
  startTimeoutMs?: number;
}

/** A redis-server child process, for tests, benchmarks and local trials. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Data directory (AOF files when `persistent`); removed by `stop()`. */
  readonly dir: string;
  /** Kill the process (SIGKILL: a crash, no shutdown save) and wait for it to exit. */
  kill(): Promise<void>;
  /** Start it again on the same port and directory; resolves when it accepts connections. */
  start(): Promise<void>;
  /** `kill()` then `start()`, with `downMs` milliseconds of outage in between (default 0). */
  restart(downMs?: number): Promise<void>;
  /** Kill the server and remove its directory. Idempotent. */
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let buffer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      // "-LOADING" while an AOF is replayed: not ready yet.
      if (buffer.includes('\r\n')) done(buffer.startsWith('+PONG'));
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

/**
 * Start `redis-server` as a child process on 127.0.0.1 (no RDB snapshots; AOF only when `persistent`), and
 * resolve once it answers PING.
 *
 * @throws RedisStoreError code 'config' when the binary is missing (install Debian's `redis-server`) or the
 *   server does not answer within `startTimeoutMs`.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? 'redis-server';
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(path.join(tmpdir(), 'md2wx-redis-'));
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  let child: ChildProcess | undefined;
  let stopped = false;

  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  args.push(
    ...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  );

  async function start(): Promise<void> {
    if (child) return;
    let spawnError: Error | undefined;
    const proc = spawn(binary, args, { stdio: 'ignore' });
    proc.once('error', (error) => {
      spawnError = error;
    });
    proc.once('exit', () => {
      if (child === proc) child = undefined;
    });
    child = proc;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (spawnError) {
        child = undefined;
        throw new RedisStoreError(
          'config',
          `cannot run ${binary}: ${spawnError.message} — install it (apt-get install redis-server) or set MD2WX_REDIS_URL`,
          { cause: spawnError },
        );
      }
      if (await answersPing(port)) return;
      await sleep(30);
    }
    proc.kill('SIGKILL');
    throw new RedisStoreError('config', `${binary} did not answer on port ${port} within ${timeoutMs} ms`);
  }

  async function kill(): Promise<void> {
    const proc = child;
    if (!proc) return;
    child = undefined;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await exited;
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill,
    start,
    async restart(downMs = 0) {
      await kill();
      if (downMs > 0) await sleep(downMs);
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
