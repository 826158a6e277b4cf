/**
 * WeCom endpoints below `${wecomUrl}/cgi-bin/`: media/upload
 * (https://developer.work.weixin.qq.com/document/path/96484), media/uploadimg (…/90256), media/get with Range
 * (…/96486), media/get/jssdk (…/90255), media/upload_by_url + get_upload_by_url_result with the encrypted
 * upload_media_job_finish callback (…/96219), message/send (…/90236).
 */
import { createHash } from 'node:crypto';
import { checkUpload, mimeOf, WECOM_TEMPORARY, WECOM_UPLOADIMG } from '../formats.js';
import { findMedia, hostImage, receiveMedia } from '../media-store.js';
import { int, ok, type Reply, type Route, type RouteContext, str } from '../route.js';
import { bump, type MediaRecord, type MediaType, type UploadByUrlJob } from '../state.js';
import { wxEncrypt, wxSignature } from '../wecom-crypto.js';
import { WxError } from '../wx-error.js';
import { download } from './oa-media.js';

const MB = 1_000_000;
/**
 * Above this a download needs Range, and no range may be larger (830002,
 * https://developer.work.weixin.qq.com/document/path/96486).
 */
export const WECOM_RANGE_LIMIT = 20 * MB;
const URL_UPLOAD_MAX = 200 * MB;

function ranged(ctx: RouteContext, record: MediaRecord, ext: string): Reply {
  const full = download(record, mimeOf(record.format), ext);
  if (!('body' in full)) return full;
  const size = record.data.length;
  const header = ctx.req.headers.range;
  if (!header) {
    if (size > WECOM_RANGE_LIMIT) throw new WxError(830002);
    return { ...full, headers: { ...full.headers, 'Accept-Ranges': 'bytes' } };
  }
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  let start = m?.[1] ? Number(m[1]) : Number.NaN;
  let end = m?.[2] ? Number(m[2]) : size - 1;
  if (m && !m[1] && m[2]) {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  }
  if (!m || Number.isNaN(start) || start >= size || end < start) {
    return {
      status: 416,
      headers: { 'Content-Range': `bytes */${size}`, 'Content-Type': 'text/plain' },
      body: Buffer.alloc(0),
    };
  }
  end = Math.min(end, size - 1);
  if (end - start + 1 > WECOM_RANGE_LIMIT) throw new WxError(830002);
  return {
    status: 206,
    headers: { ...full.headers, 'Accept-Ranges': 'bytes', 'Content-Range': `bytes ${start}-${end}/${size}` },
    body: record.data.subarray(start, end + 1),
  };
}

function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Downloads `url` in ≤ 20 MB Range chunks, as WeCom requires the source to support Range. */
async function fetchByRange(url: string): Promise<{ data: Buffer } | { errcode: number; errmsg: string }> {
  const chunks: Buffer[] = [];
  let offset = 0;
  let total = Number.POSITIVE_INFINITY;
  while (offset < total) {
    let res: Response;
    try {
      res = await fetch(url, { headers: { Range: `bytes=${offset}-${offset + WECOM_RANGE_LIMIT - 1}` } });
    } catch {
      return { errcode: 830003, errmsg: 'url下载数据失败' };
    }
    if (res.status === 200 && offset === 0) {
      await res.body?.cancel();
      return { errcode: 830001, errmsg: 'url非法: the server does not support Range' };
    }
    if (res.status !== 206) {
      await res.body?.cancel();
      return { errcode: 830003, errmsg: `url下载数据失败: HTTP ${res.status}` };
    }
    const range = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
    if (!range) {
      await res.body?.cancel();
      return { errcode: 830001, errmsg: 'url非法: no Content-Range' };
    }
    total = Number(range[1]);
    if (total > URL_UPLOAD_MAX) {
      await res.body?.cancel();
      return { errcode: 45001, errmsg: '文件大小超过限制' };
    }
    const chunk = Buffer.from(await res.arrayBuffer());
    if (chunk.length === 0) return { errcode: 830003, errmsg: 'url下载数据失败: empty range' };
    chunks.push(chunk);
    offset += chunk.length;
  }
  return { data: Buffer.concat(chunks) };
}

