import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodePngLossless, encodePngPalette, highestQualityUnder } from '../src/encode.js';
import { decodeLike, type RawImage, ssimOnWhite } from '../src/raster.js';
import {
  detectFormat,
  type ImageError,
  probeImage,
  processImage,
  setImageConcurrency,
  stripJpegMetadata,
  stripPngMetadata,
} from '../src/index.js';
import { meanAbsDiff, pixelAt, rgb } from './pixels.js';

const read = (relative: string) => readFileSync(corpusPath(relative));
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as ImageError,
  );

/** Offset of the SOS marker, found by walking the segments (0xFFDA may also occur inside tables). */
function startOfScan(jpeg: Buffer): number {
  let offset = 2;
  while (offset < jpeg.length && jpeg[offset + 1] !== 0xda) offset += 2 + jpeg.readUInt16BE(offset + 2);
  return offset;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

describe.skipIf(!requireCorpus())('cut-off files are reported as truncated, never passed on', () => {
  it.each([
    ['images/gif/pingcap-es-demo-93frames-3.9MB.gif', 200_000, 'animated', /inside frame 5/],
    ['images/gif/sharp-crash-test-static.gif', 20_000, 'body', /inside frame 1/],
    ['images/webp/mei-webpvp8x-1440x900.webp', 20_000, 'body', /RIFF/],
    ['images/heif-avif/iphone-13-pro-max_orient6.HEIC', 100_000, 'body', /runs to byte 2182707/],
    ['images/heif-avif/metadata-extractor_issue-649.avif', 100_000, 'body', /runs to byte/],
    ['images/special/bmpsuite-rgb24.bmp', 1000, 'body', /truncated/i],
    ['images/photos/canon-sx60_orient6.jpg', 300_000, 'body', /truncated/],
  ] as const)('%s cut at %i bytes', async (file, bytes, target, why) => {
    const error = await errorOf(processImage(read(file).subarray(0, bytes), { target, source: 'cut' }));
    expect(error?.code).toBe('truncated');
    expect(error?.message).toMatch(why);
  });

  it('classifies the same way when many decodes fail at once (libvips error text is process-wide)', async () => {
    const data = read('images/broken-and-tiny/sharp-truncated-10000-bytes.jpg');
    const header = read('images/broken-and-tiny/sharp-corrupt-header.jpg');
    const codes = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        errorOf(processImage(index % 2 ? header : data, { target: 'body' })),
      ),
    );
    expect(codes.map((error) => error?.code)).toEqual(
      Array.from({ length: 8 }, (_, index) => (index % 2 ? 'corrupt' : 'truncated')),
    );
  });

  it('calls a 10-byte GIF a damaged header', async () => {
    const error = await errorOf(
      processImage(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), { target: 'body' }),
    );
    expect(error?.code).toBe('corrupt');
  });
});

