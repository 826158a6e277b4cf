/**
 * `md2wx media upload|get`: temporary media, kept 3 days by WeChat (wechat-api.md §2.9, §2.10; WeCom §3.2, §3.4).
 */
import path from 'node:path';
import { ExitCode, type ExitCodeValue, UsageError } from '../errors.js';
import type { Session } from '../session.js';

type MediaType = 'image' | 'voice' | 'video' | 'thumb' | 'file';

/** @returns ExitCode.ok; WeChat errors are thrown (exit 3), bad files as WechatInputError (exit 1). */
export async function runMedia(
  session: Session,
  action: 'upload' | 'get',
  target: string,
  options: { type?: MediaType; output?: string },
): Promise<ExitCodeValue> {
  const { reporter, config } = session;
  const wecom = config.platform === 'wecom';
  const type = options.type ?? 'image';
  if (action === 'upload') {
    const file = path.resolve(config.cwd, target);
    let answer: { media_id: string; type: string; created_at: string | number };
    if (wecom) {
      if (type === 'thumb') throw new UsageError('WeCom media types are image, voice, video and file');
      answer = await (await session.wecomClient()).upload(type, file);
    } else {
      if (type === 'file')
        throw new UsageError('Official Account media types are image, voice, video and thumb');
      answer = await (await session.officialAccount()).uploadTempMedia(type, file);
    }
    reporter.emitJson(answer);
    reporter.result(answer.media_id);
    return ExitCode.ok;
  }
  const out = path.resolve(config.cwd, options.output as string);
  const answer = wecom
    ? await (await session.wecomClient()).download(target, out)
    : await (await session.officialAccount()).downloadTempMedia(target, out);
  const video = 'video_url' in answer ? answer.video_url : undefined;
  reporter.emitJson({ media_id: target, ...(video ? { video_url: video } : { file: out }) });
  if (video) reporter.result(video);
  else reporter.success(`media ${target} written to ${out}`);
  return ExitCode.ok;
}
