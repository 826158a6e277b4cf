/**
 * Body images onto WeChat without a post (`md2wx upload <images…>`): stills compressed to WeChat's limits go
 * to media/uploadimg (https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Adding_Permanent_Assets.html,
 * "上传图文消息内的图片获取URL"), animated GIFs to material/add_material (the same page), WeCom stills to its
 * media/uploadimg (https://developer.work.weixin.qq.com/document/path/90256). Uploads go through the same dedupe
 * cache as publishing (keyed by account, endpoint, the source's sha256 and the processing settings), so the same
 * image twice is one upload — on WeCom each uploadimg call spends one of the 1,000 a day.
 */
import path from 'node:path';
import type { VFileMessage } from 'vfile-message';
import { ContentError, contentMessage } from './errors.js';
import { imageCache } from './image-cache.js';
import { loadImages, loadRemarkImages } from './modules.js';
import type { Session } from './session.js';

/** One uploaded image. */
export interface UploadedImage {
  src: string;
  url: string;
  media_id?: string;
  /** True when the URL came from the dedupe cache (no call to WeChat). */
  cached: boolean;
}

/**
 * Uploads `sources` (paths relative to the session's cwd, or http(s) URLs) as body images: every image is
 * resolved and compressed before the first upload. A source already on WeChat is passed through (`onResult`
 * with its own URL, not in the returned list).
 * @param options.force upload again and replace the cached URL.
 * @param options.onResult called with each image's source and URL (or media_id) as soon as it is known.
 * @returns the uploaded (or cached) images, in order.
 * @throws ContentError (exit 1) naming every image that cannot be read or compressed, before any upload;
 *   WechatApiError (exit 3); ConfigError (exit 4) without credentials.
 */
export async function uploadBodyImages(
  session: Session,
  sources: string[],
  options: { force?: boolean; onResult?: (src: string, url: string) => void } = {},
): Promise<UploadedImage[]> {
  const { config } = session;
  const wecom = config.platform === 'wecom';
  const client = wecom ? await session.wecomClient() : await session.officialAccount();
  const images = await loadImages();
  const remark = await loadRemarkImages();
  const account = wecom ? `wecom:${config.wecom?.corpId}` : (session.accountId as string);
  const ready: Array<{
    src: string;
    data: Buffer;
    animated: boolean;
    filename: string;
    key: string;
    info: { bytes: number; width: number; height: number };
  }> = [];
  const results: UploadedImage[] = [];
  const problems: VFileMessage[] = [];
  for (const src of sources) {
    try {
      const resolved = await images.resolveImage(src, {
        baseDir: config.cwd,
        rootDir: config.cwd,
        allowOutsideRoot: true,
        allowPrivateHosts: session.privateHosts(),
      });
      if (!resolved.data) {
        options.onResult?.(src, src);
        continue;
      }
      const probe = await images.probeImage(resolved.data);
      const target = probe.animated && !wecom ? 'animated' : 'body';
      const processed = await images.processImage(resolved.data, { target, source: src });
      const ext = processed.info.format === 'jpeg' ? 'jpg' : processed.info.format;
      const base = path.basename(src.split('?')[0] ?? 'image').replace(/\.[^.]*$/, '') || 'image';
      ready.push({
        src,
        data: processed.data,
        animated: target === 'animated',
        filename: `${base}.${ext}`,
        key: remark.cacheKey({
          account,
          endpoint: target === 'animated' ? 'material/add_material' : 'media/uploadimg',
          sourceSha256: processed.info.sourceSha256,
          settings: { target },
        }),
        info: processed.info,
      });
    } catch (error) {
      problems.push(
        contentMessage((error as Error).message, { file: src, image: src, ruleId: 'wechat/image' }),
      );
    }
  }
  if (problems.length > 0) throw new ContentError(problems);
  const cache = await imageCache(session);
  try {
    for (const image of ready) {
      const hit = options.force ? undefined : await cache.get(image.key);
      if (hit?.url) {
        results.push({
          src: image.src,
          url: hit.url,
          ...(hit.media_id ? { media_id: hit.media_id } : {}),
          cached: true,
        });
        options.onResult?.(image.src, hit.url);
        continue;
      }
      let uploaded: { url: string; media_id?: string };
      if (image.animated && 'addMaterial' in client) {
        // Animated GIFs keep their frames only as permanent material; uploadimg keeps the first frame.
        const answer = await client.addMaterial({
          type: 'image',
          data: image.data,
          filename: image.filename,
        });
        uploaded = { url: answer.url ?? '', media_id: answer.media_id };
      } else {
        uploaded = await client.uploadImage(image.data, { filename: image.filename });
      }
      await cache.set(image.key, {
        url: uploaded.url,
        ...(uploaded.media_id ? { media_id: uploaded.media_id } : {}),
        bytes: image.info.bytes,
        width: image.info.width,
        height: image.info.height,
        uploadedAt: new Date().toISOString(),
      });
      results.push({ src: image.src, ...uploaded, cached: false });
      options.onResult?.(image.src, uploaded.url || (uploaded.media_id as string));
    }
  } finally {
    await cache.flush?.();
  }
  return results;
}
