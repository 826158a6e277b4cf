/**
 * `md2wx upload <images…>`: body images onto WeChat, printing each permanent URL. Stills are compressed to
 * WeChat's limits and go to media/uploadimg (wechat-api.md §2.3); animated GIFs to material/add_material (§2.4).
 */
import path from 'node:path';
import { ContentError, type ContentProblem, ExitCode, type ExitCodeValue } from '../errors.js';
import { loadImages } from '../modules.js';
import type { Session } from '../session.js';

/** @returns ExitCode.ok; bad images throw ContentError (exit 1) before anything is uploaded. */
export async function runUpload(session: Session, sources: string[]): Promise<ExitCodeValue> {
  const { reporter, config } = session;
  const client = config.platform === 'wecom' ? await session.wecomClient() : await session.officialAccount();
  const images = await loadImages();
  const ready: Array<{ src: string; data: Buffer; animated: boolean; filename: string }> = [];
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
      const target = probe.animated && config.platform !== 'wecom' ? 'animated' : 'body';
      const processed = await images.processImage(resolved.data, { target, source: src });
      const ext = processed.info.format === 'jpeg' ? 'jpg' : processed.info.format;
      const base = path.basename(src.split('?')[0] ?? 'image').replace(/\.[^.]*$/, '') || 'image';
      ready.push({ src, data: processed.data, animated: target === 'animated', filename: `${base}.${ext}` });
    } catch (error) {
      problems.push({ file: src, image: src, message: (error as Error).message });
    }
  }
  if (problems.length > 0) throw new ContentError(problems);
  const results: Array<{ src: string; url: string; media_id?: string }> = [];
  for (const image of ready) {
    if (image.animated && 'addMaterial' in client) {
      // Animated GIFs keep their frames only as permanent material (§2.4); uploadimg keeps the first frame.
      const answer = await client.addMaterial({ type: 'image', data: image.data, filename: image.filename });
      results.push({ src: image.src, url: answer.url ?? '', media_id: answer.media_id });
      reporter.result(`${image.src}\t${answer.url ?? answer.media_id}`);
    } else {
      const { url } = await client.uploadImage(image.data, { filename: image.filename });
      results.push({ src: image.src, url });
      reporter.result(`${image.src}\t${url}`);
    }
  }
  reporter.emitJson({ images: results });
  return ExitCode.ok;
}
