import { fileTypeFromBuffer } from 'file-type';

/** Input formats this package can decode, as identified from the bytes (never from the file name). */
export type InputFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'heic' | 'tiff' | 'bmp' | 'svg';

/** Output formats WeChat accepts from this package. */
export type OutputFormat = 'jpeg' | 'png' | 'gif';

const BY_MIME: Record<string, InputFormat> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/apng': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/heic': 'heic',
  'image/heic-sequence': 'heic',
  'image/heif': 'heic',
  'image/heif-sequence': 'heic',
  'image/tiff': 'tiff',
  'image/bmp': 'bmp',
};

/**
 * Identify an image by its magic bytes (file-type), plus a sniff for SVG, which is text.
 * Returns the format and the MIME type file-type saw (or `image/svg+xml`), or undefined for anything
 * that is not an image this package decodes. Never throws.
 */
export async function detectFormat(
  data: Uint8Array,
): Promise<{ format: InputFormat; mime: string } | undefined> {
  if (data.length === 0) return undefined;
  const type = await fileTypeFromBuffer(data);
  const format = type ? BY_MIME[type.mime] : undefined;
  if (type && format) return { format, mime: type.mime };
  if ((!type || type.ext === 'xml') && looksLikeSvg(data)) return { format: 'svg', mime: 'image/svg+xml' };
  return undefined;
}

const SIGNATURES: Array<[string, number[]]> = [
  ['PNG', [0x89, 0x50, 0x4e, 0x47]],
  ['JPEG', [0xff, 0xd8, 0xff]],
  ['GIF', [0x47, 0x49, 0x46, 0x38]],
  ['BMP', [0x42, 0x4d]],
];

/**
 * The format whose signature `data` starts with, for bytes that file-type could not parse further:
 * such a file is a damaged image rather than some other kind of file.
 */
export function claimedFormat(data: Uint8Array): string | undefined {
  for (const [name, signature] of SIGNATURES) {
    if (data.length >= signature.length && signature.every((byte, index) => data[index] === byte))
      return name;
  }
  return undefined;
}

/** An `<svg` root element near the start, after any BOM, XML declaration, comments or DOCTYPE. */
function looksLikeSvg(data: Uint8Array): boolean {
  const head = Buffer.from(data.subarray(0, 4096)).toString('utf8');
  const withoutProlog = head
    .replace(/^\uFEFF/, '')
    .replace(/<\?xml[\s\S]*?\?>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>/gi, '')
    .trimStart();
  return /^<svg[\s>:]/i.test(withoutProlog) || /^<[a-z]+:svg[\s>]/i.test(withoutProlog);
}
