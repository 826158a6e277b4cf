import decodeBmp from 'decode-bmp';
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { endsEarly, heifDataEnd, walkGif } from './containers.js';
import { ImageError } from './errors.js';
import { embedIccInPng, isSrgbProfile } from './icc.js';
import { claimedFormat, detectFormat, type InputFormat } from './formats.js';
import { MAX_INPUT_PIXELS } from './limits.js';

// Each image is decoded once per call; libvips' operation cache would only hold memory between calls.
sharp.cache(false);

/** An identified, decodable image and a way to start sharp pipelines on it. */
export interface OpenedImage {
  format: InputFormat;
  mime: string;
  /** Size as displayed: EXIF orientation already taken into account; one frame for animations. */
  width: number;
  height: number;
  /** Frames: 1 for stills. */
  pages: number;
  /** EXIF orientation 1–8 when the pixels still need it applied (never set for HEIC: libheif applies it). */
  orientation?: number;
  /** Per-frame delays in milliseconds and loop count (0 = forever) for animations. */
  delay?: number[];
  loop?: number;
  /** sharp's metadata of the input, when sharp reads it directly. */
  metadata?: Metadata;
  /** The encoded input. */
  data: Buffer;
  /** Notes worth telling the author (e.g. which decoder was used). */
  warnings: string[];
  /** A new sharp pipeline on the pixels; `animated` keeps all frames (stacked vertically). */
  pipeline(options?: { animated?: boolean }): Sharp;
}

/** Options of {@link openImage}. */
export interface OpenOptions {
  /** Label for error messages. */
  source?: string;
  /** Decompression-bomb guard: largest width × height of one frame (default 100,000,000 pixels). */
  maxPixels?: number;
  /** Width the caller will resize to: SVGs are rasterized at 2× density but no wider than 2× this. */
  targetWidth?: number;
}

/**
 * Identify `data` by its magic bytes and prepare decoding: JPEG, PNG, GIF, WebP, AVIF, TIFF and SVG through
 * sharp (SVG rasterized by librsvg at 2× density, no scripts); HEIC/HEIF through libheif-js (the prebuilt sharp
 * has no HEVC decoder); BMP through decode-bmp.
 *
 * @throws ImageError `empty`, `unsupported`, `corrupt`, `truncated`, `too-large` (over `maxPixels`).
 */
export async function openImage(data: Buffer, options: OpenOptions = {}): Promise<OpenedImage> {
  const source = options.source ?? 'image';
  const maxPixels = options.maxPixels ?? MAX_INPUT_PIXELS;
  if (data.length === 0)
    throw new ImageError('empty', source, 'the file is empty (0 bytes). Replace it with the real image.');
  const detected = await detectFormat(data);
  if (!detected) {
    const head = data.subarray(0, 512).toString('latin1').trimStart().toLowerCase();
    if (head.startsWith('<!doctype html') || head.startsWith('<html') || head.includes('<head')) {
      throw new ImageError(
        'unsupported',
        source,
        'this is an HTML page, not an image (a link to the page around the image, or an error/login page from the host). Link the image file itself.',
      );
    }
    const claimed = claimedFormat(data);
    if (claimed) {
      throw new ImageError(
        'corrupt',
        source,
        `starts like a ${claimed} file but its header is damaged (${data.length} bytes). Re-export or replace the image.`,
      );
    }
    throw new ImageError(
      'unsupported',
      source,
      // Never quote the bytes: a download may have fetched a private file (or an error page) instead of an image.
      `not an image format md2wx can read (${data.length} bytes with no known image signature). Convert it to JPEG or PNG.`,
    );
  }
  const { format, mime } = detected;
  if (format === 'bmp') return openBmp(data, source, maxPixels, mime);
  checkComplete(data, format, source);

  const base: SharpOptions = { limitInputPixels: maxPixels, failOn: 'warning' };
  if (format === 'svg') {
    const probe = await readMetadata(data, { ...base, limitInputPixels: false, density: 72 }, source, format);
    const naturalWidth = probe.width ?? 1;
    const naturalPixels = naturalWidth * (probe.height ?? 1);
    const wanted = options.targetWidth ? Math.min(2, (2 * options.targetWidth) / naturalWidth) : 2;
    // A vector image has no size of its own to guard: rasterize it at most at the pixel limit instead of
    // refusing a 20000-px canvas as a decompression bomb.
    const largest = Math.sqrt(maxPixels / Math.max(1, naturalPixels));
    base.density = Math.max(1, Math.min(Math.round(72 * wanted), Math.floor(72 * largest)));
  }
  // Headers only: safe without the pixel limit, and lets the check below name the real size.
  const metadata = await readMetadata(
    data,
    { ...base, limitInputPixels: false, animated: true },
    source,
    format,
  );
  const width = metadata.width ?? 0;
  const pages = metadata.pages ?? 1;
  const frameHeight = metadata.pageHeight ?? (metadata.height ?? 0) / pages;
  checkPixels(width, frameHeight, maxPixels, source);

  if (format === 'heic' && metadata.compression !== 'av1') {
    return openHeic(data, source, mime, metadata);
  }
  if (format === 'avif' && pages > 1) {
    throw new ImageError(
      'unsupported',
      source,
      'animated AVIF sequences cannot be decoded. Convert it to an animated GIF or a still JPEG.',
    );
  }
  const orientation = metadata.orientation && metadata.orientation > 1 ? metadata.orientation : undefined;
  const swap = orientation !== undefined && orientation >= 5;
  return {
    format,
    mime,
    width: swap ? frameHeight : width,
    height: swap ? width : frameHeight,
    pages,
    ...(orientation ? { orientation } : {}),
    ...(metadata.delay ? { delay: metadata.delay } : {}),
    ...(metadata.loop !== undefined ? { loop: metadata.loop } : {}),
    metadata,
    data,
    warnings: [],
    pipeline: ({ animated = false } = {}) => sharp(data, { ...base, animated }),
  };
}

