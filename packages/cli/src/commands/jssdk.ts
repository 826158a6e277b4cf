/**
 * `md2wx jssdk sign <url>`: the `wx.config` object for a page
 * (https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html), signed with the account's
 * jsapi_ticket from the store's cache (fetched once, shared like the access_token).
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { Session } from '../session.js';

/**
 * Prints `wx.config({ … })` (or with `--json` the object). `--timestamp` / `--nonce` pin the signed values
 * (to compare with a page's own signature).
 * @throws JssdkSignatureError (exit 1) for a non-absolute URL; WechatApiError from getticket (exit 3).
 */
export async function runJssdkSign(
  session: Session,
  url: string,
  options: { timestamp?: number; nonce?: string; api?: string[] },
): Promise<ExitCodeValue> {
  const { reporter } = session;
  const client = await session.officialAccount();
  const config = await client.jssdkConfig(url, {
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
    ...(options.nonce ? { nonceStr: options.nonce } : {}),
  });
  const jsApiList = options.api?.length
    ? options.api
    : ['updateAppMessageShareData', 'updateTimelineShareData'];
  const full = { debug: false, ...config, jsApiList };
  reporter.emitJson(full);
  reporter.result(`wx.config(${JSON.stringify(full, null, 2)});`);
  reporter.info(
    `signed for ${url.split('#')[0]} (the #fragment is not signed); the page URL must match exactly`,
  );
  return ExitCode.ok;
}
