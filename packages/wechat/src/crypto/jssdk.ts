import { createHash } from 'node:crypto';
import { JssdkSignatureError } from './errors.js';
import { createNonce, unixSeconds } from './nonce.js';

/**
 * The four fields signed for `wx.config`
 * (https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html), named as the signature string
 * spells them.
 */
export interface JssdkSignatureInput {
  /** The account's `jsapi_ticket` (from `ticket/getticket?type=jsapi`); a credential: never log it. */
  jsapi_ticket: string;
  /** The random string that `wx.config` will also receive as `nonceStr`. */
  noncestr: string;
  /** Unix seconds, the same value `wx.config` will receive as `timestamp`. */
  timestamp: string | number;
  /** The full URL of the page calling `wx.config`; anything from `#` on is dropped before signing. */
  url: string;
}

/** What a page passes to `wx.config` besides `jsApiList`: all four must match the signed values. */
export interface JssdkConfig {
  appId: string;
  /** Unix seconds. */
  timestamp: number;
  nonceStr: string;
  /** 40 lowercase hex characters. */
  signature: string;
}

/**
 * The page URL as the JS-SDK signs it: everything before the first `#` ("不包含#及其后面部分",
 * https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html).
 */
export function stripUrlFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

/**
 * JS-SDK `wx.config` signature (https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html,
 * JS-SDK 附录1): SHA-1 hex of `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` — the four `key=value`
 * pairs sorted by key in ASCII order and joined with `&`, values raw (no URL escaping), the URL without its
 * `#fragment`. Nothing else is normalised: `http://qq.com` and `http://qq.com/` sign differently, so pass
 * exactly the URL the page has (`location.href`). The same algorithm signs WeCom's `wx.agentConfig` with the
 * agent ticket.
 *
 * @returns 40 lowercase hex characters.
 * @throws JssdkSignatureError when a field is empty, `timestamp` is not whole seconds, or `url` is not an
 *   absolute http(s) URL. Messages never include the ticket.
 */
export function jssdkSignature(input: JssdkSignatureInput): string {
  if (typeof input.jsapi_ticket !== 'string' || input.jsapi_ticket === '') {
    throw new JssdkSignatureError(
      'jsapi_ticket',
      'jsapi_ticket is empty: fetch one with ticket/getticket?type=jsapi',
    );
  }
  if (typeof input.noncestr !== 'string' || input.noncestr === '') {
    throw new JssdkSignatureError('noncestr', 'noncestr is empty: use createNonce()');
  }
  const timestamp = String(input.timestamp);
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new JssdkSignatureError('timestamp', `timestamp must be whole Unix seconds, got "${timestamp}"`);
  }
  const url = stripUrlFragment(input.url ?? '');
  if (!/^https?:\/\/[^\s]+$/i.test(url) || !URL.canParse(url)) {
    throw new JssdkSignatureError(
      'url',
      `url must be the absolute http(s) URL of the page calling wx.config, got "${url.slice(0, 200)}"`,
    );
  }
  const fields: Record<string, string> = {
    jsapi_ticket: input.jsapi_ticket,
    noncestr: input.noncestr,
    timestamp,
    url,
  };
  const signed = Object.keys(fields)
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('&');
  return createHash('sha1').update(signed, 'utf8').digest('hex');
}

/**
 * Build the `wx.config` fields for one page
 * (https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html): a fresh `nonceStr` and
 * `timestamp` unless given, and their signature over `jsapi_ticket` and `url` (fragment dropped). The
 * client's `jssdkConfig(url)` supplies `appId` and the cached ticket.
 *
 * @throws JssdkSignatureError as {@link jssdkSignature}, or when `appId` is empty.
 */
export function buildJssdkConfig(input: {
  appId: string;
  jsapi_ticket: string;
  url: string;
  nonceStr?: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
}): JssdkConfig {
  if (!input.appId) throw new JssdkSignatureError('appId', 'appId is empty');
  const nonceStr = input.nonceStr ?? createNonce();
  const timestamp = input.timestamp ?? unixSeconds();
  const signature = jssdkSignature({
    jsapi_ticket: input.jsapi_ticket,
    noncestr: nonceStr,
    timestamp,
    url: input.url,
  });
  return { appId: input.appId, timestamp, nonceStr, signature };
}
