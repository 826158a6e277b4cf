/** Hosts that serve images already stored on WeChat's servers (article body and material images). */
const WECHAT_IMAGE_HOSTS = new Set(['mmbiz.qpic.cn', 'mmbiz.qlogo.cn', 'mmecoa.qpic.cn']);

/**
 * True when `url` (http, https or protocol-relative `//host/...`) points at WeChat's image CDN
 * (`mmbiz.qpic.cn` and its siblings), so the image can stay as it is: WeChat keeps such URLs in drafts.
 * Never throws; anything that is not a parsable URL answers false.
 */
export function isWechatImageUrl(url: string): boolean {
  const text = url.trim();
  let parsed: URL;
  try {
    parsed = new URL(text.startsWith('//') ? `https:${text}` : text);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return WECHAT_IMAGE_HOSTS.has(parsed.hostname.toLowerCase());
}