describe.skipIf(!requireCorpus())('formats the corpus does not hold', () => {
  it('converts a CMYK JPEG without an embedded profile close to the sRGB original', async () => {
    const original = await sharp(read('images/photos/nikon-d3100.jpg')).resize(600).toBuffer();
    const cmyk = await sharp(original).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const result = await processImage(cmyk, { target: 'body' });
    expect((await sharp(result.data).metadata()).space).toBe('srgb');
    const size = { width: 120, height: 80 };
    expect(meanAbsDiff((await rgb(result.data, size)).data, (await rgb(original, size)).data)).toBeLessThan(
      6,
    );
  });

  it('converts TIFF (8 and 16 bit) and 16-bit greyscale / grey+alpha PNG to 8-bit output', async () => {
    const photo = await sharp(read('images/photos/nikon-d3100.jpg')).resize(400).toBuffer();
    const tiff = await processImage(await sharp(photo).tiff().toBuffer(), { target: 'body' });
    expect(tiff.info).toMatchObject({ sourceFormat: 'tiff', width: 400 });
    const tiff16 = await sharp(read('images/png/sharp-flag-nl-16bit.png')).tiff().toBuffer();
    expect((await processImage(tiff16, { target: 'body' })).info.sourceFormat).toBe('tiff');
    const grey16 = await sharp(photo).toColourspace('grey16').png().toBuffer();
    expect((await sharp(grey16).metadata()).depth).toBe('ushort');
    const grey = await processImage(grey16, { target: 'body' });
    expect((await sharp(grey.data).metadata()).depth).toBe('uchar');
    const greyAlpha = await processImage(await sharp(photo).greyscale().ensureAlpha(0.5).png().toBuffer(), {
      target: 'body',
    });
    expect(greyAlpha.info.format).toBe('png');
    expect((await sharp(greyAlpha.data).metadata()).hasAlpha).toBe(true);
  });

  it('identifies a WebP named .jpg by its bytes', async () => {
    const webp = await sharp(read('images/special/progressive-small-nikon.jpeg')).webp().toBuffer();
    expect(await detectFormat(webp)).toEqual({ format: 'webp', mime: 'image/webp' });
    const result = await processImage(webp, { target: 'body', source: 'photo.jpg' });
    expect(result.info).toMatchObject({ sourceFormat: 'webp', format: 'jpeg' });
  });

  it('rasterizes SVG without running scripts or loading local files', async () => {
    const secret = corpusPath('images/alpha/sharp-blackbug-alpha.png');
    const svg = Buffer.from(
      `<?xml version="1.0"?>\n<!-- chart -->\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="100">` +
        `<script>document.documentElement.setAttribute('fill','blue')</script>` +
        `<rect width="200" height="100" fill="#ff0000" onload="this.setAttribute('fill','blue')"/>` +
        `<image xlink:href="file://${secret}" x="0" y="0" width="200" height="100"/></svg>`,
    );
    expect((await detectFormat(svg))?.format).toBe('svg');
    const result = await processImage(svg, { target: 'body' });
    expect([result.info.width, result.info.height]).toEqual([400, 200]);
    const image = await rgb(result.data);
    for (const [x, y] of [
      [200, 100],
      [10, 10],
      [390, 190],
    ] as const) {
      expect(pixelAt(image, x, y)).toEqual([255, 0, 0]);
    }
  });

  it('re-encodes an APNG to its first frame instead of passing an animation on as a still', async () => {
    const png = read('images/broken-and-tiny/pngsuite-1x1.png');
    const idat = png.indexOf(Buffer.from('IDAT')) - 4;
    const actl = Buffer.alloc(8);
    actl.writeUInt32BE(1, 0);
    const apng = Buffer.concat([png.subarray(0, idat), pngChunk('acTL', actl), png.subarray(idat)]);
    expect(await detectFormat(apng)).toEqual({ format: 'png', mime: 'image/apng' });
    const result = await processImage(apng, { target: 'body' });
    expect(result.info.passthrough).toBe(false);
    expect(result.data.includes(Buffer.from('acTL'))).toBe(false);
    expect(result.warnings.join(' ')).toMatch(/APNG/);
  });

  it('refuses an SVG with an external entity, naming line and column, without reading the file', async () => {
    const svg = Buffer.from(
      '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><text y="20">&x;</text></svg>',
    );
    const error = await errorOf(processImage(svg, { target: 'body', source: 'xxe.svg' }));
    expect(error?.code).toBe('corrupt');
    expect(error?.message).toMatch(/^xxe\.svg: SVG is not well-formed XML \(line 3 column \d+\)/);
  });

  it('rasterizes a huge SVG canvas within the pixel limit instead of refusing it', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="200000" height="100000"><rect width="100000" height="100000" fill="#0000ff"/></svg>',
    );
    const probe = await probeImage(svg, { source: 'huge.svg' });
    expect(probe.width * probe.height).toBeLessThanOrEqual(100_000_000);
    const result = await processImage(svg, { target: 'body', source: 'huge.svg' });
    expect([result.info.width, result.info.height]).toEqual([1080, 540]);
    const image = await rgb(result.data);
    expect(pixelAt(image, 100, 270)).toEqual([0, 0, 255]);
    expect(pixelAt(image, 1000, 270)).toEqual([255, 255, 255]);
  });

  it('says so when a "picture" is an HTML page', async () => {
    const error = await errorOf(
      processImage(Buffer.from('<!DOCTYPE html><html><head><title>403</title></head></html>'), {
        target: 'body',
        source: 'x.png',
      }),
    );
    expect(error?.code).toBe('unsupported');
    expect(error?.message).toMatch(/HTML page/);
  });

  it('stops a decompression bomb (a 30000x30000 PNG header) before decoding', async () => {
    const header = Buffer.alloc(13);
    header.writeUInt32BE(30_000, 0);
    header.writeUInt32BE(30_000, 4);
    header[8] = 8;
    header[9] = 2;
    const bomb = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk('IHDR', header),
      pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
      pngChunk('IEND', Buffer.alloc(0)),
    ]);
    const error = await errorOf(processImage(bomb, { target: 'body', source: 'bomb.png' }));
    expect(error?.code).toBe('too-large');
    expect(error?.message).toMatch(/30000x30000 is 900 megapixels/);
  });
});

