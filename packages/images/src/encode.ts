import { fromRaw, type RawImage } from './raster.js';

/**
 * A JPEG of raw pixels at `quality` (1–100), with mozjpeg (trellis quantisation, optimised scans: smaller,
 * ~10× slower) unless `mozjpeg` is false (plain libjpeg-turbo, for size estimates); transparency is
 * flattened onto white. `chroma` '4:4:4' keeps full-resolution colour (coloured text and thin lines in
 * screenshots stay sharp); '4:2:0' (default) halves it both ways, as the eye barely sees in photos.
 */
export async function encodeJpeg(
  raw: RawImage,
  quality: number,
  mozjpeg = true,
  chroma: '4:2:0' | '4:4:4' = '4:2:0',
): Promise<Buffer> {
  let pipeline = fromRaw(raw);
  if (raw.channels === 4) pipeline = pipeline.flatten({ background: '#ffffff' });
  return pipeline.jpeg({ quality, mozjpeg, chromaSubsampling: chroma }).toBuffer();
}

/**
 * A lossless truecolour PNG at zlib level 9. Adaptive filtering is left off: on the corpus' screenshots
 * and charts it made files ~20 % larger and encoding ~2× slower.
 */
export async function encodePngLossless(raw: RawImage): Promise<Buffer> {
  return fromRaw(raw).png({ compressionLevel: 9, adaptiveFiltering: false }).toBuffer();
}

/**
 * A palette PNG quantized by libimagequant: `quality` 0–100 is the quality aimed at (fewer colours below
 * 100); with 256 colours or fewer in the image and quality 100 the result is exact. `effort` 1–10 trades
 * CPU for smaller files (default 7). `compressionLevel` is zlib's (0–9, default 9): it changes the bytes
 * only, never the pixels libimagequant chose.
 */
export async function encodePngPalette(
  raw: RawImage,
  quality: number,
  dither = 1,
  effort = 7,
  compressionLevel = 9,
): Promise<Buffer> {
  return fromRaw(raw)
    .png({ palette: true, quality, colours: 256, dither, effort, compressionLevel })
    .toBuffer();
}

/**
 * The highest `quality` in [min, max] whose encoding is strictly under `maxBytes`, by binary search.
 * Tries `max` first (an image that fits costs one encode), then `min` (an image that cannot fit at any
 * quality costs two, and the caller downscales at once instead of paying for a whole search). Encoded size
 * grows with quality, which is true of JPEG and libimagequant in practice; a rare non-monotonic step only
 * costs a little quality.
 *
 * @returns the encoding and its quality, or `data: undefined` with the size at `min` (to plan a downscale).
 */
export async function highestQualityUnder(
  encode: (quality: number) => Promise<Buffer>,
  maxBytes: number,
  min: number,
  max: number,
): Promise<{ data: Buffer; quality: number } | { data: undefined; smallest: number }> {
  const top = await encode(max);
  if (top.length < maxBytes || min >= max) {
    return top.length < maxBytes ? { data: top, quality: max } : { data: undefined, smallest: top.length };
  }
  const bottom = await encode(min);
  if (bottom.length >= maxBytes) return { data: undefined, smallest: Math.min(bottom.length, top.length) };
  let best = { data: bottom, quality: min };
  let low = min + 1;
  let high = max - 1;
  while (low <= high) {
    const quality = Math.floor((low + high) / 2);
    const data = await encode(quality);
    if (data.length < maxBytes) {
      best = { data, quality };
      low = quality + 1;
    } else {
      high = quality - 1;
    }
  }
  return best;
}

/** Distance of an SSIM from 1 on a log scale: roughly linear in JPEG and libimagequant quality. */
function closeness(score: number): number {
  return -Math.log(Math.max(1e-9, 1 - score));
}

