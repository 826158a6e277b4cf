/**
 * The shapes this CLI uses from the other md2wx packages, as fixed by the lead's cross-package contracts.
 *
 * The CLI loads those packages lazily (start-up time) through `modules.ts`, which casts each module to the
 * interfaces below. Declaring only what the CLI calls keeps it working while the packages grow, and keeps
 * `md2wx --help` from pulling sharp, unified or the HTTP client into memory.
 */
import type { Store } from './store-types.js';

/** Contract 3: the Official Account client of `@md2wx/wechat`. */
export interface OfficialAccountClient {
  readonly appId?: string;
  getAccessToken(): Promise<string>;
  uploadImage(input: string | Uint8Array | Blob, options?: { filename?: string }): Promise<{ url: string }>;
  addMaterial(input: {
    type: 'image' | 'voice' | 'video' | 'thumb';
    file?: string;
    data?: Uint8Array;
    filename?: string;
    description?: { title: string; introduction: string };
  }): Promise<{ media_id: string; url?: string }>;
  addDraft(articles: DraftArticle[]): Promise<{ media_id: string }>;
  updateDraft(input: { media_id: string; index: number; articles: DraftArticle }): Promise<unknown>;
  getDraft(media_id: string): Promise<{ news_item: Array<DraftArticle & { url?: string }> }>;
  deleteDraft(media_id: string): Promise<unknown>;
  listDrafts(options?: { offset?: number; count?: number; no_content?: boolean }): Promise<{
    total_count: number;
    item_count?: number;
    item?: Array<{
      media_id: string;
      update_time?: number;
      content?: { news_item?: Array<{ title?: string }> };
    }>;
  }>;
  countDrafts(): Promise<number>;
  submitPublish(media_id: string): Promise<{ publish_id: string | number }>;
  getPublishStatus(publish_id: string | number): Promise<PublishStatus>;
  /** Resolves on status 0; throws WechatPublishError on 2–6, WechatTimeoutError after `timeoutMs`. */
  waitForPublish(
    publish_id: string | number,
    options?: { timeoutMs?: number; intervalMs?: number },
  ): Promise<PublishStatus>;
  /** §2.7 one page of `material/batchget_material`. */
  getMaterialPage(
    type: 'image' | 'video' | 'voice' | 'news',
    offset: number,
    count?: number,
  ): Promise<{
    total_count: number;
    item_count?: number;
    item?: Array<{ media_id: string; name?: string; url?: string; update_time?: number }>;
  }>;
  getMaterialCount(): Promise<Record<string, number>>;
  /** §2.5: `{ kind: 'file', data? }`, `{ kind: 'news', news_item }` or `{ kind: 'video', down_url }`. */
  getMaterial(
    media_id: string,
    options?: { to?: string },
  ): Promise<{ kind: string; data?: Uint8Array; [key: string]: unknown }>;
  deleteMaterial(media_id: string): Promise<void>;
  uploadTempMedia(
    type: 'image' | 'voice' | 'video' | 'thumb',
    input: string | Uint8Array | Blob,
    options?: { filename?: string },
  ): Promise<{ type: string; media_id: string; created_at: number }>;
  /** §2.10: writes the file to `to`, or answers `{ kind: 'video', video_url }`. */
  downloadTempMedia(media_id: string, to: string): Promise<{ kind: string; [key: string]: unknown }>;
}

/** One article of draft/add and draft/update (wechat-api.md §2.13). */
export interface DraftArticle {
  article_type?: 'news';
  title: string;
  author?: string;
  digest?: string;
  content: string;
  content_source_url?: string;
  thumb_media_id: string;
  need_open_comment?: 0 | 1;
  only_fans_can_comment?: 0 | 1;
  pic_crop_235_1?: string;
  pic_crop_1_1?: string;
}

/** freepublish/get answer (wechat-api.md §2.14). */
export interface PublishStatus {
  publish_id?: string | number;
  publish_status: number;
  article_id?: string;
  article_detail?: { count: number; item: Array<{ idx: number; article_url: string }> };
  fail_idx?: number[];
}

/** Contract 3: the WeCom client. */
export interface WecomClient {
  readonly agentId?: number;
  getAccessToken(): Promise<string>;
  /** §3.3 media/uploadimg: permanent image URL for mpnews bodies (jpg/png, ≤ 2 MB). */
  uploadImage(input: string | Uint8Array | Blob, options?: { filename?: string }): Promise<{ url: string }>;
  /** §3.2 media/upload: temporary media. */
  upload(
    type: 'image' | 'voice' | 'video' | 'file',
    input: string | Uint8Array | Blob,
    options?: { filename?: string },
  ): Promise<{ type: string; media_id: string; created_at: string | number }>;
  /** §3.4 media/get. */
  download(media_id: string, to: string): Promise<unknown>;
  /** §3.10 message/send, msgtype mpnews. */
  sendMpnews(args: {
    touser?: string;
    toparty?: string;
    totag?: string;
    articles: Array<Record<string, unknown>>;
    safe?: 0 | 1 | 2;
  }): Promise<{ msgid?: string; invaliduser?: string; invalidparty?: string; invalidtag?: string }>;
}

