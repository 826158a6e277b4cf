import sharp from 'sharp';
import { ssim } from 'ssim.js';
import { encodeJpeg, encodePngPalette, lowestQualityReaching } from './encode.js';
import { fromRaw, type RawImage } from './raster.js';

/**
 * How much JPEG quality to spend:
 * - `balanced` (default): the smallest JPEG whose SSIM against the source at output size reaches
 *   {@link QUALITY_SSIM_TARGETS}`.balanced`.
 * - `visually-lossless`: the same search aiming at a higher SSIM, for photos that must not lose detail.
 * - a number 1–100: that fixed JPEG quality, lowered only when the file would not fit the budget.
 *
 * The byte budget is a hard cap in every case. PNG output (transparency, few colours) is not affected.
 */
export type ImageQuality = 'visually-lossless' | 'balanced' | number;

/**
 * SSIM targets of the presets: mean SSIM (ssim.js defaults: Wang's downsampling, 11 px window, luma) of
 * the JPEG against the source rendered at output size, transparency on white. Set by measurement with
 * bench/images/compare.ts: the usual "1080 px, q80 mozjpeg" baseline scores 0.980–0.9998 on the corpus'
 * photos, median 0.997 (see the @md2wx/images README for the figures at each target).
 */
export const QUALITY_SSIM_TARGETS = { balanced: 0.9993, 'visually-lossless': 0.9997 } as const;

/** A fixed JPEG quality, or an SSIM to reach. */
export interface QualityPolicy {
  fixed?: number;
  ssim?: number;
}

/**
 * The `quality` option as a fixed JPEG quality or an SSIM target (`undefined`: `balanced`).
 *
 * @throws RangeError for a number that is not an integer 1–100, or a name that is not a preset.
 */
