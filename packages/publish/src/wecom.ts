/**
 * WeCom (企业微信) steps that have no Official Account counterpart: the mpnews cover
 * (https://developer.work.weixin.qq.com/document/path/90253, temporary media) and the uploadimg quota.
 */
import path from 'node:path';
import { ContentError, contentMessage } from './errors.js';
import { loadImages } from './modules.js';
import { rootDirFor } from './pipeline.js';
import type { Session } from './session.js';

/**
 * Resolves and compresses an mpnews cover for the post `file` (`coverSrc` relative to the post, or a URL).
 * @returns the compressed bytes and their file name (`cover.jpg`, `cover.png`).
 * @throws ContentError when the cover is already a WeChat URL; ImageError when it cannot be read.
 */
export async function prepareWecomCover(
  session: Session,
  file: string,
  coverSrc: string,
  options: { rootDir?: string; shown: string },
): Promise<{ data: Buffer; filename: string }> {
  const images = await loadImages();
  const resolved = await images.resolveImage(coverSrc, {
    baseDir: path.dirname(file),
    rootDir: rootDirFor(file, session.config.cwd, options.rootDir),
    allowPrivateHosts: session.privateHosts(),
  });
  if (!resolved.data)
    throw new ContentError([
      contentMessage('cover must be a local file or http(s) URL', {
        file: options.shown,
        image: coverSrc,
        ruleId: 'wechat/cover',
      }),
    ]);
  const processed = await images.processImage(resolved.data, { target: 'cover', source: coverSrc });
  const ext = processed.info.format === 'jpeg' ? 'jpg' : processed.info.format;
  return { data: processed.data, filename: `cover.${ext}` };
}

/**
 * WeCom media/uploadimg usage (1,000 images a day, 3,000 a month per corp) as counted in the session's store.
 * @throws ConfigError (exit 4) without WeCom credentials.
 */
export async function wecomImageQuota(session: Session) {
  return (await session.wecomClient()).uploadImageQuota();
}
