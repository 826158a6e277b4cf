/**
 * Sandbox figures: start-up time (the issue asks < 200 ms) and request throughput of the token and
 * uploadimg paths, each against a named baseline — a bare node:http server answering a fixed JSON
 * body (the floor any HTTP server on this machine can reach).
 *
 * Run: npx tsx --conditions=@md2wx/source bench/sandbox/startup.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_ACCOUNT, startSandbox } from '@md2wx/sandbox';

const RUNS = 20;
const REQUESTS = 300;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function bareServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const body = JSON.stringify({ access_token: 'x'.repeat(150), expires_in: 7200 });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

async function timeRequests(n: number, request: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await request();
  return (performance.now() - t0) / n;
}

/**
 * Cold start in a fresh process (import + listen), from the built dist/ when it exists
 * (`npx tsc -p packages/sandbox/tsconfig.build.json`); baseline: a fresh process doing the same with node:http.
 */
function coldStart(): void {
  const dist = new URL('../../packages/sandbox/dist/index.js', import.meta.url);
  if (!existsSync(dist)) {
    console.log('cold start: skipped (build packages/sandbox first)');
    return;
  }
  const measure = (code: string) =>
    median(
      Array.from({ length: 5 }, () =>
        Number(execFileSync(process.execPath, ['--input-type=module', '-e', code]).toString()),
      ),
    );
  const sandbox = measure(
    `const t=performance.now();const m=await import(${JSON.stringify(dist.href)});const s=await m.startSandbox();process.stdout.write(String(performance.now()-t));await s.close();`,
  );
  const bare = measure(
    `const t=performance.now();const h=await import('node:http');const s=h.createServer();await new Promise(r=>s.listen(0,'127.0.0.1',r));process.stdout.write(String(performance.now()-t));s.close();`,
  );
  console.log(
    `cold start (import + listen, median of 5 processes): sandbox ${sandbox.toFixed(1)} ms, bare node:http ${bare.toFixed(1)} ms, ratio ${(sandbox / bare).toFixed(1)}x (budget 200 ms)`,
  );
}

async function main(): Promise<void> {
  coldStart();
  const startSandboxMs: number[] = [];
  const startBareMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t0 = performance.now();
    const sb = await startSandbox();
    startSandboxMs.push(performance.now() - t0);
    await sb.close();
    t0 = performance.now();
    const bare = await bareServer();
    startBareMs.push(performance.now() - t0);
    await bare.close();
  }
  const sbMed = median(startSandboxMs);
  const bareMed = median(startBareMs);
  console.log(
    `start-up (median of ${RUNS}): sandbox ${sbMed.toFixed(2)} ms, bare node:http ${bareMed.toFixed(2)} ms, ratio ${(sbMed / bareMed).toFixed(2)}x; max sandbox ${Math.max(...startSandboxMs).toFixed(2)} ms (budget 200 ms)`,
  );

  const sb = await startSandbox();
  const bare = await bareServer();
  const tokenUrl = `${sb.url}/cgi-bin/token?grant_type=client_credential&appid=${DEFAULT_ACCOUNT.appId}&secret=${DEFAULT_ACCOUNT.appSecret}`;
  const bareMs = await timeRequests(REQUESTS, () => fetch(bare.url).then((r) => r.text()));
  const tokenMs = await timeRequests(REQUESTS, () => fetch(tokenUrl).then((r) => r.text()));
  console.log(
    `GET token: ${tokenMs.toFixed(3)} ms/request vs bare ${bareMs.toFixed(3)} ms/request, ratio ${(tokenMs / bareMs).toFixed(2)}x`,
  );

  const token = ((await (await fetch(tokenUrl)).json()) as { access_token: string }).access_token;
  const image = Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]),
    Buffer.alloc(200_000, 7),
  ]);
  const uploadMs = await timeRequests(REQUESTS, () => {
    const form = new FormData();
    form.append('media', new Blob([image], { type: 'image/jpeg' }), 'photo.jpg');
    return fetch(`${sb.url}/cgi-bin/media/uploadimg?access_token=${token}`, {
      method: 'POST',
      body: form,
    }).then((r) => r.text());
  });
  console.log(
    `POST media/uploadimg (200 kB JPEG): ${uploadMs.toFixed(3)} ms/request, ratio to bare GET ${(uploadMs / bareMs).toFixed(2)}x`,
  );
  await sb.close();
  await bare.close();
}

await main();
