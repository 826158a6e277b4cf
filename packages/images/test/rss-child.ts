/**
 * Child process for the memory test: prepares a post of 40 photos of 12–18 MP with Promise.all and prints
 * the peak RSS in MB as JSON. Run by test/memory.test.ts in a fresh process, so nothing else is counted.
 */
import path from 'node:path';
import { corpusDir } from '@md2wx/testkit';
import { prepareImage } from '../src/index.js';

const photos = [
  'photos/kodak-pixpro-s1_srgb-icc.jpg',
  'photos/mate-elephants-5640x3172-progressive.jpg',
  'photos/nikon-d3100.jpg',
  'photos/olympus-e-p3_exif-indexerror.jpg',
];
const baseDir = path.join(corpusDir(), 'images');
const outputs = await Promise.all(
  Array.from({ length: 40 }, (_, index) =>
    prepareImage(photos[index % photos.length] as string, {
      resolve: { baseDir },
      process: { target: 'body' },
    }),
  ),
);
const bytes = outputs.map((output) => output.processed?.info.bytes ?? Number.NaN);
console.log(
  JSON.stringify({
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    images: bytes.length,
    maxBytes: Math.max(...bytes),
  }),
);
