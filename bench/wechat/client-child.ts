/**
 * The measured side of bench/wechat/memory.ts: one scenario of the WeCom client, in a fresh process, against the
 * sandbox the parent runs. Samples `process.memoryUsage()` every 5 ms (after a forced GC when `live`) from a
 * warmed-up baseline and prints one JSON line (`ScenarioReport`). Started by the parent with `--expose-gc`; not meant to be run alone.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DEFAULT_WECOM_APP } from '@md2wx/sandbox';
import { createWecomClient } from '@md2wx/wechat';

export type Scenario =
  | 'stream-upload'
  | 'stream-download'
  | 'stream-both'
  | 'naive-upload'
  | 'naive-download';

/** What the parent passes as argv[2] (JSON). Sizes in bytes. */
export interface ChildConfig {
  scenario: Scenario;
  wecomUrl: string;
  uploadPath: string;
  uploadMd5: string;
  bigMediaId: string;
  bigMd5: string;
  dir: string;
  /**
   * Force a GC before each sample: the peak is then the bytes really held at once, not chunks already dropped
   * but not yet collected (slower; the parent runs each scenario both ways).
   */
  live: boolean;
}

/** Peaks above the warmed-up baseline, bytes; duration in milliseconds; integrity of what was moved. */
export interface ScenarioReport {
  rss: number;
  arrayBuffers: number;
  /** getrusage maxRSS right after the scenario, above the baseline RSS: a peak no sampling interval can miss. */
  maxRss: number;
  ms: number;
  /** The bytes downloaded (or uploaded, then fetched back) have the source's MD5; undefined when not checked. */
  intact: boolean | undefined;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const gc = (globalThis as { gc?: () => void }).gc;

async function md5OfFile(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const client = createWecomClient({ ...DEFAULT_WECOM_APP, baseUrl: config.wecomUrl });
const down = join(config.dir, `down-${process.pid}.bin`);

// Warm-up: token, a small upload and small downloads to a file and to a stream, so module loading and connection
// pools are in the baseline rather than in the scenario.
const warm = await client.upload('file', Buffer.from('warm-up payload'), { filename: 'warm.txt' });
await client.download(warm.media_id, join(config.dir, `warm-${process.pid}.txt`));
await client.download(warm.media_id, new Writable({ write: (_c, _e, done) => done() }));
for (let i = 0; i < 3; i++) {
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const base = process.memoryUsage();
// maxRSS also holds the start-up peak (tsx compiling); it is only meaningful when the scenario goes above it.
const maxRssBefore = process.resourceUsage().maxRSS * 1024;

const runs: Record<Scenario, () => Promise<unknown>> = {
  'stream-upload': () => client.upload('file', config.uploadPath),
  'stream-download': () => client.download(config.bigMediaId, down),
  'stream-both': () =>
    Promise.all([client.upload('file', config.uploadPath), client.download(config.bigMediaId, down)]),
  'naive-upload': async () =>
    client.upload('file', await readFile(config.uploadPath), { filename: 'upload.bin' }),
  'naive-download': async () => {
    const chunks: Buffer[] = [];
    await client.download(
      config.bigMediaId,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      }),
    );
    return Buffer.concat(chunks);
  },
};

let rss = 0;
let arrayBuffers = 0;
const sample = () => {
  if (config.live) gc?.();
  const m = process.memoryUsage();
  rss = Math.max(rss, m.rss - base.rss);
  arrayBuffers = Math.max(arrayBuffers, m.arrayBuffers - base.arrayBuffers);
};
const timer = setInterval(sample, 5);
const started = performance.now();
const result = await runs[config.scenario]();
const ms = performance.now() - started;
clearInterval(timer);
sample();
const maxRssAfter = process.resourceUsage().maxRSS * 1024;

// Integrity, after the measurement: a fast wrong answer is worth nothing.
let intact: boolean | undefined;
if (config.scenario === 'stream-download' || config.scenario === 'stream-both') {
  intact = (await md5OfFile(down)) === config.bigMd5;
}
if (config.scenario === 'stream-upload') {
  const back = join(config.dir, `back-${process.pid}.bin`);
  await client.download((result as { media_id: string }).media_id, back);
  intact = (await md5OfFile(back)) === config.uploadMd5;
  await rm(back);
}
if (config.scenario === 'naive-download') {
  intact =
    createHash('md5')
      .update(result as Buffer)
      .digest('hex') === config.bigMd5;
}
await rm(down, { force: true });

const report: ScenarioReport = {
  rss,
  arrayBuffers,
  maxRss: maxRssAfter > maxRssBefore ? maxRssAfter - base.rss : 0,
  ms,
  intact,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
