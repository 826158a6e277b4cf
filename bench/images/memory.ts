/**
 * Peak RSS for a post with 40 photos of ~16 megapixels, all prepared (resolved + processed) with Promise.all
 * through prepareImage, whose concurrency limit keeps reading and decoding bounded. Target (issue 6): under 500 MB.
 * Run: MD2WX_CORPUS=/path/to/corpus npx tsx --conditions=@md2wx/source bench/images/memory.ts [photo…]
 * With photo arguments (paths under the corpus' images/), the post cycles through those instead, e.g.
 * `photos/kodak-pixpro-s1_srgb-icc.jpg photos/mate-elephants-5640x3172-progressive.jpg` for 16.1 and 17.9 MP only.
 */
import path from 'node:path';
import { prepareImage } from '@md2wx/images';
import { corpusDir } from '@md2wx/testkit';

const defaults = [
  'photos/kodak-pixpro-s1_srgb-icc.jpg', // 4640x3480 = 16.1 MP
  'photos/mate-elephants-5640x3172-progressive.jpg', // 17.9 MP
  'photos/nikon-d3100.jpg', // 14.2 MP
  'photos/olympus-e-p3_exif-indexerror.jpg', // 12.2 MP
];
const photos = process.argv.length > 2 ? process.argv.slice(2) : defaults;
const baseDir = path.join(corpusDir(), 'images');
const started = performance.now();
const sources = Array.from({ length: 40 }, (_, index) => photos[index % photos.length] as string);
const results = await Promise.all(
  sources.map(async (src) => {
    const { processed } = await prepareImage(src, { resolve: { baseDir }, process: { target: 'body' } });
    if (!processed) throw new Error(`nothing processed for ${src}`);
    return processed.info.bytes;
  }),
);
const seconds = (performance.now() - started) / 1000;
const peakMb = process.resourceUsage().maxRSS / 1024;
console.log(
  `40 photos cycling through ${photos.join(', ')}: ${seconds.toFixed(1)} s, output ${(results.reduce((a, b) => a + b, 0) / 1e6).toFixed(1)} MB`,
);
console.log(`peak RSS ${peakMb.toFixed(0)} MB (target < 500 MB) → ${peakMb < 500 ? 'OK' : 'OVER'}`);
