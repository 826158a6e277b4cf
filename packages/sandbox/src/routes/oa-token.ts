/**
 * OA token endpoints: `GET /cgi-bin/token`
 * (https://developers.weixin.qq.com/doc/subscription/api/base/api_getaccesstoken.html) and
 * `POST /cgi-bin/stable_token`
 * (https://developers.weixin.qq.com/doc/subscription/api/base/api_getstableaccesstoken.html).
 */
import { ok, type Route, type RouteContext, str } from '../route.js';
import { bump } from '../state.js';
import { issueClassic, issueStable, tokenBody } from '../tokens.js';
import type { SandboxAccount } from '../types.js';
import { WxError } from '../wx-error.js';

/** Checks grant_type/appid/secret in WeChat's order: 40002, 41002, 41004, 40013, 40125. */
function checkCredentials(
  ctx: RouteContext,
  grantType: string | undefined,
  appId: string | undefined,
  secret: string | undefined,
): SandboxAccount {
  if (grantType !== 'client_credential') throw new WxError(40002, 'invalid grant_type');
  if (!appId) throw new WxError(41002);
  if (!secret) throw new WxError(41004);
  const account = ctx.options.accounts.find((a) => a.appId === appId);
  if (!account) throw new WxError(40013);
  if (account.appSecret !== secret) throw new WxError(40125);
  return account;
}

export const oaTokenRoutes: Route[] = [
  {
    platform: 'oa',
    api: 'token',
    method: 'GET',
    auth: false,
    tokenEndpoint: true,
    handler(ctx) {
      const q = ctx.query;
      const account = checkCredentials(
        ctx,
        q.get('grant_type') ?? undefined,
        q.get('appid') ?? undefined,
        q.get('secret') ?? undefined,
      );
      ctx.principal = account.appId;
      ctx.consumeQuota('token', 2000);
      const record = issueClassic(ctx.state, account.appId, ctx.now, ctx.options.tokenTtlSeconds);
      bump(ctx.state.counters.tokensIssued, account.appId);
      return ok(tokenBody(record, ctx.now));
    },
  },
  {
    platform: 'oa',
    api: 'stable_token',
    method: 'POST',
    auth: false,
    tokenEndpoint: true,
    async handler(ctx) {
      const body = await ctx.json();
      const account = checkCredentials(ctx, str(body, 'grant_type'), str(body, 'appid'), str(body, 'secret'));
      ctx.principal = account.appId;
      ctx.consumeQuota('stable_token', 500_000);
      const force = body.force_refresh === true || body.force_refresh === 'true';
      const record = issueStable(ctx.state, account.appId, ctx.now, ctx.options.tokenTtlSeconds, force);
      bump(ctx.state.counters.tokensIssued, account.appId);
      return ok(tokenBody(record, ctx.now));
    },
  },
];