describe.skipIf(!requireCorpus())('lossless metadata stripping', () => {
  it('removes EXIF with GPS from a JPEG that is otherwise uploaded as is', async () => {
    const withGps = await sharp(read('images/special/progressive-small-nikon.jpeg'))
      .jpeg({ quality: 90 })
      .withExif({
        IFD0: { Make: 'Phone', Artist: 'me' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 0/1' },
      })
      .toBuffer();
    expect(withGps.includes(Buffer.from('Phone'))).toBe(true);
    const result = await processImage(withGps, { target: 'body' });
    expect(result.info.passthrough).toBe(true);
    expect(result.data.includes(Buffer.from('Exif\0'))).toBe(false);
    expect(result.data.includes(Buffer.from('Phone'))).toBe(false);
    // Entropy-coded data untouched: everything from the first SOS marker on is identical.
    const scan = (jpeg: Buffer) => jpeg.subarray(startOfScan(jpeg));
    expect(scan(result.data).length).toBeGreaterThan(5000);
    expect(scan(result.data).equals(scan(withGps))).toBe(true);
  });

  it('drops what follows the JPEG end marker (a Motion Photo video, a maker trailer)', async () => {
    const jpeg = read('images/special/progressive-small-nikon.jpeg');
    const trailer = Buffer.concat([Buffer.from('\0\0\0\x18ftypmp42'), Buffer.alloc(4000, 7)]);
    const result = await processImage(Buffer.concat([jpeg, trailer]), { target: 'body' });
    expect(result.info.passthrough).toBe(true);
    expect(result.data.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    expect(result.data.includes(Buffer.from('ftypmp42'))).toBe(false);
    expect(result.data.length).toBe(stripJpegMetadata(jpeg)?.length);
  });

  it('removes text and eXIf chunks from a PNG and keeps every other chunk', () => {
    const png = read('images/broken-and-tiny/pngsuite-1x1.png');
    const iend = png.length - 12;
    const withText = Buffer.concat([
      png.subarray(0, iend),
      pngChunk('tEXt', Buffer.from('Comment\0secret location')),
      pngChunk('eXIf', Buffer.from('MM\0*\0\0\0\x08\0\0', 'latin1')),
      png.subarray(iend),
    ]);
    const stripped = stripPngMetadata(withText);
    expect(stripped?.equals(png)).toBe(true);
    expect(stripPngMetadata(png.subarray(0, 20))).toBeUndefined();
    expect(stripJpegMetadata(png)).toBeUndefined();
  });
});

describe.skipIf(!requireCorpus())('photographic images with transparency', () => {
  it('stay PNG with their alpha, quantized to fit the budget', { timeout: 60_000 }, async () => {
    const photo = await sharp(read('images/photos/panasonic-lx7-night.jpg')).resize(1600).toBuffer();
    const { width = 0, height = 0 } = await sharp(photo).metadata();
    const vignette = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><radialGradient id="g"><stop offset="0.6" stop-color="#fff"/><stop offset="1" stop-color="#000"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`,
    );
    const alpha = await sharp(vignette).extractChannel(0).toBuffer();
    const rgba = await sharp(photo).joinChannel(alpha).png().toBuffer();
    expect(rgba.length).toBeGreaterThan(1_000_000);
    const result = await processImage(rgba, { target: 'body' });
    expect(result.info).toMatchObject({ format: 'png', width: 1080, height: 810 });
    expect(result.info.bytes).toBeLessThan(1_000_000);
    expect(result.info.quality).toBeGreaterThanOrEqual(50);
    const stats = await sharp(result.data).stats();
    expect(stats.channels[3]?.min).toBe(0);
    expect(stats.channels[3]?.max).toBe(255);
  });
});

describe.skipIf(!requireCorpus())('graphics with a few thousand colours', () => {
  /** The SVG rasterized at 1080 px wide the way the pipeline does, as truecolour pixels. */
  const truth = async (file: string): Promise<RawImage> => {
    const svg = read(file);
    const { width = 1 } = await sharp(svg).metadata();
    const { data, info } = await sharp(svg, { density: Math.round((72 * 2 * 1080) / width) })
      .resize({ width: 1080 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 4 };
  };

  it('become a near-lossless palette PNG, far smaller than truecolour', async () => {
    // A fixed quality: the SSIM presets search the palette's quality instead (test/quality.test.ts).
    const result = await processImage(read('images/svg/pingcap-chart.svg'), { target: 'body', quality: 90 });
    expect(result.info).toMatchObject({ format: 'png', quality: 95, width: 1080 });
    const pixels = await truth('images/svg/pingcap-chart.svg');
    expect(result.info.bytes).toBeLessThan((await encodePngLossless(pixels)).length * 0.6);
    expect(ssimOnWhite(pixels, await decodeLike(result.data, pixels))).toBeGreaterThan(0.999);
  });

  it('stay truecolour when a palette would band their smooth gradients', async () => {
    const file = 'images/svg/debian-joy-inksplat-3840x2160.svg';
    const pixels = await truth(file);
    const banded = await encodePngPalette(pixels, 95, 0, 3);
    expect(ssimOnWhite(pixels, await decodeLike(banded, pixels))).toBeLessThan(0.995);
    const result = await processImage(read(file), { target: 'body' });
    expect(result.info.format).toBe('png');
    expect(result.info.quality).toBeUndefined();
    expect(ssimOnWhite(pixels, await decodeLike(result.data, pixels))).toBeGreaterThan(0.999);
  });
});

describe('ssimOnWhite', () => {
  const flat = (value: number, size = 32): RawImage => ({
    data: Buffer.alloc(size * size * 3, value),
    width: size,
    height: size,
    channels: 3,
  });

  it('is 1 for identical pixels and falls with noise, more with more noise', () => {
    const base = flat(128);
    expect(ssimOnWhite(base, flat(128))).toBe(1);
    const noisy = (amplitude: number): RawImage => ({
      ...base,
      data: Buffer.from(
        base.data.map((value, index) => value + ((index * 7919) % 3 === 0 ? amplitude : -amplitude)),
      ),
    });
    const slight = ssimOnWhite(base, noisy(4));
    const strong = ssimOnWhite(base, noisy(40));
    expect(slight).toBeLessThan(1);
    expect(strong).toBeLessThan(slight);
  });

  it('ignores the colour under fully transparent pixels and compares on white', () => {
    const clear = (r: number): RawImage => ({
      data: Buffer.from(Array.from({ length: 16 * 16 }, () => [r, 0, 0, 0]).flat()),
      width: 16,
      height: 16,
      channels: 4,
    });
    expect(ssimOnWhite(clear(0), clear(255))).toBe(1);
    const black: RawImage = {
      ...clear(0),
      data: Buffer.from(clear(0).data.map((v, i) => (i % 4 === 3 ? 255 : v))),
    };
    expect(ssimOnWhite(clear(0), black)).toBeLessThan(0.1);
    expect(() => ssimOnWhite(clear(0), flat(0, 16))).toThrow(RangeError);
  });
});

describe('highestQualityUnder', () => {
  /** A fake codec whose output grows 1,000 bytes per quality step, recording what it was asked for. */
  const codec = () => {
    const asked: number[] = [];
    return {
      asked,
      encode: async (quality: number) => {
        asked.push(quality);
        return Buffer.alloc(quality * 1000);
      },
    };
  };

  it('encodes once when the top quality fits', async () => {
    const { asked, encode } = codec();
    expect(await highestQualityUnder(encode, 100_000, 60, 90)).toMatchObject({ quality: 90 });
    expect(asked).toEqual([90]);
  });

  it('finds the highest quality strictly under the budget by binary search', async () => {
    const { asked, encode } = codec();
    const found = await highestQualityUnder(encode, 77_000, 60, 90);
    expect(found).toMatchObject({ quality: 76 });
    expect(found.data?.length).toBe(76_000);
    expect(asked.slice(0, 2)).toEqual([90, 60]);
    expect(asked.length).toBeLessThanOrEqual(7);
  });

  it('gives up after two encodes when even the lowest quality does not fit', async () => {
    const { asked, encode } = codec();
    expect(await highestQualityUnder(encode, 50_000, 60, 90)).toEqual({ data: undefined, smallest: 60_000 });
    expect(asked).toEqual([90, 60]);
  });
});

describe('concurrency', () => {
  it('rejects a nonsensical concurrency', () => {
    expect(() => setImageConcurrency(0)).toThrow(RangeError);
    expect(() => setImageConcurrency(1.5)).toThrow(RangeError);
    setImageConcurrency(2);
  });
});
