/**
 * Remote-image attacks (issue 19 defects 6 and 8) against @md2wx/images' downloadImage with its defaults
 * (30 s deadline, 16 KiB/s minimum rate, 64 MiB cap, 2 retries): five of each at once, from a loopback server
 * (allowed with allowPrivateHosts, as tests do):
 *
 * - never: accepts the request and never answers;
 * - trickle: 1 KB every 100 ms of a 10 MB body;
 * - huge-length: announces a 10 GB body;
 * - huge-chunked: streams a chunked body without end.
 *
 * Prints each attack's time to failure and the error code, against the baseline measured in issue 19 before the
 * fix (never: 94.9 s per image, 188 s for 5; trickle: 95.4 s), and the process's peak RSS (sampled every 50 ms;
 * run under `/usr/bin/time -v` for the kernel's figure).
 *
 * Run: /usr/bin/time -v npx tsx --conditions=@md2wx/source bench/images/remote-attacks.ts
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { downloadImage, isImageError } from '@md2wx/images';

const BASELINE_S: Record<string, number> = { never: 94.9, trickle: 95.4 };

function serve(path: string, response: ServerResponse): void {
  if (path === '/never') return;
  if (path === '/trickle') {
    response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '10000000' });
    const timer = setInterval(() => response.write(Buffer.alloc(1024, 0xff)), 100);
    response.on('close', () => clearInterval(timer));
    return;
  }
  if (path === '/huge-length') {
    response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(10 * 1024 ** 3) });
    response.write(Buffer.alloc(64 * 1024, 0xff));
    return;
  }
  response.writeHead(200, { 'content-type': 'image/jpeg' });
  const chunk = Buffer.alloc(64 * 1024, 0xff);
  const pump = () => {
    while (!response.destroyed && response.write(chunk)) {}
  };
  response.on('drain', pump);
  pump();
}

const sockets = new Set<Socket>();
const server = createServer((req, res) => serve(req.url ?? '/', res));
server.on('connection', (s) => {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

const started = Date.now();
const rows = await Promise.all(
  ['never', 'trickle', 'huge-length', 'huge-chunked'].flatMap((attack) =>
    Array.from({ length: 5 }, async () => {
      const t0 = Date.now();
      try {
        await downloadImage(`${base}/${attack}`, { allowPrivateHosts: true });
        return { attack, seconds: (Date.now() - t0) / 1000, code: 'ok (unexpected)' };
      } catch (error) {
        return {
          attack,
          seconds: (Date.now() - t0) / 1000,
          code: isImageError(error) ? error.code : String(error),
        };
      }
    }),
  ),
);
const total = (Date.now() - started) / 1000;
clearInterval(sampler);
for (const s of sockets) s.destroy();
server.close();

console.log('attack        slowest of 5   code           baseline (issue 19)   ratio');
for (const attack of ['never', 'trickle', 'huge-length', 'huge-chunked']) {
  const mine = rows.filter((r) => r.attack === attack);
  const slowest = Math.max(...mine.map((r) => r.seconds));
  const baseline = BASELINE_S[attack];
  console.log(
    `${attack.padEnd(13)} ${slowest.toFixed(1).padStart(8)} s     ${[...new Set(mine.map((r) => r.code))].join(',').padEnd(14)} ${
      baseline ? `${baseline.toFixed(1)} s` : '—'
    }`.padEnd(72) + (baseline ? `${(baseline / slowest).toFixed(1)}× faster` : ''),
  );
}
console.log(
  `all 20 at once: ${total.toFixed(1)} s; peak RSS (sampled) ${(peakRss / 1024 / 1024).toFixed(0)} MiB`,
);
