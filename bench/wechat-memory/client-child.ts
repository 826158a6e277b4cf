/**
 * The measured side of bench/wechat-memory/memory.ts: runs only the WeCom client against the sandbox started by
 * the parent, samples `process.memoryUsage()` every 10 ms per phase and prints one JSON line (`ChildReport`).
 * Started by the parent with `--expose-gc` so each phase begins from a collected heap; not meant to be run alone.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DEFAULT_WECOM_APP } from '@md2wx/sandbox';
import { createWecomClient } from '@md2wx/wechat';

/** What the parent passes as argv[2] (JSON). Sizes in bytes. */
export interface ChildConfig {
  wecomUrl: string;
  uploadPath: string;
  uploadBytes: number;
  uploadMd5: string;
  bigMediaId: string;
  bigMd5: string;
  downloadBytes: number;
  dir: string;
}

/** One measured phase: peak minus baseline, bytes; duration in milliseconds. */
export interface PhaseReport {
  name: string;
  streaming: boolean;
  rss: number;
  arrayBuffers: number;
  /**
   * Peak `arrayBuffers` above baseline in a second run of the phase that forces a GC before each sample: the
   * bytes really held at once, as opposed to chunks already dropped but not yet collected.
   */
  liveArrayBuffers: number;
  ms: number;
}

export interface ChildReport {
  baseline: { rss: number; arrayBuffers: number };
  phases: PhaseReport[];
  /** getrusage maxRSS (bytes) when the baseline was taken: the start-up peak. */
  maxRssBefore: number;
  /** getrusage maxRSS (bytes) right after the streaming phases: a peak no sampling interval can miss. */
  maxRssAfterStreaming: number;
  downloadMd5Ok: boolean;
  /** The 20 MB upload, downloaded back, has the file's MD5. */
  uploadMd5Ok: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const gc = (globalThis as { gc?: () => void }).gc;

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function md5OfFile(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const client = createWecomClient({ ...DEFAULT_WECOM_APP, baseUrl: config.wecomUrl });

// Warm-up: token, one small upload and one small Range download, so module loading and connection pools
// are in the baseline rather than in the first phase.
const warm = await client.upload('file', Buffer.from('warm-up payload'), { filename: 'warm.txt' });
await client.download(warm.media_id, join(config.dir, 'warm.txt'));
await settle();
const start = process.memoryUsage();
const baseline = { rss: start.rss, arrayBuffers: start.arrayBuffers };
const maxRssBefore = process.resourceUsage().maxRSS * 1024;

/** Peak memory above baseline while `run` runs, sampled every 10 ms; `live` forces a GC before each sample. */
async function peakOf(run: () => Promise<unknown>, live: boolean) {
  await settle();
  let rss = 0;
  let arrayBuffers = 0;
  const sample = () => {
    if (live) gc?.();
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss - baseline.rss);
    arrayBuffers = Math.max(arrayBuffers, m.arrayBuffers - baseline.arrayBuffers);
  };
  const timer = setInterval(sample, 10);
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  clearInterval(timer);
  sample();
  return { rss, arrayBuffers, ms };
}

async function measure(name: string, streaming: boolean, run: () => Promise<unknown>): Promise<PhaseReport> {
  const plain = await peakOf(run, false);
  const live = await peakOf(run, true);
  return {
    name,
    streaming,
    rss: plain.rss,
    arrayBuffers: plain.arrayBuffers,
    liveArrayBuffers: live.arrayBuffers,
    ms: plain.ms,
  };
}

const phases: PhaseReport[] = [];
const down = join(config.dir, 'down-60MB.bin');
phases.push(
  await measure(`(a) upload ${config.uploadBytes / 1e6} MB file from disk (media/upload)`, true, () =>
    client.upload('file', config.uploadPath),
  ),
);
phases.push(
  await measure(
    `(b) download ${config.downloadBytes / 1e6} MB via Range to disk (media/get)`,
    true,
    async () => {
      await rm(down, { force: true });
      return client.download(config.bigMediaId, down);
    },
  ),
);
const downloadMd5Ok = (await md5OfFile(down)) === config.bigMd5;
await rm(down);
phases.push(
  await measure('(c) (a) and (b) at the same time', true, async () => {
    await rm(down, { force: true });
    return Promise.all([client.upload('file', config.uploadPath), client.download(config.bigMediaId, down)]);
  }),
);
const maxRssAfterStreaming = process.resourceUsage().maxRSS * 1024;
await rm(down);

// The named baseline: the same work done the naive way.
phases.push(
  await measure('naive upload: readFile → Buffer → upload', false, async () =>
    client.upload('file', await readFile(config.uploadPath), { filename: 'upload.bin' }),
  ),
);
phases.push(
  await measure('naive download: chunks collected in memory', false, async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    await client.download(config.bigMediaId, sink);
    return Buffer.concat(chunks).length;
  }),
);

// Integrity of the streamed upload: what the server stored is the file, byte for byte.
const sent = await client.upload('file', config.uploadPath);
const back = join(config.dir, 'upload-back.bin');
await client.download(sent.media_id, back);
const uploadMd5Ok = (await md5OfFile(back)) === config.uploadMd5;

const report: ChildReport = {
  baseline,
  phases,
  maxRssBefore,
  maxRssAfterStreaming,
  downloadMd5Ok,
  uploadMd5Ok,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
