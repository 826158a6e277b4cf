/**
 * Upload rules per endpoint and media type
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html,
 * https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html,
 * https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html,
 * https://developer.work.weixin.qq.com/document/path/96484,
 * https://developer.work.weixin.qq.com/document/path/90256), checked against the file's real format from its
 * magic bytes (`file-type`), not its name or Content-Type.
 *
 * "MB" is read as 1,000,000 bytes and "KB" as 1,000 bytes: the strictest plausible reading
 * (see README, UNCONFIRMED choices).
 */
import type { UploadedFile } from './http-io.js';
import { WxError } from './wx-error.js';

const MB = 1_000_000;

/** A format as the sandbox names it: what `file-type` reports, normalised. */
export type MediaFormat = 'jpg' | 'png' | 'gif' | 'bmp' | 'mp3' | 'amr' | 'wav' | 'wma' | 'mp4' | 'bin';

export interface UploadRule {
  /** Filename extensions accepted (lower case, no dot); empty = any extension. */
  exts: readonly string[];
  /** Real formats accepted; empty = any content. */
  formats: readonly MediaFormat[];
  /** Largest accepted size, bytes (inclusive) … */
  maxBytes: number;
  /** … unless the rule says "below", then `size < maxBytes` is required. */
  maxExclusive?: boolean;
  /** Smallest accepted size, bytes (exclusive): WeCom wants "大于5个字节". */
  minExclusiveBytes?: number;
  /** errcode when the file is too large. */
  tooLarge: number;
}

const EXT_FORMAT: Record<string, MediaFormat> = {
  jpg: 'jpg',
  jpeg: 'jpg',
  png: 'png',
  gif: 'gif',
  bmp: 'bmp',
  mp3: 'mp3',
  amr: 'amr',
  wav: 'wav',
  wma: 'wma',
  mp4: 'mp4',
};

const MIME: Record<MediaFormat, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  bmp: 'image/bmp',
  mp3: 'audio/mpeg',
  amr: 'audio/amr',
  wav: 'audio/wav',
  wma: 'audio/x-ms-wma',
  mp4: 'video/mp4',
  bin: 'application/octet-stream',
};

/** Content-Type the sandbox serves a stored file of `format` with. */
export function mimeOf(format: MediaFormat): string {
  return MIME[format];
}

/** OA `media/uploadimg`: jpg/png "大小必须在1MB以下". */
export const OA_UPLOADIMG: UploadRule = {
  exts: ['jpg', 'jpeg', 'png'],
  formats: ['jpg', 'png'],
  maxBytes: MB,
  maxExclusive: true,
  tooLarge: 40009,
};

/**
 * OA `material/add_material` per type
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html).
 */
export const OA_PERMANENT: Record<string, UploadRule> = {
  image: {
    exts: ['bmp', 'png', 'jpeg', 'jpg', 'gif'],
    formats: ['bmp', 'png', 'jpg', 'gif'],
    maxBytes: 10 * MB,
    tooLarge: 40009,
  },
  voice: {
    exts: ['mp3', 'wma', 'wav', 'amr'],
    formats: ['mp3', 'wma', 'wav', 'amr'],
    maxBytes: 2 * MB,
    tooLarge: 40010,
  },
  video: { exts: ['mp4'], formats: ['mp4'], maxBytes: 10 * MB, tooLarge: 40011 },
  thumb: { exts: ['jpg', 'jpeg'], formats: ['jpg'], maxBytes: 64_000, tooLarge: 40012 },
};

/**
 * OA `media/upload` per type
 * (https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html); image
 * 10 MB, the limits table's figure (the 2 MB note is the superseded one).
 */
export const OA_TEMPORARY: Record<string, UploadRule> = {
  image: {
    exts: ['png', 'jpeg', 'jpg', 'gif'],
    formats: ['png', 'jpg', 'gif'],
    maxBytes: 10 * MB,
    tooLarge: 40009,
  },
  voice: { exts: ['amr', 'mp3'], formats: ['amr', 'mp3'], maxBytes: 2 * MB, tooLarge: 40010 },
  video: { exts: ['mp4'], formats: ['mp4'], maxBytes: 10 * MB, tooLarge: 40011 },
  thumb: { exts: ['jpg', 'jpeg'], formats: ['jpg'], maxBytes: 64_000, tooLarge: 40012 },
};

/**
 * WeCom `media/upload` per type (https://developer.work.weixin.qq.com/document/path/96484): every file must
 * be larger than 5 bytes.
 */
