// Makes this example's images from SVG written here, with sharp (run from the repo root once the workspace
// is installed: `node examples/hello/make-images.mjs`). The outputs are committed; this documents how they
// were made and remakes them (the film grain is random noise, so the JPEG bytes differ from run to run).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'images');

// 1. A photo-like JPEG: a dusk sky over hills, with film grain so it compresses like a real photo.
const W = 2400;
const H = 1600;
const sky = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#1d2b64"/><stop offset="0.55" stop-color="#f8877a"/><stop offset="1" stop-color="#ffd89b"/>
    </linearGradient>
    <radialGradient id="sun" cx="0.68" cy="0.58" r="0.16">
      <stop offset="0" stop-color="#fff6d5"/><stop offset="0.4" stop-color="#ffd27f" stop-opacity="0.9"/><stop offset="1" stop-color="#ffb36b" stop-opacity="0"/>
    </radialGradient>
  </defs>
  <rect width="100%" height="100%" fill="url(#sky)"/>
  <rect width="100%" height="100%" fill="url(#sun)"/>
  <path d="M0 1150 C 400 980 700 1080 1000 1010 S 1700 900 2400 1060 L 2400 1600 L 0 1600 Z" fill="#3b2f4a"/>
  <path d="M0 1300 C 500 1180 900 1290 1400 1210 S 2100 1180 2400 1250 L 2400 1600 L 0 1600 Z" fill="#241c30"/>
  <path d="M0 1450 C 600 1380 1200 1470 2400 1400 L 2400 1600 L 0 1600 Z" fill="#15101d"/>
</svg>`;
const grain = await sharp({
  create: { width: W, height: H, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 28 } },
})
  .png()
  .toBuffer();
await sharp(Buffer.from(sky))
  .composite([{ input: grain, blend: 'overlay' }])
  .jpeg({ quality: 92 })
  .toFile(path.join(dir, 'dusk.jpg'));

// 2. A transparent PNG diagram of the pipeline.
const box = (x, label, fill) =>
  `<g><rect x="${x}" y="60" width="220" height="90" rx="14" fill="${fill}" stroke="#1f2937" stroke-width="3"/>` +
  `<text x="${x + 110}" y="114" font-family="DejaVu Sans, sans-serif" font-size="26" text-anchor="middle" fill="#111827">${label}</text></g>`;
const arrow = (x) =>
  `<path d="M${x} 105 h52" stroke="#1f2937" stroke-width="4"/><path d="M${x + 52} 95 l16 10 l-16 10 z" fill="#1f2937"/>`;
const diagram = `<svg xmlns="http://www.w3.org/2000/svg" width="1120" height="210">
  ${box(20, 'post.md', '#dbeafe')}${arrow(250)}${box(330, 'render + lint', '#dcfce7')}${arrow(560)}
  ${box(640, 'upload images', '#fef3c7')}${arrow(870)}${box(880 + 70, 'draft', '#fde2e2')
    .replace('width="220"', 'width="150"')
    .replace(`x="${950 + 110}"`, `x="${950 + 75}"`)}
</svg>`;
await sharp(Buffer.from(diagram)).png({ compressionLevel: 9 }).toFile(path.join(dir, 'pipeline.png'));

// 3. An animated GIF: a dot going round, 12 frames.
const frames = [];
for (let i = 0; i < 12; i++) {
  const angle = (i / 12) * 2 * Math.PI;
  const cx = 60 + 38 * Math.cos(angle);
  const cy = 60 + 38 * Math.sin(angle);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120">
    <rect width="120" height="120" fill="#ffffff"/>
    <circle cx="60" cy="60" r="38" fill="none" stroke="#cbd5e1" stroke-width="6"/>
    <circle cx="${cx.toFixed(2)}" cy="${cy.toFixed(2)}" r="12" fill="#07c160"/>
  </svg>`;
  frames.push(await sharp(Buffer.from(svg)).png().toBuffer());
}
await sharp(frames, { join: { animated: true } })
  .gif({ loop: 0, delay: 80 })
  .toFile(path.join(dir, 'spinner.gif'));

for (const name of ['dusk.jpg', 'pipeline.png', 'spinner.gif']) {
  const meta = await sharp(path.join(dir, name), { animated: true }).metadata();
  console.log(
    name,
    meta.format,
    `${meta.width}x${meta.pageHeight ?? meta.height}`,
    `${meta.pages ?? 1} page(s)`,
    meta.size ?? '',
  );
}
