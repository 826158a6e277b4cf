/**
 * @md2wx/images against the usual baseline, "resize to 1080 px + JPEG q80 (mozjpeg)", on every image of
 * the corpus (images/, plus the posts' local images with --posts). For each: time, output bytes, and
 * SSIM against the source rendered at the output's size (orientation applied, transparency on white).
 * Times are the best of 3 runs of each.
 * Targets (issues 6, 17): median bytes per image ≤ 1.0× baseline, SSIM ≥ baseline on ≥ 90 % of the still
 * images while under budget, median time ≤ 2× baseline. Per image it prints bytes ÷ baseline bytes, SSIM
 * minus baseline SSIM and time ÷ baseline time; the last line sums it up.
 *
 * Run: MD2WX_CORPUS=/path/to/corpus npx tsx --conditions=@md2wx/source bench/images/compare.ts [--posts]
 *   [--quality balanced|visually-lossless|<1-100>] [--only <substring of the path>]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  BODY_MAX_BYTES,
  type ImageQuality,
  isImageError,
  openImage,
  probeImage,
  processImage,
} from '@md2wx/images';
import { corpusDir } from '@md2wx/testkit';
import sharp from 'sharp';
import { ssim } from 'ssim.js';

const IMAGE_EXTENSIONS = /\.(jpe?g|png|gif|webp|avif|heic|heif|tiff?|bmp|svg)$/i;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) walk(file, out);
    else if (IMAGE_EXTENSIONS.test(name)) out.push(file);
  }
  return out;
}

async function pixels(
  pipeline: sharp.Sharp,
): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const { data, info } = await pipeline
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}

/** SSIM of `output` against the source rendered at the output's size. */
async function score(source: Buffer, output: Buffer): Promise<number> {
  const outputPixels = await pixels(sharp(output));
  const opened = await openImage(source, { targetWidth: outputPixels.width });
  const reference = await pixels(
    opened
      .pipeline()
      .rotate()
      .resize({ width: outputPixels.width, height: outputPixels.height, fit: 'fill' }),
  );
  return ssim(reference, outputPixels).mssim;
}

async function baseline(data: Buffer): Promise<Buffer> {
  return sharp(data)
    .rotate()
    .resize({ width: 1080, withoutEnlargement: true })
    .jpeg({ quality: 80, mozjpeg: true })
    .toBuffer();
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

/** Best of three runs: the 2-core machine is shared, so single timings are noisy. */
async function bestOf<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  let best = await timed(run);
  for (let attempt = 1; attempt < RUNS; attempt++) {
    const next = await timed(run);
    if (next.ms < best.ms) best = next;
  }
  return best;
}

const RUNS = 3;
const root = corpusDir();
const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const qualityArgument = argument('--quality') ?? 'balanced';
const quality: ImageQuality = /^\d+$/.test(qualityArgument)
  ? Number(qualityArgument)
  : (qualityArgument as ImageQuality);
const only = argument('--only');
let files = walk(path.join(root, 'images'));
if (process.argv.includes('--posts')) files.push(...walk(path.join(root, 'markdown')));
if (only) files = files.filter((file) => file.includes(only));

interface Row {
  file: string;
  ours?: { bytes: number; ms: number; ssim: number; format: string; quality?: number };
  base?: { bytes: number; ms: number; ssim: number };
  note: string;
  still: boolean;
}
const rows: Row[] = [];
for (const file of files.sort()) {
  const data = readFileSync(file);
  const name = path.relative(root, file);
  const row: Row = { file: name, note: '', still: true };
  try {
    row.still = !(await probeImage(data, { source: name })).animated;
    // The probe is timed too: a caller needs it to choose the target, the baseline does not.
    const ours = await bestOf(async () => {
      const probe = await probeImage(data, { source: name });
      return processImage(data, { target: probe.animated ? 'animated' : 'body', source: name, quality });
    });
    row.ours = {
      bytes: ours.value.info.bytes,
      ms: ours.ms,
      ssim: await score(data, ours.value.data),
      format: ours.value.info.passthrough ? `${ours.value.info.format}=` : ours.value.info.format,
      ...(ours.value.info.quality !== undefined ? { quality: ours.value.info.quality } : {}),
    };
  } catch (error) {
    row.note = isImageError(error) ? `rejected: ${error.code}` : `CRASH ${String(error)}`;
  }
  try {
    const base = await bestOf(() => baseline(data));
    row.base = { bytes: base.value.length, ms: base.ms, ssim: await score(data, base.value) };
  } catch (error) {
    row.note += `${row.note ? '; ' : ''}baseline failed: ${String(error).slice(0, 60)}`;
  }
  rows.push(row);
}

