/**
 * Everything the sandbox remembers between requests. `reset()` forgets it all (options are kept by
 * the server, not here).
 */
import type { MediaFormat } from './formats.js';
import { SeededRandom } from './random.js';
import type { SandboxLogEntry } from './types.js';

export type Platform = 'oa' | 'wecom';

export interface TokenRecord {
  token: string;
  /** appId (OA) or corpId (WeCom). */
  principal: string;
  kind: 'classic' | 'stable' | 'wecom';
  /** WeCom: the app (each app has its own secret and token). */
  agentId?: number;
  issuedAt: number;
  /** Epoch ms after which the token answers 42001. */
  expiresAt: number;
  /** Epoch ms after which the token answers 40001 (superseded by a newer one, or revoked). */
  invalidAfter?: number;
}

export type MediaType = 'image' | 'voice' | 'video' | 'thumb' | 'file' | 'news';

export interface MediaRecord {
  mediaId: string;
  principal: string;
  platform: Platform;
  /** temp = media/upload (3 days); permanent = material/add_material or add_news. */
  lifetime: 'temp' | 'permanent';
  type: MediaType;
  data: Buffer;
  filename: string;
  format: MediaFormat;
  createdAt: number;
  updatedAt: number;
  /** Image host URL for images; down_url for videos. */
  url?: string;
  title?: string;
  introduction?: string;
  /** Legacy news material (add_news in legacy mode). */
  newsItems?: Record<string, unknown>[];
  /** Uploaded through WeCom upload_by_url (20 MB Range rule applies strictly). */
  viaUrl?: boolean;
}

/** A file served back from the image host, keyed by path (no query). */
export interface HostedFile {
  data: Buffer;
  mime: string;
  principal: string;
}

/** A stored draft article after validation and content filtering. */
export type StoredArticle = Record<string, unknown> & { title: string; content: string };

export interface DraftRecord {
  mediaId: string;
  principal: string;
  articles: StoredArticle[];
  createdAt: number;
  updatedAt: number;
}

export interface PublishJob {
  publishId: number;
  msgDataId: number;
  principal: string;
  draftMediaId: string;
  articles: StoredArticle[];
  submittedAt: number;
  /**
   * 1 publishing, 0 success, 2/3/4 failures
   * (https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_get.html).
   */
  status: number;
  failIdx: number[];
  /** Status the job ends in (0 unless a `publishFailure` fault was set at submit time). */
  plannedStatus?: number;
  articleId?: string;
}

export interface PublishedArticle {
  articleId: string;
  principal: string;
  articles: StoredArticle[];
  /** Per article (0-based), deleted through freepublish/delete. */
  deleted: boolean[];
  updateTime: number;
}

export interface UploadByUrlJob {
  jobid: string;
  corpId: string;
  createdAt: number;
  /** When the download finished (or failed), epoch ms; undefined while downloading. */
  doneAt?: number;
  detailErrcode: number;
  detailErrmsg: string;
  mediaId?: string;
  createdAtSeconds?: number;
}

export interface CallbackDelivery {
  url: string;
  event: 'upload_media_job_finish' | 'PUBLISHJOBFINISH';
  /** jobid or publish_id. */
  id: string;
  status: number;
  error?: string;
}

export interface SentMessage {
  msgid: string;
  corpId: string;
  agentId: number;
  body: Record<string, unknown>;
  time: number;
}

export class SandboxState {
  readonly tokens = new Map<string, TokenRecord>();
  /** Current token per `${kind}:${principal}`. */
  readonly currentToken = new Map<string, string>();
  /** Force-refresh times of stable_token per appId (epoch ms), for the 30 s spacing and 20/day. */
  readonly forceRefreshes = new Map<string, number[]>();
  readonly tickets = new Map<string, { ticket: string; expiresAt: number }>();
  readonly media = new Map<string, MediaRecord>();
  readonly hosted = new Map<string, HostedFile>();
  readonly drafts = new Map<string, DraftRecord>();
  readonly publishJobs = new Map<number, PublishJob>();
  readonly published = new Map<string, PublishedArticle>();
  readonly uploadJobs = new Map<string, UploadByUrlJob>();
  readonly messages: SentMessage[] = [];
  /** Callback deliveries: target, event, job id, HTTP status (0 = failed). */
  readonly callbacks: CallbackDelivery[] = [];
  /** Pending timers (callback pushes), cleared by reset/close. */
  readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Quota counters: `${principal}|${api}|${period}` → calls. */
  readonly quotaUse = new Map<string, number>();
  readonly log: SandboxLogEntry[] = [];
  readonly counters = {
    tokensIssued: {} as Record<string, number>,
    tokenRequests: {} as Record<string, number>,
    uploads: {} as Record<string, number>,
    requests: {} as Record<string, number>,
    publishJobs: 0,
    revocations: 0,
    faultsInjected: {} as Record<string, number>,
  };
  ids: SeededRandom;
  faultRandom: SeededRandom;
  nextPublishId = 2247483650;
  /** How many times `reset()` ran: each reset starts a new id stream. */
  private resets = 0;

  constructor(private readonly seed: number) {
    this.ids = new SeededRandom(seed);
    this.faultRandom = new SeededRandom(seed ^ 0x5eed_f417);
  }

  reset(): void {
    for (const map of [
      this.tokens,
      this.currentToken,
      this.forceRefreshes,
      this.tickets,
      this.media,
      this.hosted,
      this.drafts,
      this.publishJobs,
      this.published,
      this.uploadJobs,
      this.quotaUse,
    ]) {
      map.clear();
    }
    this.messages.length = 0;
    this.callbacks.length = 0;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.log.length = 0;
    this.counters.tokensIssued = {};
    this.counters.tokenRequests = {};
    this.counters.uploads = {};
    this.counters.requests = {};
    this.counters.publishJobs = 0;
    this.counters.revocations = 0;
    this.counters.faultsInjected = {};
    // WeChat never hands out a token or media_id twice: after a reset the ids come from a new stream
    // (deterministic per seed and reset count), or a client still holding an old token would be given the
    // very token it was just told is invalid.
    this.resets++;
    this.ids = new SeededRandom((this.seed + Math.imul(this.resets, 0x9e37_79b1)) >>> 0);
    this.faultRandom = new SeededRandom(this.seed ^ 0x5eed_f417);
    this.nextPublishId = 2247483650;
  }
}

/** Adds 1 to `record[key]`. */
export function bump(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}
