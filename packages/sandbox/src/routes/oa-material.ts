/**
 * OA permanent material: add_material, get_material, del_material, batchget_material, get_materialcount
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html and its
 * sibling pages), and the retired add_news / update_news (45103 since 2022-02-28,
 * https://developers.weixin.qq.com/community/develop/doc/0002ce71b6c42880bd9d547af51400).
 */
import { finishDigests, validateArticle } from '../articles.js';
import { mimeOf, OA_PERMANENT } from '../formats.js';
import { findMedia, hostImage, hostVideo, newMediaId, receiveMedia } from '../media-store.js';
import { int, ok, pageArgs, type Route, str } from '../route.js';
import { bump } from '../state.js';
import { WxError } from '../wx-error.js';

const PERMANENT_TYPES = ['image', 'voice', 'video', 'thumb'];
const LIST_TYPES = ['image', 'video', 'voice', 'news'];

/** The video `description` JSON, from the form field or (as wechatpy sends it) the query string. */
function videoDescription(raw: string | undefined): { title: string; introduction: string } {
  if (raw === undefined) throw new WxError(40002, 'invalid args: description of the video missing');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new WxError(47001);
  }
  const d = parsed as { title?: unknown; introduction?: unknown } | null;
  if (!d || typeof d.title !== 'string' || d.title === '') {
    throw new WxError(40002, 'invalid args: description.title missing');
  }
  return { title: d.title, introduction: typeof d.introduction === 'string' ? d.introduction : '' };
}

