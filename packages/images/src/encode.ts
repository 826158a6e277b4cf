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
 * CPU for smaller files (default 7).
 */
export async function encodePngPalette(
  raw: RawImage,
  quality: number,
  dither = 1,
  effort = 7,
): Promise<Buffer> {
  return fromRaw(raw)
    .png({ palette: true, quality, colours: 256, dither, effort, compressionLevel: 9 })
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

/**
 * The lowest `quality` in [min, max] whose encoding scores at least `target` (SSIM, 0–1) and is strictly
 * under `maxBytes`, by binary search on the score, which grows with quality (a rare non-monotonic step
 * costs at most one quality step). The search starts at `start` (clamped into [min, max]): most photos
 * reach the usual targets near quality 80, so the first encode already halves the range.
 *
 * @returns the encoding with its quality and score; `data: undefined` when no quality in [min, max] both
 *   reaches the target and fits (the caller then falls back to the highest quality that fits).
 */
export async function lowestQualityReaching(
  encode: (quality: number) => Promise<Buffer>,
  score: (encoded: Buffer) => Promise<number>,
  options: { target: number; maxBytes: number; min: number; max: number; start: number },
): Promise<{ data: Buffer; quality: number; score: number } | { data: undefined }> {
  const { target, maxBytes, min, max } = options;
  let best: { data: Buffer; quality: number; score: number } | undefined;
  let low = min;
  let high = max;
  let quality = Math.min(max, Math.max(min, Math.round(options.start)));
  while (low <= high) {
    const data = await encode(quality);
    // Over budget: every higher quality is too (sizes grow with quality), so only lower ones can fit.
    const reached = data.length < maxBytes ? await score(data) : -1;
    if (data.length >= maxBytes) {
      high = quality - 1;
    } else if (reached >= target) {
      best = { data, quality, score: reached };
      high = quality - 1;
    } else {
      low = quality + 1;
    }
    quality = Math.floor((low + high) / 2);
  }
  return best ?? { data: undefined };
}
