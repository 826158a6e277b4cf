import { isSrgbProfile } from './icc.js';

/**
 * Remove metadata from a JPEG without touching the compressed image data: drops EXIF/XMP (APP1, GPS
 * included), IPTC (APP13), comments and other APPn segments; keeps JFIF (APP0), Adobe (APP14, needed
 * for colour transforms) and an sRGB ICC profile (APP2). Everything from the first SOS to the end marker is
 * copied as is; bytes after it are dropped (phones append Motion Photo videos and maker trailers there).
 *
 * @returns the stripped bytes, or undefined when the segment structure is not what a JPEG should be
 *   (the caller then re-encodes instead).
 */
export function stripJpegMetadata(data: Buffer): Buffer | undefined {
  if (data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  const parts: Buffer[] = [data.subarray(0, 2)];
  let offset = 2;
  while (offset + 4 <= data.length) {
    if (data[offset] !== 0xff) return undefined;
    let markerAt = offset;
    while (data[markerAt + 1] === 0xff) markerAt++; // fill bytes
    const marker = data[markerAt + 1] ?? 0;
    const length = data.readUInt16BE(markerAt + 2);
    const end = markerAt + 2 + length;
    if (length < 2 || end > data.length) return undefined;
    if (marker === 0xda) {
      // Entropy-coded data never holds FFD9 (FF is stuffed as FF00), so the first one after SOS is the EOI.
      const eoi = data.indexOf(END_OF_IMAGE, end);
      if (eoi < 0) return undefined;
      parts.push(data.subarray(markerAt, eoi + 2));
      return Buffer.concat(parts);
    }
    const segment = data.subarray(markerAt, end);
    if (keepJpegSegment(marker, segment)) parts.push(segment);
    offset = end;
  }
  return undefined;
}

const END_OF_IMAGE = Buffer.from([0xff, 0xd9]);

function keepJpegSegment(marker: number, segment: Buffer): boolean {
  if (marker === 0xfe) return false; // COM
  if (marker < 0xe0 || marker > 0xef) return true; // tables, frame headers
  if (marker === 0xe0 || marker === 0xee) return true; // JFIF, Adobe
  if (marker === 0xe2 && segment.subarray(4, 16).toString('latin1') === 'ICC_PROFILE\0') {
    // Byte 17 is the chunk count. Only a whole single-chunk sRGB profile is kept: a chunk of a split one
    // would leave a broken profile, and an image without a profile is read as sRGB anyway.
    return segment[17] === 1 && isSrgbProfile(segment.subarray(18));
  }
  return false;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_METADATA_CHUNKS = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME']);

/**
 * Remove metadata chunks from a PNG (eXIf, tEXt, zTXt, iTXt, tIME) and copy every other chunk
 * byte for byte, so pixels, palette, transparency and colour chunks are untouched.
 *
 * @returns the stripped bytes, or undefined when the chunk structure is broken.
 */
export function stripPngMetadata(data: Buffer): Buffer | undefined {
  if (!data.subarray(0, 8).equals(PNG_SIGNATURE)) return undefined;
  const parts: Buffer[] = [data.subarray(0, 8)];
  let offset = 8;
  while (offset + 12 <= data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.subarray(offset + 4, offset + 8).toString('latin1');
    const end = offset + 12 + length;
    if (end > data.length) return undefined;
    if (!PNG_METADATA_CHUNKS.has(type)) parts.push(data.subarray(offset, end));
    offset = end;
    if (type === 'IEND') return Buffer.concat(parts);
  }
  return undefined;
}
