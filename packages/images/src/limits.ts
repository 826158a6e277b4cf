/**
 * Default limits, in bytes and pixels. WeChat's own limits:
 * https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html and
 * https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html.
 */

/**
 * media/uploadimg: "jpg/png, 大小必须在1MB以下" — kept strictly under 1,000,000 bytes
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html).
 */
export const BODY_MAX_BYTES = 1_000_000;
/**
 * material/add_material type=image: 10 MB
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html); animated
 * GIFs go there.
 */
export const ANIMATED_MAX_BYTES = 10_000_000;
/** Cover images for add_material type=image, kept at the body budget so they also load fast. */
export const COVER_MAX_BYTES = 1_000_000;
/**
 * material/add_material type=thumb: 64 KB, JPG
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html).
 */
export const THUMB_MAX_BYTES = 64_000;

/** WeChat renders article bodies at most ~1080 device pixels wide; larger images only cost bytes. */
export const BODY_MAX_WIDTH = 1080;
export const COVER_MAX_WIDTH = 1080;
export const THUMB_MAX_WIDTH = 640;

/** Largest input read from disk, a data: URI or the network: 64 MiB. */
export const INPUT_MAX_BYTES = 64 * 1024 * 1024;
/** Decompression-bomb guard: width × height of one frame (100 megapixels). */
export const MAX_INPUT_PIXELS = 100_000_000;
/** Guard for animations: width × height × frames decoded at once. */
export const MAX_ANIMATION_PIXELS = 400_000_000;

/** Network defaults for downloads. */
export const DOWNLOAD_TIMEOUT_MS = 30_000;
export const DOWNLOAD_RETRIES = 2;
/** One deadline per image for every attempt, redirect and retry wait together, milliseconds. */
export const DOWNLOAD_DEADLINE_MS = 30_000;
/** Slowest accepted transfer once an answer started, bytes per second (a 1 KB / 100 ms trickle is ~10,000). */
export const DOWNLOAD_MIN_BYTES_PER_SECOND = 16_384;
/** Window over which the transfer rate is averaged, milliseconds. */
export const DOWNLOAD_RATE_WINDOW_MS = 5_000;

/** A current desktop Chrome: some image hosts answer 403 to unknown clients. */
export const BROWSER_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
