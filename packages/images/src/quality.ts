import { encodeJpeg, encodePngPalette, lowestQualityReaching } from './encode.js';
import { fromRaw, type RawImage } from './raster.js';
import { ssimScorer } from './ssim.js';

/**
 * How much JPEG quality to spend:
 * - `balanced` (default): the smallest JPEG whose SSIM against the source at output size reaches
 *   {@link QUALITY_SSIM_TARGETS}`.balanced`; a photo that no quality up to the highest allowed brings there
 *   settles at {@link BALANCED_OUT_OF_REACH_QUALITY}.
 * - `visually-lossless`: the same search aiming at a higher SSIM, for photos that must not lose detail
 *   (out of reach: the highest quality allowed).
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

/**
 * The JPEG quality at which `balanced` settles an image whose target is out of reach even at the highest
 * quality allowed (most camera photos at 0.9993: their grain costs SSIM at every quality), rather than at
 * that highest quality: the usual q80 mozjpeg, so such a photo costs no more than the common recipe and
 * looks no worse. The last steps to 90 bought an SSIM gain the eye does not see for +54 % bytes. Over the
 * corpus (bench/images/compare.ts --posts): 26 JPEGs at 90 became 35 % smaller and two photographic PNGs
 * passed through as they were (791 KB, 449 KB) became 38 and 48 KB JPEGs — each byte for byte the
 * baseline's. Tried first: 85 (those 26 JPEGs −23 %), and a search for each image's knee (the lowest
 * quality within 0.4 on −log(1 − SSIM) of 90's), which settled at a median of 86 for 2–3 more encodes
 * an image.
 */
export const BALANCED_OUT_OF_REACH_QUALITY = 80;

/** A fixed JPEG quality, or an SSIM to reach (and the quality to settle at when it is out of reach). */
export interface QualityPolicy {
  fixed?: number;
  ssim?: number;
  outOfReach?: number;
}

/**
 * The `quality` option as a fixed JPEG quality or an SSIM target (`undefined`: `balanced`).
 *
 * @throws RangeError for a number that is not an integer 1–100, or a name that is not a preset.
 */
export function qualityPolicy(quality: ImageQuality | undefined): QualityPolicy {
  if (quality === undefined || quality === 'balanced')
    return { ssim: QUALITY_SSIM_TARGETS.balanced, outOfReach: BALANCED_OUT_OF_REACH_QUALITY };
  if (typeof quality === 'number') {
    if (!Number.isInteger(quality) || quality < 1 || quality > 100)
      throw new RangeError(
        `quality must be an integer from 1 to 100, 'balanced' or 'visually-lossless', got ${quality}`,
      );
    return { fixed: quality };
  }
  if (quality === 'visually-lossless') return { ssim: QUALITY_SSIM_TARGETS[quality] };
  throw new RangeError(
    `quality must be 'balanced', 'visually-lossless' or an integer from 1 to 100, got ${JSON.stringify(quality)}`,
  );
}

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
 * Rise of −log(1 − SSIM) per JPEG quality step near 90 and near 60 (it is steeper at high qualities), and
 * where the second encode lands from the first: one step short of the crossing these predict. Fitted on
 * the libjpeg-turbo scores of the corpus' 133 still images at every quality 60–90: from 90, 327 → 285
 * encodes over the corpus, from 60, 450 → 371, fewer on either half of it; fixed steps of 10 and 20
 * crept on to the answer one quality at a time.
 */
const JPEG_SLOPE_HIGH = 1 / 16;
const JPEG_SLOPE_LOW = 1 / 24;
const JPEG_OVERSHOOT = -1;
/**
 * Growth of log(bytes) of a libjpeg-turbo screenshot per quality step (corpus: 0.017–0.024 over 60–90): a
 * JPEG competing with a palette then stops after its first encode when the quality it needs is clearly
 * over the palette's size — 10 of the corpus' 21 screenshots past 4,096 colours, none of which the JPEG won.
 */
