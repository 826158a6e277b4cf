import sharp from 'sharp';
import { ssim } from 'ssim.js';
import { fromRaw, type RawImage } from './raster.js';

/**
 * Mean SSIM exactly as ssim.js 3 computes it with its defaults — Wang's downsampling, then its `weber`
 * algorithm: 11×11 box window, k1 0.01, k2 0.03, 8-bit luma — the metric bench/images/compare.ts reports.
 * The quality searches score 1–8 encodings per image, so the reference's luma, window means and variances
 * are computed once per image and every buffer a score needs is allocated once per scorer: a score is a
 * decode, one pass of luma and downsampling, and one pass of sliding window sums.
 */

/** ssim.js's defaults: an 11×11 box window (its `weber` algorithm), k1 0.01, k2 0.03, 8-bit. */
const WINDOW = 11;
const AREA = WINDOW * WINDOW;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;
/** weberSsim truncates variances to 1/1024; multiplying by the exact 2^-10 is its division, cheaper. */
const TO_1024THS = 1 / 1024;

/** One channel of 8-bit values, row-major, `width` × `height`. */
export interface Grey {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * Wang's SSIM downsampling factor, as ssim.js applies it by default: images are compared at about 256 px
 * on their short side, where SSIM best predicts what a viewer sees at normal distance.
 */
export function downsampleFactor(width: number, height: number): number {
  return Math.max(1, Math.round(Math.min(width, height) / 256));
}

/** Symmetric padding as in Wang's MATLAB code (and ssim.js): -1 → 0, size → size - 1. */
function mirror(value: number, size: number): number {
  return value < 0 ? -value - 1 : value >= size ? 2 * size - value - 1 : value;
}

/**
 * Downsamples the luma of interleaved 8-bit pixels of one size, reusing its buffers from call to call
 * (one per scorer: the reference and every candidate have the same size).
 */
class LumaDownsampler {
  readonly outWidth: number;
  readonly outHeight: number;
  private readonly columns: Int32Array;
  private readonly columnSums: Int32Array;
  private readonly rows: Int32Array;

  constructor(
    private readonly width: number,
    height: number,
    private readonly factor: number,
  ) {
    this.outWidth = Math.ceil(width / factor);
    this.outHeight = Math.ceil(height / factor);
    this.columnSums = new Int32Array(width);
    // Source column and row of each tap of the factor×factor mean filter, padding resolved once.
    const back = Math.floor(factor / 2);
    this.columns = new Int32Array(this.outWidth * factor);
    for (let tap = 0; tap < this.columns.length; tap++) this.columns[tap] = mirror(tap - back, width);
    this.rows = new Int32Array(this.outHeight * factor);
    for (let tap = 0; tap < this.rows.length; tap++) this.rows[tap] = mirror(tap - back, height);
  }

  /**
   * Integer BT.601 luma of `pixels` (`channels` per pixel, RGB first), the factor×factor mean of it, every
   * factor-th pixel, written to `out` (`outWidth` × `outHeight`; the clamped array rounds as ssim.js's
   * does when it stores the means). The luma goes straight into per-column sums: the sums are of
   * integers, so their order does not change them.
   */
  run(pixels: Uint8Array, channels: number, out: Uint8ClampedArray): void {
    const { width, factor, columns, columnSums, rows, outWidth, outHeight } = this;
    if (factor === 1) {
      // Images under 384 px on their short side (wide screenshots) are compared as they are: the luma only.
      for (let pixel = 0, index = 0; pixel < out.length; pixel++, index += channels)
        out[pixel] =
          (77 * (pixels[index] as number) +
            150 * (pixels[index + 1] as number) +
            29 * (pixels[index + 2] as number) +
            128) >>
          8;
      return;
    }
    const area = factor * factor;
    const stride = width * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      columnSums.fill(0);
      for (let dy = 0; dy < factor; dy++) {
        let index = (rows[oy * factor + dy] as number) * stride;
        for (let x = 0; x < width; x++, index += channels) {
          columnSums[x] =
            (columnSums[x] as number) +
            ((77 * (pixels[index] as number) +
              150 * (pixels[index + 1] as number) +
              29 * (pixels[index + 2] as number) +
              128) >>
              8);
        }
      }
      const line = oy * outWidth;
      for (let ox = 0, tap = 0; ox < outWidth; ox++) {
        let sum = 0;
        for (let dx = 0; dx < factor; dx++, tap++) sum += columnSums[columns[tap] as number] as number;
        out[line + ox] = sum / area;
      }
    }
  }
}

/**
 * Column sums for sliding WINDOW×WINDOW sums over grey images of one size, in buffers allocated once. The
 * sums are of 8-bit values and their products (at most 121 × 255² < 2^31), so they are exact in Int32
 * whatever the order of the additions: the same figures as the integral images ssim.js sums them with.
 */
class WindowSums {
  readonly outWidth: number;
  readonly outHeight: number;
  /** Per column of the rows in the window: sums of a, of a², of a·b. */
  readonly columnsA: Int32Array;
  readonly columnsAA: Int32Array;
  readonly columnsAB: Int32Array;