/**
 * libvips reads GIF and HEIF lazily: a file cut short can pass a header read, and for GIF even decode
 * the frames it still has. Walk their structure so a truncated file is never passed on as is.
 */
function checkComplete(data: Buffer, format: InputFormat, source: string): void {
  const truncated = (why: string) =>
    new ImageError(
      'truncated',
      source,
      `${format.toUpperCase()} file is truncated (${why}). The copy or download was cut short: get the complete file again.`,
    );
  if (format === 'gif') {
    const gif = walkGif(data);
    if (!gif.complete && gif.frames === 0 && data.length <= 4096) {
      throw new ImageError(
        'corrupt',
        source,
        `GIF file has a damaged header (${data.length} bytes, no complete frame). Re-export or replace the image.`,
      );
    }
    if (!gif.complete) throw truncated(`its ${data.length} bytes end inside frame ${gif.frames + 1}`);
  }
  if (format === 'webp' && data.length >= 12) {
    const riffEnd = data.readUInt32LE(4) + 8;
    if (riffEnd > data.length)
      throw truncated(`its RIFF header announces ${riffEnd} bytes, the file has ${data.length}`);
  }
  if (format === 'heic' || format === 'avif') {
    const end = heifDataEnd(data);
    if (end !== undefined && end > data.length)
      throw truncated(`its image data runs to byte ${end}, the file has ${data.length}`);
  }
}

async function readMetadata(
  data: Buffer,
  options: SharpOptions,
  source: string,
  format: InputFormat,
): Promise<Metadata> {
  try {
    return await sharp(data, options).metadata();
  } catch (error) {
    throw classifyDecodeError(error, source, format, data);
  }
}

function checkPixels(width: number, height: number, maxPixels: number, source: string): void {
  if (width * height > maxPixels) {
    throw new ImageError(
      'too-large',
      source,
      `${width}x${height} is ${Math.round((width * height) / 1e6)} megapixels, over the ${Math.round(maxPixels / 1e6)}-megapixel limit (a guard against decompression bombs). Downscale it first.`,
    );
  }
}

async function openHeic(
  data: Buffer,
  source: string,
  mime: string,
  metadata: Metadata,
): Promise<OpenedImage> {
  let decoded: { width: number; height: number; data: Uint8ClampedArray };
  try {
    // Imported here: libheif's wasm build is ~300 ms of start-up that posts without HEIC never need.
    const { default: decodeHeic } = await import('heic-decode');
    decoded = await decodeHeic({ buffer: data });
  } catch (error) {
    throw new ImageError(
      'corrupt',
      source,
      `HEIC/HEIF could not be decoded (${errorText(error)}). Re-export it as JPEG.`,
      {
        cause: error,
      },
    );
  }
  const pixels = Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  const raw = { width: decoded.width, height: decoded.height, channels: 4 as const };
  let pipeline = () => sharp(pixels, { raw });
  const warnings: string[] = [];
  if (metadata.icc && !isSrgbProfile(metadata.icc)) {
    // libheif-js returns bare pixels in the file's colour space (Display P3 on iPhones): carry the profile
    // over in an uncompressed PNG so libvips converts to sRGB like it does for any tagged image.
    const tagged = embedIccInPng(
      await sharp(pixels, { raw }).png({ compressionLevel: 0 }).toBuffer(),
      metadata.icc,
    );
    pipeline = () => sharp(tagged, { limitInputPixels: false });
    warnings.push('HEIC colours converted from its embedded profile to sRGB');
  }
  return {
    format: 'heic',
    mime,
    width: decoded.width,
    height: decoded.height,
    pages: 1,
    metadata,
    // libheif applies the container's rotation (irot/imir); the EXIF Orientation inside describes the
    // sensor layout and must not be applied again (the PNG carrying the profile has no EXIF either).
    warnings,
    data,
    pipeline,
  };
}

