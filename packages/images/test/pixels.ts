import sharp from 'sharp';

/** Decoded RGB pixels (transparency over white) of an encoded image, optionally resized to `width`×`height`. */
export async function rgb(
  input: Buffer | sharp.Sharp,
  size?: { width: number; height: number },
): Promise<{ data: Buffer; width: number; height: number }> {
  let pipeline = Buffer.isBuffer(input) ? sharp(input) : input;
  if (size) pipeline = pipeline.resize({ ...size, fit: 'fill' });
  const { data, info } = await pipeline
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Mean absolute difference per channel value (0–255) between two equally sized RGB buffers. */
export function meanAbsDiff(a: Buffer, b: Buffer): number {
  if (a.length !== b.length) throw new Error(`size mismatch ${a.length} vs ${b.length}`);
  let total = 0;
  for (let index = 0; index < a.length; index++) total += Math.abs((a[index] ?? 0) - (b[index] ?? 0));
  return total / a.length;
}

/** The RGB value at (x, y). */
export function pixelAt(
  image: { data: Buffer; width: number },
  x: number,
  y: number,
): [number, number, number] {
  const offset = (y * image.width + x) * 3;
  return [image.data[offset] ?? -1, image.data[offset + 1] ?? -1, image.data[offset + 2] ?? -1];
}
