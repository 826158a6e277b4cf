import { readFileSync } from 'node:fs';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import sharp from 'sharp';
import { ssim } from 'ssim.js';
import { describe, expect, it } from 'vitest';
import { processImage, QUALITY_SSIM_TARGETS } from '../src/index.js';

const read = (relative: string) => readFileSync(corpusPath(relative));

/** A 60 KB 1200 px JPEG (named .png): the smallest corpus photo that is re-encoded, not passed through. */
const PHOTO = 'images/wrong-extension/real-time-apps-15_is-jpeg.png';

async function rgba(pipeline: sharp.Sharp) {
  const { data, info } = await pipeline
    .flatten({ background: '#ffffff' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}

/** SSIM (ssim.js defaults, as bench/images/compare.ts scores) of `output` against the source at its size. */
async function score(source: Buffer, output: Buffer): Promise<number> {
  const out = await rgba(sharp(output));
  const reference = await rgba(
    sharp(source).rotate().resize({ width: out.width, height: out.height, fit: 'fill' }),
  );
  return ssim(reference, out).mssim;
}

/** The same pixels as the output, re-encoded with mozjpeg at `quality`. */
async function atQuality(source: Buffer, width: number, quality: number): Promise<Buffer> {
  return sharp(source).rotate().resize({ width }).jpeg({ quality, mozjpeg: true }).toBuffer();
}

describe.skipIf(!requireCorpus())('processImage: quality', () => {
  it('a number is the JPEG quality used', async () => {
    const data = read(PHOTO);
    const result = await processImage(data, { target: 'body', quality: 70 });
    expect(result.info).toMatchObject({ format: 'jpeg', quality: 70, width: 1080 });
    const high = await processImage(data, { target: 'body', quality: 95 });
    expect(high.info.quality).toBe(95);
    expect(high.info.bytes).toBeGreaterThan(result.info.bytes);
  });

  it("'balanced' (the default) is the smallest quality whose SSIM reaches the target", async () => {
    const data = read(PHOTO);
    const result = await processImage(data, { target: 'body' });
    const explicit = await processImage(data, { target: 'body', quality: 'balanced' });
    expect(explicit.info.outputSha256).toBe(result.info.outputSha256);
    const quality = result.info.quality ?? 0;
    expect(result.info.format).toBe('jpeg');
    expect(quality).toBeGreaterThan(60);
    expect(quality).toBeLessThan(90);
    // Tolerance: the test renders the reference with its own resize.
    expect(await score(data, result.data)).toBeGreaterThanOrEqual(QUALITY_SSIM_TARGETS.balanced - 0.0002);
    const lower = await atQuality(data, result.info.width, quality - 2);
    expect(await score(data, lower)).toBeLessThan(QUALITY_SSIM_TARGETS.balanced);
  });

  it("'visually-lossless' reaches its higher target, with more bytes", async () => {
    const data = read(PHOTO);
    const balanced = await processImage(data, { target: 'body', quality: 'balanced' });
    const lossless = await processImage(data, { target: 'body', quality: 'visually-lossless' });
    expect(lossless.info.quality ?? 0).toBeGreaterThan(balanced.info.quality ?? 100);
    expect(lossless.info.bytes).toBeGreaterThan(balanced.info.bytes);
    expect(await score(data, lossless.data)).toBeGreaterThanOrEqual(
      QUALITY_SSIM_TARGETS['visually-lossless'] - 0.0002,
    );
  });

  it('the byte budget stays a hard cap under every policy', async () => {
    const data = read(PHOTO);
    const free = await processImage(data, { target: 'body', quality: 'visually-lossless' });
    const maxBytes = Math.floor(free.info.bytes * 0.6);
    for (const quality of ['visually-lossless', 'balanced', 95] as const) {
      const capped = await processImage(data, { target: 'body', quality, maxBytes });
      expect(capped.info.bytes).toBeLessThan(maxBytes);
      expect(capped.info.width).toBe(1080);
    }
  });

  it('refuses a quality that is not a preset or an integer 1–100', async () => {
    const data = read(PHOTO);
    await expect(processImage(data, { target: 'body', quality: 0 })).rejects.toThrow(RangeError);
    await expect(processImage(data, { target: 'body', quality: 80.5 })).rejects.toThrow(
      /integer from 1 to 100/,
    );
    await expect(
      processImage(data, { target: 'body', quality: 'best' as unknown as number }),
    ).rejects.toThrow(/'balanced', 'visually-lossless'/);
  });
});
