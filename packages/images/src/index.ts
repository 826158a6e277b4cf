export { type AnimatedResult, fitAnimation } from './animated.js';
export { classifyDecodeError, type OpenedImage, type OpenOptions, openImage } from './decode.js';
export { type Download, type DownloadOptions, downloadImage } from './download.js';
export { ImageError, type ImageErrorCode, isImageError } from './errors.js';
export {
  type AllowPrivateHosts,
  addressRange,
  hostGuard,
  isPublicAddress,
  PrivateHostError,
} from './host-guard.js';
export { detectFormat, type InputFormat, type OutputFormat } from './formats.js';
export { embedIccInPng, isSrgbProfile } from './icc.js';
export * from './limits.js';
export { stripJpegMetadata, stripPngMetadata } from './metadata-strip.js';
export {
  type ImageTarget,
  type ProbeResult,
  type ProcessedImage,
  type ProcessedInfo,
  type ProcessOptions,
  prepareImage,
  probeImage,
  processImage,
  setImageConcurrency,
} from './process.js';
export { type ImageQuality, QUALITY_SSIM_TARGETS } from './quality.js';
export { type ResolvedImage, type ResolveOptions, resolveImage } from './resolve.js';
export { isWechatImageUrl } from './wechat-url.js';
export { type TitleCardOptions, titleCard } from './title-card.js';