export const oaMaterialRoutes: Route[] = [
  {
    platform: 'oa',
    api: 'material/add_material',
    method: 'POST',
    auth: true,
    async handler(ctx) {
      const type = ctx.query.get('type') ?? '';
      const rule = OA_PERMANENT[type];
      if (!PERMANENT_TYPES.includes(type) || !rule) {
        ctx.req.resume();
        throw new WxError(40004);
      }
      const { record, fields } = await receiveMedia(ctx, {
        platform: 'oa',
        lifetime: 'permanent',
        type,
        rule,
      });
      const { mediaId, data, format } = record;
      if (type === 'video') {
        const d = videoDescription(fields.description ?? ctx.query.get('description') ?? undefined);
        record.title = d.title;
        record.introduction = d.introduction;
        record.url = hostVideo(ctx.state, ctx.imageHost, ctx.principal, data);
      } else if (type === 'image' || type === 'thumb') {
        record.url = hostImage(ctx.state, ctx.imageHost, ctx.principal, 'oa', format, data);
      }
      ctx.state.media.set(mediaId, record);
      bump(ctx.state.counters.uploads, 'material/add_material');
      // "url: 图片素材URL(仅图片返回)"; the doc's video example answers "url": "".
      return ok({ media_id: mediaId, url: type === 'image' || type === 'thumb' ? (record.url ?? '') : '' });
    },
  },
  {
    platform: 'oa',
    api: 'material/get_material',
    method: 'POST',
    auth: true,
    async handler(ctx) {
      const body = await ctx.json();
      const record = findMedia(ctx.state, str(body, 'media_id'), ctx.principal, 'oa', 'permanent', ctx.now);
      if (!record) throw new WxError(40007);
      if (record.type === 'news') return ok({ news_item: record.newsItems ?? [] });
      if (record.type === 'video') {
        return ok({
          title: record.title ?? '',
          description: record.introduction ?? '',
          down_url: record.url ?? '',
        });
      }
      // "响应的直接为素材的内容": raw bytes, observed as text/plain without a filename
      // (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_getmaterial.html).
      return {
        headers: { 'Content-Type': ctx.options.contentTypeQuirks ? 'text/plain' : mimeOf(record.format) },
        body: record.data,
      };
    },
  },
  {
    platform: 'oa',
    api: 'material/del_material',
    method: 'POST',
    auth: true,
    async handler(ctx) {
      const body = await ctx.json();
      const record = findMedia(ctx.state, str(body, 'media_id'), ctx.principal, 'oa', 'permanent', ctx.now);
      if (!record) throw new WxError(40007);
      ctx.state.media.delete(record.mediaId);
      if (record.url) ctx.state.hosted.delete(new URL(record.url).pathname);
      return ok({ errcode: 0, errmsg: 'ok' });
    },
  },
  {
    platform: 'oa',
    api: 'material/batchget_material',
    method: 'POST',
    auth: true,
    async handler(ctx) {
      const body = await ctx.json();
      const type = str(body, 'type') ?? '';
      if (!LIST_TYPES.includes(type)) throw new WxError(40004);
      const { offset, count } = pageArgs(body);
      const all = [...ctx.state.media.values()]
        .filter(
          (m) =>
            m.principal === ctx.principal &&
            m.lifetime === 'permanent' &&
            m.platform === 'oa' &&
            m.type === type,
        )
        .sort((a, b) => b.updatedAt - a.updatedAt);
      const page = all.slice(offset, offset + count);
      const item = page.map((m) =>
        type === 'news'
          ? {
              media_id: m.mediaId,
              content: {
                news_item: m.newsItems ?? [],
                create_time: Math.floor(m.createdAt / 1000),
                update_time: Math.floor(m.updatedAt / 1000),
              },
              update_time: Math.floor(m.updatedAt / 1000),
            }
          : {
              media_id: m.mediaId,
              name: m.filename,
              update_time: Math.floor(m.updatedAt / 1000),
              url: m.type === 'image' ? (m.url ?? '') : '',
            },
      );
      return ok({ total_count: all.length, item_count: item.length, item });
    },
  },
  {
    platform: 'oa',
    api: 'material/get_materialcount',
    method: 'GET',
    auth: true,
    handler(ctx) {
      const counts = { voice_count: 0, video_count: 0, image_count: 0, news_count: 0 };
      for (const m of ctx.state.media.values()) {
        if (m.principal !== ctx.principal || m.lifetime !== 'permanent' || m.platform !== 'oa') continue;
        if (m.type === 'voice') counts.voice_count++;
        else if (m.type === 'video') counts.video_count++;
        else if (m.type === 'image') counts.image_count++;
        else if (m.type === 'news') counts.news_count++;
      }
      return ok(counts);
    },
  },
  {
    platform: 'oa',
    api: 'material/add_news',
    method: 'POST',
    auth: true,
    async handler(ctx) {
      if (!ctx.options.legacyAddNews) throw new WxError(45103);
      const body = await ctx.json();
      const raw = body.articles;
      if (!Array.isArray(raw) || raw.length === 0) throw new WxError(44003);
      if (raw.length > 8) throw new WxError(45008);
      const items = finishDigests(raw.map((a) => validateArticle(a, ctx))).map((a) => ({ ...a, url: '' }));
      const mediaId = newMediaId(ctx.state, 'oa');
      ctx.state.media.set(mediaId, {
        mediaId,
        principal: ctx.principal,
        platform: 'oa',
        lifetime: 'permanent',
        type: 'news',
        data: Buffer.alloc(0),
        filename: '',
        format: 'bin',
        createdAt: ctx.now,
        updatedAt: ctx.now,
        newsItems: items,
      });
      return ok({ media_id: mediaId });
    },
  },
  {
    platform: 'oa',
    api: 'material/update_news',
    method: 'POST',
    auth: true,
    async handler(ctx) {
      if (!ctx.options.legacyAddNews) throw new WxError(45103);
      const body = await ctx.json();
      const record = findMedia(ctx.state, str(body, 'media_id'), ctx.principal, 'oa', 'permanent', ctx.now, [
        'news',
      ]);
      if (!record) throw new WxError(40007);
      const index = int(body, 'index');
      const items = record.newsItems ?? [];
      if (index === undefined || index < 0 || index >= items.length) throw new WxError(40114);
      const article = finishDigests([validateArticle(body.articles, ctx)])[0];
      items[index] = { ...article, url: '' };
      record.updatedAt = ctx.now;
      return ok({ errcode: 0, errmsg: 'ok' });
    },
  },
];