function openBmp(data: Buffer, source: string, maxPixels: number, mime: string): OpenedImage {
  let decoded: ReturnType<typeof decodeBmp>;
  try {
    decoded = decodeBmp(data);
  } catch (error) {
    const text = errorText(error);
    if (/truncat/i.test(text)) {
      throw new ImageError(
        'truncated',
        source,
        `BMP file is truncated (${text}). Get the complete file again.`,
        { cause: error },
      );
    }
    throw new ImageError('corrupt', source, `BMP could not be decoded (${text}). Re-export it as PNG.`, {
      cause: error,
    });
  }
  checkPixels(decoded.width, decoded.height, maxPixels, source);
  const pixels = Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  const raw = { width: decoded.width, height: decoded.height, channels: 4 as const };
  return {
    format: 'bmp',
    mime,
    width: decoded.width,
    height: decoded.height,
    pages: 1,
    warnings: [],
    data,
    pipeline: () => sharp(pixels, { raw }),
  };
}

/**
 * Map a sharp/libvips decode failure to an ImageError: truncated data, pixel limit, unsupported
 * format or plain corruption, with what to do about it.
 */
export function classifyDecodeError(
  error: unknown,
  source: string,
  format?: string,
  data?: Buffer,
): ImageError {
  if (error instanceof ImageError) return error;
  const bytes = data?.length;
  // libvips keeps one error buffer per process: under concurrency the text can be a generic
  // "Warning treated as error"; the file's own structure then tells whether it was cut short.
  const cutOff = data !== undefined && (format === 'jpeg' || format === 'png') && endsEarly(data, format);
  const text = errorText(error);
  const kind = format ? `${format.toUpperCase()} ` : '';
  if (format === 'svg' && /XML parse error/i.test(text)) {
    const where = /line \d+ column \d+/i.exec(text)?.[0];
    return new ImageError(
      'corrupt',
      source,
      `SVG is not well-formed XML${where ? ` (${where})` : ''}: ${text.replace(/^.*?XML parse error:\s*/i, '')}. Fix the SVG (undefined entities and external DTDs are not loaded) or export it as PNG.`,
      { cause: error },
    );
  }
  if (/exceeds pixel limit/i.test(text)) {
    return new ImageError(
      'too-large',
      source,
      `${kind}image is over the pixel limit (a guard against decompression bombs). Downscale it first.`,
      {
        cause: error,
      },
    );
  }
  if (/unsupported image format/i.test(text)) {
    const why =
      format === 'avif' || format === 'heic'
        ? 'uses a codec or an image sequence (animation) md2wx cannot decode'
        : 'cannot be decoded';
    return new ImageError(
      'unsupported',
      source,
      `${kind}image ${why} (${text}). Convert it to JPEG, PNG or an animated GIF.`,
      {
        cause: error,
      },
    );
  }
  const endOfData =
    cutOff ||
    /premature end|truncat|unexpected end|end of (file|stream)|read error|not enough data|out of data|bad seek/i.test(
      text,
    );
  // A header that ends early in a file of some size is a cut-off download; in a tiny file it is just broken.
  const small = bytes !== undefined && bytes <= 4096;
  if ((/corrupt header/i.test(text) || (endOfData && small)) && !(endOfData && !small)) {
    return new ImageError(
      'corrupt',
      source,
      `${kind}file has a damaged header (${text}). Re-export or replace the image.`,
      { cause: error },
    );
  }
  if (endOfData) {
    return new ImageError(
      'truncated',
      source,
      `${kind}file is truncated (${text}). The copy or download was cut short: get the complete file again.`,
      {
        cause: error,
      },
    );
  }
  return new ImageError(
    'corrupt',
    source,
    `${kind}file is damaged and cannot be decoded (${text}). Re-export or replace the image.`,
    {
      cause: error,
    },
  );
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() ?? message;
}