  constructor(
    private readonly width: number,
    height: number,
  ) {
    this.outWidth = Math.max(0, width - WINDOW + 1);
    this.outHeight = Math.max(0, height - WINDOW + 1);
    this.columnsA = new Int32Array(width);
    this.columnsAA = new Int32Array(width);
    this.columnsAB = new Int32Array(width);
  }

  private reset(): void {
    this.columnsA.fill(0);
    this.columnsAA.fill(0);
    this.columnsAB.fill(0);
  }

  private addRow(a: Uint8ClampedArray, b: Uint8ClampedArray, y: number): void {
    const { width, columnsA, columnsAA, columnsAB } = this;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const va = a[row + x] as number;
      const vb = b[row + x] as number;
      columnsA[x] = (columnsA[x] as number) + va;
      columnsAA[x] = (columnsAA[x] as number) + va * va;
      columnsAB[x] = (columnsAB[x] as number) + va * vb;
    }
  }

  /**
   * Column sums of rows `y` to `y + WINDOW - 1` of `a` and `b`: from scratch at `y` = 0, else one slide down
   * from those of `y - 1` (the walks go down the rows in order).
   */
  window(a: Uint8ClampedArray, b: Uint8ClampedArray, y: number): void {
    if (y > 0) {
      this.slide(a, b, y + WINDOW - 1);
      return;
    }
    this.reset();
    for (let row = 0; row < WINDOW; row++) this.addRow(a, b, row);
  }

  /** Slides the window down one row: adds row `y` and removes row `y - WINDOW`, in one pass. */
  private slide(a: Uint8ClampedArray, b: Uint8ClampedArray, y: number): void {
    const { width, columnsA, columnsAA, columnsAB } = this;
    const row = y * width;
    const gone = (y - WINDOW) * width;
    for (let x = 0; x < width; x++) {
      const va = a[row + x] as number;
      const vb = b[row + x] as number;
      const ga = a[gone + x] as number;
      const gb = b[gone + x] as number;
      columnsA[x] = (columnsA[x] as number) + va - ga;
      columnsAA[x] = (columnsAA[x] as number) + va * va - ga * ga;
      columnsAB[x] = (columnsAB[x] as number) + va * vb - ga * gb;
    }
  }
}

/** Per-window mean and variance of a reference, as ssim.js's weberSsim rounds them. */
interface ReferenceStats {
  grey: Uint8ClampedArray;
  means: Float64Array;
  /** Variance truncated to 1/1024, as weberSsim stores 1024 × variance in an Int32Array. */
  variances: Float64Array;
}

/**
 * The reference's window means and variances (once per image), from the same sliding column sums as a
 * score, fed the reference twice so that the products are its squares: integer sums, so the figures are
 * exactly those a score's sums would give.
 */
function referenceStats(reference: Grey, sums: WindowSums): ReferenceStats {
  const { data } = reference;
  const { outWidth, outHeight, columnsA, columnsAB } = sums;
  const means = new Float64Array(outWidth * outHeight);
  const variances = new Float64Array(outWidth * outHeight);
  let window = 0;
  for (let y = 0; y < outHeight; y++) {
    sums.window(data, data, y);
    let runA = 0;
    let runSquares = 0;
    for (let x = 0; x < WINDOW - 1; x++) {
      runA += columnsA[x] as number;
      runSquares += columnsAB[x] as number;
    }
    for (let x = 0; x < outWidth; x++, window++) {
      runA += columnsA[x + WINDOW - 1] as number;
      runSquares += columnsAB[x + WINDOW - 1] as number;
      const mean = runA / AREA;
      means[window] = mean;
      variances[window] = Math.trunc(1024 * (runSquares / AREA - mean * mean)) * TO_1024THS;
      runA -= columnsA[x] as number;
      runSquares -= columnsAB[x] as number;
    }
  }
  return { grey: data, means, variances };
}

/** Mean SSIM of grey images against a reference whose window statistics are computed once. */
class WeberSsim {
  private readonly sums: WindowSums;
  private readonly reference: ReferenceStats;

  constructor(reference: Grey) {
    this.sums = new WindowSums(reference.width, reference.height);
    this.reference = referenceStats(reference, this.sums);
  }

