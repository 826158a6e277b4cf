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

/** Number of distinct colours (alpha included), counting stops once past `limit`. */
export function countColours(raw: RawImage, limit: number): number {
  const seen = new Set<number>();
  const { data, channels } = raw;
  for (let index = 0; index < data.length; index += channels) {
    const alpha = channels === 4 ? (data[index + 3] ?? 255) : 255;
    // Fully transparent pixels are one colour whatever their RGB.
    const key =
      alpha === 0
        ? -1
        : (((data[index] ?? 0) << 24) |
            ((data[index + 1] ?? 0) << 16) |
            ((data[index + 2] ?? 0) << 8) |
            alpha) >>>
          0;
    seen.add(key);
    if (seen.size > limit) return seen.size;
  }
  return seen.size;
}

/** Downscale raw pixels to `width` (height keeps the aspect ratio). */
export async function scaleRaw(raw: RawImage, width: number): Promise<RawImage> {
  const { data, info } = await fromRaw(raw)
    .resize({ width: Math.max(1, Math.round(width)) })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: raw.channels };
}