/**
 * The lowest `quality` in [min, max] (to within `tolerance` steps) whose encoding scores at least `target`
 * (SSIM, 0–1) and is strictly under `maxBytes`. The score grows with quality, and −log(1 − SSIM) about
 * linearly, so after the first two encodes each next quality is interpolated on that scale between the
 * closest known miss and hit (a regula falsi kept inside the bracket, so it always ends): 2–4 encodes where
 * a binary search over [60, 90] pays 5–6. The first guess is `start`, the second `start` ± `step` (the
 * caller's estimate of the distance to the answer). The answer is at most `tolerance` steps above the
 * lowest one reaching the target (0: exact, as a binary search).
 *
 * @returns the encoding with its quality and score; `data: undefined` when no quality in [min, max] both
 *   reaches the target and fits (the caller then falls back to the highest quality that fits), with the
 *   highest quality scored under budget (`miss`), if any.
 */
export async function lowestQualityReaching(
  encode: (quality: number) => Promise<Buffer>,
  score: (encoded: Buffer) => Promise<number>,
  options: {
    target: number;
    maxBytes: number;
    min: number;
    max: number;
    start: number;
    step?: number;
    /**
     * The rise of −log(1 − SSIM) per unit of `quality` that the caller expects near `start`: while the
     * search knows one side of the target only, by a single encode, it jumps to where that rise meets the
     * target, `overshoot` units further (negative: short of it), instead of `step`.
     */
    slope?: number;
    overshoot?: number;
    /**
     * The growth of log(bytes) per unit of `quality` that the caller expects. With it, the budget's
     * crossing is foreseen from a single encode that fits, and the search stops without another encode
     * when the target's predicted crossing would be {@link BEYOND_BUDGET}× over the budget.
     */
    bytesSlope?: number;
    tolerance?: number;
  },
): Promise<
  | { data: Buffer; quality: number; score: number }
  | { data: undefined; miss?: { quality: number; score: number } }
> {
  const { target, maxBytes, min, max } = options;
  const step = Math.max(1, Math.round(options.step ?? (max - min) / 4));
  const tolerance = options.tolerance ?? 0;
  const known: Known = {};
  // The answer lies in [low, high]; `hit` (if any) is at high + 1.
  let low = min;
  let high = max;
  let quality = Math.min(max, Math.max(min, Math.round(options.start)));
  // Interpolation can creep from one side on a curved score: after three outcomes alike, bisect once.
  let side: 'high' | 'low' | undefined;
  let alike = 0;
  // The quality being tried was capped at the budget's estimated crossing (see nextQuality).
  let capped = false;
  while (low <= high) {
    const data = await encode(quality);
    let outcome: 'high' | 'low';
    if (data.length >= maxBytes) {
      // Over budget: every higher quality is too (sizes grow with quality), so only lower ones can fit.
      high = quality - 1;
      outcome = 'high';
      if (!known.over || quality < known.over.quality) known.over = { quality, bytes: data.length };
    } else {
      if (!known.fits || quality > known.fits.quality) known.fits = { quality, bytes: data.length };
      const reached = await score(data);
      if (reached >= target) {
        if (known.hit) known.previousHit = known.hit;
        known.hit = { data, quality, score: reached };
        high = quality - 1;
        outcome = 'high';
      } else {
        if (known.miss) known.previousMiss = known.miss;
        known.miss = { quality, score: reached };
        low = quality + 1;
        outcome = 'low';
        // A miss at the highest quality the budget likely allows (log bytes interpolated): stop rather
        // than creep up the last steps under the budget one encode and score at a time. When the estimate
        // is a step low, an answer in that step is given up — the caller's fallback, or another candidate.
        if (capped) break;
      }
    }
    if (known.hit && known.hit.quality - low <= tolerance) break;
    if (low > high) break;
    alike = outcome === side ? alike + 1 : 0;
    side = outcome;
    const next =
      alike >= 2
        ? { quality: Math.floor((low + high) / 2), capped: false, beyondBudget: false }
        : nextQuality(
            low,
            high,
            target,
            maxBytes,
            {
              step,
              slope: options.slope,
              overshoot: options.overshoot ?? 0,
              bytesSlope: options.bytesSlope,
            },
            known,
          );
    if (next.beyondBudget) break;
    ({ quality, capped } = next);
  }
  return known.hit ?? { data: undefined, ...(known.miss ? { miss: known.miss } : {}) };
}

