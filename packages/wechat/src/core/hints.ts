/**
 * What to do about a WeChat errcode, in one or two sentences a user can act on. Sources:
 * https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html and
 * https://developer.work.weixin.qq.com/document/path/90313, and the field reports linked beside a hint. The
 * 40164 hint is built by `hintFor` because it names the caller's IP.
 */
const OA_HINTS: Record<number, string> = {
  [-1]: 'WeChat is busy (system error); the client already retried with backoff — try again in a minute.',
  40001:
    'The access_token is invalid or not the latest, or the AppSecret is wrong. Check the AppSecret in mp.weixin.qq.com → 设置与开发 → 基本配置; if another system refreshes tokens for this AppID, use stable_token mode (default) or the central token service.',
  40002: 'Invalid grant_type or argument: this is a client bug, please report it.',
  40004: 'Invalid media type: use one of image, voice, video, thumb (WeCom: image, voice, video, file).',
  40005:
    'Invalid file type: the file extension or content does not match the media type (uploadimg takes only jpg/png). Convert the file or fix its extension.',
  40006: 'Invalid media size: the file is empty or over the limit for its type. Compress or shrink it.',
  40007:
    'Invalid media_id: it is unknown, expired (temporary media live 3 days) or of the wrong kind (a draft cover needs a permanent material media_id from addMaterial).',
  40009: 'Invalid image size: body images (uploadimg) must be jpg/png under 1 MB; compress the image first.',
  40013: 'Invalid AppID: check the appId (wx… in mp.weixin.qq.com → 设置与开发 → 基本配置).',
  40014:
    'Invalid access_token: the client refreshes it once automatically; if this persists, check the token source.',
  40113:
    'Unsupported file type: the upload needs a filename with a supported extension (.jpg, .png, .gif, .mp3, .mp4…).',
  40125:
    'Invalid AppSecret: copy it again from mp.weixin.qq.com → 设置与开发 → 基本配置 (reset it if lost; other systems using the old one stop working).',
  41001: 'access_token missing: this is a client bug or a token provider returned nothing.',
  41005:
    'Media data missing: the multipart part `media` was not sent, or (WeCom) its Content-Disposition lacks filename/filelength; check that the file exists and is not empty.',
  42001:
    'The access_token expired: the client refreshes it once automatically; if this persists, check the clock and the token store.',
  45001:
    'Media size out of limit: image 10 MB, voice 2 MB, video 10 MB, thumb 64 KB (uploadimg: 1 MB). Compress the file.',
  45002:
    'Content size out of limit: the article content must be under 20,000 characters and 1 MB. Split the article.',
  45003: 'Title size out of limit: a draft title is at most 32 characters.',
  45004: 'Digest (summary) size out of limit: at most 128 characters.',
  45009:
    'Daily API quota reached. Wait until tomorrow, or reset it with clear_quota (10 times a month) in mp.weixin.qq.com / the API.',
  45011:
    'Per-minute API rate limit reached: slow down; the client retried with backoff. Try again in a minute.',
  45103: 'material/add_news was retired on 2022-02-28: use drafts instead (addDraft, then submitPublish).',
  45110: 'Author field out of limit (UNCONFIRMED code): keep the author at most 16 characters.',
  45166:
    'Invalid content: WeChat rejected part of the article HTML (e.g. disallowed links or scripts). Check the content.',
  48001:
    'API unauthorized for this account type: publishing (freepublish) needs a verified account; check 接口权限 in mp.weixin.qq.com → 设置与开发.',
  63002:
    'Invalid JS-SDK signature: sign the full page URL without #fragment, with the same nonceStr and timestamp passed to wx.config.',
};

const WECOM_HINTS: Record<number, string> = {
  40001: 'Invalid secret: check the app secret in the WeCom admin console (应用管理 → 应用 → Secret).',
  40013: 'Invalid CorpID: check the corpId (我的企业 → 企业信息).',
  40091: 'Invalid secret: check the app secret in the WeCom admin console.',
  60020: 'The caller IP is not in the app’s trusted IP list (企业可信IP): add it in the WeCom admin console.',
  830001: 'The URL is invalid: it must be publicly reachable and support HTTP Range requests.',
  830002:
    'The file is over 20 MB: download it with Range requests in chunks of at most 20 MB (download() does this).',
  830003: 'WeCom could not download the URL: check that it is reachable from the internet.',
  301019: 'The file MD5 does not match the `md5` you sent: recompute it over the exact bytes at the URL.',
  45001:
    'File size out of limit: more than 5 bytes; image 10 MB, voice 2 MB, video 10 MB, file 20 MB (async 200 MB).',
  45009:
    'API call limit reached (uploadimg: 1,000 a day, 3,000 a month per corp). Wait for the quota window.',
};

/** The platform a call went to; errcodes mean different things on each. */
export type Platform = 'oa' | 'wecom';

/** The IP address WeChat quoted in a 40164 errmsg (`invalid ip 1.2.3.4 ipv6 ::ffff:1.2.3.4, not in whitelist`). */
export function ipFromErrmsg(errmsg: string): string | undefined {
  return /invalid ip ([0-9a-fA-F.:]+?)(?:,|\s)/.exec(errmsg)?.[1];
}

/** The user-facing hint for `errcode` on `platform`, or undefined when none is known. */
export function hintFor(platform: Platform, errcode: number, errmsg = ''): string | undefined {
  if (errcode === 40164) {
    const ip = ipFromErrmsg(errmsg) ?? 'unknown';
    return (
      `WeChat saw this call coming from IP ${ip}, which is not in the account's API IP whitelist. ` +
      `Add ${ip} in mp.weixin.qq.com → 设置与开发 → 基本配置 → IP白名单. ` +
      'If your IP changes (laptop, CI runners), run the central token service (@md2wx/token-service) on a host with a fixed IP, ' +
      'whitelist that IP only, and point the client at it with remoteTokenProvider.'
    );
  }
  if (platform === 'wecom') return WECOM_HINTS[errcode] ?? OA_HINTS[errcode];
  return OA_HINTS[errcode];
}

/**
 * errcodes after which the access_token is dropped, refreshed once and the call retried once: 40001 invalid
 * credential, 40014 invalid access_token, 42001 access_token expired
 * (https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html; wechatpy retries
 * the same three).
 */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

/**
 * errcodes retried with backoff: -1 system busy and 45011 per-minute rate limit, the two where WeChat says it
 * did nothing and asks to try again
 * (https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html).
 */
export const RETRYABLE_ERRCODES: ReadonlySet<number> = new Set([-1, 45011]);
