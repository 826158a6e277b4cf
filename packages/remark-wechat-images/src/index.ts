export { remarkWechatImages, MESSAGE_SOURCE } from './plugin.js';
export { remarkWechatImages as default } from './plugin.js';
export { wechatUploader, type WechatMediaClient } from './uploader.js';
export { memoryCache } from './cache/memory.js';
export { storeCache, type CacheStore, type StoreCacheOptions } from './cache/store.js';
export {
  stateFileCache,
  serializeState,
  parseState,
  STATE_FILE_FORMAT,
  type StateFileCache,
  type StateFileCacheOptions,
} from './cache/state-file.js';
export { cacheKey, type ProcessingSettings } from './cache/key.js';
export { collectImages, type ImageOccurrence, type ImageSites } from './collect.js';
export { findHtmlImages, rewriteHtmlImages, type HtmlImg } from './html-img.js';
export { RemarkWechatImagesError, StateFileError } from './errors.js';
export { emptyTotals } from './types.js';
export type {
  CacheEntry,
  ImageCache,
  ProgressEvent,
  ProgressStage,
  ProgressTotals,
  RemarkWechatImagesOptions,
  UploadEndpoint,
  UploadImageInfo,
  WechatImageUploader,
} from './types.js';
