/**
 * Peak memory of the WeCom client (@md2wx/wechat) while uploading a 20 MB file — WeCom `media/upload`
 * type=file, whose limit is 20 MB (https://developer.work.weixin.qq.com/document/path/96484)
 * — and downloading a 60 MB file through Range (`media/get` in ≤ 20 MB chunks,
 * https://developer.work.weixin.qq.com/document/path/96486), each alone and both at once. Issue 5's
 * Done-when: under 100 MB above baseline.
 *
 * This parent runs the sandbox and a Range-capable CDN origin (serving from disk), writes the test files and
 * creates the 60 MB media with upload_by_url (media/upload stops at 20 MB). Each scenario runs in a fresh client
 * process (`client-child.ts`), so the sandbox's memory (it keeps every media in RAM) and earlier scenarios'
 * garbage are not counted: a figure is the peak of RSS and of `arrayBuffers` above a warmed-up baseline, sampled
 * every 5 ms, with getrusage maxRSS as a check no sampling interval can miss, and once more with a forced GC
 * before each sample ("live": bytes held at once, not garbage awaiting collection). Named baseline for the ratios: the
 * naive use of the same client — the file read into a Buffer before upload, the download collected in memory.
 *
 * Run: npx tsx --conditions=@md2wx/source bench/wechat/memory.ts
 * Exit code 1 when a streaming scenario is at or over the target, or moved corrupted bytes.
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
import type { ChildConfig, Scenario, ScenarioReport } from './client-child.js';

/** WeCom media/upload `file` maximum, read as the client reads "20MB": 20,000,000 bytes. */
const UPLOAD_BYTES = 20_000_000;
const DOWNLOAD_BYTES = 60_000_000;
const TARGET_MB = 100;
const MB = 1_000_000;

/** Write `bytes` of a pattern that encodes each offset (a misplaced chunk changes the MD5); → md5 hex. */
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

/** Run one scenario in a fresh client process; → its report. */
function runScenario(config: ChildConfig): Promise<ScenarioReport> {
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
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`scenario ${config.scenario} failed (exit ${code}):\n${stdout}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ScenarioReport);
    }),
  );
}

const dir = await mkdtemp(join(tmpdir(), 'md2wx-wechat-memory-'));
const uploadPath = join(dir, 'upload-20MB.bin');
const bigPath = join(dir, 'cdn-60MB.bin');
const origin = createServer((req, res) => {
  if (req.url !== '/cdn-60MB.bin') {
    res.writeHead(404).end();
    return;
  }
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
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
const sandbox = await startSandbox({ uploadByUrlDelayMs: 0 });
let failed = false;
try {
  const [uploadMd5, bigMd5] = await Promise.all([
    writePattern(uploadPath, UPLOAD_BYTES),
    writePattern(bigPath, DOWNLOAD_BYTES),
  ]);
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  const setup = createWecomClient({ ...DEFAULT_WECOM_APP, baseUrl: sandbox.wecomUrl });
  const { jobid } = await setup.uploadByUrl({
    type: 'file',
    filename: 'cdn-60MB.bin',
    url: `${originUrl}/cdn-60MB.bin`,
    md5: bigMd5,
  });
  const { media_id: bigMediaId } = await setup.waitForUploadJob(jobid, {
    intervalMs: 100,
    timeoutMs: 120_000,
  });

  const labels: Record<Scenario, string> = {
    'stream-upload': `upload ${UPLOAD_BYTES / MB} MB file from disk (media/upload)`,
    'stream-download': `download ${DOWNLOAD_BYTES / MB} MB via Range to disk (media/get)`,
    'stream-both': 'both at the same time',
    'naive-upload': 'baseline: readFile → Buffer → upload',
    'naive-download': 'baseline: download collected in memory',
  };
  const results: Partial<Record<Scenario, ScenarioReport>> = {};
  const mb = (bytes: number) => (bytes / MB).toFixed(1);
  console.log(
    `WeCom client, peak above a warmed-up baseline, each scenario in a fresh process (Node ${process.version})`,
  );
  console.log(
    `${'scenario'.padEnd(48)} ${'ΔRSS MB'.padStart(8)} ${'ΔarrayBuf MB'.padStart(13)} ${'live ΔarrayBuf'.padStart(15)} ${'ΔmaxRSS MB'.padStart(11)} ${'time s'.padStart(7)}  verdict`,
  );
  for (const scenario of Object.keys(labels) as Scenario[]) {
    const config = { scenario, wecomUrl: sandbox.wecomUrl, uploadPath, uploadMd5, bigMediaId, bigMd5, dir };
    const r = await runScenario({ ...config, live: false });
    const live = await runScenario({ ...config, live: true });
    results[scenario] = r;
    const streaming = scenario.startsWith('stream-');
    const worst = Math.max(r.rss, r.arrayBuffers, r.maxRss) / MB;
    const ok = worst < TARGET_MB && r.intact !== false;
    if (streaming && !ok) failed = true;
    if (r.intact === false || live.intact === false) failed = true;
    const verdict = `${streaming ? (worst < TARGET_MB ? `< ${TARGET_MB} MB PASS` : `≥ ${TARGET_MB} MB FAIL`) : '(baseline)'}${r.intact === undefined ? '' : r.intact ? ', md5 OK' : ', md5 MISMATCH'}`;
    console.log(
      `${labels[scenario].padEnd(48)} ${mb(r.rss).padStart(8)} ${mb(r.arrayBuffers).padStart(13)} ${mb(live.arrayBuffers).padStart(15)} ${mb(r.maxRss).padStart(11)} ${(r.ms / 1000).toFixed(2).padStart(7)}  ${verdict}`,
    );
  }
  const ratio = (a: Scenario, b: Scenario) =>
    (Math.max(results[a]?.rss ?? 0, MB) / Math.max(results[b]?.rss ?? 0, MB)).toFixed(2);
  console.log('');
  console.log(
    `Done-when (upload + download at once): ${mb(Math.max(results['stream-both']?.rss ?? 0, results['stream-both']?.arrayBuffers ?? 0))} MB above baseline, target < ${TARGET_MB} MB`,
  );
  console.log(
    `ratio streaming / naive baseline (ΔRSS): upload ${ratio('stream-upload', 'naive-upload')}, download ${ratio('stream-download', 'naive-download')}`,
  );
  console.log(
    'live ΔarrayBuf: the same scenario again with a forced GC before each sample, i.e. bytes held at once rather than garbage awaiting GC.',
  );
  console.log('ΔmaxRSS is 0 when the scenario stayed below the process start-up peak (tsx compiling).');
} finally {
  await sandbox.close();
  await new Promise<void>((resolve) => origin.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
}
console.log(failed ? 'RESULT: FAIL' : 'RESULT: PASS');
process.exit(failed ? 1 : 0);
