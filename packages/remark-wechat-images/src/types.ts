/**
 * Where an image ends up on WeChat: the API that stores it
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html,
 * https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html).
 */
export type UploadEndpoint = 'media/uploadimg' | 'material/add_material';

/** What @md2wx/images made of a source before upload (a subset of its `ProcessedImage.info`). */
export interface UploadImageInfo {
  format: 'jpeg' | 'png' | 'gif';
  /** Pixels. */
  width: number;
  /** Pixels. */
  height: number;
  /** Bytes of the processed image. */
  bytes: number;
  animated: boolean;
  /** A filename with the right extension (WeChat checks it against the bytes: 40005 otherwise). */
  filename: string;
}

/**
 * Moves processed images onto WeChat. `wechatUploader(client)` adapts an @md2wx/wechat Official Account
 * client; tests and other platforms may bring their own.
 */
export interface WechatImageUploader {
  /** Identifies the account in cache keys (an appId), so two accounts never share a URL. */
  readonly account: string;
  /**
   * A still JPEG/PNG for an article body → `media/uploadimg`
   * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html): a
   * permanent mmbiz URL, no media_id.
   */
  uploadBodyImage(data: Buffer, info: UploadImageInfo): Promise<{ url: string }>;
  /**
   * An animated GIF → `material/add_material` type image
   * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html): a
   * permanent material with its URL.
   */
  uploadAnimatedImage(data: Buffer, info: UploadImageInfo): Promise<{ url: string; media_id: string }>;
  /**
   * Optional: get ready to upload (fetch the access_token). Called once per file as soon as the first cache
   * miss is known, so the token round trip overlaps image processing. Errors are ignored here; the upload
   * reports them.
   */
  warmUp?(): Promise<void>;
}

/** One dedupe-cache record: what a source became on WeChat. */
export interface CacheEntry {
  url: string;
  media_id?: string;
  /** Bytes uploaded (after processing). */
  bytes: number;
  /** Pixels. */
  width: number;
  /** Pixels. */
  height: number;
  /** ISO 8601 time of the upload. */
  uploadedAt: string;
}

/**
 * The dedupe cache seen by the plugin. Keys are built by `cacheKey()` (account, endpoint, source sha256,
 * processing settings). Backends: `memoryCache()`, `storeCache(store)`, `stateFileCache({ path })`.
 */
export interface ImageCache {
  get(key: string): Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry): Promise<void>;
  /**
   * Optional cross-process mutual exclusion for one key, so two machines sharing a store upload an image once.
   * Resolves to a release function, or `undefined` when the lock could not be taken in time (the caller then
   * uploads anyway: a duplicate upload is wasteful, not wrong).
   */
  lock?(key: string): Promise<(() => Promise<void>) | undefined>;
  /** Write pending entries out (state file). Called at the end of every file. */
  flush?(): Promise<void>;
}

/** The stage an image reached, reported through `onProgress`. */
export type ProgressStage =
  | 'resolved'
  | 'processed'
  | 'uploaded'
  | 'cached'
  | 'skipped'
  | 'written'
  | 'failed';

/** One progress event. Counters in `totals` are per plugin run over one file (unique sources). */
export interface ProgressEvent {
  stage: ProgressStage;
  /** The image source as written in the Markdown. */
  src: string;
  /** The Markdown file's path, when the vfile has one. */
  file?: string;
  /** The final URL (uploaded, cached, written). */
  url?: string;
  /** Bytes before processing. */
  bytesIn?: number;
  /** Bytes after processing. */
  bytesOut?: number;
  /** Why it failed (stage 'failed'). */
  reason?: string;
  totals: ProgressTotals;
}

export interface ProgressTotals {
  /** Unique sources in the file. */
  images: number;
  resolved: number;
  processed: number;
  uploaded: number;
  cached: number;
  skipped: number;
  /** Dry run: images written to `outDir`. */
  written: number;
  failed: number;
  /** Sum of (bytes before − bytes after) over processed images; never negative per image. */
  bytesSaved: number;
}

/** Totals of a file with `images` unique sources, before any work: every counter at 0. */
export function emptyTotals(images = 0): ProgressTotals {
  return {
    images,
    resolved: 0,
    processed: 0,
    uploaded: 0,
    cached: 0,
    skipped: 0,
    written: 0,
    failed: 0,
    bytesSaved: 0,
  };
}

/** Options of `remarkWechatImages`. */
export interface RemarkWechatImagesOptions {
  /** Where images go. Without one the plugin does a dry run: compress and write local files under `outDir`. */
  uploader?: WechatImageUploader;
  /** Dedupe cache; default: one memory cache per plugin attachment. Ignored in a dry run. */
  cache?: ImageCache;
  /** Concurrent resolutions, processings and uploads; default 4. */
  concurrency?: number;
  /** Directory relative sources resolve against; default the vfile's directory, else `process.cwd()`. */
  baseDir?: string;
  /** Site root for site-absolute sources (`/assets/x.png`) and the boundary for relative ones. */
  rootDir?: string;
  /** Allow relative sources that climb out of `rootDir`. */
  allowOutsideRoot?: boolean;
  /** Download cache for remote sources (passed to @md2wx/images `resolveImage`). */
  downloadCacheDir?: string;
  /** Per-download timeout, milliseconds. */
  timeoutMs?: number;
  /** Download retries for remote sources (@md2wx/images default: 2). */
  downloadRetries?: number;
  /** One deadline per remote image, every attempt included, milliseconds (@md2wx/images default: 30,000). */
  downloadDeadlineMs?: number;
  /** Slowest accepted download, bytes per second (@md2wx/images default: 16,384; 0 = off). */
  minBytesPerSecond?: number;
  /**
   * Let remote sources (and their redirects) reach loopback, private and link-local addresses: `true`, or a list
   * of `host` / `host:port`. Default false: such an image fails with ImageError `forbidden-host`, so a post from
   * an untrusted pull request cannot make the build fetch internal servers.
   */
  allowPrivateHosts?: boolean | readonly string[];
  /** Largest source accepted, bytes. */
  maxSourceBytes?: number;
  /** Widest output, pixels (passed to `processImage`); default: @md2wx/images' default. */
  maxWidth?: number;
  /** Largest output, bytes (passed to `processImage`); default: @md2wx/images' default for the target. */
  maxBytes?: number;
  /**
   * JPEG quality policy (passed to `processImage`): `'balanced'` (default: the smallest JPEG reaching an SSIM
   * target), `'visually-lossless'` (a higher SSIM target) or a fixed JPEG quality 1–100. The byte budget
   * stays a hard cap. Part of the cache key when set.
   */
  quality?: 'visually-lossless' | 'balanced' | number;
  /** Keep going past broken images: leave them untouched with a warning instead of failing the file. */
  continueOnError?: boolean;
  /** Called for every stage of every unique source. Exceptions thrown by it are ignored. */
  onProgress?: (event: ProgressEvent) => void;
  /** Dry run: where processed images are written; default `<baseDir>/.md2wx-cache/preview`. */
  outDir?: string;
  /**
   * Dry run: the URL prefix written into the Markdown for files in `outDir`; default the path of `outDir`
   * relative to the file's directory.
   */
  publicPath?: string;
}
