/**
 * OA draft box: `draft/add|update|get|delete|batchget|count`
 * (https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html and its
 * sibling pages).
 */
import { articleOut, finishDigests, validateArticle, validateArticles } from '../articles.js';
import { newMediaId } from '../media-store.js';
import { int, ok, pageArgs, type Route, type RouteContext, str } from '../route.js';
import type { DraftRecord } from '../state.js';
import { WxError } from '../wx-error.js';

function findDraft(ctx: RouteContext, mediaId: string | undefined): DraftRecord {
  const draft = mediaId ? ctx.state.drafts.get(mediaId) : undefined;
  if (!draft || draft.principal !== ctx.principal) throw new WxError(40007);
  return draft;
}

/** news_item[] of a draft as draft/get and draft/batchget answer it. */
function newsItems(ctx: RouteContext, draft: DraftRecord, noContent = false): Record<string, unknown>[] {
  return draft.articles.map((a, i) =>
    articleOut(a, `${ctx.baseUrl}/s/${draft.mediaId}?idx=${i + 1}`, noContent),
  );
}

export const oaDraftRoutes: Route[] = [
  {
    platform: 'oa',
    api: 'draft/add',
    method: 'POST',
    auth: true,
    dailyQuota: 1000,
    async handler(ctx) {
      const body = await ctx.json();
      const articles = validateArticles(body.articles, ctx);
      const mediaId = newMediaId(ctx.state, 'oa');
      ctx.state.drafts.set(mediaId, {
        mediaId,
        principal: ctx.principal,
        articles,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      });
      return ok({ media_id: mediaId });
    },
  },
  {
    platform: 'oa',
    api: 'draft/update',
    method: 'POST',
    auth: true,
    dailyQuota: 1000,
    async handler(ctx) {
      const body = await ctx.json();
      const draft = findDraft(ctx, str(body, 'media_id'));
      const index = int(body, 'index');
      if (index === undefined || index < 0 || index >= draft.articles.length) throw new WxError(40114);
      // `articles` is ONE object here
      // (https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_update.html); an
      // array is a format error.
      const article = validateArticle(body.articles, ctx);
      const next = [...draft.articles];
      next[index] = article;
      finishDigests(next);
      draft.articles = next;
      draft.updatedAt = ctx.now;
      return ok({ errcode: 0, errmsg: 'ok' });
    },
  },
  {
    platform: 'oa',
    api: 'draft/get',
    method: 'POST',
    auth: true,
    dailyQuota: 500,
    async handler(ctx) {
      const body = await ctx.json();
      const draft = findDraft(ctx, str(body, 'media_id'));
      return ok({ news_item: newsItems(ctx, draft) });
    },
  },
  {
    platform: 'oa',
    api: 'draft/delete',
    method: 'POST',
    auth: true,
    dailyQuota: 1000,
    async handler(ctx) {
      const body = await ctx.json();
      const draft = findDraft(ctx, str(body, 'media_id'));
      ctx.state.drafts.delete(draft.mediaId);
      return ok({ errcode: 0, errmsg: 'ok' });
    },
  },
  {
    platform: 'oa',
    api: 'draft/batchget',
    method: 'POST',
    auth: true,
    dailyQuota: 1000,
    async handler(ctx) {
      const body = await ctx.json();
      const { offset, count, noContent } = pageArgs(body);
      const all = [...ctx.state.drafts.values()]
        .filter((d) => d.principal === ctx.principal)
        .sort((a, b) => b.updatedAt - a.updatedAt);
      const item = all.slice(offset, offset + count).map((d) => ({
        media_id: d.mediaId,
        content: {
          news_item: newsItems(ctx, d, noContent),
          create_time: Math.floor(d.createdAt / 1000),
          update_time: Math.floor(d.updatedAt / 1000),
        },
        update_time: Math.floor(d.updatedAt / 1000),
      }));
      return ok({ total_count: all.length, item_count: item.length, item });
    },
  },
  {
    platform: 'oa',
    api: 'draft/count',
    method: 'GET',
    auth: true,
    dailyQuota: 1000,
    handler(ctx) {
      let total = 0;
      for (const d of ctx.state.drafts.values()) if (d.principal === ctx.principal) total++;
      return ok({ total_count: total });
    },
  },
];
