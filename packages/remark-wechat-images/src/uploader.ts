import type { UploadImageInfo, WechatImageUploader } from './types.js';

/**
 * The part of an @md2wx/wechat Official Account client the uploader needs (structural, so the real client
 * and test doubles both fit).
 */
export interface WechatMediaClient {
  /** The account's appId, when the client exposes it. */
  readonly appId?: string;
  /** Fetches (and caches) the access_token; used to warm up before the first upload. */
  getAccessToken?(): Promise<string>;
  /**
   * `media/uploadimg`
   * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html) →
   * `{ url }`.
   */
  uploadImage(input: Buffer, options?: { filename?: string }): Promise<{ url: string }>;
  /**
   * `material/add_material`
   * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html) →
   * `{ media_id, url? }`.
   */
  addMaterial(options: {
    type: 'image';
    data: Buffer;
    filename: string;
  }): Promise<{ media_id: string; url?: string }>;
}

/**
 * Adapt an @md2wx/wechat client (`createOfficialAccountClient(...)`) to the plugin's uploader: still images
 * go to `media/uploadimg`
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html: jpg/png
 * under 1 MB, no media_id, not counted against the material library), animated GIFs to
 * `material/add_material` type image
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html: up to 10
 * MB, gif allowed, returns media_id + url).
 *
 * `account` names the account in cache keys; default `client.appId`. `warmUp()` fetches the access_token
 * (`client.getAccessToken`) while images are still being processed.
 *
 * @throws TypeError when neither `account` nor `client.appId` is given.
 * @throws (from the upload methods) the client's `WechatApiError` (errcode/errmsg/rid kept), or an Error when
 *   add_material answers without a `url` (the image could not be placed in an article body).
 */
export function wechatUploader(
  client: WechatMediaClient,
  options: { account?: string } = {},
): WechatImageUploader {
  const account = options.account ?? client.appId;
  if (!account) {
    throw new TypeError('wechatUploader: pass { account } (the appId) — the client does not expose appId');
  }
  return {
    account,
    ...(client.getAccessToken
      ? {
          async warmUp() {
            await client.getAccessToken!();
          },
        }
      : {}),
    async uploadBodyImage(data: Buffer, info: UploadImageInfo) {
      const { url } = await client.uploadImage(data, { filename: info.filename });
      return { url };
    },
    async uploadAnimatedImage(data: Buffer, info: UploadImageInfo) {
      const result = await client.addMaterial({ type: 'image', data, filename: info.filename });
      if (!result.url) {
        throw new Error(
          `material/add_material returned media_id ${result.media_id} but no url for ${info.filename}`,
        );
      }
      return { url: result.url, media_id: result.media_id };
    },
  };
}