const TURBO_BYTES_SLOPE = 0.019;

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
 * `outOfReach`: when even `max` misses the target under budget, the mozjpeg encoding at that quality
 * (clamped to [min, max]; see {@link BALANCED_OUT_OF_REACH_QUALITY}).
 *
 * @returns the mozjpeg encoding, or `undefined` when no quality in [min, max] both reaches the target (or
 *   the `outOfReach` one) and fits (the caller then takes the highest quality that fits).
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
    /** The quality to settle at when even `max` misses the target under budget (default: none, undefined). */
    outOfReach?: number;
  },
): Promise<{ data: Buffer; quality: number } | undefined> {
  const { target, maxBytes, min, max, chroma } = options;
  const score = options.score ?? ssimScorer(raw);
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
    slope: options.competing ? JPEG_SLOPE_LOW : JPEG_SLOPE_HIGH,
    ...(options.competing ? { bytesSlope: TURBO_BYTES_SLOPE } : {}),
    overshoot: JPEG_OVERSHOOT,
    tolerance: JPEG_TOLERANCE,
  });
  if (!fast.data && options.outOfReach !== undefined && fast.miss?.quality === max) {
    // Even `max` misses, under budget: settle at the caller's quality instead (one trellis encode).
    const quality = Math.max(min, Math.min(max, options.outOfReach));
    const data = await encodeJpeg(raw, quality, true, chroma);
    return data.length < maxBytes ? { data, quality } : undefined;
  }
  if (!fast.data) return undefined;
  const mozjpeg = (quality: number) => encodeJpeg(raw, quality, true, chroma);
  const first = fast.quality;
  const data = await mozjpeg(first);
  if (data.length >= maxBytes) return undefined;
  const reached = await score(data);
  if (reached >= target) return { data, quality: first };
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
  return found.data ? { data: found.data, quality: found.quality } : undefined;
}

/**
 * libimagequant qualities tried for a palette, in steps of {@link PALETTE_QUALITY_STEP} from
 * {@link PALETTE_MIN_QUALITY} to 100: sizes and SSIM move little within a step, so a coarse search costs
 * 1 encode (the graphics that reach the target at the lowest quality) to 5, instead of 7. Below 30 flat
 * graphics start to lose anti-aliasing on text.
 */
const PALETTE_MIN_QUALITY = 30;
const PALETTE_QUALITY_STEP = 10;
/**
 * Rise of −log(1 − SSIM) per palette step, and how far past the crossing it predicts the second
 * quantisation lands: fitted on the corpus' 102 palette candidates scored at every step, 240 → 211
 * quantisations over the corpus, fewer on either half of it (a fixed 3 steps overshot the answers at 40–50
 * and fell short of those at 70–100).
 */
const PALETTE_SLOPE = 0.375;
const PALETTE_OVERSHOOT = 1.5;
/** Dithering adds noise that costs bytes and SSIM on flat graphics; effort 3 is ~2× faster than 7 for +1 %. */
const PALETTE_EFFORT = 3;
/**
 * zlib level of the searched palettes: the pixels are libimagequant's either way; level 6 deflates 10–40 %
 * faster than 9 for 2–5 % more bytes on the corpus' screenshots.
 */
const PALETTE_ZLIB_LEVEL = 6;

/**
 * The palette PNG (libimagequant, no dithering, ≤ 256 colours) of `raw` at the lowest quality whose SSIM
 * (see {@link ssimScorer}: against `raw` on white, so transparency is judged as WeChat shows it) reaches
 * `target` and that is strictly under `maxBytes`, to within one step ({@link PALETTE_QUALITY_STEP}): proving
 * the step below misses cost a whole quantisation and score (12 of the corpus' palettes are one step
 * higher for it, +0.2 % of all the bytes, and the median image's time 2.80× → 2.55× the baseline's).
 * Quality 100 keeps an image of ≤ 256 colours exact.
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
    (step) => encodePngPalette(raw, quality(step), 0, PALETTE_EFFORT, PALETTE_ZLIB_LEVEL),
    score,
    {
      target: options.target,
      maxBytes: options.maxBytes,
      min: 0,
      max: steps,
      start: 0,
      slope: PALETTE_SLOPE,
      overshoot: PALETTE_OVERSHOOT,
      tolerance: 1,
    },
  );
  return found.data ? { data: found.data, quality: quality(found.quality), ssim: found.score } : undefined;
}
