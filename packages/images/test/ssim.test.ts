import { readFileSync } from 'node:fs';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import sharp from 'sharp';
import { ssim } from 'ssim.js';
import { describe, expect, it } from 'vitest';
import { openImage } from '../src/decode.js';
import { encodeJpeg, encodePngPalette } from '../src/encode.js';
import { type RawImage, renderRaw } from '../src/raster.js';
import { downsampleFactor, ssimScorer, weberSsimOf } from '../src/ssim.js';
import { legacySsimScorer } from './ssim-legacy.js';

/** The pixels processImage scores against: decoded, upright, at most 1080 px wide. */
async function rawOf(relative: string): Promise<RawImage> {
  const data = readFileSync(corpusPath(relative));
  return renderRaw(await openImage(data, { source: relative, targetWidth: 1080 }), 1080, relative);
}

/** Encodings a quality search may score: mozjpeg and libjpeg-turbo at several qualities, palettes. */
async function candidates(raw: RawImage): Promise<Buffer[]> {
  const out = [
    await encodeJpeg(raw, 20),
    await encodeJpeg(raw, 80, true, '4:4:4'),
    await encodeJpeg(raw, 95, false),
    await encodePngPalette(raw, 30, 0, 3),
    await encodePngPalette(raw, 100, 0, 3),
  ];
  return out;
}

const IMAGES = [
  // 1080×720 photo: downsampled by 3.
  'images/photos/nikon-d3100.jpg',
  // 1080×1960 poster: by 4, and over a million pixels.
  'images/png/pingcap-tall-poster-1080x1960-翼支付.png',
  // Transparent diagram, grey + alpha: judged on white.
  'markdown/doocs-advanced-java/docs/high-concurrency/images/mq-5.png',
  // 939×187 screenshot, RGBA: compared at full size.
  'markdown/pingcap-blog-cn/media/tikv-source-code-reading-13/10.png',
  // 32×32 with transparency: not downsampled.
  'images/alpha/pngsuite-tbgn2c16-16bit-trns.png',
  // CMYK JPEG.
  'images/special/cmyk-with-icc-profile.jpg',
];

describe.skipIf(!requireCorpus())('ssimScorer', () => {
  it.each(IMAGES)(
    'gives bit-identical scores to the scorer it replaced: %s',
    async (relative) => {
      const raw = await rawOf(relative);
      const fast = ssimScorer(raw);
      const legacy = await legacySsimScorer(raw);
      const encodings = await candidates(raw);
      const scores: number[] = [];
      for (const encoded of encodings) {
        const score = await fast(encoded);
        expect(score).toBe(await legacy(encoded));
        scores.push(score);
      }
      // The candidates differ, so equal scores are not a constant coming out of both.
      expect(new Set(scores).size).toBeGreaterThan(1);
      expect(Math.min(...scores)).toBeLessThan(0.999);
    },
    60_000,
  );

  it('scores the reference itself 1 and is reusable across scores', async () => {
    const raw = await rawOf('images/photos/nikon-d3100.jpg');
    const score = ssimScorer(raw);
    const lossless = await sharp(raw.data, { raw: raw }).png({ compressionLevel: 1 }).toBuffer();
    const low = await encodeJpeg(raw, 10);
    const first = await score(low);
    expect(await score(lossless)).toBe(1);
    expect(await score(low)).toBe(first);
  });

  it('falls back to ssim.js under the 11 px window, as before', async () => {
    // 10 px wide: no 11×11 window fits, so ssim.js's own handling of it decides.
    const raw: RawImage = {
      data: Buffer.from(Array.from({ length: 10 * 30 * 3 }, (_, index) => (index * 37) % 256)),
      width: 10,
      height: 30,
      channels: 3,
    };
    const fast = ssimScorer(raw);
    const legacy = await legacySsimScorer(raw);
    const same = await sharp(raw.data, { raw }).png().toBuffer();
    const flat = await sharp({ create: { width: 10, height: 30, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    expect(await fast(same)).toBe(await legacy(same));
    expect(await fast(flat)).toBe(await legacy(flat));
  });

  it('refuses an encoding of another size', async () => {
    const raw = await rawOf('images/alpha/pngsuite-tbgn2c16-16bit-trns.png');
    const score = ssimScorer(raw);
    const other = await sharp({
      create: { width: 20, height: 20, channels: 3, background: '#808080' },
    })
      .png()
      .toBuffer();
    await expect(score(other)).rejects.toThrow(RangeError);
  });
});

describe('downsampleFactor', () => {
  it('brings the short side to about 256 px, never below 1', () => {
    expect(downsampleFactor(1080, 720)).toBe(3);
    expect(downsampleFactor(1080, 1960)).toBe(4);
    expect(downsampleFactor(300, 100)).toBe(1);
  });
});

describe('weberSsimOf', () => {
  const grey = (width: number, height: number, value: (index: number) => number) => ({
    data: Uint8ClampedArray.from({ length: width * height }, (_, index) => value(index)),
    width,
    height,
  });
  const rgba = (image: ReturnType<typeof grey>) => {
    const data = new Uint8ClampedArray(image.width * image.height * 4).fill(255);
    image.data.forEach((value, pixel) => {
      data.fill(value, pixel * 4, pixel * 4 + 3);
    });
    return { data, width: image.width, height: image.height };
  };

  it('matches ssim.js (defaults, no downsampling) on synthetic noise', () => {
    const a = grey(40, 31, (index) => (index * 7919) % 251);
    const b = grey(40, 31, (index) => ((index * 7919) % 251) + ((index * 13) % 41) - 20);
    const expected = ssim(rgba(a), rgba(b), { downsample: false }).mssim;
    expect(expected).toBeLessThan(0.999);
    expect(Math.abs(weberSsimOf(a, b) - expected)).toBeLessThan(1e-12);
  });

  it('refuses sizes that differ or have no window', () => {
    expect(() =>
      weberSsimOf(
        grey(20, 20, () => 0),
        grey(20, 21, () => 0),
      ),
    ).toThrow(RangeError);
    expect(() =>
      weberSsimOf(
        grey(10, 20, () => 0),
        grey(10, 20, () => 0),
      ),
    ).toThrow(RangeError);
  });
});