export const WECOM_TEMPORARY: Record<string, UploadRule> = {
  image: {
    exts: ['jpg', 'jpeg', 'png'],
    formats: ['jpg', 'png'],
    maxBytes: 10 * MB,
    minExclusiveBytes: 5,
    tooLarge: 40009,
  },
  voice: { exts: ['amr'], formats: ['amr'], maxBytes: 2 * MB, minExclusiveBytes: 5, tooLarge: 45001 },
  video: { exts: ['mp4'], formats: ['mp4'], maxBytes: 10 * MB, minExclusiveBytes: 5, tooLarge: 40011 },
  file: { exts: [], formats: [], maxBytes: 20 * MB, minExclusiveBytes: 5, tooLarge: 45001 },
};

/**
 * WeCom `media/uploadimg` (https://developer.work.weixin.qq.com/document/path/90256): "5B ~ 2MB"; formats
 * unstated, jpg/png assumed.
 */
export const WECOM_UPLOADIMG: UploadRule = {
  exts: ['jpg', 'jpeg', 'png'],
  formats: ['jpg', 'png'],
  maxBytes: 2 * MB,
  minExclusiveBytes: 5,
  tooLarge: 40009,
};

let fileType: Promise<typeof import('file-type')> | undefined;

/** The real format of `data` from its magic bytes, or undefined when it is none the sandbox knows. */
export async function sniffFormat(data: Buffer): Promise<MediaFormat | undefined> {
  if (data.length >= 6 && data.subarray(0, 6).toString('latin1') === '#!AMR\n') return 'amr';
  // Loaded on first use: file-type is most of the sandbox's import time, and start-up must stay fast.
  fileType ??= import('file-type');
  const found = await (await fileType).fileTypeFromBuffer(data);
  if (!found) return undefined;
  switch (found.ext) {
    case 'jpg':
    case 'png':
    case 'gif':
    case 'bmp':
    case 'mp3':
    case 'amr':
    case 'wav':
    case 'mp4':
      return found.ext;
    case 'm4v':
      return 'mp4';
    case 'asf':
      return 'wma';
    default:
      return undefined;
  }
}

/** Lower-case extension of a filename without the dot, '' when it has none. */
export function extensionOf(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot <= 0 || dot === base.length - 1 ? '' : base.slice(dot + 1).toLowerCase();
}

export interface CheckedUpload {
  file: UploadedFile;
  format: MediaFormat;
}

/**
 * Applies `rule` to the multipart `media` part, in WeChat's order: part present (41005) → `filelength`
 * (below) → filename extension (40113 OA / 40004 WeCom) → empty (44001) → extension allowed → size → real
 * format matches the extension (40005 OA / 40004 WeCom: "filename的文件后缀和上传的文件类型不一致").
 * `filelength`: a declared `filelength=` that differs from the bytes received is refused with 40006 (the
 * client's encoder is wrong); with `requireFilelength` (WeCom, `SandboxOptions.requireFilelength`) a part
 * without one is refused with 41005, WeCom's media part being "filename、filelength、content-type".
 * Both errcodes are the sandbox's reading: WeCom documents no error for it.
 */
export async function checkUpload(
  media: UploadedFile | undefined,
  rule: UploadRule,
  platform: 'oa' | 'wecom',
  options: { requireFilelength?: boolean } = {},
): Promise<CheckedUpload> {
  if (!media) throw new WxError(41005);
  if (media.filelength === undefined && options.requireFilelength) {
    throw new WxError(
      41005,
      'media data missing: the media part has no filelength (sandbox requireFilelength)',
    );
  }
  if (media.filelength !== undefined && media.filelength !== media.data.length && !media.truncated) {
    throw new WxError(
      40006,
      `invalid file size: filelength=${media.filelength} but the part has ${media.data.length} bytes`,
    );
  }
  const badType = platform === 'oa' ? 40005 : 40004;
  const ext = extensionOf(media.filename);
  if (rule.exts.length > 0 && ext === '') throw new WxError(platform === 'oa' ? 40113 : 40004);
  if (media.data.length === 0) throw new WxError(44001);
  if (rule.exts.length > 0 && !rule.exts.includes(ext)) throw new WxError(badType);
  const size = media.data.length;
  if (rule.minExclusiveBytes !== undefined && size <= rule.minExclusiveBytes) throw new WxError(40006);
  if (media.truncated || (rule.maxExclusive ? size >= rule.maxBytes : size > rule.maxBytes)) {
    throw new WxError(rule.tooLarge);
  }
  const real = await sniffFormat(media.data);
  if (rule.formats.length === 0) return { file: media, format: real ?? 'bin' };
  if (!real || !rule.formats.includes(real) || EXT_FORMAT[ext] !== real) throw new WxError(badType);
  return { file: media, format: real };
}
