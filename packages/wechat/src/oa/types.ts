import type { DraftArticleOut } from './articles.js';

/**
 * `publish_id` / `msg_data_id`: documented as strings, sent as numbers in practice
 * (https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_submit.html) — both accepted.
 */
export type PublishId = string | number;

/**
 * `material/get_materialcount`
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_getmaterialcount.html).
 */
export interface MaterialCount {
  voice_count: number;
  video_count: number;
  image_count: number;
  news_count: number;
}

/**
 * One `batchget_material` item
 * (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_batchgetmaterial.html): media
 * files carry name/url, news carry content.
 */
export interface MaterialItem {
  media_id: string;
  name?: string;
  url?: string;
  update_time: number;
  content?: { news_item: DraftArticleOut[] };
}

/**
 * One draft as `draft/batchget` lists it
 * (https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_batchget.html).
 */
export interface DraftItem {
  media_id: string;
  content: { news_item: DraftArticleOut[] };
  update_time: number;
}

/** A page of a batchget listing. */
export interface Page<T> {
  total_count: number;
  item_count: number;
  item: T[];
}

/**
 * `freepublish/get` (https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_get.html).
 * `publish_status`: 0 success, 1 publishing, 2 original-check failed, 3 failed, 4 rejected by review, 5
 * deleted by the user, 6 banned. `fail_idx` are 1-based article numbers.
 */
export interface PublishStatus {
  publish_id: PublishId;
  publish_status: number;
  article_id?: string;
  article_detail?: { count: number; item: { idx: number; article_url: string }[] };
  fail_idx?: number[];
}

/** One published item of `freepublish/batchget`. */
export interface PublishedItem {
  article_id: string;
  content: { news_item: (DraftArticleOut & { is_deleted?: boolean })[] };
  update_time: number;
}
