import { createHash } from 'node:crypto';
import { readdir, rename, stat, truncate, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import got from 'got';
import lockfile from 'proper-lockfile';
import { ApiCaller } from '../core/caller.js';
import { type DownloadedFile, dispositionFilename, pipeToFile } from '../core/download.js';
import {
  WechatApiError,
  WechatError,
  WechatHttpError,
  WechatInputError,
  WechatTimeoutError,
} from '../core/errors.js';
import { type CommonClientOptions, setupCore } from '../core/setup.js';
import type { ClientStats } from '../core/transport.js';
import { checkMedia, MB } from '../media/limits.js';
import { digestOf } from '../media/digest.js';
import { type MediaInput, mediaForm, prepareMedia } from '../media/input.js';
import type { Store } from '../store/types.js';
import { CredentialCache } from '../token/manager.js';
import { credentialScope } from '../token/scope.js';
import { wecomTokenSource } from '../token/sources.js';
import { checkMpnews, type MpnewsArticle } from './mpnews.js';
import { QuotaCounter, type QuotaUsage, WECOM_UPLOADIMG_LIMITS } from './quota.js';

/** Options of `createWecomClient`. */
export interface WecomOptions extends CommonClientOptions {
  corpId: string;
  /** The app's Secret. Never logged. */
  corpSecret: string;
  agentId: number;
}

/** WeCom temporary media types (https://developer.work.weixin.qq.com/document/path/96484). */
export type WecomMediaType = 'image' | 'voice' | 'video' | 'file';

/**
 * `get_upload_by_url_result` (https://developer.work.weixin.qq.com/document/path/96219): status 1 processing,
 * 2 done, 3 failed (`detail.errcode` set).
 */
export interface UploadJobResult {
  status: 1 | 2 | 3;
  detail: { errcode: number; errmsg: string; media_id?: string; created_at?: string | number };
}

/**
 * `message/send` answer (https://developer.work.weixin.qq.com/document/path/90236): partial failures are
 * listed, the send still happened.
 */
export interface SendResult {
  msgid?: string;
  invaliduser?: string;
  invalidparty?: string;
  invalidtag?: string;
  unlicenseduser?: string;
  response_code?: string;
}

const WECOM_BASE = 'https://qyapi.weixin.qq.com';
/**
 * Largest Range chunk WeCom serves (https://developer.work.weixin.qq.com/document/path/96486): 20 MB, read as
 * 20,000,000 bytes (see `MB`).
 */
export const WECOM_MAX_CHUNK = 20 * MB;
/** Temporary media live 3 days (https://developer.work.weixin.qq.com/document/path/96484), seconds. */
export const TEMP_MEDIA_LIFETIME_S = 3 * 86_400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Where `download(media_id, to)` keeps the bytes received so far: `<to>.<tag>.part`, where `tag` is 16 hex
 * digits of sha256(endpoint + media_id), renamed to `to` when complete. A later download of the SAME media to
 * the same `to` resumes from it; any other partial file of `to` (another media_id, the other endpoint, or the
 * old `<to>.part` naming) is deleted first, because resuming it would glue two files together.
 * `endpoint`: 'media/get' (default, `download`) or 'media/get/jssdk' (`downloadHdVoice`).
 */
export function downloadPartPath(
  to: string,
  media_id: string,
  endpoint: 'media/get' | 'media/get/jssdk' = 'media/get',
): string {
  const tag = createHash('sha256').update(`${endpoint}\n${media_id}`).digest('hex').slice(0, 16);
  return `${to}.${tag}.part`;
}

/** Partial files of `to` other than `keep`: those of other media_ids and the pre-tag `<to>.part`. */
async function foreignParts(to: string, keep: string): Promise<string[]> {
  const base = basename(to);
  const names = await readdir(dirname(to)).catch(() => [] as string[]);
  return names
    .filter((n) => n.startsWith(base) && /^(\.[0-9a-f]{16})?\.part$/.test(n.slice(base.length)))
    .map((n) => join(dirname(to), n))
    .filter((p) => p !== keep);
}

/**
 * Copy `source` into `target` with backpressure, leaving `target` open for the next chunk (pipeline with
 * `end: false` would leave its listeners on `target` once per chunk).
 */
async function writeInto(source: Readable, target: Writable): Promise<void> {
  for await (const chunk of source) {
    if (!target.write(chunk)) await once(target, 'drain');
  }
}

/** `Content-Range: bytes a-b/total` → total bytes, if known. */
function rangeTotal(header: string | undefined): number | undefined {
  const m = header ? /\/(\d+)\s*$/.exec(header) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * The WeCom (企业微信) client (https://developer.work.weixin.qq.com/document/; each method links its
 * page). Errors as for the Official Account client;
 * uploadimg calls are counted in the Store and refused (`WechatQuotaError`) before WeCom's caps.
 */
export class WecomClient {
  readonly corpId: string;
  readonly agentId: number;
  readonly #caller: ApiCaller;
  readonly #stats: ClientStats;
  readonly #quota: QuotaCounter;
  readonly #retries: number;
  readonly #store: Store;
  readonly #timeoutMs: number;

  constructor(options: WecomOptions) {
    if (!options.corpId || !options.corpSecret) {
      throw new WechatInputError(
        'missing-field',
        'corpId and corpSecret are required (WeCom admin console).',
      );
    }
    this.corpId = options.corpId;
    this.agentId = options.agentId;
    this.#retries = options.retries ?? 4;
    const { transport, store, stats, redactor } = setupCore(options, 'wecom', WECOM_BASE, [
      options.corpSecret,
    ]);
    this.#stats = stats;
    this.#store = store;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    const raw = wecomTokenSource(transport, options.corpId, options.corpSecret);
    const tokens = new CredentialCache({
      store,
      // Secret and host in the key: a changed CorpSecret or base URL never reuses the old token.
      key: `md2wx:token:wecom:${options.corpId}:${options.agentId}:${credentialScope(options.corpSecret, options.baseUrl ?? WECOM_BASE)}`,
      marginSeconds: options.tokenMarginSeconds ?? 300,
      onFetch: () => stats.tokenFetches++,
      onValue: (value) => redactor.add(value),
      source: () => raw(),
    });
    this.#caller = new ApiCaller(transport, tokens, stats);
    this.#quota = new QuotaCounter(
      store,
      `md2wx:quota:wecom-uploadimg:${options.corpId}`,
      WECOM_UPLOADIMG_LIMITS,
      `WeCom media/uploadimg for corp ${options.corpId}`,
    );
  }

  /** Request and retry counters. */
  stats(): ClientStats {
    return { ...this.#stats };
  }

  /**
   * `gettoken`: a valid access_token, cached per corp + app in the Store, fetched once for all callers.
   *
   * @see https://developer.work.weixin.qq.com/document/path/91039
   */
  getAccessToken(): Promise<string> {
    return this.#caller.tokens.get();
  }

  /**
   * `GET /cgi-bin/getcallbackip`: the IPs WeCom calls back from; the cheapest authenticated call, used to prove
   * the token is accepted from here (`md2wx token --check`). Throws `WechatApiError` (40001/40014, 60020 IP).
   * https://developer.work.weixin.qq.com/document/path/92520
   */
  async getCallbackIp(): Promise<string[]> {
    const body = await this.#caller.json({ method: 'GET', path: '/cgi-bin/getcallbackip' });
    return Array.isArray(body.ip_list) ? body.ip_list.map(String) : [];
  }

  /**
   * `media/upload?type=`: temporary media (3 days) → `{ type, media_id, created_at }` (`created_at` as sent,
   * string or number). Checked first: > 5 bytes; image 10 MB jpg/png, voice 2 MB AMR, video 10 MB MP4, file 20 MB.
   * The file is streamed (paths are never read whole) in a part carrying filename, filelength and content-type.
   * Not repeated after a drop once sent (each run creates a media_id): `WechatNetworkError`
   * with `ambiguous`.
   *
   * @see https://developer.work.weixin.qq.com/document/path/96484
   */
  async upload(
    type: WecomMediaType,
    input: MediaInput,
    options: { filename?: string } = {},
  ): Promise<{ type: string; media_id: string; created_at: string | number }> {
    const media = await prepareMedia(input, options.filename);
    checkMedia(media, `wecom/temp/${type}`);
    const body = await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/media/upload',
      query: { type },
      multipart: mediaForm(media),
    });
    return {
      type: String(body.type ?? type),
      media_id: String(body.media_id),
      created_at: body.created_at as string | number,
    };
  }

  /**
   * Like `upload`, but a file already uploaded (same bytes, sha256, same type) is not sent again while its
   * media_id has more than `marginSeconds` (default 3,600) of its 3-day life left (media_ids
   * expire after 3 days, so remember when, and re-upload in time). The media_id is kept in the Store, shared
   * by processes. `fresh: true` forces a new upload (e.g. after WeCom answered 40007 for the old one).
   */
  async uploadReusable(
    type: WecomMediaType,
    input: MediaInput,
    options: { filename?: string; fresh?: boolean; marginSeconds?: number } = {},
  ): Promise<{ media_id: string; created_at: string | number; reused: boolean }> {
    const key = `md2wx:wecom-media:${this.corpId}:${type}:${await digestOf(input, 'sha256')}`;
    if (!options.fresh) {
      const cached = await this.#store.get<{ media_id: string; created_at: string | number }>(key);
      if (cached) return { ...cached, reused: true };
    }
    const up = await this.upload(type, input, options);
    const created = Number(up.created_at) || Math.floor(Date.now() / 1000);
    const life =
      created + TEMP_MEDIA_LIFETIME_S - (options.marginSeconds ?? 3600) - Math.floor(Date.now() / 1000);
    if (life > 0) await this.#store.set(key, { media_id: up.media_id, created_at: up.created_at }, life);
    return { media_id: up.media_id, created_at: up.created_at, reused: false };
  }

  /**
   * `media/uploadimg`: a permanent image URL for mpnews bodies (5 B – 2 MB, jpg/png). Counted per corp per
   * day and month in the Store; throws `WechatQuotaError` without sending when 1,000/day or 3,000/month is used.
   * Retried after a dropped connection (a repeat only yields another URL), counting one more quota use for each
   * attempt that may have reached WeCom.
   *
   * @see https://developer.work.weixin.qq.com/document/path/90256
   */
  async uploadImage(input: MediaInput, options: { filename?: string } = {}): Promise<{ url: string }> {
    const media = await prepareMedia(input, options.filename);
    checkMedia(media, 'wecom/uploadimg');
    const refund = await this.#quota.reserve();
    try {
      const body = await this.#caller.json({
        method: 'POST',
        path: '/cgi-bin/media/uploadimg',
        multipart: mediaForm(media),
        // Repeating after a drop is harmless (another permanent URL) but may use one more of WeCom's quota.
        onAmbiguousRetry: async () => {
          await this.#quota.reserve();
        },
      });
      return { url: String(body.url) };
    } catch (error) {
      // A refused call did not use WeCom's quota; a network failure might have, so it stays counted.
      if (error instanceof WechatApiError && error.errcode !== 45009) await refund();
      throw error;
    }
  }

  /** uploadimg usage so far (day and month windows in China time) and the caps. */
  uploadImageQuota(): Promise<QuotaUsage> {
    return this.#quota.usage();
  }

  /**
   * `media/get` with Range: download `media_id` to `to` in chunks of `chunkBytes` (default and maximum
   * 20 MB), so files over 20 MB (830002 without Range) work. For a path, bytes go to a partial file named after `to` and
   * `media_id` (`downloadPartPath`) first and a later call for the same media_id resumes from its size (`resume`,
   * default true); partial files of other media_ids are deleted; the file is renamed when complete. A chunk cut mid-way is
   * re-requested from where it stopped (bounded by `retries`). Throws `WechatApiError` 40007 for unknown ids.
   *
   * @see https://developer.work.weixin.qq.com/document/path/96486
   */
  async download(
    media_id: string,
    to: string | Writable,
    options: { chunkBytes?: number; resume?: boolean } = {},
  ): Promise<DownloadedFile> {
    return this.#rangeDownload('media/get', media_id, to, options);
  }

  /**
   * `media/get/jssdk`: HD (speex 16 kHz) voice of a JS-SDK upload, downloaded like `download`.
   *
   * @see https://developer.work.weixin.qq.com/document/path/90255
   */
  downloadHdVoice(media_id: string, to: string | Writable): Promise<DownloadedFile> {
    return this.#rangeDownload('media/get/jssdk', media_id, to, {});
  }

  async #rangeDownload(
    endpoint: 'media/get' | 'media/get/jssdk',
    media_id: string,
    to: string | Writable,
    options: { chunkBytes?: number; resume?: boolean },
  ): Promise<DownloadedFile> {
    const chunk = Math.min(options.chunkBytes ?? WECOM_MAX_CHUNK, WECOM_MAX_CHUNK);
    if (!(chunk > 0)) throw new WechatInputError('bad-argument', `chunkBytes must be > 0, got ${chunk}.`);
    if (typeof to !== 'string') return this.#rangeDownloadTo(endpoint, media_id, to, chunk, options);
    // Two downloads into one path (two processes, or two calls) would append to the same partial file and
    // glue the bytes together: the destination is locked across processes (`<to>.lock`, stale after 30 s).
    const release = await lockfile.lock(to, {
      realpath: false,
      stale: 30_000,
      retries: { retries: 1_000, minTimeout: 50, maxTimeout: 1_000 },
    });
    try {
      return await this.#rangeDownloadTo(endpoint, media_id, to, chunk, options);
    } finally {
      await release();
    }
  }

  async #rangeDownloadTo(
    endpoint: 'media/get' | 'media/get/jssdk',
    media_id: string,
    to: string | Writable,
    chunk: number,
    options: { resume?: boolean },
  ): Promise<DownloadedFile> {
    const isPath = typeof to === 'string';
    const path = `/cgi-bin/${endpoint}`;
    const part = isPath ? downloadPartPath(to, media_id, endpoint) : '';
    let offset = 0;
    if (isPath) {
      for (const foreign of await foreignParts(to, part)) await unlink(foreign).catch(() => undefined);
      const existing = await stat(part).catch(() => undefined);
      if (existing && options.resume !== false) offset = existing.size;
      else if (existing) await truncate(part, 0);
    }
    let total: number | undefined;
    let contentType: string | undefined;
    let filename: string | undefined;
    let failures = 0;
    let restarted = false;
    while (total === undefined || offset < total) {
      let res: Awaited<ReturnType<ApiCaller['send']>>;
      try {
        res = await this.#caller.send({
          method: 'GET',
          path,
          query: { media_id },
          headers: { range: `bytes=${offset}-${offset + chunk - 1}` },
        });
      } catch (error) {
        // 416: the partial file is not a prefix of this media (longer than it): start over, once.
        if (error instanceof WechatHttpError && error.status === 416 && offset > 0 && isPath && !restarted) {
          restarted = true;
          offset = 0;
          await truncate(part, 0);
          continue;
        }
        throw error;
      }
      if (res.kind === 'json')
        throw new WechatError('bad-answer', `${path} answered JSON without a file for ${media_id}.`);
      contentType ??= res.headers['content-type'];
      filename ??= dispositionFilename(res.headers['content-disposition']);
      const whole = res.status === 200;
      if (whole && offset > 0) {
        // The server ignored Range: start over with the full body.
        offset = 0;
        if (isPath) await truncate(part, 0);
      }
      let written = 0;
      res.stream.on('data', (c: Buffer) => {
        written += c.length;
      });
      try {
        // pipeToFile settles only once the part file is closed, so its size below is the resume offset.
        if (isPath) await pipeToFile(res.stream, part, 'a');
        else await writeInto(res.stream, to);
      } catch (error) {
        failures++;
        if (failures > this.#retries) throw error;
        offset = isPath ? (await stat(part)).size : offset + written;
        this.#stats.retries++;
        await sleep(Math.min(5000, 100 * 2 ** failures));
        continue;
      }
      offset += written;
      total = whole ? offset : (rangeTotal(res.headers['content-range'] as string | undefined) ?? offset);
      if (!whole && written === 0) break;
    }
    if (isPath) await rename(part, to);
    else to.end();
    const out: DownloadedFile = { bytes: offset, contentType, filename };
    if (isPath) out.path = to;
    return out;
  }

  /**
   * `media/upload_by_url`: WeCom fetches `url` (must support Range; video/file only, up to 200 MB) →
   * `{ jobid }`. Checked first: type video|file, filename ≤ 128 bytes, url ≤ 1,024 bytes http(s), md5 32 hex.
   *
   * @see https://developer.work.weixin.qq.com/document/path/96219
   */
  async uploadByUrl(args: {
    type: 'video' | 'file';
    filename: string;
    url: string;
    md5: string;
    scene?: number;
    checkRange?: boolean;
  }): Promise<{ jobid: string }> {
    const fail = (field: string, message: string): never => {
      throw new WechatInputError('bad-argument', `uploadByUrl: ${message}`, field);
    };
    if ((args.type as string) !== 'video' && (args.type as string) !== 'file') {
      fail(
        'type',
        `type must be video or file (async upload does not take ${String(args.type)}); use upload() for images and voice.`,
      );
    }
    if (!args.filename || Buffer.byteLength(args.filename) > 128)
      fail('filename', 'filename must be 1–128 bytes.');
    if (!/^https?:\/\//i.test(args.url) || Buffer.byteLength(args.url) > 1024) {
      fail('url', 'url must be an http(s) URL of at most 1,024 bytes that supports Range requests.');
    }
    if (!/^[0-9a-fA-F]{32}$/.test(args.md5)) {
      fail('md5', 'md5 must be the 32-hex-digit MD5 of the file at url.');
    }
    if (args.checkRange !== false) await this.#probeRange(args.url);
    const body = await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/media/upload_by_url',
      json: {
        scene: args.scene ?? 1,
        type: args.type,
        filename: args.filename,
        url: args.url,
        md5: args.md5,
      },
    });
    return { jobid: String(body.jobid) };
  }

  /**
   * WeCom fetches the URL with Range (https://developer.work.weixin.qq.com/document/path/96219, 830001
   * otherwise): ask for one byte and expect 206.
   */
  async #probeRange(url: string): Promise<void> {
    let status: number;
    try {
      const res = await got(url, {
        headers: { range: 'bytes=0-0' },
        throwHttpErrors: false,
        retry: { limit: 1 },
        timeout: { request: this.#timeoutMs },
        responseType: 'buffer',
      });
      status = res.statusCode;
    } catch (error) {
      throw new WechatInputError(
        'bad-argument',
        `uploadByUrl: ${url} is unreachable (${(error as Error).message}). WeCom must be able to download it.`,
        'url',
      );
    }
    if (status !== 206) {
      throw new WechatInputError(
        'bad-argument',
        `uploadByUrl: ${url} answered HTTP ${status} to a Range request; WeCom needs Range support (206) or fails with 830001. Serve it from a CDN/object store with Range, or pass checkRange: false.`,
        'url',
      );
    }
  }

  /**
   * `media/get_upload_by_url_result` for `jobid`.
   *
   * @see https://developer.work.weixin.qq.com/document/path/96219
   */
  async getUploadByUrlResult(jobid: string): Promise<UploadJobResult> {
    const body = await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/media/get_upload_by_url_result',
      json: { jobid },
    });
    return {
      status: Number(body.status) as 1 | 2 | 3,
      detail: (body.detail ?? { errcode: 0, errmsg: '' }) as UploadJobResult['detail'],
    };
  }

  /**
   * Poll `get_upload_by_url_result` until the job leaves status 1. Resolves `{ media_id, created_at }` on
   * status 2 — an async media_id, valid 3 days and only for `media/get` (Range chunks ≤ 20 MB, use
   * `download`) and group welcome messages, not everywhere a `upload` media_id works
   * (https://developer.work.weixin.qq.com/document/path/96219); throws `WechatApiError` carrying
   * `detail.errcode` (830001 bad URL, 830003 download failed, 45001 size, 301019 MD5 mismatch) on status 3,
   * `WechatTimeoutError` after `timeoutMs` (default 600,000). Polls every `intervalMs` (default 2,000)
   * growing ×1.5 up to 15 s.
   */
  async waitForUploadJob(
    jobid: string,
    options: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<{ media_id: string; created_at: string | number | undefined }> {
    const timeoutMs = options.timeoutMs ?? 600_000;
    const deadline = Date.now() + timeoutMs;
    let interval = options.intervalMs ?? 2000;
    for (;;) {
      const result = await this.getUploadByUrlResult(jobid);
      if (result.status === 2)
        return { media_id: String(result.detail.media_id), created_at: result.detail.created_at };
      if (result.status === 3) {
        throw new WechatApiError({
          errcode: result.detail.errcode,
          errmsg: result.detail.errmsg,
          endpoint: 'cgi-bin/media/get_upload_by_url_result',
          platform: 'wecom',
        });
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new WechatTimeoutError(`upload job ${jobid} still processing after ${timeoutMs} ms.`);
      await sleep(Math.min(interval, left));
      interval = Math.min(interval * 1.5, 15_000);
    }
  }

  /**
   * `message/send` with `msgtype: mpnews` from this app (`agentid`). Recipients: `touser` ids joined by `|`
   * (or `@all`), `toparty`, `totag`. Articles checked first (1–8, byte limits). Partial failures come back in
   * `invaliduser` etc.; all-invalid recipients throw `WechatApiError` 81013. A dropped connection after the
   * request was sent is not retried (the message may have gone out: `WechatNetworkError` with `ambiguous`)
   * unless `enable_duplicate_check: 1`, which makes WeCom drop the repeat, so it is retried like a read.
   *
   * @see https://developer.work.weixin.qq.com/document/path/90236
   */
  async sendMpnews(args: {
    touser?: string;
    toparty?: string;
    totag?: string;
    articles: MpnewsArticle[];
    safe?: 0 | 1 | 2;
    enable_duplicate_check?: 0 | 1;
    duplicate_check_interval?: number;
  }): Promise<SendResult> {
    if (!args.touser && !args.toparty && !args.totag) {
      throw new WechatInputError(
        'missing-field',
        'sendMpnews needs touser, toparty or totag (use "@all" for everyone).',
      );
    }
    checkMpnews(args.articles);
    const { articles, ...rest } = args;
    const body = await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/message/send',
      // With WeCom's duplicate check on, a repeated send within the interval is dropped by WeCom: safe to retry.
      retry: args.enable_duplicate_check === 1 ? 'repeatable' : 'create',
      json: { ...rest, msgtype: 'mpnews', agentid: this.agentId, mpnews: { articles } },
    });
    const out: SendResult = {};
    for (const k of [
      'msgid',
      'invaliduser',
      'invalidparty',
      'invalidtag',
      'unlicenseduser',
      'response_code',
    ] as const) {
      if (typeof body[k] === 'string' && body[k] !== '') out[k] = body[k] as string;
    }
    return out;
  }
}

/**
 * Create a WeCom client: `corpId`, `corpSecret`, `agentId`; `baseUrl` for the sandbox
 * (`sandbox.wecomUrl`). Throws `WechatInputError` when corpId or corpSecret is missing.
 */
export function createWecomClient(options: WecomOptions): WecomClient {
  return new WecomClient(options);
}
