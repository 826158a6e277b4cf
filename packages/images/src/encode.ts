import { fromRaw, type RawImage } from './raster.js';

/** A JPEG of raw pixels with mozjpeg at `quality` (1–100); transparency is flattened onto white. */
export async function encodeJpeg(raw: RawImage, quality: number): Promise<Buffer> {
  let pipeline = fromRaw(raw);
  if (raw.channels === 4) pipeline = pipeline.flatten({ background: '#ffffff' });
  return pipeline.jpeg({ quality, mozjpeg: true }).toBuffer();
}

/**
 * A lossless truecolour PNG at zlib level 9. Adaptive filtering is left off: on the corpus' screenshots
 * and charts it made files ~20 % larger and encoding ~2× slower.
 */
export async function encodePngLossless(raw: RawImage): Promise<Buffer> {
  return fromRaw(raw).png({ compressionLevel: 9, adaptiveFiltering: false }).toBuffer();
}

/**
 * A palette PNG quantized by libimagequant: `quality` 0–100 is the least quality accepted; with 256 colours
 * or fewer in the image and quality 100 the result is exact.
 */
export async function encodePngPalette(raw: RawImage, quality: number, dither = 1): Promise<Buffer> {
  return fromRaw(raw)
    .png({ palette: true, quality, colours: 256, dither, effort: 7, compressionLevel: 9 })
    .toBuffer();
}

/**
 * The highest `quality` in [min, max] whose encoding is strictly under `maxBytes`, by binary search
 * (tries `max` first, so an image that fits costs one encode). Encoded size grows with quality, which
 * is true of JPEG and libimagequant in practice; a rare non-monotonic step only costs a few bytes of quality.
 *
 * @returns the encoding and its quality, or undefined when even `min` does not fit (with its size, to plan a downscale).
 */
export async function highestQualityUnder(
  encode: (quality: number) => Promise<Buffer>,
  maxBytes: number,
  min: number,
  max: number,
): Promise<{ data: Buffer; quality: number } | { data: undefined; smallest: number }> {
  const top = await encode(max);
  if (top.length < maxBytes) return { data: top, quality: max };
  let low = min;
  let high = max - 1;
  let best: { data: Buffer; quality: number } | undefined;
  let smallest = top.length;
  while (low <= high) {
    const quality = Math.floor((low + high) / 2);
    const data = await encode(quality);
    smallest = Math.min(smallest, data.length);
    if (data.length < maxBytes) {
      best = { data, quality };
      low = quality + 1;
    } else {
      high = quality - 1;
    }
  }
  return best ?? { data: undefined, smallest };
}
