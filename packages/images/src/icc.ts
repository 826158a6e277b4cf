import { crc32, deflateSync } from 'node:zlib';

/**
 * True when an ICC profile describes sRGB (its `desc` tag names sRGB, as in "sRGB IEC61966-2.1" or
 * "sRGB built-in"), so pixels tagged with it can be uploaded as they are. Any other profile
 * (Display P3, Adobe RGB, CMYK) means the pixels need a colour conversion first.
 * Never throws: an unreadable profile answers false.
 */
export function isSrgbProfile(icc: Uint8Array): boolean {
  const view = new DataView(icc.buffer, icc.byteOffset, icc.byteLength);
  if (icc.byteLength < 132) return false;
  const tagCount = view.getUint32(128);
  for (let index = 0; index < tagCount && 132 + index * 12 + 12 <= icc.byteLength; index++) {
    const entry = 132 + index * 12;
    const signature = String.fromCharCode(...icc.subarray(entry, entry + 4));
    if (signature !== 'desc') continue;
    const offset = view.getUint32(entry + 4);
    const size = view.getUint32(entry + 8);
    const tag = icc.subarray(offset, Math.min(offset + size, icc.byteLength));
    // v2 'desc' holds ASCII; v4 'mluc' holds UTF-16BE: look for "sRGB" in both spellings.
    const ascii = Buffer.from(tag).toString('latin1');
    const utf16 = utf16be(tag);
    return /sRGB/i.test(ascii) || /sRGB/i.test(utf16);
  }
  return false;
}

function utf16be(bytes: Uint8Array): string {
  let out = '';
  for (let index = 0; index + 1 < bytes.length; index += 2) {
    out += String.fromCharCode(((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0));
  }
  return out;
}

/**
 * Embed an ICC profile into a PNG (an `iCCP` chunk right after IHDR), so decoders read its pixels in that
 * colour space. Used to carry a HEIC's Display P3 profile across libheif-js, which returns bare pixels.
 *
 * @throws Error when `png` does not start with a PNG signature and IHDR chunk.
 */
export function embedIccInPng(png: Buffer, icc: Uint8Array): Buffer {
  const ihdrEnd = 8 + 8 + 13 + 4;
  if (png.length < ihdrEnd || png.subarray(12, 16).toString('latin1') !== 'IHDR')
    throw new Error('not a PNG with IHDR first');
  const body = Buffer.concat([Buffer.from('icc\0\0', 'latin1'), deflateSync(icc)]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from('iCCP', 'latin1'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed) >>> 0);
  return Buffer.concat([png.subarray(0, ihdrEnd), length, typed, crc, png.subarray(ihdrEnd)]);
}
