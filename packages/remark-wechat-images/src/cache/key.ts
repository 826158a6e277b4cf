import type { UploadEndpoint } from '../types.js';

/** What shapes the uploaded bytes besides the source: part of every cache key. */
export interface ProcessingSettings {
  /**
   * `cover` keys an article cover (`thumb_media_id`), which @md2wx/publish processes with @md2wx/images'
   * cover defaults and uploads through the same cache; the plugin itself processes only `body`/`animated`.
   */
  target: 'body' | 'animated' | 'cover';
  /** Pixels; undefined = @md2wx/images' default. */
  maxWidth?: number;
  /** Bytes; undefined = @md2wx/images' default. */
  maxBytes?: number;
  /** JPEG quality policy of @md2wx/images; undefined = its default (`balanced`). */
  quality?: 'visually-lossless' | 'balanced' | number;
}

/**
 * The dedupe-cache key of one upload: `<account>|<endpoint>|<sha256 of the source bytes>|<settings>`, e.g.
 * `wx5a1dbox0000000001|media/uploadimg|9f86…08|body;w=default;b=default`. Readable on purpose: the state file
 * is committed and reviewed, and sorting by key groups entries by account and endpoint.
 */
export function cacheKey(parts: {
  account: string;
  endpoint: UploadEndpoint;
  sourceSha256: string;
  settings: ProcessingSettings;
}): string {
  const { settings } = parts;
  // `q=` only when set, so the keys of state files written before the option existed still match.
  const quality = settings.quality === undefined ? '' : `;q=${settings.quality}`;
  const settingsId = `${settings.target};w=${settings.maxWidth ?? 'default'};b=${settings.maxBytes ?? 'default'}${quality}`;
  return `${parts.account}|${parts.endpoint}|${parts.sourceSha256}|${settingsId}`;
}
