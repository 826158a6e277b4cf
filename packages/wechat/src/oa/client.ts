import type { Readable } from 'node:stream';
import { ApiCaller } from '../core/caller.js';
import { buildJssdkConfig, type JssdkConfig } from '../crypto/jssdk.js';
import { type DownloadedFile, type DownloadTarget, streamTo } from '../core/download.js';
import { WechatError, WechatInputError, WechatTimeoutError } from '../core/errors.js';
import { type CommonClientOptions, setupCore } from '../core/setup.js';
import type { BinaryResponse, ClientStats } from '../core/transport.js';
import { checkMedia } from '../media/limits.js';
import { type MediaInput, mediaForm, prepareMedia } from '../media/input.js';
import { CredentialCache } from '../token/manager.js';
import { credentialScope } from '../token/scope.js';
import {
  classicTokenSource,
  providerSource,
  stableTokenSource,
  type TokenProvider,
} from '../token/sources.js';
import { assertArticles, type DraftArticle, type DraftArticleOut } from './articles.js';
import type {
  DraftItem,
  MaterialCount,
  MaterialItem,
  Page,
  PublishedItem,
  PublishId,
  PublishStatus,
} from './types.js';

/** Options of `createOfficialAccountClient`. */
export interface OfficialAccountOptions extends CommonClientOptions {
  appId: string;
  /** The AppSecret; optional only when `tokenProvider` supplies tokens. Never logged. */
  appSecret?: string;
  /** 'stable' (default): `stable_token` normal mode, safe beside other systems; 'classic': `/cgi-bin/token`. */
  tokenMode?: 'stable' | 'classic';
  /** Take access_tokens from here instead of WeChat (e.g. `remoteTokenProvider(...)`). */
  tokenProvider?: TokenProvider;
}

/**
 * The permanent-material types of add_material
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html).
 */
export type MaterialType = 'image' | 'voice' | 'video' | 'thumb';

/**
 * What `getMaterial` found
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_getmaterial.html): legacy
 * news, a video (JSON with `down_url`), or a media file.
 */
export type MaterialContent =
  | { kind: 'news'; news_item: DraftArticleOut[] }
  | { kind: 'video'; title: string; description: string; down_url: string }
  | ({ kind: 'file'; data?: Buffer } & Partial<DownloadedFile>);

/**
 * What `downloadTempMedia` found
 * (https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_getmedia.html): a file
 * written to the target, or a video's download URL.
 */
export type TempMediaContent = ({ kind: 'file' } & DownloadedFile) | { kind: 'video'; video_url: string };

const OA_BASE = 'https://api.weixin.qq.com';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A publish job ended in a state other than success (publish_status 2–6,
 * https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_get.html). `fail_idx` are
 * 1-based.
 */
export class WechatPublishError extends WechatError {
  readonly status: PublishStatus;
  constructor(status: PublishStatus) {
    const names: Record<number, string> = {
      2: 'original-content check failed',
      3: 'publishing failed',
      4: 'rejected by platform review',
      5: 'all articles deleted by the user',
      6: 'all articles banned by the platform',
    };
    const failed = status.fail_idx?.length ? ` (articles ${status.fail_idx.join(', ')})` : '';
    super(
      'publish-failed',
      `publish ${status.publish_id}: status ${status.publish_status} ${names[status.publish_status] ?? 'unknown'}${failed}. Check the draft in mp.weixin.qq.com.`,
    );
    this.name = 'WechatPublishError';
    this.status = status;
  }
}

/**
 * The Official Account client. Methods map 1:1 to the endpoints of the Official Account server API
 * (https://developers.weixin.qq.com/doc/subscription/api/, each method links its page); each
 * throws `WechatApiError` for WeChat errors, `WechatInputError` for input refused before sending,
 * `WechatNetworkError` after bounded retries.
 */
