/**
 * Structural checks of container formats whose decoders read lazily (so a cut-off file could slip
 * through a header-only read). Pure byte walking: nothing is decoded.
 */

/** What a walk over a GIF's blocks found. */
export interface GifStructure {
  /** Image descriptors seen (= frames). */
  frames: number;
  /** True when the walk reached the trailer (0x3B) with every block complete. */
  complete: boolean;
}

/**
 * Walk a GIF's blocks (header, colour tables, extensions, image data sub-blocks) up to the trailer.
 * A file cut short ends inside a block and comes back `complete: false`.
 */
export function walkGif(data: Uint8Array): GifStructure {
  let frames = 0;
  if (data.length < 13) return { frames, complete: false };
  const flags = data[10] ?? 0;
  let offset = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0);
  const skipSubBlocks = (): boolean => {
    while (offset < data.length) {
      const size = data[offset] ?? 0;
      offset += 1;
      if (size === 0) return true;
      offset += size;
    }
    return false;
  };
  while (offset < data.length) {
    const introducer = data[offset];
    if (introducer === 0x3b) return { frames, complete: true };
    if (introducer === 0x21) {
      offset += 2;
      if (!skipSubBlocks()) return { frames, complete: false };
    } else if (introducer === 0x2c) {
      const localFlags = data[offset + 9] ?? 0;
      offset += 10 + (localFlags & 0x80 ? 3 * 2 ** ((localFlags & 0x07) + 1) : 0) + 1; // + LZW minimum code size
      if (!skipSubBlocks()) return { frames, complete: false };
      frames++;
    } else {
      // Garbage after the last frame: browsers stop here too, and so does libvips.
      return { frames, complete: frames > 0 };
    }
  }
  return { frames, complete: false };
}

/**
 * For HEIF/HEIC/AVIF: the end of the furthest data extent the `iloc` box points to, in bytes,
 * or undefined when the boxes cannot be read. A file shorter than that lost its image data.
 */
export function heifDataEnd(data: Uint8Array): number | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const meta = findBox(data, view, 0, data.length, 'meta');
  if (!meta) return undefined;
  // meta is a full box: 4 bytes of version and flags before its children.
  const iloc = findBox(data, view, meta.start + 4, meta.end, 'iloc');
  if (!iloc) return undefined;
  try {
    let offset = iloc.start;
    const version = data[offset] ?? 0;
    offset += 4;
    const sizes = view.getUint16(offset);
    offset += 2;
    const offsetSize = sizes >> 12;
    const lengthSize = (sizes >> 8) & 0x0f;
    const baseOffsetSize = (sizes >> 4) & 0x0f;
    const indexSize = version === 1 || version === 2 ? sizes & 0x0f : 0;
    const read = (size: number): number => {
      let value = 0;
      for (let index = 0; index < size; index++) value = value * 256 + (data[offset + index] ?? 0);
      offset += size;
      return value;
    };
    const itemCount = version < 2 ? read(2) : read(4);
    let end = 0;
    for (let item = 0; item < itemCount; item++) {
      read(version < 2 ? 2 : 4); // item_ID
      const construction = version === 1 || version === 2 ? read(2) & 0x0f : 0;
      read(2); // data_reference_index
      const baseOffset = read(baseOffsetSize);
      const extentCount = read(2);
      for (let extent = 0; extent < extentCount; extent++) {
        if (indexSize) read(indexSize);
        const extentOffset = read(offsetSize);
        const extentLength = read(lengthSize);
        if (construction === 0) end = Math.max(end, baseOffset + extentOffset + extentLength);
      }
      if (offset > iloc.end) return undefined;
    }
    return end;
  } catch {
    return undefined;
  }
}

function findBox(
  data: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  type: string,
): { start: number; end: number } | undefined {
  let offset = start;
  while (offset + 8 <= end) {
    let size = view.getUint32(offset);
    const boxType = String.fromCharCode(...data.subarray(offset + 4, offset + 8));
    let header = 8;
    if (size === 1 && offset + 16 <= end) {
      size = Number(view.getBigUint64(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < header) return undefined;
    if (boxType === type) return { start: offset + header, end: Math.min(offset + size, end) };
    offset += size;
  }
  return undefined;
}

/**
 * True when a JPEG or PNG stops before its end marker: no EOI (FFD9) after the first SOS of a JPEG
 * (entropy-coded data cannot contain FFD9, so an EXIF thumbnail's EOI before the scan does not count),
 * or no complete IEND chunk in a PNG's chunk sequence.
 */
export function endsEarly(data: Uint8Array, format: 'jpeg' | 'png'): boolean {
  if (format === 'png') {
    let offset = 8;
    while (offset + 12 <= data.length) {
      const length =
        (data[offset] ?? 0) * 2 ** 24 +
        ((data[offset + 1] ?? 0) << 16) +
        (((data[offset + 2] ?? 0) << 8) | (data[offset + 3] ?? 0));
      const type = String.fromCharCode(...data.subarray(offset + 4, offset + 8));
      offset += 12 + length;
      if (offset > data.length) return true;
      if (type === 'IEND') return false;
    }
    return true;
  }
  let offset = 2;
  while (offset + 4 <= data.length) {
    if (data[offset] !== 0xff) return false; // not a segment structure we understand: no verdict
    const marker = data[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset++;
      continue;
    }
    if (marker === 0xda) {
      for (let index = offset + 2; index + 1 < data.length; index++) {
        if (data[index] === 0xff && data[index + 1] === 0xd9) return false;
      }
      return true;
    }
    offset += 2 + (((data[offset + 2] ?? 0) << 8) | (data[offset + 3] ?? 0));
  }
  return true;
}