export interface WechatModule {
  createOfficialAccountClient(options: {
    appId: string;
    appSecret?: string;
    baseUrl?: string;
    store?: Store;
    tokenMode?: 'stable' | 'classic';
    tokenProvider?: unknown;
    timeoutMs?: number;
    retries?: number;
  }): OfficialAccountClient;
  createWecomClient(options: {
    corpId: string;
    corpSecret: string;
    agentId: number;
    baseUrl?: string;
    store?: Store;
  }): WecomClient;
  memoryStore(): Store;
  fileStore(options?: { path?: string }): Store;
  remoteTokenProvider?(options: { url: string; secret: string; account: string }): unknown;
  /** §2.13 field checks as the client applies them before draft/add; throws WechatInputError. */
  checkArticles?(articles: readonly DraftArticle[], where?: string): void;
}

/** Contract 2. */
export interface SandboxHandle {
  url: string;
  wecomUrl: string;
  imageHost: string;
  stats(): { uploads: Record<string, number>; drafts: number; [key: string]: unknown };
  close(): Promise<void>;
}

export interface SandboxModule {
  startSandbox(options?: { port?: number; host?: string; publishDelayMs?: number }): Promise<SandboxHandle>;
  DEFAULT_ACCOUNT: { appId: string; appSecret: string };
  DEFAULT_WECOM_APP: { corpId: string; corpSecret: string; agentId: number };
}

/** Contract 5. */
export interface ResolvedImage {
  src: string;
  kind: 'file' | 'http' | 'data' | 'wechat';
  data?: Buffer;
  path?: string;
  sha256?: string;
}

export interface ProcessedImage {
  data: Buffer;
  info: {
    format: 'jpeg' | 'png' | 'gif';
    width: number;
    height: number;
    bytes: number;
    sourceSha256: string;
    outputSha256: string;
    quality?: number;
    animated: boolean;
    frames: number;
  };
  warnings: string[];
}

export interface ImagesModule {
  resolveImage(
    src: string,
    options: {
      baseDir: string;
      rootDir?: string;
      allowOutsideRoot?: boolean;
      cacheDir?: string;
      timeoutMs?: number;
      maxBytes?: number;
    },
  ): Promise<ResolvedImage>;
  processImage(
    input: Buffer,
    options: {
      target: 'body' | 'animated' | 'cover' | 'thumb';
      maxWidth?: number;
      maxBytes?: number;
      source?: string;
    },
  ): Promise<ProcessedImage>;
  probeImage(
    data: Buffer,
  ): Promise<{ format: string; width: number; height: number; animated: boolean; frames: number }>;
  isWechatImageUrl(url: string): boolean;
}

/** `@md2wx/render`: the renderer and the WeChat linter. Answers are normalised in `render-adapter.ts`. */
export interface RenderModule {
  render(markdown: string, options?: Record<string, unknown>): unknown;
  lint(html: string, options?: Record<string, unknown>): unknown;
  previewPage(html: string, meta?: Record<string, unknown>): unknown;
}

/** `@md2wx/remark-wechat-images` (read from its src/types.ts; the plugin resolves, compresses and uploads). */
export interface ImageCacheEntry {
  url: string;
  media_id?: string;
  bytes: number;
  width: number;
  height: number;
  uploadedAt: string;
}

export interface ImageCache {
  get(key: string): Promise<ImageCacheEntry | undefined>;
  set(key: string, entry: ImageCacheEntry): Promise<void>;
  lock?(key: string): Promise<(() => Promise<void>) | undefined>;
  flush?(): Promise<void>;
}

export interface ImageUploader {
  readonly account: string;
  uploadBodyImage(data: Buffer, info: Record<string, unknown>): Promise<{ url: string }>;
  uploadAnimatedImage(
    data: Buffer,
    info: Record<string, unknown>,
  ): Promise<{ url: string; media_id: string }>;
}

export interface ImageProgressEvent {
  stage: 'resolved' | 'processed' | 'uploaded' | 'cached' | 'skipped' | 'written' | 'failed';
  src: string;
  file?: string;
  url?: string;
  bytesIn?: number;
  bytesOut?: number;
  reason?: string;
  totals: {
    images: number;
    resolved: number;
    processed: number;
    uploaded: number;
    cached: number;
    skipped: number;
    failed: number;
    bytesSaved: number;
  };
}

export interface RemarkWechatImagesOptions {
  uploader?: ImageUploader;
  cache?: ImageCache;
  concurrency?: number;
  baseDir?: string;
  rootDir?: string;
  allowOutsideRoot?: boolean;
  downloadCacheDir?: string;
  timeoutMs?: number;
  continueOnError?: boolean;
  onProgress?: (event: ImageProgressEvent) => void;
  outDir?: string;
  publicPath?: string;
}

/** `RemarkWechatImagesError`: the file failed; nothing was uploaded (stage 'prepare'). */
export interface ImageProblemLike {
  src: string;
  line?: number;
  column?: number;
  reason: string;
  code?: string;
}

export interface RemarkWechatImagesModule {
  remarkWechatImages?: unknown;
  default?: unknown;
  wechatUploader(client: unknown, options?: { account?: string }): ImageUploader;
  memoryCache?(): ImageCache;
  stateFileCache?(options: { path: string }): ImageCache;
  storeCache?(store: unknown, options?: Record<string, unknown>): ImageCache;
}
