/**
 * The `PUBLISHJOBFINISH` event WeChat pushes to an account's callback URL when a freepublish job ends
 * (https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_submit.html), in plaintext
 * mode (`signature` = sha1 of sorted token/timestamp/nonce) or, with an EncodingAESKey, 安全模式
 * (`encrypt_type=aes`, `msg_signature`, WXBizMsgCrypt,
 * https://developer.work.weixin.qq.com/document/path/91144).
 */
import { createHash } from 'node:crypto';
import type { ResolvedOptions } from '../options.js';
import type { PublishJob, SandboxState } from '../state.js';
import { wxEncrypt, wxSignature } from '../wecom-crypto.js';

/** The account's original id (`gh_…`), stable per appId. */
export function originalId(appId: string): string {
  return `gh_${createHash('sha1').update(appId).digest('hex').slice(0, 12)}`;
}

function eventXml(job: PublishJob, appId: string, baseUrl: string, now: number): string {
  const detail =
    job.status === 0 && job.articleId
      ? `<article_id><![CDATA[${job.articleId}]]></article_id><article_detail><count>${job.articles.length}</count>${job.articles
          .map(
            (_, i) =>
              `<item><idx>${i + 1}</idx><article_url><![CDATA[${baseUrl}/s/${job.articleId}?idx=${i + 1}]]></article_url></item>`,
          )
          .join('')}</article_detail>`
      : job.failIdx.map((i) => `<fail_idx>${i}</fail_idx>`).join('');
  return (
    `<xml><ToUserName><![CDATA[${originalId(appId)}]]></ToUserName>` +
    `<FromUserName><![CDATA[oSandbox${appId.slice(-8)}]]></FromUserName>` +
    `<CreateTime>${Math.floor(now / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
    `<Event><![CDATA[PUBLISHJOBFINISH]]></Event><PublishEventInfo><publish_id>${job.publishId}</publish_id>` +
    `<publish_status>${job.status}</publish_status>${detail}</PublishEventInfo></xml>`
  );
}

/** POSTs the event when the job's account has a `callback`; the outcome goes to `state.callbacks`. */
export async function pushPublishEvent(
  state: SandboxState,
  options: ResolvedOptions,
  job: PublishJob,
  baseUrl: string,
): Promise<void> {
  const account = options.accounts.find((a) => a.appId === job.principal);
  const cb = account?.callback;
  if (!cb) return;
  const now = options.clock();
  const timestamp = String(Math.floor(now / 1000));
  const nonce = state.ids.digits(10);
  const xml = eventXml(job, job.principal, baseUrl, now);
  const target = new URL(cb.url);
  target.searchParams.set(
    'signature',
    createHash('sha1').update([cb.token, timestamp, nonce].sort().join('')).digest('hex'),
  );
  target.searchParams.set('timestamp', timestamp);
  target.searchParams.set('nonce', nonce);
  target.searchParams.set('openid', `oSandbox${job.principal.slice(-8)}`);
  let body = xml;
  if (cb.encodingAESKey) {
    const encrypt = wxEncrypt(xml, cb.encodingAESKey, job.principal);
    target.searchParams.set('encrypt_type', 'aes');
    target.searchParams.set('msg_signature', wxSignature(cb.token, timestamp, nonce, encrypt));
    body = `<xml><ToUserName><![CDATA[${originalId(job.principal)}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  }
  try {
    const res = await fetch(target, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
    await res.body?.cancel();
    state.callbacks.push({
      url: cb.url,
      event: 'PUBLISHJOBFINISH',
      id: String(job.publishId),
      status: res.status,
    });
  } catch (error) {
    state.callbacks.push({
      url: cb.url,
      event: 'PUBLISHJOBFINISH',
      id: String(job.publishId),
      status: 0,
      error: (error as Error).message,
    });
  }
}
