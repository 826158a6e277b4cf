import sharp from 'sharp';
import { ssim } from 'ssim.js';
import { encodeJpeg, lowestQualityReaching } from './encode.js';
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
export const QUALITY_SSIM_TARGETS = { balanced: 0.997, 'visually-lossless': 0.999 } as const;

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

/**
 * A scorer of encodings of `raw`: mean SSIM (0–1) of the decoded image against `raw` composited on white,
 * as ssim.js computes it with its defaults. The reference is prepared once, so each score costs one
 * decode, one downsample and one SSIM at ~256 px.
 */
export async function ssimScorer(raw: RawImage): Promise<(encoded: Buffer) => Promise<number>> {
  const factor = downsampleFactor(raw.width, raw.height);
  const reference = await downsampledGrey(fromRaw(raw), factor);
  return async (encoded) =>
    ssim(reference, await downsampledGrey(sharp(encoded), factor), { downsample: false }).mssim;
}

/** Where the search starts: q80 mozjpeg, the usual baseline, is near both targets on most photos. */
const SEARCH_START_QUALITY = 80;
/** Trellis costs about this many quality steps of SSIM: where the mozjpeg search looks next. */
const MOZJPEG_STEP = 2;

/**
 * The lowest JPEG quality in [min, max] whose mozjpeg encoding of `raw` reaches SSIM `target` and is
 * strictly under `maxBytes`. The binary search runs on a fast encode (libjpeg-turbo with mozjpeg's
 * quantisation table, ~10× faster than trellis quantisation); trellis then lowers SSIM a little at the same
 * quality, so the mozjpeg encode is checked and, when short, searched upwards from there.
 *
 * @returns the mozjpeg encoding, or `undefined` when no quality in [min, max] both reaches the target and
 *   fits (the caller then takes the highest quality that fits).
 */
export async function smallestJpegReaching(
  raw: RawImage,
  options: { target: number; maxBytes: number; min: number; max: number; chroma: '4:2:0' | '4:4:4' },
): Promise<{ data: Buffer; quality: number; ssim: number } | undefined> {
  const { target, maxBytes, min, max, chroma } = options;
  const score = await ssimScorer(raw);
  const fast = await lowestQualityReaching(
    (quality) =>
      fromRaw(raw)
        .flatten({ background: '#ffffff' })
        .jpeg({ quality, quantisationTable: 3, chromaSubsampling: chroma })
        .toBuffer(),
    score,
    { target, maxBytes, min, max, start: SEARCH_START_QUALITY },
  );
  const mozjpeg = (quality: number) => encodeJpeg(raw, quality, true, chroma);
  const first = fast.data ? fast.quality : max;
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
  });
  return found.data ? { data: found.data, quality: found.quality, ssim: found.score } : undefined;
}