/**
 * How far over the budget the target's predicted crossing must be for a search with a `bytesSlope` to stop
 * without encoding it: past the errors of both predictions on the corpus (crossing ±3 qualities, bytes ±15 %).
 */
const BEYOND_BUDGET = 1.05;

/** What a search has learnt: the closest encodes on each side of the target and of the budget. */
interface Known {
  hit?: { data: Buffer; quality: number; score: number };
  miss?: { quality: number; score: number };
  /** The hit and miss before these two, for a secant step while the target is not bracketed yet. */
  previousHit?: { quality: number; score: number };
  previousMiss?: { quality: number; score: number };
  fits?: { quality: number; bytes: number };
  over?: { quality: number; bytes: number };
}

/** The lowest quality at which the line through `a` and `b` (on the closeness scale) reaches `target`. */
function crossing(
  a: { quality: number; score: number },
  b: { quality: number; score: number },
  target: number,
): number {
  const slope = (closeness(b.score) - closeness(a.score)) / (b.quality - a.quality);
  return Math.ceil(a.quality + (closeness(target) - closeness(a.score)) / slope - 1e-9);
}

/**
 * How far to move from a single encode that scored `score`: `step`, or with a `slope` the distance at which
 * that slope meets the target, `overshoot` further.
 */
function jump(
  score: number,
  target: number,
  prior: { step: number; slope: number | undefined; overshoot: number },
): number {
  if (!prior.slope) return prior.step;
  const distance = Math.abs(closeness(target) - closeness(score)) / prior.slope;
  return Math.max(1, Math.round(distance + prior.overshoot));
}

function nextQuality(
  low: number,
  high: number,
  target: number,
  maxBytes: number,
  prior: {
    step: number;
    slope: number | undefined;
    overshoot: number;
    bytesSlope: number | undefined;
  },
  known: Known,
): { quality: number; capped: boolean; beyondBudget: boolean } {
  const { hit, miss, previousHit, previousMiss, fits, over } = known;
  let guess: number;
  let capped = false;
  if (hit && miss && hit.score > miss.score) {
    guess = crossing(miss, hit, target);
  } else if (hit) {
    guess =
      previousHit && previousHit.score > hit.score
        ? crossing(hit, previousHit, target)
        : hit.quality - jump(hit.score, target, prior);
  } else if (miss) {
    guess =
      previousMiss && miss.score > previousMiss.score
        ? crossing(previousMiss, miss, target)
        : miss.quality + jump(miss.score, target, prior);
    // Nothing reached the target under budget yet: no point trying past the highest quality that likely
    // fits, interpolated on log(bytes), which grows about linearly with quality (or foreseen by the
    // caller's bytesSlope from one encode).
    const perStep =
      fits && over && over.bytes > fits.bytes
        ? (Math.log(over.bytes) - Math.log(fits.bytes)) / (over.quality - fits.quality)
        : prior.bytesSlope;
    if (fits && perStep) {
      if (
        prior.bytesSlope &&
        fits.bytes * Math.exp(perStep * (guess - fits.quality)) >= maxBytes * BEYOND_BUDGET
      )
        return { quality: guess, capped: false, beyondBudget: true };
      const budget = Math.floor(fits.quality + (Math.log(maxBytes) - Math.log(fits.bytes)) / perStep);
      if (budget <= guess) {
        guess = budget;
        capped = true;
      }
    }
  } else {
    // Only over-budget encodes so far: halve what is left.
    guess = Math.floor((low + high) / 2);
  }
  const quality = Math.min(high, Math.max(low, guess));
  // Clamped up to `low`, the guess is no longer the budget's estimate.
  return { quality, capped: capped && quality === guess, beyondBudget: false };
}
