import { readFileSync } from 'node:fs';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { describe, expect, it } from 'vitest';
import { colourClass, countColours, GRAPHIC_COLOURS, PALETTE_GATE_COLOURS } from '../src/colour-classes.js';
import { openImage } from '../src/decode.js';
import { type RawImage, renderRaw } from '../src/raster.js';

/** `width` × 1 pixels whose colours come from `colour(x)` ([r, g, b] or [r, g, b, a]). */
function strip(width: number, channels: 3 | 4, colour: (x: number) => number[]): RawImage {
  const data = Buffer.alloc(width * channels);
  for (let x = 0; x < width; x++) data.set(colour(x).slice(0, channels), x * channels);
  return { data, width, height: 1, channels };
}

/** The reference count: a Set of strings, no early exit. */
function slowCount(raw: RawImage): number {
  const seen = new Set<string>();
  for (let index = 0; index < raw.data.length; index += raw.channels) {
    const pixel = [...raw.data.subarray(index, index + raw.channels)];
    seen.add(raw.channels === 4 && pixel[3] === 0 ? 'clear' : pixel.join(','));
  }
  return seen.size;
}

describe('countColours', () => {
  it('counts distinct RGB colours exactly up to the limit', () => {
    const raw = strip(5000, 3, (x) => [x % 7, (x * 13) % 251, x % 3]);
    expect(countColours(raw, 100_000)).toBe(slowCount(raw));
    expect(slowCount(raw)).toBeGreaterThan(300);
  });

  it('stops at limit + 1', () => {
    const raw = strip(1000, 3, (x) => [x & 255, x >> 8, 0]);
    expect(countColours(raw, 10)).toBe(11);
    expect(countColours(raw, 999)).toBe(1000);
    expect(countColours(raw, 1000)).toBe(1000);
  });

  it('counts alpha, and every fully transparent pixel as one colour', () => {
    // Same RGB at three alphas: 3 colours; transparent pixels of any RGB: 1 more.
    const raw = strip(9, 4, (x) => (x < 3 ? [10, 20, 30, [255, 128, 1][x] ?? 0] : [x, 2 * x, 0, 0]));
    expect(countColours(raw, 100)).toBe(4);
    expect(countColours(raw, 100)).toBe(slowCount(raw));
  });

  it('tells black from transparent and from an empty hash slot', () => {
    const raw = strip(4, 4, (x) => (x % 2 ? [0, 0, 0, 255] : [0, 0, 0, 0]));
    expect(countColours(raw, 10)).toBe(2);
    expect(
      countColours(
        strip(3, 3, () => [0, 0, 0]),
        10,
      ),
    ).toBe(1);
  });

  it('holds up under many colours that collide in the table', () => {
    const raw = strip(70_000, 3, (x) => [x & 255, (x >> 8) & 255, (x >> 16) & 255]);
    expect(countColours(raw, 100_000)).toBe(70_000);
    expect(countColours(raw, PALETTE_GATE_COLOURS)).toBe(PALETTE_GATE_COLOURS + 1);
  });

  it('refuses a limit that is not a non-negative integer', () => {
    expect(() =>
      countColours(
        strip(1, 3, () => [1, 2, 3]),
        -1,
      ),
    ).toThrow(RangeError);
    expect(() =>
      countColours(
        strip(1, 3, () => [1, 2, 3]),
        1.5,
      ),
    ).toThrow(RangeError);
  });
});

async function rawOf(relative: string): Promise<RawImage> {
  const data = readFileSync(corpusPath(relative));
  return renderRaw(await openImage(data, { source: relative, targetWidth: 1080 }), 1080, relative);
}

describe.skipIf(!requireCorpus())('colourClass on corpus images', () => {
  it('calls a camera photo photographic', async () => {
    const raw = await rawOf('images/photos/nikon-d3100.jpg');
    expect(colourClass(raw)).toMatchObject({ photographic: true, graphic: false, fewColours: false });
  });

  it('calls a PNG of a photo photographic', async () => {
    const raw = await rawOf('images/png/skimage-astronaut-photo.png');
    expect(colourClass(raw).photographic).toBe(true);
  });

  it('keeps a screenshot under the gate, so its palette is still tried', async () => {
    const raw = await rawOf('markdown/pingcap-blog-cn/media/user-case-xiaomi/2.png');
    const classified = colourClass(raw);
    expect(classified.photographic).toBe(false);
    expect(classified.colours).toBe(slowCount(raw));
  });

  it('calls a flat diagram a graphic', async () => {
    const raw = await rawOf('markdown/doocs-advanced-java/docs/high-concurrency/images/mq-5.png');
    const classified = colourClass(raw);
    expect(classified.colours).toBeLessThanOrEqual(GRAPHIC_COLOURS);
    expect(classified).toMatchObject({ graphic: true, photographic: false });
    expect(classified.colours).toBe(slowCount(raw));
  });
});
