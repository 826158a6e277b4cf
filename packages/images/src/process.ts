import { createHash } from 'node:crypto';
import { Semaphore } from 'async-mutex';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { fitAnimation } from './animated.js';
import { classifyDecodeError, type OpenedImage, openImage } from './decode.js';
import { encodeJpeg, encodePngLossless, encodePngPalette, highestQualityUnder } from './encode.js';
import { colourClass, GRAPHIC_COLOURS } from './colour-classes.js';
import { ImageError } from './errors.js';
import { detectFormat, type InputFormat, type OutputFormat } from './formats.js';
import { isSrgbProfile } from './icc.js';
import {
  type ImageQuality,
  MOZJPEG_OVER_TURBO_MIN,
  qualityPolicy,
  smallestJpegReaching,
  smallestPaletteReaching,
} from './quality.js';
import {
  ANIMATED_MAX_BYTES,
  BODY_MAX_BYTES,
  BODY_MAX_WIDTH,
  COVER_MAX_BYTES,
  COVER_MAX_WIDTH,
  THUMB_MAX_BYTES,
  THUMB_MAX_WIDTH,
} from './limits.js';
import { stripJpegMetadata, stripPngMetadata } from './metadata-strip.js';
import { type ResolvedImage, type ResolveOptions, resolveImage } from './resolve.js';
import { decodeLike, hasTransparency, type RawImage, renderRaw, scaleRaw, ssimOnWhite } from './raster.js';
import { ssimScorer } from './ssim.js';

/**
 * What the image is for:
 * - `body`: article body image for media/uploadimg — JPEG or PNG strictly under 1,000,000 bytes, ≤ 1080 px wide.
 * - `animated`: animation for material/add_material — animated GIF under 10,000,000 bytes, frames kept.
 * - `cover`: draft cover for material/add_material type=image — JPEG under 1,000,000 bytes, ≤ 1080 px wide.
 * - `thumb`: material/add_material type=thumb — JPEG under 64,000 bytes, ≤ 640 px wide.
 */
export type ImageTarget = 'body' | 'animated' | 'cover' | 'thumb';

/** Options of {@link processImage}. Units: bytes, pixels, JPEG quality 1–100. */
export interface ProcessOptions {
  target: ImageTarget;
  /** Widest output; never upscaled. Defaults: body/cover 1080, thumb 640, animated: only shrunk when over budget. */
  maxWidth?: number;
  /** The output is strictly smaller than this. Defaults: body/cover 1,000,000, animated 10,000,000, thumb 64,000. */
  maxBytes?: number;
  /** Label (path or URL) used in errors and warnings. */
  source?: string;
  /** Decompression-bomb guard, width × height of one frame (default 100,000,000). */
  maxPixels?: number;
  /** JPEG quality policy (default `balanced`), see {@link ImageQuality}. */
  quality?: ImageQuality;
  /** Highest JPEG quality tried (default 90; thumbs 85). */
  maxQuality?: number;
  /** Lowest JPEG quality accepted before downscaling (default 60; thumbs 40). */
  minQuality?: number;
}

/** How the output was made, for reports and tests. */
export interface ProcessedInfo {
  format: OutputFormat;
  width: number;
  height: number;
  bytes: number;
  /** Hex SHA-256 of the input and of the output. */
  sourceSha256: string;
  outputSha256: string;
  /** JPEG quality, or the libimagequant quality of a palette PNG; absent for lossless output. */
  quality?: number;
  animated: boolean;
  frames: number;
  /** The format identified from the input's bytes. */
  sourceFormat: InputFormat;
  /** True when the output is the input's own bytes, only metadata removed losslessly. */
  passthrough: boolean;
}

/** An image ready for WeChat. */
export interface ProcessedImage {
  data: Buffer;
  info: ProcessedInfo;
  /** Things the author may want to know (downscaled, flattened, frames dropped…). */
  warnings: string[];
}

/** What {@link probeImage} tells: enough to choose a target. */
export interface ProbeResult {
  format: InputFormat;
  /** Displayed size (EXIF orientation applied), one frame. */
  width: number;
  height: number;
  animated: boolean;
  frames: number;
}

/** Images in flight (source bytes held, decoding): each 16 MP photo costs tens of MB, so peak RSS stays bounded. */
let limit = pLimit(2);
/**
 * Decoding slots, as many as images in flight: a streaming decode takes one, a decode that holds a whole image
 * in memory takes them all, so it never runs beside another decode (see {@link isHeavyDecode}).
 */
