import sharp from 'sharp';
import { classifyDecodeError, type OpenedImage } from './decode.js';
import { ImageError } from './errors.js';
import { MAX_ANIMATION_PIXELS } from './limits.js';

/** An animated GIF that fits its budget, and what had to give to get there. */
export interface AnimatedResult {
  data: Buffer;
  width: number;
  height: number;
  frames: number;
  passthrough: boolean;
  warnings: string[];
}

const MIN_WIDTH = 120;
/**
 * libimagequant effort per frame. A 93-frame 1080-px animated WebP takes ~45 s at effort 7, ~17 s at 4 and
 * ~10 s at 2 for a mean SSIM of 0.9996 / 0.9996 / 0.9994: the full-palette attempt runs fast, the reduced
 * ones (which must squeeze bytes) a little harder.
 */
const FULL_EFFORT = 2;
const REDUCED_EFFORT = 4;

/**
 * Fit an animation (GIF or animated WebP) into an animated GIF strictly under `maxBytes`, keeping the
 * animation. A GIF that already fits (and is no wider than an explicit `maxWidth`) is returned byte for byte.
 * Otherwise, in this order until it fits: re-encode (downscaled to `maxWidth`), 128 colours with lossy
 * inter-frame reuse, smaller widths, then every other frame dropped (delays merged so the timing holds).
 * Each step taken is reported in `warnings`; a single frame is never kept silently.
 *
 * @throws ImageError `too-large` when even the smallest attempt does not fit, `corrupt`/`truncated` on decode errors.
 */
export async function fitAnimation(
  opened: OpenedImage,
  data: Buffer,
  options: { maxBytes: number; maxWidth?: number; explicitWidth: boolean; source: string },
): Promise<AnimatedResult> {
  const { maxBytes, source } = options;
  const widthLimit = options.maxWidth ?? opened.width;
  if (
    opened.format === 'gif' &&
    data.length < maxBytes &&
    (!options.explicitWidth || opened.width <= widthLimit)
  ) {
    return {
      data,
      width: opened.width,
      height: opened.height,
      frames: opened.pages,
      passthrough: true,
      warnings: [],
    };
  }
  const totalPixels = opened.width * opened.height * opened.pages;
  if (totalPixels > MAX_ANIMATION_PIXELS) {
    throw new ImageError(
      'too-large',
      source,
      `${opened.pages} frames of ${opened.width}x${opened.height} are ${Math.round(totalPixels / 1e6)} megapixels in all, over the ${MAX_ANIMATION_PIXELS / 1e6}-megapixel limit for re-encoding an animation. Shorten it or convert it to a video.`,
    );
  }
  const warnings: string[] = [];
  const loop = opened.loop ?? 0;
  let width = Math.min(opened.width, widthLimit);
  if (width < opened.width) warnings.push(`animation downscaled from ${opened.width} px to ${width} px wide`);

  const encode = async (
    targetWidth: number,
    colours: number,
  ): Promise<{ data: Buffer; width: number; height: number }> => {
    try {
      let pipeline = opened.pipeline({ animated: true });
      if (targetWidth < opened.width) pipeline = pipeline.resize({ width: targetWidth });
      const lossy = colours < 256 ? { interFrameMaxError: 8, interPaletteMaxError: 6 } : {};
      const { data: out, info } = await pipeline
        .gif({
          colours,
          effort: colours < 256 ? REDUCED_EFFORT : FULL_EFFORT,
          dither: 1,
          loop,
          keepDuplicateFrames: true,
          ...lossy,
        })
        .toBuffer({ resolveWithObject: true });
      return { data: out, width: info.width, height: info.pageHeight ?? info.height / opened.pages };
    } catch (error) {
      throw classifyDecodeError(error, source, opened.format, opened.data);
    }
  };

  // Re-encoding a GIF at its own size with a full palette gives back about its own size: only worth it
  // when the frames shrink or the input is another format (animated WebP).
  let attempt: { data: Buffer; width: number; height: number } | undefined;
  if (opened.format !== 'gif' || width < opened.width) {
    attempt = await encode(width, 256);
    if (attempt.data.length < maxBytes) return done(attempt, opened.pages, warnings);
  }
  attempt = await encode(width, 128);
  warnings.push('animation reduced to 128 colours to fit');
  if (attempt.data.length < maxBytes) return done(attempt, opened.pages, warnings);

  while (width > MIN_WIDTH) {
    width = Math.max(
      MIN_WIDTH,
      Math.floor(width * Math.min(0.9, Math.sqrt(maxBytes / attempt.data.length) * 0.95)),
    );
    attempt = await encode(width, 128);
    if (attempt.data.length < maxBytes) {
      warnings.push(`animation downscaled to ${attempt.width}x${attempt.height} to fit ${maxBytes} bytes`);
      return done(attempt, opened.pages, warnings);
    }
  }

  for (let step = 2; step <= 4 && opened.pages >= step * 2; step *= 2) {
    const dropped = await dropFrames(opened, width, step, loop, source);
    if (dropped.data.length < maxBytes) {
      warnings.push(
        `animation downscaled to ${dropped.width}x${dropped.height} and thinned to ${dropped.frames} of ${opened.pages} frames (every ${step}th kept) to fit ${maxBytes} bytes`,
      );
      return { ...dropped, passthrough: false, warnings };
    }
  }
  throw new ImageError(
    'too-large',
    source,
    `animation cannot fit ${maxBytes} bytes even at ${width} px wide with frames dropped. Shorten it or convert it to a video.`,
  );
}

async function done(
  attempt: { data: Buffer; width: number; height: number },
  frames: number,
  warnings: string[],
): Promise<AnimatedResult> {
  // Count what was written rather than trust the input: the frame count is part of the promise.
  const written = (await sharp(attempt.data, { animated: true }).metadata()).pages ?? 1;
  if (written !== frames)
    warnings.push(`animation has ${written} frames after encoding (input had ${frames})`);
  return {
    data: attempt.data,
    width: attempt.width,
    height: attempt.height,
    frames: written,
    passthrough: false,
    warnings,
  };
}

async function dropFrames(
  opened: OpenedImage,
  width: number,
  step: number,
  loop: number,
  source: string,
): Promise<{ data: Buffer; width: number; height: number; frames: number }> {
  try {
    const { data, info } = await opened
      .pipeline({ animated: true })
      .resize({ width })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const frameHeight = info.pageHeight ?? Math.round(info.height / opened.pages);
    const frameBytes = info.width * frameHeight * 4;
    const kept: Buffer[] = [];
    const delays: number[] = [];
    for (let frame = 0; frame < opened.pages; frame += step) {
      kept.push(data.subarray(frame * frameBytes, (frame + 1) * frameBytes));
      let delay = 0;
      for (let merged = frame; merged < Math.min(frame + step, opened.pages); merged++)
        delay += opened.delay?.[merged] ?? 100;
      delays.push(delay);
    }
    const out = await sharp(Buffer.concat(kept), {
      raw: { width: info.width, height: frameHeight * kept.length, channels: 4, pageHeight: frameHeight },
    })
      .gif({
        colours: 128,
        effort: REDUCED_EFFORT,
        dither: 1,
        loop,
        delay: delays,
        interFrameMaxError: 8,
        keepDuplicateFrames: true,
      })
      .toBuffer();
    return { data: out, width: info.width, height: frameHeight, frames: kept.length };
  } catch (error) {
    throw classifyDecodeError(error, source, opened.format, opened.data);
  }
}
