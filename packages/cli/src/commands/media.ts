/**
 * `md2wx media upload|get|upload-by-url`: temporary media, kept 3 days by WeChat
 * (https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html,
 * https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_getmedia.html; WeCom
 * https://developer.work.weixin.qq.com/document/path/96484,
 * https://developer.work.weixin.qq.com/document/path/96486,
 * https://developer.work.weixin.qq.com/document/path/90255,
 * https://developer.work.weixin.qq.com/document/path/96219).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { CliError, ExitCode, type ExitCodeValue, UsageError } from '../errors.js';
import { compressMedia } from '@md2wx/publish';
import { loadWechat } from '../modules.js';
import type { Session } from '../session.js';

type MediaType = 'image' | 'voice' | 'video' | 'thumb' | 'file';

/** Options of `md2wx media upload|get`. */
export interface MediaOptions {
  type?: MediaType;
  output?: string;
  /** upload: compress an image (JPEG ≤ 1 MB) or thumb (JPEG ≤ 64,000 bytes) to fit before sending. */
  compress?: boolean;
  /** get: the HD (speex 16 kHz) voice of a JS-SDK upload, media/get/jssdk. */
  hdVoice?: boolean;
}

/** The bytes to upload: the file as is, or with `compress` an image re-encoded (@md2wx/publish `compressMedia`). */
async function mediaInput(
  file: string,
  type: MediaType,
  compress: boolean | undefined,
): Promise<{ input: string | Buffer; filename?: string; note?: string }> {
  if (!compress) return { input: file };
  if (type !== 'image' && type !== 'thumb')
    throw new UsageError('--compress applies to --type image or thumb');
  return compressMedia(file, type);
}

/**
 * WechatInputError 'too-large'/'bad-format' of an image: say that --compress fixes it. The client that threw
 * was made from @md2wx/wechat, so its module is loaded and its class is the one to match.
 */
async function withCompressHint(error: unknown, type: MediaType): Promise<unknown> {
  const { WechatInputError } = await loadWechat();
  if (
    (type === 'image' || type === 'thumb') &&
    error instanceof WechatInputError &&
    (error.code === 'too-large' || error.code === 'bad-format')
  ) {
    return new CliError(`${error.message} Or add --compress.`, ExitCode.content, { cause: error });
  }
  return error;
}

/** @returns ExitCode.ok; WeChat errors are thrown (exit 3), bad files as WechatInputError (exit 1). */
export async function runMedia(
  session: Session,
  action: 'upload' | 'get',
  target: string,
  options: MediaOptions,
): Promise<ExitCodeValue> {
  const { reporter, config } = session;
  const wecom = config.platform === 'wecom';
  const type = options.type ?? 'image';
  if (action === 'upload') {
    const file = path.resolve(config.cwd, target);
    if (wecom && type === 'thumb') throw new UsageError('WeCom media types are image, voice, video and file');
    if (!wecom && type === 'file')
      throw new UsageError('Official Account media types are image, voice, video and thumb');
    const { input, filename, note } = await mediaInput(file, type, options.compress);
    if (note) reporter.info(`${target}: ${note}`);
    const uploadOptions = filename ? { filename } : {};
    let answer: { media_id: string; type: string; created_at: string | number };
    try {
      answer = wecom
        ? await (await session.wecomClient()).upload(type as 'image', input, uploadOptions)
        : await (await session.officialAccount()).uploadTempMedia(type as 'image', input, uploadOptions);
    } catch (error) {
      throw await withCompressHint(error, type);
    }
    reporter.emitJson(answer);
    reporter.result(answer.media_id);
    reporter.info('temporary media: valid 3 days (WeChat deletes it then)');
    return ExitCode.ok;
  }
  const out = path.resolve(config.cwd, options.output as string);
  if (options.hdVoice) {
    if (wecom) await (await session.wecomClient()).downloadHdVoice(target, out);
    else await (await session.officialAccount()).downloadHdVoice(target, out);
    reporter.emitJson({ media_id: target, file: out, hdVoice: true });
    reporter.success(`HD voice ${target} (speex 16 kHz) written to ${out}`);
    return ExitCode.ok;
  }
  const answer = wecom
    ? await (await session.wecomClient()).download(target, out)
    : await (await session.officialAccount()).downloadTempMedia(target, out);
  const video = 'video_url' in answer ? answer.video_url : undefined;
  reporter.emitJson({ media_id: target, ...(video ? { video_url: video } : { file: out }) });
  if (video) reporter.result(video);
  else reporter.success(`media ${target} written to ${out}`);
  return ExitCode.ok;
}

