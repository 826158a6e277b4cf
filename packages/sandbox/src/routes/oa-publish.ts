/**
 * OA publishing: `freepublish/submit|get|batchget|getarticle|delete`
 * (https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_submit.html). A submitted job
 * reports status 1 ("发布中") for `publishDelayMs`, then its outcome: 0 (the draft leaves the draft box and
 * becomes a published article) or the configured failure.
 */
import { articleOut } from '../articles.js';
import type { ResolvedOptions } from '../options.js';
import { pushPublishEvent } from './publish-events.js';
import { int, ok, pageArgs, type Route, type RouteContext, str } from '../route.js';
import type { PublishedArticle, SandboxState } from '../state.js';
import { WxError } from '../wx-error.js';

/** Completes every job whose delay has passed at `now`. Called before each request and by stats(). */
export function settlePublishJobs(
  state: SandboxState,
  options: ResolvedOptions,
  now: number,
  baseUrl: string,
): void {
  for (const job of state.publishJobs.values()) {
    if (job.status !== 1 || now < job.submittedAt + options.publishDelayMs) continue;
    const planned = job.plannedStatus ?? 0;
    job.status = planned;
    if (planned !== 0) {
      void pushPublishEvent(state, options, job, baseUrl);
      continue;
    }
    const articleId = state.ids.b64url(43);
    job.articleId = articleId;
    state.published.set(articleId, {
      articleId,
      principal: job.principal,
      articles: job.articles,
      deleted: job.articles.map(() => false),
      updateTime: now,
    });
    state.drafts.delete(job.draftMediaId);
    void pushPublishEvent(state, options, job, baseUrl);
  }
}

function requireVerified(ctx: RouteContext): void {
  const account = ctx.options.accounts.find((a) => a.appId === ctx.principal);
  if (account?.verified === false) throw new WxError(48001);
}

function findPublished(ctx: RouteContext, articleId: string | undefined): PublishedArticle {
  const article = articleId ? ctx.state.published.get(articleId) : undefined;
  if (!article || article.principal !== ctx.principal) throw new WxError(53600);
  return article;
}

function publishedItems(
  ctx: RouteContext,
  p: PublishedArticle,
  noContent = false,
): Record<string, unknown>[] {
  return p.articles.map((a, i) => ({
    ...articleOut(a, `${ctx.baseUrl}/s/${p.articleId}?idx=${i + 1}`, noContent),
    is_deleted: p.deleted[i] ?? false,
  }));
}

export const oaPublishRoutes: Route[] = [
  {
    platform: 'oa',
    api: 'freepublish/submit',
    method: 'POST',
    auth: true,
    dailyQuota: 100,
    async handler(ctx) {
      requireVerified(ctx);
      const body = await ctx.json();
      const mediaId = str(body, 'media_id');
      const draft = mediaId ? ctx.state.drafts.get(mediaId) : undefined;
      if (!draft || draft.principal !== ctx.principal) throw new WxError(40007);
      const publishId = ctx.state.nextPublishId++;
      const msgDataId = publishId + 1;
      ctx.state.nextPublishId++;
      const failure = ctx.options.faults.publishFailure;
      ctx.state.publishJobs.set(publishId, {
        publishId,
        msgDataId,
        principal: ctx.principal,
        draftMediaId: draft.mediaId,
        articles: draft.articles.map((a) => ({ ...a })),
        submittedAt: ctx.now,
        status: 1,
        failIdx: failure
          ? (failure.failIdx ?? (failure.status === 3 ? [] : draft.articles.map((_, i) => i + 1)))
          : [],
        ...(failure ? { plannedStatus: failure.status } : {}),
      });
      ctx.state.counters.publishJobs++;
      settlePublishJobs(ctx.state, ctx.options, ctx.now, ctx.baseUrl);
      // Settle on time even if nobody polls, so the PUBLISHJOBFINISH push is not late (real clocks).
      const { state, options, baseUrl } = ctx;
      const timer = setTimeout(() => {
        state.timers.delete(timer);
        settlePublishJobs(state, options, options.clock(), baseUrl);
      }, options.publishDelayMs + 1);
      timer.unref();
      state.timers.add(timer);
      // publish_id/msg_data_id as JSON numbers, as WeChat sends them in practice
      // (https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_submit.html).
      return ok({ errcode: 0, errmsg: 'ok', publish_id: publishId, msg_data_id: msgDataId });
    },
  },
  {
    platform: 'oa',
    api: 'freepublish/get',
    method: 'POST',
    auth: true,
    dailyQuota: 100,
    async handler(ctx) {
      requireVerified(ctx);
      const body = await ctx.json();
      const publishId = int(body, 'publish_id');
      const job = publishId === undefined ? undefined : ctx.state.publishJobs.get(publishId);
      if (!job || job.principal !== ctx.principal) throw new WxError(40002, 'invalid args');
      if (job.status === 0 && job.articleId) {
        return ok({
          publish_id: job.publishId,
          publish_status: 0,
          article_id: job.articleId,
          article_detail: {
            count: job.articles.length,
            item: job.articles.map((_, i) => ({
              idx: i + 1,
              article_url: `${ctx.baseUrl}/s/${job.articleId}?idx=${i + 1}`,
            })),
          },
          fail_idx: [],
        });
      }
      return ok({
        publish_id: job.publishId,
        publish_status: job.status,
        fail_idx: job.status === 1 ? [] : job.failIdx,
      });
    },
  },
  {
    platform: 'oa',
    api: 'freepublish/batchget',
    method: 'POST',
    auth: true,
    dailyQuota: 100,
    async handler(ctx) {
      requireVerified(ctx);
      const body = await ctx.json();
      const { offset, count, noContent } = pageArgs(body);
      const all = [...ctx.state.published.values()]
        .filter((p) => p.principal === ctx.principal)
        .sort((a, b) => b.updateTime - a.updateTime);
      const item = all.slice(offset, offset + count).map((p) => ({
        article_id: p.articleId,
        content: { news_item: publishedItems(ctx, p, noContent) },
        update_time: Math.floor(p.updateTime / 1000),
      }));
      return ok({ total_count: all.length, item_count: item.length, item });
    },
  },
  {
    platform: 'oa',
    api: 'freepublish/getarticle',
    method: 'POST',
    auth: true,
    dailyQuota: 100,
    async handler(ctx) {
      requireVerified(ctx);
      const body = await ctx.json();
      const p = findPublished(ctx, str(body, 'article_id'));
      return ok({ news_item: publishedItems(ctx, p) });
    },
  },
  {
    platform: 'oa',
    api: 'freepublish/delete',
    method: 'POST',
    auth: true,
    dailyQuota: 10,
    async handler(ctx) {
      requireVerified(ctx);
      const body = await ctx.json();
      const p = findPublished(ctx, str(body, 'article_id'));
      const index = int(body, 'index') ?? 0;
      // 1-based; 0 or absent deletes the whole publication
      // (https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublishdelete.html).
      if (index === 0) {
        ctx.state.published.delete(p.articleId);
      } else {
        if (index < 0 || index > p.articles.length) throw new WxError(40114);
        p.deleted[index - 1] = true;
      }
      return ok({ errcode: 0, errmsg: 'ok' });
    },
  },
];