let decodeSlots = { slots: new Semaphore(2), size: 2 };

/**
 * Set how many images {@link processImage} and {@link prepareImage} handle at once in this process
 * (default 2, matching the 2-core machines this runs on). Each 16 MP photo in flight costs roughly
 * 20–100 MB while decoding. Calls already waiting keep the previous limit.
 *
 * @throws RangeError when `value` is not a positive integer.
 */
export function setImageConcurrency(value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`concurrency must be a positive integer, got ${value}`);
  limit = pLimit(value);
  decodeSlots = { slots: new Semaphore(value), size: value };
}

/**
 * Identify an image and tell which target applies: `animated` → target `animated` (add_material),
 * else `body`. Reads headers only (HEIC and BMP: their container headers), so it is cheap.
 *
 * @throws ImageError `empty`, `unsupported`, `corrupt`, `truncated`, `too-large` (pixel limit).
 */
export async function probeImage(
  input: Buffer | Uint8Array,
  options: { source?: string; maxPixels?: number } = {},
): Promise<ProbeResult> {
  const opened = await openImage(asBuffer(input), options);
  const animated = opened.pages > 1 && (opened.format === 'gif' || opened.format === 'webp');
  return {
    format: opened.format,
    width: opened.width,
    height: opened.height,
    animated,
    frames: opened.pages,
  };
}

/**
 * Turn any decodable image into the best file that fits its target (see {@link ImageTarget}).
 *
 * Normalization: EXIF orientation applied once, sRGB, 8-bit, metadata (EXIF, GPS, XMP, comments) removed,
 * transparency flattened onto white only for JPEG output. A JPEG/PNG that is already sRGB, upright, within
 * width and under budget is returned byte-identical except for losslessly removed metadata.
 * Format choice: real transparency or ≤ 256 colours → PNG (lossless, then palette quantization); graphics
 * from lossless sources stay lossless PNG while it is at most 4× the JPEG; photos → mozjpeg JPEG at the
 * highest quality in [minQuality, maxQuality] that fits (binary search), downscaling only if still needed.
 *
 * @throws ImageError `empty`, `unsupported`, `corrupt`, `truncated`, `too-large` (pixel limit, or no fit),
 *   `animated` (an animation given to target `body`: use target `animated`).
 */
export async function processImage(
  input: Buffer | Uint8Array,
  options: ProcessOptions,
): Promise<ProcessedImage> {
  const data = asBuffer(input);
  return limit(() => processNow(data, options));
}

