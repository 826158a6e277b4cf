/**
 * The SSIM scorer as src/quality.ts had it before src/ssim.ts (kept verbatim, only renamed), so the tests
 * can hold the faster scorer to exactly the same figures.
 */
import sharp from 'sharp';
import { ssim } from 'ssim.js';
import { fromRaw, type RawImage } from '../src/raster.js';

interface Rgba {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * Wang's SSIM downsampling factor, as ssim.js applies it by default: images are compared at about 256 px
 * on their short side, where SSIM best predicts what a viewer sees at normal distance.
 */
function downsampleFactor(width: number, height: number): number {
  return Math.max(1, Math.round(Math.min(width, height) / 256));
}

/**
 * Luma of `pipeline` on white, downsampled as ssim.js does by default (Wang's MATLAB code: integer BT.601
 * luma, an `factor`×`factor` mean filter with symmetric padding, then every `factor`-th pixel), packed
 * grey-as-RGBA for ssim.js. Done here once per image in one pass (~5 ms at 1080 px) rather than by ssim.js
 * on both images at every score (~200 ms).
 */
async function downsampledGrey(pipeline: sharp.Sharp, factor: number): Promise<Rgba> {
  const { data, info } = await pipeline
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const grey = new Uint8Array(width * height);
  for (let index = 0, pixel = 0; pixel < grey.length; pixel++, index += channels) {
    grey[pixel] =
      (77 * (data[index] ?? 0) + 150 * (data[index + 1] ?? 0) + 29 * (data[index + 2] ?? 0) + 128) >> 8;
  }
  const outWidth = Math.ceil(width / factor);
  const outHeight = Math.ceil(height / factor);
  const out = new Uint8ClampedArray(outWidth * outHeight * 4);
  const mirror = (value: number, size: number) =>
    value < 0 ? -value - 1 : value >= size ? 2 * size - value - 1 : value;
  const back = Math.floor(factor / 2);
  const area = factor * factor;
  for (let oy = 0; oy < outHeight; oy++) {
    for (let ox = 0; ox < outWidth; ox++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = mirror(oy * factor - back + dy, height) * width;
        for (let dx = 0; dx < factor; dx++) sum += grey[row + mirror(ox * factor - back + dx, width)] ?? 0;
      }
      const value = sum / area;
      const at = (oy * outWidth + ox) * 4;
      out[at] = value;
      out[at + 1] = value;
      out[at + 2] = value;
      out[at + 3] = 255;
    }
  }
  return { data: out, width: outWidth, height: outHeight };
}

/** ssim.js's defaults: an 11×11 box window (its `weber` algorithm), k1 0.01, k2 0.03, 8-bit. */
const WINDOW = 11;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** Sums over every WINDOW×WINDOW window of `value(i)` for the pixels of a `width`×`height` image. */
function windowSums(width: number, height: number, value: (index: number) => number): Float64Array {
  // Integral image in doubles: exact for 8-bit squares up to 2^53, and no Int32 wrap-around to undo.
  const stride = width + 1;
  const integral = new Float64Array(stride * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += value(y * width + x);
      integral[(y + 1) * stride + x + 1] = (integral[y * stride + x + 1] ?? 0) + row;
    }
  }
  const outWidth = width - WINDOW + 1;
  const outHeight = height - WINDOW + 1;
  const sums = new Float64Array(Math.max(0, outWidth * outHeight));
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      sums[y * outWidth + x] =
        (integral[(y + WINDOW) * stride + x + WINDOW] ?? 0) -
        (integral[y * stride + x + WINDOW] ?? 0) -
        (integral[(y + WINDOW) * stride + x] ?? 0) +
        (integral[y * stride + x] ?? 0);
    }
  }
  return sums;
}

/** Window means and variances of one grey image, as ssim.js's weberSsim rounds them. */
interface WindowStats {
  grey: Uint8Array;
  width: number;
  height: number;
  sums: Float64Array;
  /** 1024 × variance truncated to an integer, as weberSsim stores it in an Int32Array. */
  variances: Float64Array;
}

function windowStats(image: Rgba): WindowStats {
  const { width, height } = image;
  const grey = new Uint8Array(width * height);
  for (let pixel = 0; pixel < grey.length; pixel++) grey[pixel] = image.data[pixel * 4] ?? 0;
  const sums = windowSums(width, height, (index) => grey[index] ?? 0);
  const squares = windowSums(width, height, (index) => (grey[index] ?? 0) ** 2);
  const area = WINDOW * WINDOW;
  const variances = new Float64Array(sums.length);
  for (let index = 0; index < sums.length; index++) {
    const mean = (sums[index] ?? 0) / area;
    variances[index] = Math.trunc(1024 * ((squares[index] ?? 0) / area - mean * mean));
  }
  return { grey, width, height, sums, variances };
}

/**
 * Mean SSIM of `b` against `a` exactly as `ssim(a, b, { downsample: false }).mssim` of ssim.js 3 computes
 * it with its defaults (weberSsim: 11×11 box window, integer window sums, variances and covariance
 * truncated to 1/1024, running mean), on grey images already downsampled. The reference's window sums
 * are computed once per image instead of at every score: 3 integral images per score instead of 5, and
 * none of ssim.js's per-call allocations — ~10× faster at 360×270, where the quality search scores 1–8
 * encodings per image.
 */
function weberMssim(a: WindowStats, b: WindowStats): number {
  const area = WINDOW * WINDOW;
  const products = windowSums(a.width, a.height, (index) => (a.grey[index] ?? 0) * (b.grey[index] ?? 0));
  let mssim = 0;
  for (let index = 0; index < products.length; index++) {
    const meanA = (a.sums[index] ?? 0) / area;
    const meanB = (b.sums[index] ?? 0) / area;
    const covariance = Math.trunc(1024 * ((products[index] ?? 0) / area - meanA * meanB)) / 1024;
    const value =
      ((2 * meanA * meanB + C1) * (2 * covariance + C2)) /
      (meanA * meanA + meanB * meanB + C1) /
      ((a.variances[index] ?? 0) / 1024 + (b.variances[index] ?? 0) / 1024 + C2);
    mssim = index === 0 ? value : mssim + (value - mssim) / (index + 1);
  }
  return mssim;
}

/**
 * A scorer of encodings of `raw`: mean SSIM (0–1) of the decoded image against `raw` composited on white,
 * as ssim.js computes it with its defaults (the metric bench/images/compare.ts reports). The reference is
 * prepared once, so each score costs one decode, one downsample and one SSIM at ~256 px. Images smaller
 * than the 11 px window after downsampling are scored by ssim.js itself.
 */
export async function legacySsimScorer(raw: RawImage): Promise<(encoded: Buffer) => Promise<number>> {
  const factor = downsampleFactor(raw.width, raw.height);
  const reference = await downsampledGrey(fromRaw(raw), factor);
  if (reference.width < WINDOW || reference.height < WINDOW)
    return async (encoded) =>
      ssim(reference, await downsampledGrey(sharp(encoded), factor), { downsample: false }).mssim;
  const stats = windowStats(reference);
  return async (encoded) => weberMssim(stats, windowStats(await downsampledGrey(sharp(encoded), factor)));
}

/**
 * Mean SSIM of two equally sized RGBA images as ssim.js computes it with its defaults and no
 * downsampling; exported for the test that holds {@link ssimScorer} to ssim.js's figures.
 */
export function legacyWeberSsimOf(a: Rgba, b: Rgba): number {
  return weberMssim(windowStats(a), windowStats(b));
}