  /**
   * Mean SSIM of `candidate` (same size as the reference) against the reference, with weberSsim's
   * arithmetic: integer window sums, variances and covariance truncated to 1/1024, a running mean.
   * Each window is scored as the sliding sums reach it, in ssim.js's order, rather than from stored sums: a
   * score runs on every candidate of a quality search, and writing and re-reading three sums per window
   * was a third of it.
   */
  score(candidate: Uint8ClampedArray): number {
    const { means, variances, grey } = this.reference;
    const sums = this.sums;
    const { outWidth, outHeight, columnsA, columnsAA, columnsAB } = sums;
    let mssim = 0;
    let window = 0;
    for (let y = 0; y < outHeight; y++) {
      sums.window(candidate, grey, y);
      let runA = 0;
      let runAA = 0;
      let runAB = 0;
      for (let x = 0; x < WINDOW - 1; x++) {
        runA += columnsA[x] as number;
        runAA += columnsAA[x] as number;
        runAB += columnsAB[x] as number;
      }
      for (let x = 0; x < outWidth; x++, window++) {
        const enter = x + WINDOW - 1;
        runA += columnsA[enter] as number;
        runAA += columnsAA[enter] as number;
        runAB += columnsAB[enter] as number;
        const meanA = means[window] as number;
        const meanB = runA / AREA;
        const varianceB = Math.trunc(1024 * (runAA / AREA - meanB * meanB)) * TO_1024THS;
        const covariance = Math.trunc(1024 * (runAB / AREA - meanA * meanB)) * TO_1024THS;
        const value =
          ((2 * meanA * meanB + C1) * (2 * covariance + C2)) /
          (meanA * meanA + meanB * meanB + C1) /
          ((variances[window] as number) + varianceB + C2);
        mssim = window === 0 ? value : mssim + (value - mssim) / (window + 1);
        runA -= columnsA[x] as number;
        runAA -= columnsAA[x] as number;
        runAB -= columnsAB[x] as number;
      }
    }
    return mssim;
  }
}

/** Pixels of `pipeline` composited on white, sRGB, no alpha: what WeChat shows and ssim.js compares. */
async function onWhite(pipeline: sharp.Sharp): Promise<{ data: Buffer; info: sharp.OutputInfo }> {
  return pipeline
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
}

/** A grey image as ssim.js takes it: RGBA with r = g = b, opaque. */
function asRgba(grey: Grey): { data: Uint8ClampedArray; width: number; height: number } {
  const data = new Uint8ClampedArray(grey.width * grey.height * 4).fill(255);
  for (let pixel = 0; pixel < grey.data.length; pixel++)
    data.fill(grey.data[pixel] as number, pixel * 4, pixel * 4 + 3);
  return { data, width: grey.width, height: grey.height };
}

/**
 * A scorer of encodings of `raw`: mean SSIM (0–1) of the decoded image against `raw` composited on white,
 * as ssim.js computes it with its defaults. Each score costs one decode, one luma + downsampling pass and
 * one pass of window sums at ~256 px; scores of one scorer must not overlap in time (they share buffers),
 * which the quality searches, awaiting each score, never do. Images smaller than the 11 px window after
 * downsampling are scored by ssim.js itself.
 *
 * The scorer is returned at once and prepares the reference (its decode, luma and window statistics: 5–10
 * ms at 1080 px) in the background, so that this work runs while the first candidate is encoded on
 * libvips' threads instead of before it; the first score waits for it.
 *
 * @throws (from a score) Error from sharp when an encoding cannot be decoded; RangeError when it decodes
 *   to another size than `raw`.
 */
export function ssimScorer(raw: RawImage): (encoded: Buffer) => Promise<number> {
  const factor = downsampleFactor(raw.width, raw.height);
  const downsampler = new LumaDownsampler(raw.width, raw.height, factor);
  const grey = () => new Uint8ClampedArray(downsampler.outWidth * downsampler.outHeight);
  const candidate = grey();
  const toGrey = async (pipeline: sharp.Sharp, out: Uint8ClampedArray): Promise<void> => {
    const { data, info } = await onWhite(pipeline);
    if (info.width !== raw.width || info.height !== raw.height)
      throw new RangeError(
        `cannot score a ${info.width}x${info.height} encoding of a ${raw.width}x${raw.height} image`,
      );
    downsampler.run(data, info.channels, out);
  };
  const referenceGrey: Grey = {
    data: grey(),
    width: downsampler.outWidth,
    height: downsampler.outHeight,
  };
  const compare = toGrey(fromRaw(raw), referenceGrey.data).then((): ((b: Uint8ClampedArray) => number) => {
    if (referenceGrey.width < WINDOW || referenceGrey.height < WINDOW) {
      const reference = asRgba(referenceGrey);
      return (data) => ssim(reference, asRgba({ ...referenceGrey, data }), { downsample: false }).mssim;
    }
    const weber = new WeberSsim(referenceGrey);
    return (data) => weber.score(data);
  });
  // A search whose first encode fails never scores: its error is the one to report, not this one.
  compare.catch(() => {});
  return async (encoded) => {
    const against = await compare;
    await toGrey(sharp(encoded), candidate);
    return against(candidate);
  };
}

/**
 * Mean SSIM of two equally sized grey images as ssim.js computes it with its defaults and no
 * downsampling (0–1); for the tests that hold {@link ssimScorer} to ssim.js's figures.
 *
 * @throws RangeError when the sizes differ or either side is under 11 px (ssim.js's window).
 */
export function weberSsimOf(a: Grey, b: Grey): number {
  if (a.width !== b.width || a.height !== b.height)
    throw new RangeError(`cannot compare ${a.width}x${a.height} with ${b.width}x${b.height}`);
  if (a.width < WINDOW || a.height < WINDOW)
    throw new RangeError(`images under ${WINDOW} px have no SSIM window`);
  return new WeberSsim(a).score(b.data);
}
