/**
 * Runs the sandbox and a Range-capable origin in their own process, so the bench measures only the client.
 * Prints one JSON line `{ wecomUrl, originUrl }` and serves `/big.bin` (`argv[2]` bytes) until killed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox } from '@md2wx/sandbox';

const size = Number(process.argv[2] ?? 60_000_000);
const body = Buffer.alloc(size);
for (let i = 0; i + 4 <= size; i += 4) body.writeUInt32BE(i, i);

const sb = await startSandbox();
const origin = createServer((req, res) => {
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (!m) {
    res.writeHead(200, { 'content-length': size }).end(body);
    return;
  }
  const start = Number(m[1]);
  const end = Math.min(m[2] ? Number(m[2]) : size - 1, size - 1);
  res
    .writeHead(206, { 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 })
    .end(body.subarray(start, end + 1));
});
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
process.stdout.write(`${JSON.stringify({ wecomUrl: sb.wecomUrl, originUrl })}\n`);