export function qualityPolicy(quality: ImageQuality | undefined): QualityPolicy {
  if (quality === undefined) return { ssim: QUALITY_SSIM_TARGETS.balanced };
  if (typeof quality === 'number') {
    if (!Number.isInteger(quality) || quality < 1 || quality > 100)
      throw new RangeError(
        `quality must be an integer from 1 to 100, 'balanced' or 'visually-lossless', got ${quality}`,
      );
    return { fixed: quality };
  }
  if (quality === 'balanced' || quality === 'visually-lossless')
    return { ssim: QUALITY_SSIM_TARGETS[quality] };
  throw new RangeError(
    `quality must be 'balanced', 'visually-lossless' or an integer from 1 to 100, got ${JSON.stringify(quality)}`,
  );
}

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
export async function ssimScorer(raw: RawImage): Promise<(encoded: Buffer) => Promise<number>> {
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
export function weberSsimOf(a: Rgba, b: Rgba): number {
  return weberMssim(windowStats(a), windowStats(b));
}

/** Where the search starts: q80 mozjpeg, the usual baseline, is near both targets on most photos. */
const SEARCH_START_QUALITY = 80;
/** Trellis costs about this many quality steps of SSIM: where the mozjpeg search looks next. */
const MOZJPEG_STEP = 2;
/** Smallest mozjpeg/libjpeg-turbo size ratio at the same quality, with a margin (corpus: 0.77–0.85). */
export const MOZJPEG_OVER_TURBO_MIN = 0.7;
/**
 * Quality steps the answer may lie above the lowest quality reaching the target: one step costs a few % of the
 * bytes, and proving the step below misses costs a whole encode and score more per image.
 */
const JPEG_TOLERANCE = 1;

/**
 * The lowest JPEG quality in [min, max] (to within {@link JPEG_TOLERANCE}) whose mozjpeg encoding of `raw`
 * reaches SSIM `target` and is strictly under `maxBytes`. The search (see `lowestQualityReaching`) runs on
 * a fast encode (libjpeg-turbo with mozjpeg's quantisation table, ~10× faster than trellis quantisation);
 * trellis then lowers SSIM a little at the same quality, so the mozjpeg encode is checked and, when short,
 * searched upwards from there. A turbo encode counts as over budget only when even the smallest mozjpeg
 * of it ({@link MOZJPEG_OVER_TURBO_MIN}) would be, so a JPEG that cannot beat `maxBytes` costs no trellis
 * encode at all.
 *
 * `competing`: `maxBytes` is another candidate's size, so the JPEG most likely loses; the search then
 * starts at `min`, where one encode tells whether any quality can be small enough.
 *
 * @returns the mozjpeg encoding, or `undefined` when no quality in [min, max] both reaches the target and
 *   fits (the caller then takes the highest quality that fits).
 */
export async function smallestJpegReaching(
  raw: RawImage,
  options: {
    target: number;
    maxBytes: number;
    min: number;
    max: number;
    chroma: '4:2:0' | '4:4:4';
    /** A scorer of `raw` from {@link ssimScorer}, when the caller already has one. */
    score?: (encoded: Buffer) => Promise<number>;
    competing?: boolean;
  },
): Promise<{ data: Buffer; quality: number; ssim: number } | undefined> {
  const { target, maxBytes, min, max, chroma } = options;
  const score = options.score ?? (await ssimScorer(raw));
  const turbo = (quality: number) =>
    fromRaw(raw)
      .flatten({ background: '#ffffff' })
      .jpeg({ quality, quantisationTable: 3, chromaSubsampling: chroma })
      .toBuffer();
  // Most photos need more than `max` for the presets' targets: starting at `max` settles that in one
  // encode (trellis only lowers SSIM, so mozjpeg cannot do better), and otherwise gives the interpolation
  // its first point.
  const fast = await lowestQualityReaching(turbo, score, {
    target,
    maxBytes: maxBytes / MOZJPEG_OVER_TURBO_MIN,
    min,
    max,
    start: options.competing ? min : max,
    step: options.competing ? SEARCH_START_QUALITY - min : max - SEARCH_START_QUALITY,
    tolerance: JPEG_TOLERANCE,
  });
  if (!fast.data) return undefined;
  const mozjpeg = (quality: number) => encodeJpeg(raw, quality, true, chroma);
  const first = fast.quality;
  const data = await mozjpeg(first);
  if (data.length >= maxBytes) return undefined;
  const reached = await score(data);
  if (reached >= target) return { data, quality: first, ssim: reached };
  if (first >= max) return undefined;
  const found = await lowestQualityReaching(mozjpeg, score, {
    target,
    maxBytes,
    min: first + 1,
    max,
    start: first + MOZJPEG_STEP,
    step: MOZJPEG_STEP,
    tolerance: JPEG_TOLERANCE,
  });
  return found.data ? { data: found.data, quality: found.quality, ssim: found.score } : undefined;
}

/**
 * libimagequant qualities tried for a palette, in steps of {@link PALETTE_QUALITY_STEP} from
 * {@link PALETTE_MIN_QUALITY} to 100: sizes and SSIM move little within a step, so a coarse search costs
 * 1 encode (the graphics that reach the target at the lowest quality) to 5, instead of 7. Below 30 flat
 * graphics start to lose anti-aliasing on text.
 */
const PALETTE_MIN_QUALITY = 30;
const PALETTE_QUALITY_STEP = 10;
/** Dithering adds noise that costs bytes and SSIM on flat graphics; effort 3 is ~2× faster than 7 for +1 %. */
const PALETTE_EFFORT = 3;

/**
 * The palette PNG (libimagequant, no dithering, ≤ 256 colours) of `raw` at the lowest quality whose SSIM
 * (see {@link ssimScorer}: against `raw` on white, so transparency is judged as WeChat shows it) reaches
 * `target` and that is strictly under `maxBytes`. Quality 100 keeps an image of ≤ 256 colours exact.
 *
 * @returns the PNG with its libimagequant quality (30–100) and score, or `undefined` when no quality both
 *   reaches the target and fits.
 */
export async function smallestPaletteReaching(
  raw: RawImage,
  score: (encoded: Buffer) => Promise<number>,
  options: { target: number; maxBytes: number },
): Promise<{ data: Buffer; quality: number; ssim: number } | undefined> {
  const steps = (100 - PALETTE_MIN_QUALITY) / PALETTE_QUALITY_STEP;
  const quality = (step: number) => PALETTE_MIN_QUALITY + step * PALETTE_QUALITY_STEP;
  // The lowest quality is the most common answer (37 of the corpus' 85 palette PNGs at 'balanced'),
  // and the lowest is the smallest palette: one encode settles those, and tells when no palette can beat
  // `maxBytes` (another candidate's size).
  const found = await lowestQualityReaching(
    (step) => encodePngPalette(raw, quality(step), 0, PALETTE_EFFORT),
    score,
    { target: options.target, maxBytes: options.maxBytes, min: 0, max: steps, start: 0, step: 3 },
  );
  return found.data ? { data: found.data, quality: quality(found.quality), ssim: found.score } : undefined;
}
