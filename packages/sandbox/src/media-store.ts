/**
 * Storing uploaded media and serving files back from the image host with WeChat-shaped URLs
 * (`/mmbiz_png/<id>/0?wx_fmt=png`,
 * https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html).
 */
import { checkUpload, type MediaFormat, mimeOf, type UploadRule } from './formats.js';
import type { RouteContext } from './route.js';
import type { MediaRecord, MediaType, Platform, SandboxState } from './state.js';

/**
 * Temporary media live 3 days
 * (https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html,
 * https://developer.work.weixin.qq.com/document/path/96484).
 */
export const TEMP_MEDIA_TTL_MS = 3 * 24 * 3600_000;

const WX_FMT: Partial<Record<MediaFormat, { dir: string; fmt: string }>> = {
  jpg: { dir: 'mmbiz_jpg', fmt: 'jpeg' },
  png: { dir: 'mmbiz_png', fmt: 'png' },
  gif: { dir: 'mmbiz_gif', fmt: 'gif' },
};

/** A fresh media_id: 64 chars for OA (like `R7Ifp6ogGOmtr3u-…`), 44 for WeCom (like `1G6nrLmr5EC3…`). */
export function newMediaId(state: SandboxState, platform: Platform): string {
  return platform === 'oa' ? state.ids.b64url(64) : `${1 + state.ids.int(3)}${state.ids.b64url(43)}`;
}

/**
 * Reads the multipart body of an upload (`media/upload`, `material/add_material`), checks its `media` part
 * against `rule` (see `checkUpload` for the errcodes, in WeChat's order) and answers a new media record that
 * the route completes (url, description) and stores. WeCom parts are held to `requireFilelength` when set.
 */
export async function receiveMedia(
  ctx: RouteContext,
  upload: { platform: Platform; lifetime: MediaRecord['lifetime']; type: string; rule: UploadRule },
): Promise<{ record: MediaRecord; fields: Record<string, string> }> {
  const form = await ctx.multipart();
  const { file, format } = await checkUpload(
    form.files.find((f) => f.field === 'media'),
    upload.rule,
    upload.platform,
    upload.platform === 'wecom' ? { requireFilelength: ctx.options.requireFilelength } : {},
  );
  const record: MediaRecord = {
    mediaId: newMediaId(ctx.state, upload.platform),
    principal: ctx.principal,
    platform: upload.platform,
    lifetime: upload.lifetime,
    type: upload.type as MediaType,
    data: file.data,
    filename: file.filename,
    format,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  return { record, fields: form.fields };
}

/**
 * Puts `data` on the image host and answers its absolute URL. OA: `/mmbiz_<fmt>/<id>/0?wx_fmt=<fmt>`
 * (bmp: `/mmbiz/<id>/0`); WeCom: `/pic_wework/<n>/<hex>/0` like p.qpic.cn.
 */
export function hostImage(
  state: SandboxState,
  imageHost: string,
  principal: string,
  platform: Platform,
  format: MediaFormat,
  data: Buffer,
): string {
  if (platform === 'wecom') {
    const path = `/pic_wework/${state.ids.digits(10)}/${state.ids.hex(48)}/0`;
    state.hosted.set(path, { data, mime: mimeOf(format), principal });
    return `${imageHost}${path}`;
  }
  const id = state.ids.alnum(86);
  const shape = WX_FMT[format];
  const path = shape ? `/${shape.dir}/${id}/0` : `/mmbiz/${id}/0`;
  state.hosted.set(path, { data, mime: mimeOf(format), principal });
  return shape ? `${imageHost}${path}?wx_fmt=${shape.fmt}` : `${imageHost}${path}`;
}

/** Puts a video on the host for `down_url` / `video_url`. */
export function hostVideo(state: SandboxState, imageHost: string, principal: string, data: Buffer): string {
  const path = `/sandbox_video/${state.ids.alnum(32)}.mp4`;
  state.hosted.set(path, { data, mime: 'video/mp4', principal });
  return `${imageHost}${path}`;
}

/**
 * The media record `mediaId` when it belongs to `principal` on `platform`, has `lifetime` and (for
 * temporary media) has not expired, and (when `types` is given) has one of those types; undefined otherwise (callers answer 40007).
 */
export function findMedia(
  state: SandboxState,
  mediaId: string | undefined,
  principal: string,
  platform: Platform,
  lifetime: MediaRecord['lifetime'],
  now: number,
  types?: readonly MediaRecord['type'][],
): MediaRecord | undefined {
  if (!mediaId) return undefined;
  const record = state.media.get(mediaId);
  if (
    !record ||
    record.principal !== principal ||
    record.platform !== platform ||
    record.lifetime !== lifetime
  ) {
    return undefined;
  }
  if (types && !types.includes(record.type)) return undefined;
  if (lifetime === 'temp' && now >= record.createdAt + TEMP_MEDIA_TTL_MS) return undefined;
  return record;
}

/**
 * True when `src` is an image the article may keep: on this sandbox's image host — or one of the hosts it had
 * in earlier runs of a persisted state — or real mmbiz.
 */
export function isOwnImageUrl(src: string, imageHost: string | readonly string[]): boolean {
  for (const host of typeof imageHost === 'string' ? [imageHost] : imageHost) {
    if (src.startsWith(`${host}/mmbiz`)) return true;
  }
  return /^(https?:)?\/\/mmbiz\.qpic\.cn\//i.test(src);
}
