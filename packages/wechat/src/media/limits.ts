import { WechatInputError } from '../core/errors.js';
import type { PreparedMedia } from './input.js';

/**
 * 1 MB as these checks count it: 1,000,000 bytes. WeChat never says whether its "1MB"/"20M" are decimal or
 * binary; the decimal reading is the one a file we accept can never exceed.
 */
export const MB = 1_000_000;

/** Size bounds (bytes) and accepted real formats (file-type `ext`) of one upload endpoint + media type. */
export interface MediaRule {
  /** Exclusive lower bound, bytes (WeCom: "size必须大于5个字节"). */
  minExclusive: number;
  /** Inclusive upper bound, bytes. */
  max: number;
  /** Accepted formats by magic bytes; undefined = any content (WeCom `file`). */
  formats: readonly string[] | undefined;
  /** Where the rule comes from, for messages. */
  what: string;
}

const IMAGE = ['jpg', 'png', 'gif'];
/** "64KB" read the same strict way: 64,000 bytes. */
const THUMB_MAX = 64_000;
const rule = (what: string, max: number, formats?: readonly string[], minExclusive = 0): MediaRule => ({
  what,
  max,
  formats,
  minExclusive,
});

/**
 * https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html,
 * https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html,
 * https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html (Official
 * Account) and https://developer.work.weixin.qq.com/document/path/96484,
 * https://developer.work.weixin.qq.com/document/path/90256 (WeCom) limits. Where the docs contradict
 * themselves the stricter figure is used (thumbs 64,000 bytes), except temporary OA images: 10 MB, the figure
 * of https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html's
 * limits table, of add_material
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html) and of the
 * seeds; the page's 注意事项 "图片2MB" repeats the older copies that
 * https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html marks
 * superseded, and a 2 MB cap refused ordinary phone photos WeChat takes.
 */
export const RULES = {
  'oa/uploadimg': rule('media/uploadimg (jpg/png under 1 MB)', MB - 1, ['jpg', 'png']),
  'oa/material/image': rule('add_material image (10 MB: bmp/png/jpeg/gif)', 10 * MB, [...IMAGE, 'bmp']),
  'oa/material/voice': rule('add_material voice (2 MB: mp3/wma/wav/amr)', 2 * MB, [
    'mp3',
    'wma',
    'wav',
    'amr',
    'asf',
  ]),
  'oa/material/video': rule('add_material video (10 MB MP4)', 10 * MB, ['mp4', 'm4v']),
  'oa/material/thumb': rule('add_material thumb (64 KB JPG)', THUMB_MAX, ['jpg']),
  'oa/temp/image': rule('media/upload image (10 MB: png/jpeg/gif)', 10 * MB, IMAGE),
  'oa/temp/voice': rule('media/upload voice (2 MB: amr/mp3)', 2 * MB, ['amr', 'mp3']),
  'oa/temp/video': rule('media/upload video (10 MB MP4)', 10 * MB, ['mp4', 'm4v']),
  'oa/temp/thumb': rule('media/upload thumb (64 KB JPG)', THUMB_MAX, ['jpg']),
  'wecom/uploadimg': rule('WeCom media/uploadimg (5 B – 2 MB jpg/png)', 2 * MB, ['jpg', 'png'], 5),
  'wecom/temp/image': rule('WeCom media/upload image (5 B – 10 MB jpg/png)', 10 * MB, ['jpg', 'png'], 5),
  'wecom/temp/voice': rule('WeCom media/upload voice (5 B – 2 MB AMR)', 2 * MB, ['amr'], 5),
  'wecom/temp/video': rule('WeCom media/upload video (5 B – 10 MB MP4)', 10 * MB, ['mp4', 'm4v'], 5),
  'wecom/temp/file': rule('WeCom media/upload file (5 B – 20 MB)', 20 * MB, undefined, 5),
} as const satisfies Record<string, MediaRule>;

export type RuleName = keyof typeof RULES;

/**
 * Check size bounds and the real format (magic bytes) of `media` against `rule` before any request.
 * Throws `WechatInputError`: 'bad-type' (no such media type), 'too-small' (empty or ≤ the lower bound),
 * 'too-large', 'bad-format'; the message
 * names the file, the limit and what to do.
 */
export function checkMedia(media: PreparedMedia, name: RuleName): void {
  const r: MediaRule | undefined = RULES[name];
  if (!r) {
    const type = name.split('/').pop();
    const known = Object.keys(RULES)
      .filter((k) => k.startsWith(name.slice(0, name.lastIndexOf('/') + 1)))
      .map((k) => k.split('/').pop());
    throw new WechatInputError(
      'bad-type',
      `${media.label}: unknown media type "${type}"; use one of ${known.join(', ')}.`,
      media.label,
    );
  }
  if (media.size <= r.minExclusive) {
    throw new WechatInputError(
      'too-small',
      `${media.label}: ${media.size} bytes is too small for ${r.what}; it must be more than ${r.minExclusive} bytes. Is the file empty or truncated?`,
      media.label,
    );
  }
  if (media.size > r.max) {
    throw new WechatInputError(
      'too-large',
      `${media.label}: ${media.size} bytes is over the ${r.max}-byte limit of ${r.what}. Compress or resize it first (e.g. @md2wx/images processImage).`,
      media.label,
    );
  }
  if (r.formats && !(media.detected && r.formats.includes(media.detected.ext))) {
    const seen = media.detected ? `${media.detected.ext} (${media.detected.mime})` : 'an unrecognised format';
    throw new WechatInputError(
      'bad-format',
      `${media.label}: the content is ${seen}, but ${r.what} accepts ${r.formats.join('/')}. Convert the file; renaming it is not enough.`,
      media.label,
    );
  }
}
