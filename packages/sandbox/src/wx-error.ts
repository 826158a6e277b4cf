/**
 * How a handler says "answer with this WeChat error": throw a `WxError`; the server turns it into the
 * `{"errcode":…,"errmsg":"… rid: …"}` envelope
 * (https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html; the rid is
 * looked up with https://developers.weixin.qq.com/doc/subscription/api/apimanage/api_getridinfo.html) with
 * HTTP 200 (observed behaviour; that it is always 200 is UNCONFIRMED).
 */
export class WxError extends Error {
  readonly errcode: number;
  /** The message given by the thrower; when absent the platform's table decides (`errmsgFor`). */
  readonly customMsg: string | undefined;
  /**
   * Serve this error as `text/plain` (the observed quirk of some download endpoints,
   * https://github.com/doocs/md/pull/1878).
   */
  readonly textPlain: boolean;

  constructor(errcode: number, errmsg?: string, options: { textPlain?: boolean } = {}) {
    super(`${errcode} ${errmsg ?? OA_ERRMSG[errcode] ?? ''}`);
    this.name = 'WxError';
    this.errcode = errcode;
    this.customMsg = errmsg;
    this.textPlain = options.textPlain ?? false;
  }
}

/**
 * errmsg strings as observed or documented
 * (https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html); undocumented
 * ones are descriptive.
 */
export const OA_ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid args',
  40004: 'invalid media type',
  40005: 'invalid file type',
  40006: 'invalid meida size',
  40007: 'invalid media_id',
  40009: 'invalid image size',
  40010: 'invalid voice size',
  40011: 'invalid video size',
  40012: 'invalid thumb size',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40113: 'unsupported file type',
  40114: 'invalid index value',
  40125: 'invalid appsecret',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41005: 'media data missing',
  41039: 'invalid content_source_url',
  42001: 'access_token expired',
  43001: 'require GET method',
  43002: 'require POST method',
  44001: 'empty media data',
  44002: 'empty post data',
  44003: 'empty news data',
  45001: 'media size out of limit',
  45002: 'content size out of limit',
  45003: 'title size out of limit',
  45004: 'description size out of limit',
  45008: 'article size out of limit',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit mustslower retry next minute',
  45103: 'This API has been unsupported',
  45110: 'author size out of limit',
  47001: 'data format error',
  48001: 'api unauthorized',
  53600: 'Article ID 无效',
};

/**
 * WeCom wording (https://developer.work.weixin.qq.com/document/path/90313); WeCom errmsg carries a hint and
 * the caller's IP, not a rid.
 */
export const WECOM_ERRMSG: Record<number, string> = {
  [-1]: 'system busy',
  40001: 'invalid credential',
  40004: 'invalid media type',
  40005: 'invalid type',
  40006: 'invalid file size',
  40007: 'invalid media_id',
  40008: 'invalid message type',
  40009: 'invalid image size',
  40011: 'invalid video size',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40056: 'invalid agentid',
  40058: 'invalid parameter',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41005: 'media data missing',
  41006: 'media_id missing',
  42001: 'access_token expired',
  43001: 'require GET method',
  43002: 'require POST method',
  44001: 'empty media data',
  44002: 'empty post data',
  44004: 'empty content',
  45001: 'media size out of limit',
  45002: 'content size out of limit',
  45008: 'article count out of limit',
  45009: 'api freq out of limit',
  47001: 'data format error',
  60020: 'not allow to access from your ip',
  81013: 'user & party & tag all invalid',
  830002: 'file size too large, please use range to download',
};

/** The errmsg (without rid/hint decoration) this error carries on `platform`. */
export function errmsgFor(error: WxError, platform: 'oa' | 'wecom'): string {
  if (error.customMsg !== undefined) return error.customMsg;
  const table = platform === 'oa' ? OA_ERRMSG : WECOM_ERRMSG;
  return table[error.errcode] ?? OA_ERRMSG[error.errcode] ?? 'system error';
}
