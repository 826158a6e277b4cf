/**
 * Peak memory of the WeCom client (@md2wx/wechat) while (a) uploading a 20 MB file — WeCom `media/upload`
 * type=file, whose limit is 20 MB (seeds/001 §2.2, wechat-api.md §3.2) — and (b) downloading a 60 MB file
 * through Range (`media/get` in ≤ 20 MB chunks, §3.4), then (c) both at once. Issue 5 target: < 100 MB above
 * baseline.
 *
 * This parent process runs the sandbox and a Range-capable CDN origin, writes the test files to a temp dir and
 * creates the 60 MB media (upload_by_url: media/upload stops at 20 MB). The client runs in a child process
 * (`client-child.ts`) so the sandbox's own memory — it keeps every media in RAM — is not counted. The child
 * samples `process.memoryUsage()` every 10 ms (RSS and `arrayBuffers`) and reports peak minus a baseline
 * taken after a warm-up. Named baseline for the ratios: the naive client use — the file read into a Buffer
 * before upload, the download collected in memory.
 *
 * Run: npx tsx --conditions=@md2wx/source bench/wechat-memory/memory.ts
 * Exit code 1 when a streaming phase is at or over the target.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_WECOM_APP, startSandbox } from '@md2wx/sandbox';
import { createWecomClient } from '@md2wx/wechat';
import type { ChildConfig, ChildReport } from './client-child.js';

/** WeCom media/upload `file` maximum, read as the client reads "20MB": 20,000,000 bytes. */
const UPLOAD_BYTES = 20_000_000;
const DOWNLOAD_BYTES = 60_000_000;
const TARGET_MB = 100;
const MB = 1_000_000;

