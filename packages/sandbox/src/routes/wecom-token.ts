/** WeCom `GET /cgi-bin/gettoken` (https://developer.work.weixin.qq.com/document/path/91039). */
import { ok, type Route } from '../route.js';
import { bump } from '../state.js';
import { issueWecom, tokenBody } from '../tokens.js';
import { WxError } from '../wx-error.js';

export const wecomTokenRoutes: Route[] = [
  {
    platform: 'wecom',
    api: 'gettoken',
    method: 'GET',
    auth: false,
    tokenEndpoint: true,
    handler(ctx) {
      const corpId = ctx.query.get('corpid');
      const secret = ctx.query.get('corpsecret');
      if (!corpId) throw new WxError(41002);
      if (!secret) throw new WxError(41004);
      const apps = ctx.options.wecom.filter((a) => a.corpId === corpId);
      if (apps.length === 0) throw new WxError(40013);
      const app = apps.find((a) => a.corpSecret === secret);
      if (!app) throw new WxError(40001);
      ctx.principal = corpId;
      const record = issueWecom(ctx.state, app.corpId, app.agentId, ctx.now, ctx.options.tokenTtlSeconds);
      bump(ctx.state.counters.tokensIssued, corpId);
      return ok({ errcode: 0, errmsg: 'ok', ...tokenBody(record, ctx.now) });
    },
  },
];