export class OfficialAccountClient {
  readonly appId: string;
  /** Where access_tokens come from: WeChat's stable_token (default), classic `cgi-bin/token`, or a `tokenProvider`. */
  readonly tokenSource: 'cgi-bin/stable_token' | 'cgi-bin/token' | 'provider';
  readonly #caller: ApiCaller;
  readonly #stats: ClientStats;
  readonly #ticket: CredentialCache;

  constructor(options: OfficialAccountOptions) {
    if (!options.appId)
      throw new WechatInputError('missing-field', 'appId is required (wx… from mp.weixin.qq.com).');
    if (!options.appSecret && !options.tokenProvider) {
      throw new WechatInputError(
        'missing-field',
        'appSecret is required unless a tokenProvider supplies tokens.',
      );
    }
    this.appId = options.appId;
    const core = setupCore(options, 'oa', OA_BASE, [options.appSecret ?? '']);
    const { transport, store, stats, redactor } = core;
    this.#stats = stats;
    const mode = options.tokenMode ?? 'stable';
    const baseUrl = options.baseUrl ?? OA_BASE;
    // The key names where the token came from (secret + host, or the provider's own scope): a changed secret
    // or host must never be answered with a token cached for the old one.
    const scope = options.tokenProvider
      ? `provider:${credentialScope(options.tokenProvider.cacheScope ?? 'custom', baseUrl)}`
      : credentialScope(options.appSecret ?? '', baseUrl);
    this.tokenSource = options.tokenProvider
      ? 'provider'
      : mode === 'classic'
        ? 'cgi-bin/token'
        : 'cgi-bin/stable_token';
    const keyPrefix = `md2wx:token:oa${mode === 'classic' ? '-classic' : ''}:${options.appId}:${scope}`;
    const raw = options.tokenProvider
      ? providerSource(options.tokenProvider)
      : mode === 'classic'
        ? classicTokenSource(transport, options.appId, options.appSecret!)
        : stableTokenSource(transport, options.appId, options.appSecret!, store, keyPrefix);
    const tokens = new CredentialCache({
      store,
      key: keyPrefix,
      marginSeconds: options.tokenMarginSeconds ?? 300,
      onFetch: () => stats.tokenFetches++,
      onValue: (value) => redactor.add(value),
      source: raw,
    });
    this.#caller = new ApiCaller(transport, tokens, stats);
    const provider = options.tokenProvider;
    this.#ticket = new CredentialCache({
      store,
      key: `md2wx:ticket:oa:${options.appId}:${scope}`,
      marginSeconds: options.tokenMarginSeconds ?? 300,
      onValue: (value) => redactor.add(value),
      source: async () => {
        const answer = provider?.jsapiTicket
          ? await provider.jsapiTicket()
          : await this.#caller.json({
              method: 'GET',
              path: '/cgi-bin/ticket/getticket',
              query: { type: 'jsapi' },
            });
        const ticket = answer.ticket;
        if (typeof ticket !== 'string' || ticket === '') {
          throw new WechatError('bad-answer', 'ticket/getticket answered without a ticket.');
        }
        redactor.add(ticket);
        return { value: ticket, expiresIn: Number(answer.expires_in ?? 7200) };
      },
    });
  }

  /** Request and retry counters (see `ClientStats`). */
  stats(): ClientStats {
    return { ...this.#stats };
  }

  /**
   * A valid access_token (`stable_token`, or `token` when configured): cached in the Store, fetched once for
   * concurrent callers and processes.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/base/api_getstableaccesstoken.html
   * @see https://developers.weixin.qq.com/doc/subscription/api/base/api_getaccesstoken.html
   */
  getAccessToken(): Promise<string> {
    return this.#caller.tokens.get();
  }

  /**
   * `GET /cgi-bin/getcallbackip`: the IP addresses WeChat calls back from. The cheapest authenticated call, so
   * it proves the cached access_token is accepted from this machine right now (`md2wx token --check`): a wrong
   * secret, a revoked token or an IP outside the whitelist (40164) throws `WechatApiError`.
   * https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_the_WeChat_server_IP_address.html
   */
  async getCallbackIp(): Promise<string[]> {
    const body = await this.#caller.json({ method: 'GET', path: '/cgi-bin/getcallbackip' });
    return Array.isArray(body.ip_list) ? body.ip_list.map(String) : [];
  }

  /**
   * `media/uploadimg`: a body image (jpg/png under 1 MB, checked by magic bytes before sending) → its
   * permanent `url` for article content. `input`: path (streamed), bytes or Blob.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html
   */
  async uploadImage(input: MediaInput, options: { filename?: string } = {}): Promise<{ url: string }> {
    const media = await prepareMedia(input, options.filename);
    checkMedia(media, 'oa/uploadimg');
    const body = await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/media/uploadimg',
      multipart: mediaForm(media),
    });
    return { url: String(body.url) };
  }

  /**
   * `material/add_material?type=`: permanent material → `{ media_id, url? }` (`url` for images). Video needs
   * `description: { title, introduction }`, sent as the `description` form field. Limits: image 10 MB, voice 2 MB,
   * video 10 MB MP4, thumb 64 KB JPG.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html
   */
  async addMaterial(args: {
    type: MaterialType;
    file?: string;
    data?: Buffer | Uint8Array | Blob;
    filename?: string;
    description?: { title: string; introduction: string };
  }): Promise<{ media_id: string; url?: string }> {
    const input = args.file ?? args.data;
    if (input === undefined)
      throw new WechatInputError('missing-field', 'addMaterial needs `file` (a path) or `data`.');
    if (args.type === 'video' && !args.description?.title) {
      throw new WechatInputError(
        'missing-field',
        'addMaterial video needs description: { title, introduction }, WeChat requires both for a video material.',
        'description',
      );
    }
    const media = await prepareMedia(input, args.filename);
    checkMedia(media, `oa/material/${args.type}`);
    const fields: Record<string, string> = args.description
      ? { description: JSON.stringify(args.description) }
      : {};
    const body = await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/material/add_material',
      query: { type: args.type },
      multipart: mediaForm(media, fields),
    });
    const out: { media_id: string; url?: string } = { media_id: String(body.media_id) };
    if (typeof body.url === 'string' && body.url !== '') out.url = body.url;
    return out;
  }

  /**
   * `material/get_material`: news → `{ kind: 'news' }`, video → `{ kind: 'video', down_url }`, other media →
   * `{ kind: 'file' }` streamed to `to` (path or stream) or, without `to`, returned as `data`.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_getmaterial.html
   */
  async getMaterial(media_id: string, options: { to?: DownloadTarget } = {}): Promise<MaterialContent> {
    const res = await this.#caller.send({
      method: 'POST',
      path: '/cgi-bin/material/get_material',
      json: { media_id },
    });
    if (res.kind === 'json') {
      if (Array.isArray(res.body.news_item))
        return { kind: 'news', news_item: res.body.news_item as DraftArticleOut[] };
      if (typeof res.body.down_url === 'string') {
        return {
          kind: 'video',
          title: String(res.body.title ?? ''),
          description: String(res.body.description ?? ''),
          down_url: res.body.down_url,
        };
      }
      throw new WechatError(
        'bad-answer',
        `get_material answered JSON without news_item or down_url for ${media_id}.`,
      );
    }
    if (options.to !== undefined) return { kind: 'file', ...(await streamTo(res, options.to)) };
    return { kind: 'file', data: await collect(res.stream), contentType: res.headers['content-type'] };
  }

  /**
   * `material/del_material`. Throws `WechatApiError` 40007 for an unknown media_id.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_delmaterial.html
   */
  async deleteMaterial(media_id: string): Promise<void> {
    await this.#caller.json({ method: 'POST', path: '/cgi-bin/material/del_material', json: { media_id } });
  }

  /**
   * One `material/batchget_material` page; `count` 1–20.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_batchgetmaterial.html
   */
  async getMaterialPage(
    type: 'image' | 'video' | 'voice' | 'news',
    offset: number,
    count = 20,
  ): Promise<Page<MaterialItem>> {
    if (!(count >= 1 && count <= 20))
      throw new WechatInputError('bad-argument', `count must be 1..20, got ${count}.`);
    return (await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/material/batchget_material',
      json: { type, offset, count },
    })) as unknown as Page<MaterialItem>;
  }

  /**
   * Every permanent material of `type`, fetched lazily in pages of ≤ 20 (`pageSize`) of
   * `material/batchget_material`.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_batchgetmaterial.html
   */
  async *listMaterials(
    type: 'image' | 'video' | 'voice' | 'news',
    options: { offset?: number; pageSize?: number } = {},
  ): AsyncGenerator<MaterialItem> {
    let offset = options.offset ?? 0;
    for (;;) {
      const page = await this.getMaterialPage(type, offset, options.pageSize ?? 20);
      const items = page.item ?? [];
      yield* items;
      offset += items.length;
      if (items.length === 0 || offset >= page.total_count) return;
    }
  }

  /**
   * `material/get_materialcount`.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_getmaterialcount.html
   */
  async getMaterialCount(): Promise<MaterialCount> {
    const body = await this.#caller.json({ method: 'GET', path: '/cgi-bin/material/get_materialcount' });
    return {
      voice_count: Number(body.voice_count ?? 0),
      video_count: Number(body.video_count ?? 0),
      image_count: Number(body.image_count ?? 0),
      news_count: Number(body.news_count ?? 0),
    };
  }

  /**
   * `media/upload?type=`: temporary media (3 days) → `{ type, media_id, created_at }` (`created_at` in
   * seconds, number). Limits: image 10 MB png/jpg/gif, voice 2 MB amr/mp3, video 10 MB mp4, thumb 64 KB jpg.
   * Not repeated after a drop once sent (each run creates a media_id): `WechatNetworkError` with `ambiguous`.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html
   */
  async uploadTempMedia(
    type: MaterialType,
    input: MediaInput,
    options: { filename?: string } = {},
  ): Promise<{ type: string; media_id: string; created_at: number }> {
    const media = await prepareMedia(input, options.filename);
    checkMedia(media, `oa/temp/${type}`);
    const body = await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/media/upload',
      query: { type },
      multipart: mediaForm(media),
    });
    return {
      type: String(body.type ?? type),
      media_id: String(body.media_id),
      created_at: Number(body.created_at),
    };
  }

  async #download(path: string, media_id: string, to: DownloadTarget): Promise<TempMediaContent> {
    const res = await this.#caller.send({ method: 'GET', path, query: { media_id } });
    if (res.kind === 'json') {
      if (typeof res.body.video_url === 'string') return { kind: 'video', video_url: res.body.video_url };
      throw new WechatError(
        'bad-answer',
        `${path} answered JSON without a file or video_url for ${media_id}.`,
      );
    }
    return { kind: 'file', ...(await streamTo(res as BinaryResponse, to)) };
  }

  /**
   * `media/get`: a temporary media file streamed to `to` (path: written atomically), or for video
   * `{ kind: 'video', video_url }`. A JSON error served instead of the file (even as text/plain) throws
   * `WechatApiError` (40007 for an unknown or expired media_id).
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_getmedia.html
   */
  downloadTempMedia(media_id: string, to: DownloadTarget): Promise<TempMediaContent> {
    return this.#download('/cgi-bin/media/get', media_id, to);
  }

  /**
   * `media/get/jssdk`: the 16 kHz speex HD voice of a JS-SDK `uploadVoice` serverId, streamed to `to`.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_gethdvoice.html
   */
  downloadHdVoice(media_id: string, to: DownloadTarget): Promise<TempMediaContent> {
    return this.#download('/cgi-bin/media/get/jssdk', media_id, to);
  }

  /**
   * `draft/add`: articles checked against its field limits first (`checkArticles`) → the draft's `media_id`.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html
   */
  async addDraft(articles: DraftArticle[]): Promise<{ media_id: string }> {
    assertArticles(articles, 'addDraft');
    const body = await this.#caller.json({ method: 'POST', path: '/cgi-bin/draft/add', json: { articles } });
    return { media_id: String(body.media_id) };
  }

  /**
   * `draft/update`: replace article `index` (0-based) of draft `media_id` with the single `articles` object.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_update.html
   */
  async updateDraft(args: { media_id: string; index: number; articles: DraftArticle }): Promise<void> {
    if (!Number.isInteger(args.index) || args.index < 0) {
      throw new WechatInputError('bad-argument', `updateDraft index is 0-based; got ${args.index}.`, 'index');
    }
    assertArticles([args.articles], 'updateDraft');
    await this.#caller.json({ method: 'POST', path: '/cgi-bin/draft/update', json: args });
  }

  /**
   * `draft/get` → the draft's articles (with their temporary `url`).
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_getdraft.html
   */
  async getDraft(media_id: string): Promise<{ news_item: DraftArticleOut[] }> {
    const body = await this.#caller.json({ method: 'POST', path: '/cgi-bin/draft/get', json: { media_id } });
    return { news_item: (body.news_item ?? []) as DraftArticleOut[] };
  }

  /**
   * `draft/delete` (irreversible).
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_delete.html
   */
  async deleteDraft(media_id: string): Promise<void> {
    await this.#caller.json({ method: 'POST', path: '/cgi-bin/draft/delete', json: { media_id } });
  }

  /**
   * `draft/batchget`: one page, `count` 1–20; `no_content` leaves out the HTML.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_batchget.html
   */
  async listDrafts(
    options: { offset?: number; count?: number; no_content?: boolean } = {},
  ): Promise<Page<DraftItem>> {
    const count = options.count ?? 20;
    if (!(count >= 1 && count <= 20))
      throw new WechatInputError('bad-argument', `count must be 1..20, got ${count}.`);
    return (await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/draft/batchget',
      json: { offset: options.offset ?? 0, count, no_content: options.no_content ? 1 : 0 },
    })) as unknown as Page<DraftItem>;
  }

  /**
   * `draft/count` → the number of drafts.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_count.html
   */
  async countDrafts(): Promise<number> {
    const body = await this.#caller.json({ method: 'GET', path: '/cgi-bin/draft/count' });
    return Number(body.total_count ?? 0);
  }

  /**
   * `freepublish/submit`: start publishing draft `media_id` → `{ publish_id, msg_data_id? }` as WeChat sent
   * them (number or string). Success means the job started, not that it finished: see `waitForPublish`.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_submit.html
   */
  async submitPublish(media_id: string): Promise<{ publish_id: PublishId; msg_data_id?: PublishId }> {
    const body = await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/freepublish/submit',
      json: { media_id },
    });
    const out: { publish_id: PublishId; msg_data_id?: PublishId } = {
      publish_id: body.publish_id as PublishId,
    };
    if (body.msg_data_id !== undefined) out.msg_data_id = body.msg_data_id as PublishId;
    return out;
  }

  /**
   * `freepublish/get`. `publish_id` as number or string.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_get.html
   */
  async getPublishStatus(publish_id: PublishId): Promise<PublishStatus> {
    return (await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/freepublish/get',
      json: { publish_id: String(publish_id) },
    })) as unknown as PublishStatus;
  }

  /**
   * Poll `freepublish/get` until the job leaves status 1 (publishing). Waits `intervalMs` (default 1,000) growing
   * ×1.5 up to 10 s between polls; gives up after `timeoutMs` (default 120,000) with `WechatTimeoutError`.
   * Resolves with the status on success (0); throws `WechatPublishError` on statuses 2–6.
   */
  async waitForPublish(
    publish_id: PublishId,
    options: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<PublishStatus> {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    let interval = options.intervalMs ?? 1000;
    for (;;) {
      const status = await this.getPublishStatus(publish_id);
      if (status.publish_status === 0) return status;
      if (status.publish_status !== 1) throw new WechatPublishError(status);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new WechatTimeoutError(
          `publish ${publish_id} still publishing after ${options.timeoutMs ?? 120_000} ms; check later with getPublishStatus.`,
        );
      }
      await sleep(Math.min(interval, left));
      interval = Math.min(interval * 1.5, 10_000);
    }
  }

  /**
   * `freepublish/batchget`: one page of published articles, `count` 1–20.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_batchget.html
   */
  async listPublished(
    options: { offset?: number; count?: number; no_content?: boolean } = {},
  ): Promise<Page<PublishedItem>> {
    const count = options.count ?? 20;
    if (!(count >= 1 && count <= 20))
      throw new WechatInputError('bad-argument', `count must be 1..20, got ${count}.`);
    return (await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/freepublish/batchget',
      json: { offset: options.offset ?? 0, count, no_content: options.no_content ? 1 : 0 },
    })) as unknown as Page<PublishedItem>;
  }

  /**
   * `freepublish/getarticle` → the published article's items.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublishgetarticle.html
   */
  async getPublishedArticle(article_id: string): Promise<{ news_item: DraftArticleOut[] }> {
    const body = await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/freepublish/getarticle',
      json: { article_id },
    });
    return { news_item: (body.news_item ?? []) as DraftArticleOut[] };
  }

  /**
   * `freepublish/delete`: `index` is **1-based**; omit it (or 0) to delete every article of `article_id`.
   *
   * @see https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublishdelete.html
   */
  async deletePublished(article_id: string, index?: number): Promise<void> {
    if (index !== undefined && (!Number.isInteger(index) || index < 0)) {
      throw new WechatInputError(
        'bad-argument',
        `deletePublished index is 1-based (0 = all); got ${index}.`,
        'index',
      );
    }
    await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/freepublish/delete',
      json: index === undefined ? { article_id } : { article_id, index },
    });
  }

  /**
   * legacy `material/add_news` (retired 2022-02-28). Kept so old callers get WeChat's 45103 with the hint
   * to use drafts (`addDraft` + `submitPublish`); a server that still accepts it answers `{ media_id }`.
   *
   * @see https://developers.weixin.qq.com/community/develop/doc/0002ce71b6c42880bd9d547af51400
   */
  async addNews(articles: DraftArticle[]): Promise<{ media_id: string }> {
    const body = await this.#caller.json({
      method: 'POST',
      path: '/cgi-bin/material/add_news',
      json: { articles },
    });
    return { media_id: String(body.media_id) };
  }

  /**
   * `ticket/getticket?type=jsapi`: the jsapi_ticket, cached in the Store like the access_token.
   *
   * @see https://developers.weixin.qq.com/doc/service/en/api/webdev/jssdk/api_getticket.html
   */
  getJsapiTicket(): Promise<string> {
    return this.#ticket.get();
  }

  /**
   * `wx.config` parameters for page `url` (its `#fragment` is dropped), signed with the cached jsapi_ticket
   * by the crypto module's `buildJssdkConfig`. `timestamp` in seconds. Throws `JssdkSignatureError` for a
   * non-absolute URL.
   *
   * @see https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html
   */
  async jssdkConfig(
    url: string,
    options: { timestamp?: number; nonceStr?: string } = {},
  ): Promise<JssdkConfig> {
    const jsapi_ticket = await this.getJsapiTicket();
    return buildJssdkConfig({ appId: this.appId, jsapi_ticket, url, ...options });
  }
}

/**
 * Create an Official Account client. `appId` + `appSecret` (or `tokenProvider`); `baseUrl` for the
 * sandbox; `store` shared by processes that should share tokens; `tokenMode` 'stable' (default) or 'classic'.
 * Throws `WechatInputError` when appId, or both appSecret and tokenProvider, are missing.
 */
export function createOfficialAccountClient(options: OfficialAccountOptions): OfficialAccountClient {
  return new OfficialAccountClient(options);
}
