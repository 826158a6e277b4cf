/**
 * The progress of a publish run as typed events (a discriminated union on `type`), in the order they happen.
 * A shell turns them into progress bars, log lines or JSON; the library never prints.
 */
import type { ProgressEvent } from '@md2wx/remark-wechat-images';
import type { PostError, PostReport } from './pipeline.js';

/** One step of a run. Paths (`file`, `files`) are the posts' absolute paths. */
export type PublishEvent =
  /** A post's render (and image uploads) begins. */
  | { type: 'render-started'; file: string }
  /**
   * One of a post's images moved a stage: `resolved`, `compressed`, `uploaded`, `cached`, `skipped` (already
   * on WeChat), `written` (local preview copy) or `failed` (@md2wx/remark-wechat-images `ProgressEvent`).
   */
  | { type: 'image'; file: string; image: ProgressEvent }
  /** A post's render ended (rendered or failed). */
  | { type: 'render-finished'; file: string }
  /** A post rendered: its report so far (images, vfile messages, written files). */
  | { type: 'rendered'; file: string; report: PostReport }
  /** The post was unchanged since the last run (result cache): its `rendered` report is the last run's, and only its draft is updated. */
  | { type: 'unchanged'; file: string }
  /** A cache entry (`.md2wx-cache/`) was corrupt: it was dropped and the work is done again (`code`: `cache/corrupt` or `cache/io`). */
  | { type: 'cache-warning'; code: string; message: string }
  /** WeChat failed this post's image uploads: it is reported, never drafted; the others go on. */
  | { type: 'post-failed'; file: string; error: PostError }
  /** A front-matter cover is missing and `coverFallback` took another; `message` says which, with its line. */
  | { type: 'cover-fallback'; file: string; missing: string; src: string; message: string }
  /** A cover is on WeChat as permanent material (`cached`: uploaded by an earlier run). */
  | { type: 'cover-uploaded'; file: string; src: string; media_id: string; cached: boolean }
  /** Nothing was uploaded because no credentials are configured (a render-only run). */
  | { type: 'no-credentials' }
  /** A draft was created, updated or recreated (`bundle`: one draft holding `files` in order). */
  | {
      type: 'draft-saved';
      bundle: boolean;
      files: string[];
      media_id: string;
      action: 'created' | 'updated' | 'recreated';
      /** Found in the draft box by the post's marker (the state file did not know it). */
      reconciled: boolean;
    }
  /** A draft could not be saved; `files` carry the error in the report. */
  | { type: 'draft-failed'; bundle: boolean; files: string[]; error: PostError }
  /** A bundle was not pushed because some of its posts (`failed`) failed. */
  | { type: 'bundle-skipped'; files: string[]; failed: string[] }
  /** A draft was submitted for publishing (freepublish/submit). */
  | { type: 'publish-submitted'; media_id: string; publish_id: string }
  /** A draft is published: its article URLs. */
  | { type: 'published'; media_id: string; publish_id: string; article_id?: string; urls: string[] }
  /** Publishing a draft failed (WeChat's verdict, or the wait timed out). */
  | { type: 'publish-failed'; media_id: string; error: PostError };