const pad = (text: string, width: number) => text.padEnd(width).slice(0, width);
const num = (value: number | undefined, digits = 0) => (value === undefined ? '-' : value.toFixed(digits));
console.log(
  `${pad('image', 58)} ${pad('ours', 6)} ${'bytes'.padStart(9)} ${'ms'.padStart(6)} ${'ssim'.padStart(6)} | ${'base B'.padStart(9)} ${'ms'.padStart(6)} ${'ssim'.padStart(6)} | ${'B÷base'.padStart(6)} ${'Δssim'.padStart(7)} ${'t÷base'.padStart(6)} note`,
);
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? '-' : (a / Math.max(1, b)).toFixed(2);
for (const row of rows) {
  const format = row.ours ? `${row.ours.format}${row.ours.quality ? row.ours.quality : ''}` : '-';
  console.log(
    `${pad(row.file, 58)} ${pad(format, 6)} ${num(row.ours?.bytes).padStart(9)} ${num(row.ours?.ms).padStart(6)} ${num(row.ours?.ssim, 4).padStart(6)} | ${num(row.base?.bytes).padStart(9)} ${num(row.base?.ms).padStart(6)} ${num(row.base?.ssim, 4).padStart(6)} | ${ratio(row.ours?.bytes, row.base?.bytes).padStart(6)} ${(row.ours && row.base ? (row.ours.ssim - row.base.ssim).toFixed(4) : '-').padStart(7)} ${ratio(row.ours?.ms, row.base?.ms).padStart(6)} ${row.note}`,
  );
}

const compared = rows.filter((row) => row.still && row.ours && row.base);
const wins = compared.filter((row) => (row.ours?.ssim ?? 0) >= (row.base?.ssim ?? 0));
const underBudget = rows
  .filter((row) => row.still && row.ours)
  .every((row) => (row.ours?.bytes ?? Infinity) < BODY_MAX_BYTES);
const baselineOver = compared.filter((row) => (row.base?.bytes ?? 0) >= BODY_MAX_BYTES).length;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const oursMedian = median(compared.map((row) => row.ours?.ms ?? 0));
const baseMedian = median(compared.map((row) => row.base?.ms ?? 0));
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
console.log('');
console.log(
  `images: ${rows.length}; still images converted by both: ${compared.length}; rejected by us: ${rows.filter((row) => !row.ours).length}`,
);
console.log(
  `SSIM ≥ baseline: ${wins.length}/${compared.length} = ${((100 * wins.length) / Math.max(1, compared.length)).toFixed(1)} % (target ≥ 90 %)`,
);
console.log(
  `mean SSIM: ours ${(sum(compared.map((row) => row.ours?.ssim ?? 0)) / compared.length).toFixed(4)}, baseline ${(sum(compared.map((row) => row.base?.ssim ?? 0)) / compared.length).toFixed(4)}`,
);
console.log(
  `all our still outputs < ${BODY_MAX_BYTES} bytes: ${underBudget}; baseline outputs over budget: ${baselineOver}`,
);
console.log(
  `bytes: ours ${(sum(compared.map((row) => row.ours?.bytes ?? 0)) / 1e6).toFixed(2)} MB, baseline ${(sum(compared.map((row) => row.base?.bytes ?? 0)) / 1e6).toFixed(2)} MB`,
);
console.log(
  `median time: ours ${oursMedian.toFixed(0)} ms, baseline ${baseMedian.toFixed(0)} ms → ${(oursMedian / Math.max(1, baseMedian)).toFixed(2)}× (target ≤ 2×)`,
);
// Pass-throughs cost a few ms and pull our median down: show the re-encoded images on their own too.
const reencoded = compared.filter((row) => !row.ours?.format.endsWith('='));
const reMedian = median(reencoded.map((row) => row.ours?.ms ?? 0));
const reBase = median(reencoded.map((row) => row.base?.ms ?? 0));
console.log(
  `median time, the ${reencoded.length} re-encoded (not passed through) only: ours ${reMedian.toFixed(0)} ms, baseline ${reBase.toFixed(0)} ms → ${(reMedian / Math.max(1, reBase)).toFixed(2)}×`,
);
const byteRatios = compared.map((row) => (row.ours?.bytes ?? 0) / Math.max(1, row.base?.bytes ?? 1));
console.log(
  `bytes ours/baseline: total ${(sum(compared.map((row) => row.ours?.bytes ?? 0)) / Math.max(1, sum(compared.map((row) => row.base?.bytes ?? 0)))).toFixed(2)}×, median per image ${median(byteRatios).toFixed(2)}×`,
);
const timeRatios = compared.map((row) => (row.ours?.ms ?? 0) / Math.max(1, row.base?.ms ?? 1));
console.log(
  `SUMMARY quality=${qualityArgument} images=${compared.length}: median bytes ÷ baseline ${median(byteRatios).toFixed(3)}× (target ≤ 1.0×); SSIM ≥ baseline ${((100 * wins.length) / Math.max(1, compared.length)).toFixed(1)} % (target ≥ 90 %); median SSIM ours ${median(compared.map((row) => row.ours?.ssim ?? 0)).toFixed(4)} vs baseline ${median(compared.map((row) => row.base?.ssim ?? 0)).toFixed(4)}; median time ${(oursMedian / Math.max(1, baseMedian)).toFixed(2)}× (target ≤ 2×; per-image median ${median(timeRatios).toFixed(2)}×); all under budget: ${underBudget}`,
);
