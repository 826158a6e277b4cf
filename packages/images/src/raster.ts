import sharp, { type Sharp } from 'sharp';
import { classifyDecodeError, type OpenedImage } from './decode.js';

/** Decoded 8-bit sRGB pixels, interleaved, 3 (RGB) or 4 (RGBA) channels, no metadata. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

/**
 * Decode the first frame once into 8-bit sRGB pixels: EXIF orientation applied (once: HEIC pixels arrive
 * already rotated and carry no orientation), CMYK/ICC/16-bit converted to 8-bit sRGB, downscaled to at
 * most `maxWidth` pixels wide (never upscaled). Every encoding attempt then starts from these pixels,
 * so a 16 MP photo is decoded once however many qualities are tried.
 *
 * @throws ImageError `truncated`, `corrupt`, `too-large` (pixel limit).
 */
export async function renderRaw(
  opened: OpenedImage,
  maxWidth: number | undefined,
  source: string,
): Promise<RawImage> {
  let pipeline = opened.pipeline().rotate();
  if (maxWidth !== undefined && opened.width > maxWidth) {
    pipeline = pipeline.resize({ width: maxWidth, withoutEnlargement: true });
  }
  try {
    const { data, info } = await pipeline
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels === 3 || info.channels === 4) {
      return { data, width: info.width, height: info.height, channels: info.channels };
    }
    // Grey or grey+alpha that stayed single-channel: expand through sharp once more.
    const expanded = await sharp(data, {
      raw: { width: info.width, height: info.height, channels: info.channels },
    })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      data: expanded.data,
      width: expanded.info.width,
      height: expanded.info.height,
      channels: expanded.info.channels === 4 ? 4 : 3,
    };
  } catch (error) {
    throw classifyDecodeError(error, source, opened.format, opened.data);
  }
}

/** A sharp pipeline on raw pixels. */
export function fromRaw(raw: RawImage): Sharp {
  return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
}

/** True when some pixel is not fully opaque (an RGBA screenshot with alpha 255 everywhere is opaque). */
export function hasTransparency(raw: RawImage): boolean {
  if (raw.channels !== 4) return false;
  for (let index = 3; index < raw.data.length; index += 4) {
    if (raw.data[index] !== 255) return true;
  }
  return false;
}

/** Downscale raw pixels to `width` (height keeps the aspect ratio). */
export async function scaleRaw(raw: RawImage, width: number): Promise<RawImage> {
  const { data, info } = await fromRaw(raw)
    .resize({ width: Math.max(1, Math.round(width)) })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: raw.channels };
}

/** Decode an encoded image into raw pixels laid out like `like` (same channel count), for comparisons. */
export async function decodeLike(encoded: Buffer, like: RawImage): Promise<RawImage> {
  let pipeline = sharp(encoded).toColourspace('srgb');
  pipeline = like.channels === 4 ? pipeline.ensureAlpha() : pipeline.removeAlpha();
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: like.channels };
}

/**
 * Structural similarity (SSIM, Wang et al. 2004) of two images of the same layout as they would look on
 * white, 0–1 (1 = identical): on luma, after the reference implementation's downsampling (box average by
 * round(min(width, height) / 256)), over 8×8 blocks (the cheap variant of its 11×11 Gaussian window).
 * Written here rather than taken from ssim.js, which needs ~70–110 ms for 1080×720 against ~10 here:
 * this runs on every palette candidate. Colours under fully transparent pixels do not count.
 *
 * @throws RangeError when the sizes or channel counts differ.
 */
export function ssimOnWhite(a: RawImage, b: RawImage): number {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels)
    throw new RangeError(
      `cannot compare ${a.width}x${a.height}x${a.channels} with ${b.width}x${b.height}x${b.channels}`,
    );
  const factor = Math.max(1, Math.round(Math.min(a.width, a.height) / 256));
  const lumaA = downsampledLuma(a, factor);
  const lumaB = downsampledLuma(b, factor);
  const width = Math.floor(a.width / factor);
  const height = Math.floor(a.height / factor);
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  let blocks = 0;
  for (let top = 0; top + 8 <= height; top += 8) {
    for (let left = 0; left + 8 <= width; left += 8) {
      let sumA = 0;
      let sumB = 0;
      let sumAA = 0;
      let sumBB = 0;
      let sumAB = 0;
      for (let y = top; y < top + 8; y++) {
        for (let x = left; x < left + 8; x++) {
          const va = lumaA[y * width + x] ?? 0;
          const vb = lumaB[y * width + x] ?? 0;
          sumA += va;
          sumB += vb;
          sumAA += va * va;
          sumBB += vb * vb;
          sumAB += va * vb;
        }
      }
      const meanA = sumA / 64;
      const meanB = sumB / 64;
      const varA = sumAA / 64 - meanA * meanA;
      const varB = sumBB / 64 - meanB * meanB;
      const cov = sumAB / 64 - meanA * meanB;
      total +=
        ((2 * meanA * meanB + c1) * (2 * cov + c2)) /
        ((meanA * meanA + meanB * meanB + c1) * (varA + varB + c2));
      blocks++;
    }
  }
  if (blocks > 0) return total / blocks;
  // Smaller than one block after downsampling: compare the pixels directly.
  let same = true;
  for (let index = 0; index < lumaA.length && same; index++) same = lumaA[index] === lumaB[index];
  return same ? 1 : 0;
}

/** Luma (BT.601) of `raw` composited on white, box-averaged over `factor`×`factor` pixels. */
function downsampledLuma(raw: RawImage, factor: number): Float64Array {
  const width = Math.floor(raw.width / factor);
  const height = Math.floor(raw.height / factor);
  const out = new Float64Array(width * height);
  const { data, channels } = raw;
  for (let y = 0; y < height * factor; y++) {
    const row = Math.floor(y / factor) * width;
    for (let x = 0; x < width * factor; x++) {
      const index = (y * raw.width + x) * channels;
      const alpha = channels === 4 ? (data[index + 3] ?? 255) / 255 : 1;
      const luma =
        0.299 * (data[index] ?? 0) + 0.587 * (data[index + 1] ?? 0) + 0.114 * (data[index + 2] ?? 0);
      const index2 = row + Math.floor(x / factor);
      out[index2] = (out[index2] ?? 0) + luma * alpha + 255 * (1 - alpha);
    }
  }
  const area = factor * factor;
  for (let index = 0; index < out.length; index++) out[index] = (out[index] ?? 0) / area;
  return out;
}
