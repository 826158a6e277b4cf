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
