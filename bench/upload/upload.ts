/**
 * Upload throughput of @md2wx/remark-wechat-images against the sandbox with 100 ms latency per request.
 *
 * A post with 50 distinct images (small generated PNGs, so processing does not hide the network) is run:
 * - first run: every image uploaded, concurrency 1, 4 (default) and 8; compared with the ideal
 *   ceil(50 / concurrency) × 100 ms (uploads only, one round trip each, perfect overlap);
 * - second run: a fresh processor and cache object over the state file the first run wrote → 0 uploads;
 *   target < 1 s.
 * Figures are the median of `--runs` runs (default 3): the machine is shared, single runs are noisy.
 *
 * Run: npx tsx --conditions=@md2wx/source bench/upload/upload.ts [--images 50] [--latency 100] [--runs 3]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import remarkWechatImages, {
  type ProgressEvent,
  stateFileCache,
  wechatUploader,
} from '@md2wx/remark-wechat-images';
import { DEFAULT_ACCOUNT, startSandbox } from '@md2wx/sandbox';
import { createOfficialAccountClient, memoryStore } from '@md2wx/wechat';
import remarkParse from 'remark-parse';
import remarkStringify from 'remark-stringify';
import sharp from 'sharp';
import { unified } from 'unified';
import { VFile } from 'vfile';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '50' },
    latency: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
  },
});
const count = Number(values.images);
const latencyMs = Number(values.latency);
const runs = Number(values.runs);

const dir = await mkdtemp(path.join(tmpdir(), 'bench-upload-'));
await mkdir(path.join(dir, 'img'));
const lines = ['# Fifty images', ''];
for (let i = 0; i < count; i++) {
  // Distinct bytes per image (a different colour each), so the dedupe cache cannot merge them.
  const png = await sharp({
    create: {
      width: 320,
      height: 200,
      channels: 3,
      background: { r: (i * 5) % 256, g: (255 - i * 3 + 256) % 256, b: (i * 37) % 256 },
    },
  })
    .png()
    .toBuffer();
  await writeFile(path.join(dir, 'img', `${i}.png`), png);
  lines.push(`![image ${i}](img/${i}.png)`, '');
}
const postPath = path.join(dir, 'post.md');
await writeFile(postPath, lines.join('\n'));

const sandbox = await startSandbox({ faults: { latencyMs } });
const uploadsOf = () => Object.values(sandbox.stats().uploads).reduce((a, b) => a + b, 0);

interface Run {
  ms: number;
  prepareMs: number;
  uploadMs: number;
  uploads: number;
}

async function run(concurrency: number, statePath: string): Promise<Run> {
  const client = createOfficialAccountClient({
    appId: DEFAULT_ACCOUNT.appId,
    appSecret: DEFAULT_ACCOUNT.appSecret,
    baseUrl: sandbox.url,
    store: memoryStore(),
  });
  const before = uploadsOf();
  const file = new VFile({ path: postPath, value: lines.join('\n') });
  const started = performance.now();
  let prepared = started;
  const onProgress = (event: ProgressEvent) => {
    if (event.stage === 'processed' || event.stage === 'cached') prepared = performance.now();
  };
  await unified()
    .use(remarkParse)
    .use(remarkWechatImages, {
      uploader: wechatUploader(client),
      cache: stateFileCache({ path: statePath }),
      concurrency,
      onProgress,
    })
    .use(remarkStringify)
    .process(file);
  const ended = performance.now();
  return {
    ms: ended - started,
    prepareMs: prepared - started,
    uploadMs: ended - prepared,
    uploads: uploadsOf() - before,
  };
}

/** The median run by total time, so the prepare/upload split shown belongs to one real run. */
function median(list: Run[]): Run {
  return [...list].sort((a, b) => a.ms - b.ms)[Math.floor(list.length / 2)]!;
}

console.log(
  `bench/upload: ${count} images, sandbox latency ${latencyMs} ms per request, median of ${runs} runs, Node ${process.version}`,
);
console.log(
  'concurrency | first run ms (prepare + upload) | uploads | ideal ms | run/ideal | upload/ideal | second run ms | uploads',
);
try {
  for (const concurrency of [1, 4, 8]) {
    const firsts: Run[] = [];
    const seconds: Run[] = [];
    for (let r = 0; r < runs; r++) {
      sandbox.reset();
      const state = path.join(dir, `state-${concurrency}-${r}.json`);
      firsts.push(await run(concurrency, state));
      seconds.push(await run(concurrency, state));
    }
    const first = median(firsts);
    const second = median(seconds);
    const ideal = Math.ceil(count / concurrency) * latencyMs;
    console.log(
      [
        String(concurrency).padStart(11),
        `${first.ms.toFixed(0)} (${first.prepareMs.toFixed(0)} + ${first.uploadMs.toFixed(0)})`.padStart(31),
        String(first.uploads).padStart(7),
        String(ideal).padStart(8),
        (first.ms / ideal).toFixed(2).padStart(9),
        (first.uploadMs / ideal).toFixed(2).padStart(12),
        second.ms.toFixed(0).padStart(13),
        String(Math.max(...seconds.map((s) => s.uploads))).padStart(7),
      ].join(' | '),
    );
  }
  console.log(
    'ideal = ceil(images / concurrency) × latency: uploads only, one round trip each, perfect overlap.',
  );
  console.log('prepare = resolve + compress every image (nothing is uploaded before all are ready; the');
  console.log('access_token is fetched meanwhile); upload = the upload phase.');
  console.log('Second-run target: < 1000 ms and 0 uploads (uploads column = the most any second run made).');
} finally {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
}