/** Options of `md2wx media upload-by-url`. */
export interface UploadByUrlOptions {
  type?: 'video' | 'file';
  filename?: string;
  md5?: string;
  wait?: boolean;
  /** Seconds `--wait` polls before giving up; default 600. */
  timeout?: number;
}

/**
 * WeCom `media/upload_by_url` (https://developer.work.weixin.qq.com/document/path/96219): WeCom
 * downloads `url` itself (Range needed, up to 200 MB). Without `md5` the file is fetched once here to compute
 * it. With `wait`, polls `get_upload_by_url_result` (M6) until done, printing each state, and prints the
 * async media_id (valid 3 days, and only for media/get and group welcome messages); else
 * prints the jobid.
 * @throws UsageError without `--platform wecom`; WechatApiError with the job's detail.errcode (830001 URL
 *   without Range, 830003 download failed, 45001 size, 301019 MD5 mismatch) — exit 3.
 */
export async function runUploadByUrl(
  session: Session,
  url: string,
  options: UploadByUrlOptions,
): Promise<ExitCodeValue> {
  const { reporter, config } = session;
  if (config.platform !== 'wecom') {
    throw new UsageError('media upload-by-url is WeCom only (media/upload_by_url): add --platform wecom');
  }
  const client = await session.wecomClient();
  const type = options.type ?? 'file';
  const filename = options.filename ?? decodeURIComponent(new URL(url).pathname.split('/').pop() || 'file');
  let md5 = options.md5;
  if (!md5) {
    reporter.info(`computing the MD5 of ${url} (pass --md5 to skip the download)`);
    const answer = await fetch(url, { signal: AbortSignal.timeout(600_000) }).catch((error: unknown) => {
      throw new CliError(
        `${url}: cannot download it to compute its MD5: ${(error as Error).message}`,
        ExitCode.wechat,
      );
    });
    if (!answer.ok)
      throw new CliError(`${url}: HTTP ${answer.status} while computing its MD5`, ExitCode.wechat);
    md5 = createHash('md5')
      .update(Buffer.from(await answer.arrayBuffer()))
      .digest('hex');
  }
  const { jobid } = await client.uploadByUrl({ type, filename, url, md5 });
  if (!options.wait) {
    reporter.emitJson({ jobid });
    reporter.result(`jobid ${jobid}`);
    reporter.info(
      `check it with: md2wx media upload-by-url … --wait, or get_upload_by_url_result (jobid valid 60 minutes)`,
    );
    return ExitCode.ok;
  }
  reporter.info(`job ${jobid}: WeCom is downloading ${url}`);
  const started = Date.now();
  const deadline = started + (options.timeout ?? 600) * 1000;
  let interval = 500;
  for (;;) {
    const result = await client.getUploadByUrlResult(jobid);
    if (result.status === 2) {
      const media_id = String(result.detail.media_id);
      reporter.emitJson({ jobid, media_id, created_at: result.detail.created_at });
      reporter.result(media_id);
      reporter.success(
        `job ${jobid} done in ${Date.now() - started} ms: async media_id, valid 3 days, usable with media/get and group welcome messages only`,
      );
      return ExitCode.ok;
    }
    if (result.status === 3) {
      const { WechatApiError } = await session.wechatModule();
      throw new WechatApiError({
        errcode: result.detail.errcode,
        errmsg: result.detail.errmsg,
        endpoint: 'cgi-bin/media/get_upload_by_url_result',
        platform: 'wecom',
      });
    }
    reporter.info(`job ${jobid}: processing (${Math.round((Date.now() - started) / 1000)} s)`);
    if (Date.now() + interval > deadline) {
      throw new CliError(
        `job ${jobid} still processing after ${options.timeout ?? 600} s; check it later (jobid valid 60 minutes)`,
        ExitCode.wechat,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
    interval = Math.min(interval * 1.5, 15_000);
  }
}