function jobFinishXml(corpId: string, jobid: string, now: number): string {
  return (
    `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
    `<CreateTime>${Math.floor(now / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
    `<Event><![CDATA[upload_media_job_finish]]></Event><JobId><![CDATA[${jobid}]]></JobId></xml>`
  );
}

/**
 * POSTs the encrypted upload_media_job_finish event to the app's callback URL
 * (https://developer.work.weixin.qq.com/document/path/96219).
 */
async function pushJobFinish(ctx: RouteContext, job: UploadByUrlJob): Promise<void> {
  const app = ctx.options.wecom.find((a) => a.corpId === job.corpId && a.agentId === ctx.token?.agentId);
  const cb = app?.callback;
  if (!cb) return;
  const now = ctx.options.clock();
  const encrypt = wxEncrypt(jobFinishXml(job.corpId, job.jobid, now), cb.encodingAESKey, job.corpId);
  const timestamp = String(Math.floor(now / 1000));
  const nonce = ctx.state.ids.digits(10);
  const target = new URL(cb.url);
  target.searchParams.set('msg_signature', wxSignature(cb.token, timestamp, nonce, encrypt));
  target.searchParams.set('timestamp', timestamp);
  target.searchParams.set('nonce', nonce);
  const body =
    `<xml><ToUserName><![CDATA[${job.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt>` +
    `<AgentID><![CDATA[${app.agentId}]]></AgentID></xml>`;
  try {
    const res = await fetch(target, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
    await res.body?.cancel();
    ctx.state.callbacks.push({
      url: cb.url,
      event: 'upload_media_job_finish',
      id: job.jobid,
      status: res.status,
    });
  } catch (error) {
    ctx.state.callbacks.push({
      url: cb.url,
      event: 'upload_media_job_finish',
      id: job.jobid,
      status: 0,
      error: (error as Error).message,
    });
  }
}

async function runUploadJob(
  ctx: RouteContext,
  job: UploadByUrlJob,
  spec: { url: string; md5: string; type: string; filename: string },
): Promise<void> {
  const started = ctx.options.clock();
  let result: { data: Buffer } | { errcode: number; errmsg: string };
  const url = new URL(spec.url);
  if (!isLoopback(url) || !['http:', 'https:'].includes(url.protocol)) {
    result = { errcode: 830001, errmsg: 'url非法: the sandbox downloads from loopback addresses only' };
  } else {
    result = await fetchByRange(spec.url);
  }
  if ('data' in result) {
    const data = result.data;
    if (data.length <= 5) result = { errcode: 45001, errmsg: '文件大小超过限制: 5字节~200M' };
    else if (createHash('md5').update(data).digest('hex') !== spec.md5.toLowerCase()) {
      result = { errcode: 301019, errmsg: '文件MD5不匹配' };
    } else {
      const mediaId = `3*1*${ctx.state.ids.b64url(43)}`;
      const now = ctx.options.clock();
      ctx.state.media.set(mediaId, {
        mediaId,
        principal: job.corpId,
        platform: 'wecom',
        lifetime: 'temp',
        type: spec.type as MediaType,
        data,
        filename: spec.filename,
        format: spec.type === 'video' ? 'mp4' : 'bin',
        createdAt: now,
        updatedAt: now,
        viaUrl: true,
      });
      job.mediaId = mediaId;
      job.createdAtSeconds = Math.floor(now / 1000);
      bump(ctx.state.counters.uploads, 'wecom/media/upload_by_url');
    }
  }
  if (!('data' in result)) {
    job.detailErrcode = result.errcode;
    job.detailErrmsg = result.errmsg;
  }
  job.doneAt = ctx.options.clock();
  const wait = Math.max(0, started + ctx.options.uploadByUrlDelayMs - job.doneAt);
  const timer = setTimeout(() => {
    ctx.state.timers.delete(timer);
    void pushJobFinish(ctx, job);
  }, wait);
  timer.unref();
  ctx.state.timers.add(timer);
}

function truncateBytes(text: string, max: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= max) return text;
  return buf
    .subarray(0, max)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

function checkMpnews(ctx: RouteContext, mpnews: unknown): Record<string, unknown> {
  const articles = (mpnews as { articles?: unknown } | null)?.articles;
  if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8) {
    throw new WxError(40058, 'invalid parameter: mpnews.articles must hold 1 to 8 articles');
  }
  const out = articles.map((raw) => {
    const a = (raw ?? {}) as Record<string, unknown>;
    const title = str(a, 'title');
    if (!title) throw new WxError(40058, 'invalid parameter: mpnews title missing');
    const thumb = str(a, 'thumb_media_id');
    if (!thumb) throw new WxError(41006);
    const thumbRecord = findMedia(ctx.state, thumb, ctx.principal, 'wecom', 'temp', ctx.now);
    if (!thumbRecord) throw new WxError(40007);
    // an upload_by_url media_id serves only media/get and group welcome messages
    // (https://developer.work.weixin.qq.com/document/path/96219).
    if (thumbRecord.viaUrl) {
      throw new WxError(
        40007,
        'invalid media_id: an async upload_by_url media_id (3*1*…) is valid only for media/get and group welcome messages, not as mpnews thumb_media_id; upload the cover with media/upload',
      );
    }
    const content = str(a, 'content');
    if (!content) throw new WxError(40058, 'invalid parameter: mpnews content missing');
    if (Buffer.byteLength(content) > 666 * 1024) throw new WxError(45002);
    const author = str(a, 'author') ?? '';
    if (Buffer.byteLength(author) > 64)
      throw new WxError(40058, 'invalid parameter: author longer than 64 bytes');
    return {
      ...a,
      // "不超过128个字节，超过会自动截断" / digest "不超过512个字节，超过会自动截断"
      // (https://developer.work.weixin.qq.com/document/path/90236).
      title: truncateBytes(title, 128),
      digest: truncateBytes(str(a, 'digest') ?? '', 512),
    };
  });
  return { articles: out };
}

export const wecomRoutes: Route[] = [
  {
    platform: 'wecom',
    // https://developer.work.weixin.qq.com/document/path/92520
    api: 'getcallbackip',
    method: 'GET',
    auth: true,
    handler: () => ok({ errcode: 0, errmsg: 'ok', ip_list: ['182.254.11.176', '182.254.78.66'] }),
  },
  {
    platform: 'wecom',
    // Path inferred from wechatpy's fixture name (tests/fixtures/work/get_jsapi_ticket.json); UNCONFIRMED
    // beyond that.
    api: 'get_jsapi_ticket',
    method: 'GET',
    auth: true,
    handler(ctx) {
      const key = `${ctx.principal}:${ctx.token?.agentId ?? 0}|wecom-jsapi`;
      let ticket = ctx.state.tickets.get(key);
      if (!ticket || ctx.now >= ticket.expiresAt) {
        ticket = { ticket: ctx.state.ids.b64url(86), expiresAt: ctx.now + 7200_000 };
        ctx.state.tickets.set(key, ticket);
      }
      const expiresIn = Math.floor((ticket.expiresAt - ctx.now) / 1000);
      return ok({ errcode: 0, errmsg: 'ok', ticket: ticket.ticket, expires_in: expiresIn });
    },
  },
  {
    platform: 'wecom',
    api: 'media/upload',
    method: 'POST',
    auth: true,
    async handler(ctx) {
      const type = ctx.query.get('type') ?? '';
      const rule = WECOM_TEMPORARY[type];
      if (!rule) {
        ctx.req.resume();
        throw new WxError(40005);
      }
      const { record } = await receiveMedia(ctx, { platform: 'wecom', lifetime: 'temp', type, rule });
      const { mediaId } = record;
      ctx.state.media.set(mediaId, record);
      bump(ctx.state.counters.uploads, 'wecom/media/upload');
      return ok({ errcode: 0, errmsg: '', type, media_id: mediaId, created_at: Math.floor(ctx.now / 1000) });
    },
  },
  {
    platform: 'wecom',
    api: 'media/uploadimg',
    method: 'POST',
    auth: true,
    async handler(ctx) {
      const form = await ctx.multipart();
      const { file, format } = await checkUpload(
        form.files.find((f) => f.field === 'media'),
        WECOM_UPLOADIMG,
        'wecom',
        { requireFilelength: ctx.options.requireFilelength },
      );
      // "每个企业每月最多可上传3000张图片，每天最多可上传1000张图片" (https://developer.work.weixin.qq.com/document/path/90256);
      // errcode UNCONFIRMED → 45009.
      ctx.consumeQuota('wecom/media/uploadimg', 1000, 3000);
      const url = hostImage(ctx.state, ctx.imageHost, ctx.principal, 'wecom', format, file.data);
      bump(ctx.state.counters.uploads, 'wecom/media/uploadimg');
      return ok({ errcode: 0, errmsg: '', url });
    },
  },
  {
    platform: 'wecom',
    api: 'media/get',
    method: 'GET',
    auth: true,
    handler(ctx) {
      const mediaId = ctx.query.get('media_id');
      if (!mediaId) throw new WxError(41006);
      const record = findMedia(ctx.state, mediaId, ctx.principal, 'wecom', 'temp', ctx.now);
      if (!record) throw new WxError(40007);
      const ext = record.format === 'bin' ? (record.filename.split('.').pop() ?? 'bin') : record.format;
      return ranged(ctx, record, ext);
    },
  },
  {
    platform: 'wecom',
    api: 'media/get/jssdk',
    method: 'GET',
    auth: true,
    handler(ctx) {
      const mediaId = ctx.query.get('media_id');
      if (!mediaId) throw new WxError(41006);
      const record = findMedia(ctx.state, mediaId, ctx.principal, 'wecom', 'temp', ctx.now, ['voice']);
      if (!record) throw new WxError(40007);
      return download(record, 'voice/speex', 'speex');
    },
  },
  {
    platform: 'wecom',
    api: 'media/upload_by_url',
    method: 'POST',
    auth: true,
    async handler(ctx) {
      const body = await ctx.json();
      const scene = int(body, 'scene');
      const type = str(body, 'type') ?? '';
      const filename = str(body, 'filename') ?? '';
      const url = str(body, 'url') ?? '';
      const md5 = str(body, 'md5') ?? '';
      if (scene !== 1) throw new WxError(40058, 'invalid parameter: scene must be 1');
      if (type !== 'video' && type !== 'file') throw new WxError(40005);
      if (!filename || Buffer.byteLength(filename) > 128)
        throw new WxError(40058, 'invalid parameter: filename');
      if (!md5 || md5.length > 32) throw new WxError(40058, 'invalid parameter: md5');
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new WxError(40058, 'invalid parameter: url');
      }
      if (Buffer.byteLength(url) > 1024) throw new WxError(40058, 'invalid parameter: url');
      const jobid = `jobid_${ctx.state.ids.b64url(43)}`;
      const job: UploadByUrlJob = {
        jobid,
        corpId: ctx.principal,
        createdAt: ctx.now,
        detailErrcode: 0,
        detailErrmsg: 'ok',
      };
      ctx.state.uploadJobs.set(jobid, job);
      void runUploadJob(ctx, job, { url: parsed.toString(), md5, type, filename });
      return ok({ errcode: 0, errmsg: 'ok', jobid });
    },
  },
  {
    platform: 'wecom',
    api: 'media/get_upload_by_url_result',
    method: 'POST',
    auth: true,
    async handler(ctx) {
      const body = await ctx.json();
      const job = ctx.state.uploadJobs.get(str(body, 'jobid') ?? '');
      // jobid "60分钟内有效".
      if (!job || job.corpId !== ctx.principal || ctx.now >= job.createdAt + 3600_000) {
        throw new WxError(40058, 'invalid parameter: jobid');
      }
      const done = job.doneAt !== undefined && ctx.now >= job.createdAt + ctx.options.uploadByUrlDelayMs;
      if (!done) return ok({ errcode: 0, errmsg: 'ok', status: 1, detail: { errcode: 0, errmsg: 'ok' } });
      if (job.mediaId) {
        return ok({
          errcode: 0,
          errmsg: 'ok',
          status: 2,
          detail: {
            errcode: 0,
            errmsg: 'ok',
            media_id: job.mediaId,
            created_at: String(job.createdAtSeconds ?? 0),
          },
        });
      }
      return ok({
        errcode: 0,
        errmsg: 'ok',
        status: 3,
        detail: { errcode: job.detailErrcode, errmsg: job.detailErrmsg },
      });
    },
  },
  {
    platform: 'wecom',
    api: 'message/send',
    method: 'POST',
    auth: true,
    async handler(ctx) {
      const body = await ctx.json();
      const agentId = int(body, 'agentid');
      if (agentId === undefined || agentId !== ctx.token?.agentId) throw new WxError(40056);
      const msgtype = str(body, 'msgtype');
      const stored: Record<string, unknown> = { ...body };
      if (msgtype === 'mpnews') {
        stored.mpnews = checkMpnews(ctx, body.mpnews);
      } else if (msgtype === 'text') {
        const content = str((body.text ?? {}) as Record<string, unknown>, 'content');
        if (!content) throw new WxError(44004, 'empty content');
        if (Buffer.byteLength(content) > 2048) throw new WxError(45002);
      } else {
        throw new WxError(40008);
      }
      const app = ctx.options.wecom.find((a) => a.corpId === ctx.principal && a.agentId === agentId);
      const members = app?.users ?? ['zhangsan', 'lisi'];
      const users = (str(body, 'touser') ?? '').split('|').filter(Boolean);
      const parties = (str(body, 'toparty') ?? '').split('|').filter(Boolean);
      const tags = (str(body, 'totag') ?? '').split('|').filter(Boolean);
      const all = users.includes('@all');
      const invalidUsers = all
        ? []
        : users.filter((u) => !members.some((m) => m.toLowerCase() === u.toLowerCase()));
      // The sandbox models no departments or tags: every toparty/totag id is invalid.
      const reached = all || invalidUsers.length < users.length;
      if (!reached) throw new WxError(81013);
      const msgid = ctx.state.ids.b64url(40);
      ctx.state.messages.push({ msgid, corpId: ctx.principal, agentId, body: stored, time: ctx.now });
      return ok({
        errcode: 0,
        errmsg: 'ok',
        invaliduser: invalidUsers.map((u) => u.toLowerCase()).join('|'),
        invalidparty: parties.join('|'),
        invalidtag: tags.join('|'),
        unlicenseduser: '',
        msgid,
        response_code: ctx.state.ids.b64url(40),
      });
    },
  },
];