/** Write `bytes` of a pattern that encodes each offset (so a misplaced chunk would change the MD5); → md5 hex. */
async function writePattern(path: string, bytes: number): Promise<string> {
  const hash = createHash('md5');
  const out = createWriteStream(path);
  const block = 1 << 20;
  for (let offset = 0; offset < bytes; offset += block) {
    const n = Math.min(block, bytes - offset);
    const chunk = Buffer.alloc(n);
    for (let i = 0; i + 4 <= n; i += 4) chunk.writeUInt32BE((offset + i) >>> 0, i);
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return hash.digest('hex');
}

const dir = await mkdtemp(join(tmpdir(), 'md2wx-wechat-memory-'));
const uploadPath = join(dir, 'upload-20MB.bin');
const bigPath = join(dir, 'cdn-60MB.bin');
const [uploadMd5, bigMd5] = await Promise.all([
  writePattern(uploadPath, UPLOAD_BYTES),
  writePattern(bigPath, DOWNLOAD_BYTES),
]);

// A CDN origin serving the 60 MB file from disk with Range, as upload_by_url requires (§3.6).
const origin = createServer((req, res) => {
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (req.url !== '/cdn-60MB.bin') {
    res.writeHead(404).end();
    return;
  }
  if (!m) {
    res.writeHead(200, { 'content-length': DOWNLOAD_BYTES });
    createReadStream(bigPath).pipe(res);
    return;
  }
  const start = Number(m[1]);
  const end = Math.min(m[2] ? Number(m[2]) : DOWNLOAD_BYTES - 1, DOWNLOAD_BYTES - 1);
  res.writeHead(206, {
    'content-range': `bytes ${start}-${end}/${DOWNLOAD_BYTES}`,
    'content-length': end - start + 1,
  });
  createReadStream(bigPath, { start, end }).pipe(res);
});
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

const sandbox = await startSandbox({ uploadByUrlDelayMs: 0 });
const setup = createWecomClient({ ...DEFAULT_WECOM_APP, baseUrl: sandbox.wecomUrl });
const { jobid } = await setup.uploadByUrl({
  type: 'file',
  filename: 'cdn-60MB.bin',
  url: `${originUrl}/cdn-60MB.bin`,
  md5: bigMd5,
});
const { media_id: bigMediaId } = await setup.waitForUploadJob(jobid, { intervalMs: 100, timeoutMs: 120_000 });

const config: ChildConfig = {
  wecomUrl: sandbox.wecomUrl,
  uploadPath,
  uploadBytes: UPLOAD_BYTES,
  uploadMd5,
  bigMediaId,
  bigMd5,
  downloadBytes: DOWNLOAD_BYTES,
  dir,
};
const child = spawn(
  process.execPath,
  [
    '--expose-gc',
    '--conditions=@md2wx/source',
    '--import',
    'tsx',
    fileURLToPath(new URL('./client-child.ts', import.meta.url)),
    JSON.stringify(config),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let stdout = '';
child.stdout.on('data', (d: Buffer) => {
  stdout += d.toString();
});
const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
await sandbox.close();
await new Promise<void>((resolve) => origin.close(() => resolve()));
await rm(dir, { recursive: true, force: true });
if (code !== 0) {
  console.error(`client child failed (exit ${code}):\n${stdout}`);
  process.exit(2);
}
const report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildReport;

const mb = (bytes: number) => (bytes / MB).toFixed(1).padStart(6);
console.log(
  `WeCom client memory, peak above baseline (sampled every 10 ms in the client process; Node ${process.version})`,
);
console.log(
  `baseline after warm-up: RSS ${mb(report.baseline.rss)} MB, arrayBuffers ${mb(report.baseline.arrayBuffers)} MB`,
);
console.log('');
console.log(
  `${'phase'.padEnd(52)} ${'ΔRSS MB'.padStart(8)} ${'ΔarrayBuf MB'.padStart(13)} ${'live ΔarrayBuf'.padStart(15)} ${'time s'.padStart(7)}  target`,
);
let failed = false;
for (const p of report.phases) {
  const worst = Math.max(p.rss, p.arrayBuffers) / MB;
  const verdict = p.streaming ? (worst < TARGET_MB ? 'PASS' : 'FAIL') : '(baseline)';
  if (p.streaming && worst >= TARGET_MB) failed = true;
  console.log(
    `${p.name.padEnd(52)} ${mb(p.rss).padStart(8)} ${mb(p.arrayBuffers).padStart(13)} ${mb(p.liveArrayBuffers).padStart(15)} ${(p.ms / 1000).toFixed(2).padStart(7)}  ${p.streaming ? `< ${TARGET_MB} MB ${verdict}` : verdict}`,
  );
}
// maxRSS cannot miss a peak between samples, but it also holds the start-up peak (tsx compiling): informational.
console.log('');
console.log(
  `getrusage maxRSS: ${mb(report.maxRssBefore - report.baseline.rss)} MB above baseline before the phases (start-up), ${mb(report.maxRssAfterStreaming - report.baseline.rss)} MB after the streaming phases`,
);
console.log(
  'live ΔarrayBuf = a second run of the phase with a forced GC before each sample: bytes held at once, not garbage awaiting GC',
);
const find = (name: string) => report.phases.find((p) => p.name.startsWith(name));
const ratio = (a: string, b: string) => {
  const x = find(a);
  const y = find(b);
  return x && y ? (Math.max(x.rss, 1) / Math.max(y.rss, 1)).toFixed(2) : 'n/a';
};
console.log(
  `ratio streaming / naive baseline (ΔRSS): upload ${ratio('(a)', 'naive upload')}, download ${ratio('(b)', 'naive download')}`,
);
console.log(
  `integrity: upload ${UPLOAD_BYTES} B md5 ${report.uploadMd5Ok ? 'OK' : 'MISMATCH'} (downloaded back), download ${DOWNLOAD_BYTES} B md5 ${report.downloadMd5Ok ? 'OK' : 'MISMATCH'}`,
);
if (!report.downloadMd5Ok || !report.uploadMd5Ok) failed = true;
console.log(failed ? 'RESULT: FAIL' : 'RESULT: PASS');
process.exit(failed ? 1 : 0);
