import type { RawImage } from './raster.js';

/**
 * Colour-count classes of an image, which decide the encodings worth trying: ≤ 256 colours is exact as a
 * palette; ≤ {@link GRAPHIC_COLOURS} is a screenshot or diagram; past {@link PALETTE_GATE_COLOURS} it is
 * photographic, where a ≤ 256-colour palette cannot reach the SSIM targets at fewer bytes than a JPEG.
 */

/** Fewest colours of an image that no palette holds exactly. */
export const PALETTE_COLOURS = 256;
/**
 * Past this many distinct colours an image is photographic: libimagequant at its default effort then takes
 * seconds per attempt on 1 MP (over a minute on noise), for files only ~10 % smaller than at effort 3.
 */
export const GRAPHIC_COLOURS = 4096;
/**
 * Past this many distinct colours an opaque image gets no palette-PNG candidate under an SSIM target: a
 * ≤ 256-colour palette of a photo needs high libimagequant qualities to reach the targets and then loses to
 * the JPEG, so its encodes (the costliest step of those searches) are spent for nothing. Gating at this
 * count changed no output of the corpus' 131 still images (bench/images/compare.ts --posts).
 */
export const PALETTE_GATE_COLOURS = 24_000;

/** How an image's colours classify it (see the constants of this module). */
export interface ColourClass {
  /** Distinct colours (fully transparent pixels count as one), exact up to `limit`, else `limit` + 1. */
  colours: number;
  /** ≤ {@link PALETTE_COLOURS}: a palette PNG is lossless. */
  fewColours: boolean;
  /** ≤ {@link GRAPHIC_COLOURS}: a screenshot or diagram. */
  graphic: boolean;
  /** > {@link PALETTE_GATE_COLOURS}: a palette PNG is not worth encoding for an opaque image. */
  photographic: boolean;
}

/** Classify `raw` by its colours; counting stops past {@link PALETTE_GATE_COLOURS}. */
export function colourClass(raw: RawImage): ColourClass {
  const colours = countColours(raw, PALETTE_GATE_COLOURS);
  return {
    colours,
    fewColours: colours <= PALETTE_COLOURS,
    graphic: colours <= GRAPHIC_COLOURS,
    photographic: colours > PALETTE_GATE_COLOURS,
  };
}

/**
 * Number of distinct colours of `raw` (RGB, plus alpha for 4 channels; every fully transparent pixel is
 * one colour whatever its RGB), counting up to `limit` (≥ 0): the result is exact when ≤ `limit`, else
 * `limit` + 1, returned as soon as that many are seen — a photo stops within its first rows.
 * An open-addressing table of 32-bit colours sized for `limit` (a few hundred KB at most), instead of a
 * Set: no per-colour allocation, and runs of one colour (flat backgrounds) cost a comparison per pixel.
 *
 * @throws RangeError when `limit` is not a non-negative integer.
 */
export function countColours(raw: RawImage, limit: number): number {
  if (!Number.isInteger(limit) || limit < 0)
    throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  const { data, channels } = raw;
  // Load factor ≤ 1/2 at `limit` + 1 colours keeps probe runs short.
  let bits = 4;
  while (1 << bits < 2 * (limit + 1)) bits++;
  const shift = 32 - bits;
  const mask = (1 << bits) - 1;
  // 0 marks an empty slot; only transparent pixels have key 0 (alpha is the low byte), tracked apart.
  const table = new Uint32Array(1 << bits);
  let seenZero = false;
  let count = 0;
  let previous = -1;
  for (let index = 0; index < data.length; index += channels) {
    const alpha = channels === 4 ? (data[index + 3] as number) : 255;
    const key =
      alpha === 0
        ? 0
        : (((data[index] as number) << 24) |
            ((data[index + 1] as number) << 16) |
            ((data[index + 2] as number) << 8) |
            alpha) >>>
          0;
    if (key === previous) continue;
    previous = key;
    if (key === 0) {
      if (!seenZero) {
        seenZero = true;
        if (++count > limit) return count;
      }
      continue;
    }
    let slot = Math.imul(key, 0x9e3779b1) >>> shift;
    for (;;) {
      const held = table[slot] as number;
      if (held === key) break;
      if (held === 0) {
        table[slot] = key;
        if (++count > limit) return count;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return count;
}
