/**
 * OA media endpoints: `media/uploadimg`
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html),
 * `media/upload`
 * (https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html),
 * `media/get` and `media/get/jssdk`
 * (https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_getmedia.html,
 * https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_gethdvoice.html).
 */
import { checkUpload, mimeOf, OA_TEMPORARY, OA_UPLOADIMG } from '../formats.js';
import { findMedia, hostImage, hostVideo, receiveMedia } from '../media-store.js';
import { ok, type Reply, type Route } from '../route.js';
import { bump, type MediaRecord } from '../state.js';
import { WxError } from '../wx-error.js';

const TEMP_TYPES = ['image', 'voice', 'video', 'thumb'];

/**
 * The download answer of a stored file: WeChat's headers
 * (https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_getmedia.html).
 */
export function download(record: MediaRecord, mime: string, ext: string): Reply {
  return {
    headers: {
      'Content-Type': mime,
      'Content-disposition': `attachment; filename="${record.mediaId}.${ext}"`,
      'Cache-Control': 'no-cache, must-revalidate',
      Connection: 'close',
    },
    body: record.data,
  };
}

export const oaMediaRoutes: Route[] = [
  {
    platform: 'oa',
    api: 'media/uploadimg',
    method: 'POST',
    auth: true,
    // Not in the official quota table; a community report hit 45009 after ~1000 calls (UNCONFIRMED).
    dailyQuota: 1000,
    async handler(ctx) {
      const form = await ctx.multipart();
      const { file, format } = await checkUpload(
        form.files.find((f) => f.field === 'media'),
        OA_UPLOADIMG,
        'oa',
      );
      const url = hostImage(ctx.state, ctx.imageHost, ctx.principal, 'oa', format, file.data);
      bump(ctx.state.counters.uploads, 'media/uploadimg');
      // WeChat serves this success body as text/plain (https://github.com/doocs/md/pull/1878).
      return ok({ url, errcode: 0, errmsg: 'ok' }, true);
    },
  },
  {
    platform: 'oa',
    api: 'media/upload',
    method: 'POST',
    auth: true,
    dailyQuota: 100_000,
    async handler(ctx) {
      const type = ctx.query.get('type') ?? '';
      if (!TEMP_TYPES.includes(type)) {
        ctx.req.resume();
        throw new WxError(40004);
      }
      const rule = OA_TEMPORARY[type];
      if (!rule) throw new WxError(40004);
      const { record } = await receiveMedia(ctx, { platform: 'oa', lifetime: 'temp', type, rule });
      const { mediaId } = record;
      if (type === 'video') record.url = hostVideo(ctx.state, ctx.imageHost, ctx.principal, record.data);
      ctx.state.media.set(mediaId, record);
      bump(ctx.state.counters.uploads, 'media/upload');
      return ok({ type, media_id: mediaId, created_at: Math.floor(ctx.now / 1000) });
    },
  },
  {
    platform: 'oa',
    api: 'media/get',
    method: 'GET',
    auth: true,
    dailyQuota: 200_000,
    handler(ctx) {
      const record = findMedia(
        ctx.state,
        ctx.query.get('media_id') ?? undefined,
        ctx.principal,
        'oa',
        'temp',
        ctx.now,
      );
      if (!record) throw new WxError(40007, undefined, { textPlain: true });
      if (record.type === 'video') return ok({ video_url: record.url ?? '' });
      const ext = record.format === 'bin' ? 'bin' : record.format;
      return download(record, mimeOf(record.format), ext);
    },
  },
  {
    platform: 'oa',
    api: 'media/get/jssdk',
    method: 'GET',
    auth: true,
    handler(ctx) {
      const record = findMedia(
        ctx.state,
        ctx.query.get('media_id') ?? undefined,
        ctx.principal,
        'oa',
        'temp',
        ctx.now,
        ['voice'],
      );
      if (!record) throw new WxError(40007, undefined, { textPlain: true });
      return download(record, 'voice/speex', 'speex');
    },
  },
];
