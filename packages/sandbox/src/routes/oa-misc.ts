/**
 * OA odds and ends: `ticket/getticket`
 * (https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html) and the quota tools
 * `openapi/quota/get`, `clear_quota`
 * (https://developers.weixin.qq.com/doc/service/Message_Management/API_Call_Limits.html).
 */
import { ok, type Route, str } from '../route.js';
import { quotaDay } from '../tokens.js';
import { WxError } from '../wx-error.js';

/** Daily limits the sandbox enforces, by API name (for openapi/quota/get). */
export const DAILY_LIMITS: Record<string, number> = {
  token: 2000,
  stable_token: 500_000,
  'media/uploadimg': 1000,
  'media/upload': 100_000,
  'media/get': 200_000,
  'draft/add': 1000,
  'draft/update': 1000,
  'draft/get': 500,
  'draft/delete': 1000,
  'draft/batchget': 1000,
  'draft/count': 1000,
  'freepublish/submit': 100,
  'freepublish/get': 100,
  'freepublish/batchget': 100,
  'freepublish/getarticle': 100,
  'freepublish/delete': 10,
  'ticket/getticket': 2000,
};

const CLEARS_PER_MONTH = 10;

export const oaMiscRoutes: Route[] = [
  {
    platform: 'oa',
    // https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_the_WeChat_server_IP_address.html
    api: 'getcallbackip',
    method: 'GET',
    auth: true,
    handler: () => ok({ ip_list: ['101.226.103.0/25', '101.226.62.0/26'] }),
  },
  {
    platform: 'oa',
    api: 'ticket/getticket',
    method: 'GET',
    auth: true,
    dailyQuota: 2000,
    handler(ctx) {
      const type = ctx.query.get('type') ?? '';
      if (type !== 'jsapi' && type !== 'wx_card') throw new WxError(40002, 'invalid args: type');
      const key = `${ctx.principal}|${type}`;
      let ticket = ctx.state.tickets.get(key);
      if (!ticket || ctx.now >= ticket.expiresAt) {
        ticket = { ticket: ctx.state.ids.b64url(86), expiresAt: ctx.now + 7200_000 };
        ctx.state.tickets.set(key, ticket);
      }
      return ok({
        errcode: 0,
        errmsg: 'ok',
        ticket: ticket.ticket,
        expires_in: Math.floor((ticket.expiresAt - ctx.now) / 1000),
      });
    },
  },
  {
    platform: 'oa',
    api: 'openapi/quota/get',
    method: 'POST',
    auth: true,
    async handler(ctx) {
      const body = await ctx.json();
      const path = str(body, 'cgi_path') ?? '';
      const api = path.replace(/^\/cgi-bin\//, '');
      const limit = ctx.options.quotas[api] ?? DAILY_LIMITS[api];
      if (limit === undefined) throw new WxError(76021, 'cgi_path not found, please check');
      const used = ctx.state.quotaUse.get(`${ctx.principal}|${api}|${quotaDay(ctx.now)}`) ?? 0;
      return ok({
        errcode: 0,
        errmsg: 'ok',
        quota: { daily_limit: limit, used, remain: Math.max(0, limit - used) },
      });
    },
  },
  {
    platform: 'oa',
    api: 'clear_quota',
    method: 'POST',
    auth: true,
    async handler(ctx) {
      const body = await ctx.json();
      if (str(body, 'appid') !== ctx.principal) throw new WxError(40013);
      const monthKey = `${ctx.principal}|clear_quota|${quotaDay(ctx.now).slice(0, 7)}`;
      const used = ctx.state.quotaUse.get(monthKey) ?? 0;
      if (used >= CLEARS_PER_MONTH)
        throw new WxError(48006, 'forbid to clear quota because of reaching the limit');
      const today = quotaDay(ctx.now);
      for (const key of [...ctx.state.quotaUse.keys()]) {
        const [principal, api, period] = key.split('|');
        if (principal === ctx.principal && api !== 'clear_quota' && period === today)
          ctx.state.quotaUse.delete(key);
      }
      ctx.state.quotaUse.set(monthKey, used + 1);
      return ok({ errcode: 0, errmsg: 'ok' });
    },
  },
];
