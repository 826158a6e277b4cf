/**
 * Temporary media bytes (media/upload, https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/New_temporary_materials.html):
 * an image re-encoded to fit when asked.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadImages } from './modules.js';

/**
 * `file` re-encoded by @md2wx/images to fit temporary media: JPEG within the cover's 1 MB / 1080 px for
 * `image`, 64,000 bytes for `thumb`.
 * @returns the JPEG bytes, a `.jpg` file name, and a note saying what changed (bytes and pixels).
 * @throws ImageError when `file` is not a decodable image.
 */
export async function compressMedia(
  file: string,
  type: 'image' | 'thumb',
): Promise<{ input: Buffer; filename: string; note: string }> {
  const images = await loadImages();
  const data = await readFile(file);
  const processed = await images.processImage(data, {
    target: type === 'thumb' ? 'thumb' : 'cover',
    source: file,
  });
  const base = path.basename(file).replace(/\.[^.]*$/, '') || 'image';
  return {
    input: processed.data,
    filename: `${base}.jpg`,
    note: `compressed ${data.length} → ${processed.data.length} bytes (${processed.info.width}x${processed.info.height} JPEG)`,
  };
}