function asBuffer(input: Buffer | Uint8Array): Buffer {
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

/**
 * Resolve a Markdown image `src` and process it for `target`, inside the same concurrency limit as
 * {@link processImage}, so a post with 40 photos holds at most a few source files in memory at once.
 * Images already on WeChat's CDN come back as `{ resolved }` with no `processed`.
 *
 * @throws ImageError from {@link resolveImage} and {@link processImage}.
 */
export async function prepareImage(
  src: string,
  options: { resolve: ResolveOptions; process: Omit<ProcessOptions, 'source'> & { source?: string } },
): Promise<{ resolved: ResolvedImage; processed?: ProcessedImage }> {
  return limit(async () => {
    const resolved = await resolveImage(src, options.resolve);
    if (!resolved.data) return { resolved };
    const processed = await processNow(resolved.data, { source: src, ...options.process });
    // The caller has the processed bytes; the source bytes need not stay alive with it.
    delete resolved.data;
    return { resolved, processed };
  });
}

/**
 * Decodes that hold the whole image in memory at once — progressive JPEGs (libjpeg keeps every DCT
 * coefficient: ~100 MB for 18 MP), HEIC (libheif-js returns full RGBA in a WASM heap) and anything over
 * 40 MP — run alone. Beside a streaming decode, one of them pushed 40 photos of 16–18 MP to 420–480 MB
 * peak RSS (glibc keeps the freed pages of each thread's arena); alone, 370–400 MB in the same time.
 */
const HEAVY_PROGRESSIVE_PIXELS = 8_000_000;
const HEAVY_PIXELS = 40_000_000;

async function isHeavyDecode(input: Buffer): Promise<boolean> {
  const detected = await detectFormat(input);
  if (!detected) return false;
  if (detected.format === 'heic') return true;
  if (detected.format === 'svg' || detected.format === 'bmp') return false;
  const metadata = await sharp(input, { limitInputPixels: false })
    .metadata()
    .catch(() => undefined);
  if (!metadata) return false;
  const pixels = (metadata.width ?? 0) * (metadata.height ?? 0);
  return (
    pixels > HEAVY_PIXELS ||
    (detected.format === 'jpeg' && metadata.isProgressive === true && pixels > HEAVY_PROGRESSIVE_PIXELS)
  );
}

async function processNow(input: Buffer, options: ProcessOptions): Promise<ProcessedImage> {
  const { slots, size } = decodeSlots;
  const weight = (await isHeavyDecode(input)) ? size : 1;
  return slots.runExclusive(() => processOne(input, options), weight);
}

async function processOne(input: Buffer, options: ProcessOptions): Promise<ProcessedImage> {
  const source = options.source ?? 'image';
  const target = options.target;
  const maxBytes = options.maxBytes ?? defaultMaxBytes(target);
  const maxWidth = options.maxWidth ?? defaultMaxWidth(target);
  const opened = await openImage(input, {
    source,
    ...(options.maxPixels !== undefined ? { maxPixels: options.maxPixels } : {}),
    ...(maxWidth !== undefined ? { targetWidth: maxWidth } : {}),
  });
  const sourceSha256 = sha256(input);
  const animated = opened.pages > 1 && (opened.format === 'gif' || opened.format === 'webp');
  const warnings = [...opened.warnings];

  if (animated && target === 'body') {
    throw new ImageError(
      'animated',
      source,
      `animated ${opened.format.toUpperCase()} (${opened.pages} frames): WeChat body images (media/uploadimg) are still JPG/PNG only. Process it with target "animated" and upload it with add_material, so the animation is kept.`,
    );
  }
  if (animated && target === 'animated') {
    const result = await fitAnimation(opened, input, {
      maxBytes,
      explicitWidth: options.maxWidth !== undefined,
      source,
      ...(maxWidth !== undefined ? { maxWidth } : { maxWidth: BODY_MAX_WIDTH }),
    });
    return finish(result.data, {
      format: 'gif',
      width: result.width,
      height: result.height,
      sourceSha256,
      animated: true,
      frames: result.frames,
      sourceFormat: opened.format,
      passthrough: result.passthrough,
      warnings: [...warnings, ...result.warnings],
    });
  }
  if (animated)
    warnings.push(`${opened.pages}-frame animation: only the first frame is used for the ${target}`);
  if (opened.mime === 'image/apng')
    warnings.push(
      'animated PNG (APNG): only the first frame is kept; convert it to a GIF to keep the animation',
    );
  if (target === 'animated') warnings.push('not animated: processed as a still body image');

  const stillWidth = maxWidth ?? BODY_MAX_WIDTH;
  if (opened.format === 'heic') warnings.push('HEIC decoded with libheif (its rotation already applied)');
  const policy = qualityPolicy(options.quality);
  const ceiling = options.maxQuality ?? (target === 'thumb' ? 85 : 90);
  const floor = options.minQuality ?? (target === 'thumb' ? 40 : 60);
  const quality: QualityRange = {
    min: policy.fixed !== undefined ? Math.min(floor, policy.fixed) : floor,
    max: policy.fixed ?? ceiling,
    ...(policy.ssim !== undefined ? { ssim: policy.ssim } : {}),
    ...(policy.outOfReach !== undefined ? { outOfReach: policy.outOfReach } : {}),
  };
  const stillTarget = target === 'body' || target === 'animated';
  const original = stillTarget ? passthrough(opened, input, stillWidth, maxBytes) : undefined;

  if (
    !original &&
    quality.ssim === undefined &&
    LOSSY_SOURCES.has(opened.format) &&
    !opened.metadata?.hasAlpha
  ) {
    // An opaque photo at a fixed quality becomes a JPEG whatever happens: try it straight from the source in
    // one pass (decode, shrink-on-load, encode), and only fall back to the search when it does not fit.
    // An SSIM target needs the decoded pixels to score against, so it always takes the search.
    const direct = await encodeDirect(opened, stillWidth, quality.max, source);
    if (direct.data.length < maxBytes) {
      return finish(direct.data, {
        format: 'jpeg',
        width: direct.width,
        height: direct.height,
        sourceSha256,
        quality: quality.max,
        animated: false,
        frames: 1,
        sourceFormat: opened.format,
        passthrough: false,
        warnings,
      });
    }
  }
  // Decoding in full also proves a pass-through candidate is not truncated.
  const raw = await renderRaw(opened, stillWidth, source);
  // Under an SSIM target a PNG's own bytes are one candidate among the encodings that reach the target
  // (a screenshot saved as truecolour PNG is often 3–9× its palette at SSIM 0.9995); a JPEG is kept as is,
  // since re-encoding it only adds a generation of loss to save bytes.
  const competes = original !== undefined && quality.ssim !== undefined && opened.format === 'png';
  if (stillTarget && !competes) {
    if (original) {
      return finish(original, {
        format: opened.format === 'png' ? 'png' : 'jpeg',
        width: opened.width,
        height: opened.height,
        sourceSha256,
        animated: false,
        frames: 1,
        sourceFormat: opened.format,
        passthrough: true,
        warnings,
      });
    }
  }
  const jpegOnly = target === 'cover' || target === 'thumb';
  const encoded = await encodeToFit(raw, opened, {
    maxBytes,
    jpegOnly,
    quality,
    source,
    warnings,
    ...(competes ? { original } : {}),
  });
  if (encoded.raw.width < raw.width) {
    warnings.push(`downscaled to ${encoded.raw.width}x${encoded.raw.height} to fit under ${maxBytes} bytes`);
  }
  return finish(encoded.data, {
    format: encoded.format,
    width: encoded.raw.width,
    height: encoded.raw.height,
    sourceSha256,
    ...(encoded.quality !== undefined ? { quality: encoded.quality } : {}),
    animated: false,
    frames: 1,
    sourceFormat: opened.format,
    passthrough: encoded.passthrough === true,
    warnings,
  });
}

const LOSSLESS_SOURCES = new Set<InputFormat>(['png', 'gif', 'bmp', 'tiff', 'svg']);
const LOSSY_SOURCES = new Set<InputFormat>(['jpeg', 'webp', 'avif', 'heic']);

async function encodeDirect(
  opened: OpenedImage,
  maxWidth: number,
  quality: number,
  source: string,
): Promise<{ data: Buffer; width: number; height: number }> {
  let pipeline = opened.pipeline().rotate();
  if (opened.width > maxWidth) pipeline = pipeline.resize({ width: maxWidth, withoutEnlargement: true });
  try {
    const { data, info } = await pipeline
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .jpeg({ quality, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch (error) {
    throw classifyDecodeError(error, source, opened.format, opened.data);
  }
}
/** A lossless PNG is kept over a JPEG while it is at most this many times larger (text stays crisp). */
const PNG_OVER_JPEG_RATIO = 4;

interface Encoded {
  data: Buffer;
  format: OutputFormat;
  quality?: number;
  raw: RawImage;
  /** The input's own bytes (metadata stripped) won. */
  passthrough?: boolean;
}

async function encodeToFit(
  raw: RawImage,
  opened: OpenedImage,
  context: {
    maxBytes: number;
    jpegOnly: boolean;
    quality: QualityRange;
    source: string;
    warnings: string[];
    /** The input PNG's own bytes, metadata stripped, to compete with the encodings on size. */
    original?: Buffer;
  },
): Promise<Encoded> {
  const { maxBytes, quality, warnings } = context;
  // Made first, so that libvips renders the scorer's reference while the colours are counted.
  const score = quality.ssim !== undefined ? ssimScorer(raw) : undefined;
  const transparent = hasTransparency(raw);
  const { fewColours, graphic, photographic } = colourClass(raw);
  // Screenshots and diagrams that end up as JPEG keep full-resolution colour: 4:2:0 smears coloured text.
  const jpeg = {
    ...context,
    chroma: graphic ? ('4:4:4' as const) : ('4:2:0' as const),
    searched: false,
    ...(score ? { score } : {}),
  };
  if (context.jpegOnly) {
    if (transparent) warnings.push('transparent areas flattened onto white (JPEG has no transparency)');
    return jpegToFit(raw, jpeg);
  }
  if (quality.ssim !== undefined) {
    const lossless = LOSSLESS_SOURCES.has(opened.format);
    const smallest = await smallestReaching(raw, {
      target: quality.ssim,
      score: score ?? ssimScorer(raw),
      maxBytes,
      quality,
      transparent,
      palette: graphic || transparent || (lossless && !photographic),
      graphic,
      chroma: jpeg.chroma,
      ...(context.original ? { original: context.original } : {}),
    });
    if (smallest) return smallest;
    // Nothing reached the target: the JPEG search (opaque images) would only repeat in jpegToFit.
    jpeg.searched = !transparent;
  }
  if (transparent || fewColours) {
    const png = await pngToFit(raw, fewColours, graphic, maxBytes);
    if (png) return png;
    if (!transparent) return jpegToFit(raw, jpeg);
    warnings.push(
      'transparent image too large for PNG under budget: transparent areas flattened onto white JPEG',
    );
    return jpegToFit(raw, jpeg);
  }
  if (LOSSLESS_SOURCES.has(opened.format)) {
    const png = await pngIfWorthIt(raw, graphic, quality.max);
    if (png && png.data.length < maxBytes) return { ...png, format: 'png', raw };
  }
  return jpegToFit(raw, jpeg);
}

/**
 * The smallest encoding of `raw` whose SSIM against it (see `ssimScorer`) reaches `target` and that is
 * strictly under `maxBytes`, among: a palette PNG at the lowest libimagequant quality reaching it (when
 * `palette`: graphics, transparency, lossless sources), a mozjpeg JPEG at the lowest quality in
 * [min, max] reaching it (opaque images only, so alpha never lands on black) and the input's own bytes
 * (`original`, SSIM 1). Screenshots thus go to whichever of palette PNG and 4:4:4 JPEG is smaller at equal
 * SSIM — except graphics (`graphic`) whose palette reaches the target, which keep it without a JPEG
 * search; photos to JPEG, where a palette is not even tried, at `quality.outOfReach` when even `max`
 * misses the target.
 *
 * @returns the winner, or `undefined` when no candidate reaches the target (or, for a photo, settles at
 *   `quality.outOfReach`) under budget (the caller then falls back to the highest quality that fits).
 */
async function smallestReaching(
  raw: RawImage,
  options: {
    target: number;
    maxBytes: number;
    quality: QualityRange;
    transparent: boolean;
    palette: boolean;
    /** ≤ GRAPHIC_COLOURS colours (see colourClass). */
    graphic: boolean;
    chroma: '4:2:0' | '4:4:4';
    original?: Buffer;
    /** The scorer of `raw` (see ssimScorer). */
    score: (encoded: Buffer) => Promise<number>;
  },
): Promise<Encoded | undefined> {
  const { target, maxBytes, quality, score } = options;
  const candidates: Encoded[] = [];
  if (options.original && options.original.length < maxBytes)
    candidates.push({ data: options.original, format: 'png', raw, passthrough: true });
  let paletteReached = false;
  if (options.palette) {
    const palette = await smallestPaletteReaching(raw, score, { target, maxBytes });
    if (palette) candidates.push({ data: palette.data, format: 'png', quality: palette.quality, raw });
    paletteReached = palette !== undefined;
  }
  // A graphic's flat areas and sharp edges cost a JPEG high qualities to reach the target: once its
  // palette does, the JPEG won none of the corpus' 60 such images (bench/images/compare.ts --posts), and
  // its search (2–5 encodes and scores) was a third of their time.
  if (!options.transparent && !(options.graphic && paletteReached)) {
    // Only a JPEG smaller than the best candidate so far can win.
    const smallest = Math.min(maxBytes, ...candidates.map((candidate) => candidate.data.length));
    const found = await smallestJpegReaching(raw, {
      target,
      maxBytes: smallest,
      competing: smallest < maxBytes,
      min: quality.min,
      max: quality.max,
      chroma: options.chroma,
      score,
      // A photo has no other candidate that could reach the target: out of reach, it settles at q80.
      ...(quality.outOfReach !== undefined && !options.palette ? { outOfReach: quality.outOfReach } : {}),
    });
    if (found) candidates.push({ data: found.data, format: 'jpeg', quality: found.quality, raw });
  }
  return candidates.sort((a, b) => a.data.length - b.data.length)[0];
}

/** JPEG qualities allowed, and the SSIM to reach (absent: the highest quality that fits). */
interface QualityRange {
  min: number;
  max: number;
  ssim?: number;
  /** The quality a photo settles at when `ssim` is out of reach at `max` (absent: `max`). */
  outOfReach?: number;
}

/**
 * Quality asked of libimagequant for a graphic's palette, and the least SSIM (see {@link ssimOnWhite},
 * against the truecolour pixels) at which the palette PNG replaces the truecolour one. On the corpus'
 * 24 opaque diagrams and screenshots of 257–4096 colours: 62 % fewer bytes at SSIM ≥ 0.9994. PSNR is
 * not a safe gate: a wallpaper's smooth gradients band at 48 dB (SSIM 0.989).
 */
const GRAPHIC_PALETTE_QUALITY = 95;
const GRAPHIC_PALETTE_MIN_SSIM = 0.998;
/** Dithering adds noise that costs bytes and SSIM on flat graphics; effort 3 is ~2× faster than 7 for +1 %. */
const GRAPHIC_PALETTE_EFFORT = 3;

/**
 * A palette PNG of a graphic (≤ {@link GRAPHIC_COLOURS} colours) when it is visually lossless (SSIM ≥
 * {@link GRAPHIC_PALETTE_MIN_SSIM}), else undefined.
 */
async function nearLosslessPalette(raw: RawImage): Promise<Buffer | undefined> {
  const palette = await encodePngPalette(raw, GRAPHIC_PALETTE_QUALITY, 0, GRAPHIC_PALETTE_EFFORT);
  const decoded = await decodeLike(palette, raw);
  return ssimOnWhite(raw, decoded) >= GRAPHIC_PALETTE_MIN_SSIM ? palette : undefined;
}

/**
 * The PNG of a graphic from a lossless source — a near-lossless palette for ≤ {@link GRAPHIC_COLOURS}
 * colours, else truecolour — when it is at most {@link PNG_OVER_JPEG_RATIO}× the mozjpeg JPEG at
 * `quality`, else undefined. The size comparison starts from a libjpeg-turbo encode (a few ms against
 * ~50 for mozjpeg with trellis): mozjpeg is never larger than it, and on the corpus at least 0.75× its
 * size, so only a PNG between 2.8× and 4× the turbo JPEG needs the real mozjpeg size to decide.
 */
async function pngIfWorthIt(
  raw: RawImage,
  graphic: boolean,
  quality: number,
): Promise<{ data: Buffer; quality?: number } | undefined> {
  const [palette, turbo] = await Promise.all([
    graphic ? nearLosslessPalette(raw) : undefined,
    encodeJpeg(raw, quality, false),
  ]);
  const png = palette
    ? { data: palette, quality: GRAPHIC_PALETTE_QUALITY }
    : { data: await encodePngLossless(raw) };
  const bytes = png.data.length;
  if (bytes > turbo.length * PNG_OVER_JPEG_RATIO) return undefined;
  if (bytes <= turbo.length * PNG_OVER_JPEG_RATIO * MOZJPEG_OVER_TURBO_MIN) return png;
  const jpeg = await encodeJpeg(raw, quality);
  return bytes <= jpeg.length * PNG_OVER_JPEG_RATIO ? png : undefined;
}

async function jpegToFit(
  raw: RawImage,
  context: {
    maxBytes: number;
    quality: QualityRange;
    source: string;
    chroma: '4:2:0' | '4:4:4';
    /** The SSIM search already ran (in `smallestReaching`) and found nothing. */
    searched?: boolean;
    /** The scorer of `raw` (see ssimScorer), when the caller made one. */
    score?: (encoded: Buffer) => Promise<number>;
  },
): Promise<Encoded> {
  const { chroma } = context;
  const target = context.quality.ssim;
  if (target !== undefined && !context.searched) {
    const reached = await smallestJpegReaching(raw, {
      target,
      maxBytes: context.maxBytes,
      min: context.quality.min,
      max: context.quality.max,
      chroma,
      ...(context.score ? { score: context.score } : {}),
      ...(context.quality.outOfReach !== undefined ? { outOfReach: context.quality.outOfReach } : {}),
    });
    if (reached) return { data: reached.data, format: 'jpeg', quality: reached.quality, raw };
    // Target out of reach within [min, max], or only over budget: the highest quality that fits.
  }
  let current = raw;
  for (let round = 0; round < 8; round++) {
    const pixels = current;
    const found = await highestQualityUnder(
      (q) => encodeJpeg(pixels, q, true, chroma),
      context.maxBytes,
      context.quality.min,
      context.quality.max,
    );
    if (found.data) return { data: found.data, format: 'jpeg', quality: found.quality, raw: current };
    if (current.width <= 16) break;
    const factor = Math.min(0.9, Math.sqrt(context.maxBytes / found.smallest) * 0.95);
    current = await scaleRaw(raw, Math.max(16, Math.floor(current.width * factor)));
  }
  throw new ImageError(
    'too-large',
    context.source,
    `cannot fit a JPEG under ${context.maxBytes} bytes. Raise the budget or crop the image.`,
  );
}

/** libimagequant effort for photographic images (see {@link GRAPHIC_COLOURS}). */
const PHOTO_PALETTE_EFFORT = 3;

async function pngToFit(
  raw: RawImage,
  fewColours: boolean,
  graphic: boolean,
  maxBytes: number,
): Promise<Encoded | undefined> {
  if (fewColours) {
    // ≤ 256 colours: a palette PNG is exact, and on the corpus always smaller than truecolour
    // (17 KB vs 29 KB for a diagram), so truecolour is not even tried.
    const palette = await encodePngPalette(raw, 100, 0);
    if (palette.length < maxBytes) return { data: palette, format: 'png', raw };
  } else {
    const palette = graphic ? await nearLosslessPalette(raw) : undefined;
    if (palette && palette.length < maxBytes)
      return { data: palette, format: 'png', quality: GRAPHIC_PALETTE_QUALITY, raw };
    const lossless = palette ? undefined : await encodePngLossless(raw);
    if (lossless && lossless.length < maxBytes) return { data: lossless, format: 'png', raw };
  }
  let current = raw;
  for (let round = 0; round < 6; round++) {
    const pixels = current;
    const found = await highestQualityUnder(
      (q) => encodePngPalette(pixels, q, 1, graphic ? undefined : PHOTO_PALETTE_EFFORT),
      maxBytes,
      50,
      95,
    );
    if (found.data) return { data: found.data, format: 'png', quality: found.quality, raw: current };
    if (current.width <= 16) return undefined;
    const factor = Math.min(0.9, Math.sqrt(maxBytes / found.smallest) * 0.95);
    current = await scaleRaw(raw, Math.max(16, Math.floor(current.width * factor)));
  }
  return undefined;
}

/** The input's own bytes minus metadata, when nothing else needs to change; else undefined. */
function passthrough(
  opened: OpenedImage,
  input: Buffer,
  maxWidth: number,
  maxBytes: number,
): Buffer | undefined {
  const metadata = opened.metadata;
  if (!metadata || (opened.format !== 'jpeg' && opened.format !== 'png')) return undefined;
  // An APNG would keep animating where WeChat expects a still: re-encode its first frame instead.
  if (opened.mime === 'image/apng') return undefined;
  if (opened.orientation !== undefined || opened.width > maxWidth || input.length >= maxBytes * 1.5)
    return undefined;
  if (metadata.space !== 'srgb' && metadata.space !== 'b-w') return undefined;
  if (metadata.depth !== undefined && metadata.depth !== 'uchar') return undefined;
  if (metadata.icc && !isSrgbProfile(metadata.icc)) return undefined;
  const stripped = opened.format === 'jpeg' ? stripJpegMetadata(input) : stripPngMetadata(input);
  return stripped && stripped.length < maxBytes ? stripped : undefined;
}

function finish(
  data: Buffer,
  fields: Omit<ProcessedInfo, 'bytes' | 'outputSha256'> & { warnings: string[] },
): ProcessedImage {
  const { warnings, ...info } = fields;
  return { data, info: { ...info, bytes: data.length, outputSha256: sha256(data) }, warnings };
}

function defaultMaxBytes(target: ImageTarget): number {
  switch (target) {
    case 'body':
      return BODY_MAX_BYTES;
    case 'animated':
      return ANIMATED_MAX_BYTES;
    case 'cover':
      return COVER_MAX_BYTES;
    case 'thumb':
      return THUMB_MAX_BYTES;
  }
}

function defaultMaxWidth(target: ImageTarget): number | undefined {
  switch (target) {
    case 'body':
      return BODY_MAX_WIDTH;
    case 'cover':
      return COVER_MAX_WIDTH;
    case 'thumb':
      return THUMB_MAX_WIDTH;
    case 'animated':
      return undefined;
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
