/**
 * `md2wx upload <images…>`: body images onto WeChat, printing each permanent URL. Stills are compressed to
 * WeChat's limits and go to media/uploadimg
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html); animated
 * GIFs to material/add_material
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html). Uploads go
 * through the same dedupe cache as publishing (keyed by account, endpoint, the source's sha256 and the
 * processing settings), so the same image twice is one upload — on WeCom each uploadimg call spends one of
 * the 1,000 a day. `--force` uploads again and replaces the cached URL.
 */
import path from 'node:path';
import { ContentError, type ContentProblem, ExitCode, type ExitCodeValue } from '../errors.js';
import { loadImages, loadRemarkImages } from '../modules.js';
import { imageCache } from '@md2wx/publish';
import type { Session } from '../session.js';

/** One line of `md2wx upload`'s answer. */
export interface UploadedImage {
  src: string;
  url: string;
  media_id?: string;
  /** True when the URL came from the dedupe cache (no call to WeChat). */
  cached: boolean;
}

/** @returns ExitCode.ok; bad images throw ContentError (exit 1) before anything is uploaded. */
export async function runUpload(
  session: Session,
  sources: string[],
  options: { force?: boolean } = {},
): Promise<ExitCodeValue> {
  const { reporter, config } = session;
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
  const problems: ContentProblem[] = [];
  for (const src of sources) {
    try {
      const resolved = await images.resolveImage(src, {
        baseDir: config.cwd,
        rootDir: config.cwd,
        allowOutsideRoot: true,
        allowPrivateHosts: session.privateHosts(),
      });
      if (!resolved.data) {
        reporter.result(`${src}\t${src}`);
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
      problems.push({ file: src, image: src, message: (error as Error).message });
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
        reporter.result(`${image.src}\t${hit.url}`);
        continue;
      }
      let uploaded: { url: string; media_id?: string };
      if (image.animated && 'addMaterial' in client) {
        // Animated GIFs keep their frames only as permanent material
        // (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html);
        // uploadimg keeps the first frame.
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
      reporter.result(`${image.src}\t${uploaded.url || uploaded.media_id}`);
    }
  } finally {
    await cache.flush?.();
  }
  const cached = results.filter((r) => r.cached).length;
  reporter.emitJson({ images: results });
  reporter.info(
    `${results.length - cached} uploaded, ${cached} from the cache${cached ? ' (add --force to upload again)' : ''}`,
  );
  return ExitCode.ok;
}
