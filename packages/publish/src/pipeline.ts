/**
 * The publish flow: posts → WeChat HTML with every image on WeChat → drafts (upsert) → optionally published.
 *
 * Order matters, so that a bad post costs nothing: (1) {@link preparePost} reads every post and checks its
 * article fields and cover (https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Add_draft.html limits)
 * — no request yet; (2) {@link publishPosts} renders each post, the remark plugin resolving and compressing all
 * of a post's images before it uploads any; (3) only when every post rendered, it uploads covers and creates or
 * updates drafts; (4) in `publish` mode it submits and waits. Progress is reported as {@link PublishEvent}s,
 * never printed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageErrorCode, ProcessedImage, ResolvedImage, ResolveOptions } from '@md2wx/images';
import type {
  ImageCache,
  ProgressEvent,
  ProgressTotals,
  RemarkWechatImagesOptions,
  WechatImageUploader,
} from '@md2wx/remark-wechat-images';
import type { ArticleMeta, LintOptions, RenderOptions } from '@md2wx/render';
import type { DraftArticle, OfficialAccountClient } from '@md2wx/wechat';
import type { VFileMessage } from 'vfile-message';
import {
  assertNoProblems,
  checkArticleLimits,
  checkContentLimits,
  FIELD_LIMIT,
  type PostMeta,
} from './article.js';
import { uploadCover } from './covers.js';
import { type DraftLookup, type UpsertOptions, type UpsertResult, upsertDraft } from './drafts.js';
import { diagramPlugins } from './diagrams.js';
import {
  CliError,
  ContentError,
  contentMessage,
  ExitCode,
  type ExitCodeValue,
  exitCodeOf,
  formatLocation,
  isWechatError,
  UsageError,
} from './errors.js';
import { imageCache, lockWaits, timedLock } from './image-cache.js';
import { postFields } from './known-fields.js';
import { loadImages, loadRemarkImages, loadRender } from './modules.js';
import type { PublishEvent } from './events.js';
import { describeMessage, ruleOf } from './report-json.js';
import type { Session } from './session.js';
import {
  coverFile,
  formulaCacheFor,
  noteLookup,
  openResultCache,
  recorderFor,
  resultCacheDir,
  storeResult,
  unchangedResult,
} from './result-cache.js';
import { DraftState, writeFileAtomic } from './state.js';

/** Options of one publishing run (flags of the main command). */
export interface PublishOptions {
  /** Push each post (or the bundle) into the draft box. */
  draft?: boolean;
  /** One multi-article draft for all posts, in argument order. */
  bundle?: boolean;
  /** Submit the draft(s) with freepublish and wait for the result. */
  publish?: boolean;
  /** Do not write `.wechat.html` / `.preview.html` files. */
  noWrite?: boolean;
  /** Site root for `/absolute` image paths and the boundary for relative ones; default: see `rootDirFor`. */
  rootDir?: string;
  allowOutsideRoot?: boolean;
  /** How long `--publish` waits for WeChat's verdict, milliseconds. Default 10 minutes. */
  publishTimeoutMs?: number;
  /** The article title, overriding front matter and first heading (one post only: `--title`). */
  title?: string;
  /**
   * When a post's front-matter cover is missing (no such file, download failed), warn and use `--cover` or
   * the post's first image instead of refusing the post (`--cover-fallback`, config `coverFallback: true`).
   */
  coverFallback?: boolean;
  /** Never upload: compress images locally even when credentials are set (preview). */
  offline?: boolean;
  /**
   * Leave broken images (unreachable, undecodable) as they are, with a warning, instead of failing the post
   * (`--continue-on-error` of preview and render-only runs; never with drafts).
   */
  continueOnError?: boolean;
  /** Throw a post's WeChat failure instead of reporting it and going on with the others (`send`: one post). */
  failFast?: boolean;
  /** Called with each post's final HTML (used by `send`). */
  onRendered?: (file: string, html: string, meta: PostMeta) => void;
}

/** What a run is asked to do: render only, a draft per post, one draft for all posts, or drafts published. */
export type PublishMode = 'render' | 'draft' | 'publish' | 'bundle';

/** Listeners of a run: progress events and cancellation. */
export interface RunHooks {
  /**
   * Called with each step's event, in order. A returned promise is awaited at the steps that are not inside an
   * image upload (so a listener may start a progress bar); image events are not awaited.
   */
  onProgress?: (event: PublishEvent) => void | Promise<void>;
  /**
   * Cancels the run: checked before every post's render, every image upload, every cover upload, every draft
   * and every publish. What was already saved stays recorded in the state file; nothing is half-recorded.
   * The run then throws `signal.reason` (an `AbortError` DOMException by default).
   */
  signal?: AbortSignal;
}

/** The {@link PublishOptions} flags of a {@link PublishMode}. */
export function modeFlags(mode: PublishMode): Pick<PublishOptions, 'draft' | 'bundle' | 'publish'> {
  if (mode === 'render') return {};
  if (mode === 'bundle') return { draft: true, bundle: true };
  if (mode === 'publish') return { draft: true, publish: true };
  return { draft: true };
}

/**
 * What happened to one post. Paths are absolute. Its problems are vfile messages (`VFileMessage` of
 * `vfile-message`, `source: 'md2wx'` or the remark plugin's, `fatal` for MUST), in two lists by what their
 * `place` points into; `--json` prints them as `diagnostics` (`runReportJson`).
 */
export interface PostReport {
  file: string;
  key: string;
  title: string;
  html?: string;
  preview?: string;
  images: ProgressTotals;
  /**
   * Messages whose positions are in the Markdown post: WeChat's field limits and fallbacks (ruleId
   * `wechat/field-limit`, `wechat/field-fallback`), the renderer's (`render/*`), the remark plugins'.
   */
  messages: VFileMessage[];
  /** The linter's findings on the rendered HTML: positions in the HTML, ruleId the lint rule. */
  htmlMessages: VFileMessage[];
  draft?: {
    media_id: string;
    index: number;
    action: 'created' | 'updated' | 'recreated';
    /** The draft was found in the draft box by the post's marker (the state file did not know it). */
    reconciled?: boolean;
  };
  cover?: { src: string; media_id: string; cached: boolean };
  publish?: { publish_id: string; article_id?: string; urls: string[] };
  /** Why this post failed (the other posts went on); absent when it succeeded. */
  error?: PostError;
}

/** A failed post's error, as `--json` prints it (WeChat's `errcode`, `errmsg`, `rid` and hint kept). */
export interface PostError {
  name: string;
  message: string;
  exitCode: ExitCodeValue;
  errcode?: number;
  errmsg?: string;
  rid?: string;
  endpoint?: string;
  hint?: string;
}

/** A run's outcome; `--json` prints it as `runReportJson` makes it. */
export interface RunReport {
  account?: string;
  mode: 'preview' | 'upload' | 'draft' | 'publish';
  posts: PostReport[];
  state?: string;
  /** Posts that failed (each has `error`). */
  failed: number;
  /** The process's exit code: the worst (highest) of the failed posts', 0 when none failed. */
  exitCode: ExitCodeValue;
  /**
   * Draft-box lookups before draft/add (`draft/batchget` pages and `draft/get` calls), the longest wait for
   * the state file's lock and for a store lock (draft or image), milliseconds.
   */
  costs?: { lookupPages: number; lookupGets: number; stateLockWaitMs: number; lockWaitMs: number };
}

/**
 * A post read and checked by {@link preparePost}: its fields, where its cover comes from and (for a draft) the
 * cover resolved and compressed. Nothing of it is on WeChat yet. Paths are absolute.
 */
export interface PreparedPost {
  file: string;
  /** The Markdown, read once. */
  source: string;
  meta: PostMeta;
  key: string;
  /**
   * Field problems `--draft` refuses (fatal, `wechat/field-limit`) and fallbacks taken (`wechat/field-fallback`),
   * reported in every mode.
   */
  fields?: VFileMessage[];
  coverSrc?: string;
  /** The cover was named by --cover or the config file: it may live outside the post's root. */
  coverFromConfig?: boolean;
  coverLine?: number;
  /** The cover came from the front matter (`--cover-fallback` may replace it when it is missing). */
  coverFromFrontMatter?: boolean;
  cover?: { data: Buffer; sourceSha256: string; processed: ProcessedImage };
  /** The rendered HTML (step 2). */
  html?: string;
  /** Prepared for a draft (fields refused on their limits, cover compressed), not only for a render. */
  forDraft: boolean;
  /** The site root `/absolute` image paths resolve against (see {@link rootDirFor}). */
  rootDir: string;
  allowOutsideRoot?: boolean;
}

/** Options of {@link preparePost}: the session (configuration) and the same switches as a run. */
export interface PrepareOptions
  extends Pick<PublishOptions, 'rootDir' | 'allowOutsideRoot' | 'title' | 'coverFallback' | 'offline'> {
  session: Session;
  /** What the post is prepared for; default `'draft'` (field limits refused, cover compressed). */
  mode?: PublishMode;
  /** The draft state (for the post's key); default: the session's state file. */
  state?: DraftState;
  onProgress?: RunHooks['onProgress'];
  signal?: AbortSignal;
}

/** Options of {@link publishPosts}. */
export interface PublishPostsOptions
  extends Omit<PublishOptions, 'draft' | 'bundle' | 'publish' | 'rootDir' | 'allowOutsideRoot' | 'title'>,
    RunHooks {
  session: Session;
  mode: PublishMode;
  /** The Official Account client; default: the session's (`session.officialAccount()`). */
  client?: OfficialAccountClient;
  /** The draft state store; default: the session's state file (`drafts.json`), or memory with `--sandbox`. */
  state?: DraftState;
}

/**
 * The session's draft state: the state file (locked, atomic writes), or memory for an in-process sandbox
 * without `--sandbox-state`.
 * @throws ConfigError when the state file is not valid JSON.
 */
export async function openDraftState(session: Session): Promise<DraftState> {
  return session.ephemeral ? DraftState.ephemeral() : DraftState.open(session.config.stateFile);
}

/**
 * Reads and checks one post without sending anything: front matter and fields (title, author, digest, cover,
 * source URL…, with the configured author and `title` override), field limits (problems with line numbers),
 * the cover; for a draft also the content size (a dry render) and the cover resolved and compressed.
 * `input` is a file path, or `{ markdown, path }` for a post that is not on disk (`path` names it and is where
 * its relative images resolve from).
 * @returns the prepared post, to give to {@link publishPosts}.
 * @throws ContentError (exit 1) naming file, line and column for every problem found (broken front matter,
 *   field over its limit, missing or broken cover, content over 20,000 characters or 1 MiB);
 *   ConfigError (exit 4) when a draft is asked for without credentials.
 */
export async function preparePost(
  input: string | { markdown: string; path: string },
  options: PrepareOptions,
): Promise<PreparedPost> {
  const { session, mode = 'draft', ...rest } = options;
  const state = options.state ?? (await openDraftState(session));
  const hooks: RunHooks = {};
  if (options.onProgress) hooks.onProgress = options.onProgress;
  if (options.signal) hooks.signal = options.signal;
  const flags: PublishOptions = { ...rest, ...modeFlags(mode) };
  delete (flags as { state?: unknown }).state;
  const [post] = await preparePosts(session, [input], flags, state, hooks);
  return post as PreparedPost;
}

/**
 * Renders prepared posts and — by `mode` — pushes them: `render` uploads images only (with credentials,
 * else writes local previews), `draft` creates or updates one draft per post, `bundle` one multi-article
 * draft (≤ 8 articles), `publish` drafts then freepublish. Drafts are upserted by the post's key in the state
 * file, found again in the draft box by marker when the state file lost them, never duplicated.
 * Implements https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Add_draft.html,
 * https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Update_draft.html and
 * https://developers.weixin.qq.com/doc/offiaccount/Publish/Publish.html.
 * @returns the run report (the CLI's `--json` document): one {@link PostReport} per post; a post whose WeChat
 *   step failed carries `error` and the others went on; `exitCode` is the worst failure's.
 * @throws ContentError (exit 1) for broken images or MUST lint errors before any draft is pushed; UsageError
 *   (exit 2) for a bundle over 8 posts or a post prepared for a render given to a draft mode; ConfigError
 *   (exit 4); `signal.reason` when aborted.
 */
export async function publishPosts(
  prepared: PreparedPost[],
  options: PublishPostsOptions,
): Promise<RunReport> {
  const { session, mode, client, state, onProgress, signal, ...rest } = options;
  const flags: PublishOptions = { ...rest, ...modeFlags(mode) };
  if (flags.draft && prepared.some((post) => !post.forDraft)) {
    throw new UsageError(
      `${prepared.find((post) => !post.forDraft)?.file}: prepared for a render; call preparePost with mode '${mode}' before publishing it`,
    );
  }
  assertBundleSize(flags, prepared.length);
  const hooks: RunHooks = {};
  if (onProgress) hooks.onProgress = onProgress;
  if (signal) hooks.signal = signal;
  return publishPrepared(session, prepared, flags, state ?? (await openDraftState(session)), hooks, client);
}

function assertBundleSize(options: PublishOptions, count: number): void {
  if (options.bundle && count > MAX_BUNDLE_ARTICLES) {
    throw new UsageError(
      `--bundle: ${count} posts, but a draft holds at most ${MAX_BUNDLE_ARTICLES} articles (https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Add_draft.html); bundle fewer posts`,
    );
  }
}

/** Articles per draft: the legacy news limit, which the sandbox enforces (the Add_draft page does not state one). */
const MAX_BUNDLE_ARTICLES = 8;

/** Length of a media/uploadimg URL (`https://mmbiz.qpic.cn/mmbiz_png/<~90 chars>/0?wx_fmt=png`), characters. */
const WECHAT_URL_LENGTH = 130;

/** The directory `/absolute` image paths resolve against: `--root-dir`, else the working directory when the post is inside it, else the post's directory. */
export function rootDirFor(file: string, cwd: string, explicit?: string): string {
  if (explicit) return path.resolve(cwd, explicit);
  const relative = path.relative(cwd, file);
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) return cwd;
  return path.dirname(file);
}

/**
 * Where a post's outputs go (without extension): `<post dir>/out/<name>` (one directory to ignore in git), or
 * mirrored under `outDir` by the post's directory relative to `cwd`.
 */
export function outputBase(file: string, cwd: string, outDir?: string): string {
  const name = path.basename(file).replace(/\.(md|markdown|mdx)$/i, '');
  if (!outDir) return path.join(path.dirname(file), 'out', name);
  let relative = path.relative(cwd, path.dirname(file));
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    relative = path.basename(path.dirname(file));
  }
  return path.join(outDir, relative, name);
}

/**
 * Runs the whole flow over `files` (absolute paths): {@link preparePost} for each, then {@link publishPosts}.
 * Every post's problems are reported together, before anything is sent.
 * @returns the run report (the CLI's `--json` document).
 * @throws ContentError (exit 1) for field limits, missing covers, broken images and — with `publish` — MUST
 *   lint errors, before any draft is pushed; UsageError (exit 2); ConfigError (exit 4); `signal.reason` when
 *   aborted. A WeChat failure (exit 3) is the failed post's `error` (thrown with `failFast`).
 */
export async function runPublish(
  session: Session,
  files: string[],
  options: PublishOptions,
  hooks: RunHooks = {},
): Promise<RunReport> {
  assertBundleSize(options, files.length);
  if (options.title !== undefined && files.length !== 1) {
    throw new UsageError(
      `--title gives one post its title, but ${files.length} posts were given: run them one at a time, or put \`wechat_title:\` in each post's front matter`,
    );
  }
  const state = await openDraftState(session);
  const prepared = await preparePosts(session, files, options, state, hooks);
  return publishPrepared(session, prepared, options, state, hooks);
}

/** True when `options` push to WeChat: images uploaded (credentials set, not `offline`). */
function isOnline(session: Session, options: PublishOptions): boolean {
  const { config } = session;
  if (options.offline) return false;
  return config.platform === 'wecom' ? Boolean(config.wecom) : session.hasOfficialAccount;
}

/** Step (1) over several posts, so that every post's problems are reported together (see {@link preparePost}). */
async function preparePosts(
  session: Session,
  inputs: Array<string | { markdown: string; path: string }>,
  options: PublishOptions,
  state: DraftState,
  hooks: RunHooks,
): Promise<PreparedPost[]> {
  const { config } = session;
  const wantsDraft = Boolean(options.draft || options.publish || options.bundle);
  if (wantsDraft && !isOnline(session, options)) {
    // Surfaces the configuration error (exit 4) before any work.
    await session.officialAccount();
  }
  hooks.signal?.throwIfAborted();
  // (1) Read every post and check what can be checked without a request.
  const prepared: PreparedPost[] = [];
  const problems: VFileMessage[] = [];
  // Fields memoised beside the result cache: an unchanged post is checked without loading the renderer.
  const fieldsDir = isOnline(session, options) ? resultCacheDir(session, options) : undefined;
  for (const input of inputs) {
    const file = path.resolve(config.cwd, typeof input === 'string' ? input : input.path);
    const source = typeof input === 'string' ? await readFile(file, 'utf8') : input.markdown;
    const shown = displayPath(file, config.cwd);
    let meta: PostMeta;
    let fallbacks: VFileMessage[];
    try {
      ({ meta, fallbacks } = await postFields(fieldsDir, file, source, shown));
    } catch (error) {
      // Every post's problems are reported together: a broken front matter does not hide the next post's.
      if (!(error instanceof ContentError)) throw error;
      problems.push(...error.messages);
      continue;
    }
    if (!meta.author && config.author) meta.author = config.author;
    if (options.title !== undefined) {
      meta.title = options.title.trim();
      meta.titleFrom = 'flag';
      delete meta.titleLine;
    }
    const post: PreparedPost = {
      file,
      source,
      meta,
      key: state.keyFor(file, meta.wechatId),
      forDraft: wantsDraft,
      rootDir: rootDirFor(file, config.cwd, options.rootDir),
      ...(options.allowOutsideRoot ? { allowOutsideRoot: true } : {}),
    };
    const fieldProblems = checkArticleLimits(meta, shown);
    if (meta.cover) {
      post.coverSrc = meta.cover;
      post.coverFromFrontMatter = true;
      if (meta.coverLine !== undefined) post.coverLine = meta.coverLine;
    } else if (!defaultCover(post, config.cover)) {
      fieldProblems.push(contentMessage(NO_COVER, { file: shown, ruleId: FIELD_LIMIT }));
    }
    // Without --draft nothing is refused, but the same problems are reported as errors: a post shown
    // with ✔ is one that --draft accepts.
    post.fields = [...fieldProblems, ...fallbacks];
    if (wantsDraft) problems.push(...fieldProblems);
    prepared.push(post);
  }
  assertNoProblems(problems);

  // (1b) Unchanged posts come from the result cache: no render, no image work, only the draft update.
  const warn = cacheWarnings(hooks);
  const results = isOnline(session, options) ? await openResultCache(session, options, warn) : undefined;
  for (const post of results ? prepared : []) noteLookup(post, results!, await results?.lookup(post));
  const fresh = prepared.filter((post) => !unchangedResult(post));

  if (wantsDraft && fresh.length > 0) {
    // The content limit can only be measured on HTML: a render without the image plugin (no upload) gives it,
    // with each image src padded to the length of a WeChat URL.
    const render = await loadRender();
    for (const post of fresh) {
      const renderOptions: RenderOptions = { filePath: post.file };
      if (config.theme) renderOptions.theme = config.theme;
      const formulaCache = await formulaCacheFor(session, post.source, warn);
      if (formulaCache) renderOptions.formulaCache = formulaCache;
      const drawn = await diagramPlugins(session, post.source);
      if (drawn.length) renderOptions.remarkPlugins = drawn;
      const dry = await render.render(post.source, renderOptions);
      const estimate = dry.html.replace(/(<img\b[^>]*\bsrc=")[^"]*"/g, `$1${'x'.repeat(WECHAT_URL_LENGTH)}"`);
      const shown = displayPath(post.file, config.cwd);
      problems.push(...checkContentLimits(post.meta, shown, estimate));
      if (options.publish) {
        // --publish is refused on MUST lint errors: find them before uploading (images are not up yet, so
        // "image not on WeChat" is expected here).
        const findings = await render.lint(dry.html, lintOptions(session));
        for (const m of findings.filter((x) => x.fatal && x.ruleId !== 'img-on-mmbiz')) {
          problems.push(
            contentMessage(`--publish refused: ${describeMessage(m, shown, 'html')}`, {
              file: shown,
              ruleId: m.ruleId ?? 'lint',
            }),
          );
        }
      }
    }
    assertNoProblems(problems);
    await prepareCovers(session, fresh, options, hooks);
  }
  return prepared;
}

/** Cache warnings (a corrupt entry, dropped and rebuilt) as `cache-warning` events. */
function cacheWarnings(hooks: RunHooks) {
  return (warning: { code: string; message: string }) => {
    void hooks.onProgress?.({ type: 'cache-warning', code: warning.code, message: warning.message });
  };
}

/** Steps (2)–(4) of {@link publishPosts}. */
async function publishPrepared(
  session: Session,
  prepared: PreparedPost[],
  options: PublishOptions,
  state: DraftState,
  hooks: RunHooks,
  givenClient?: OfficialAccountClient,
): Promise<RunReport> {
  const { config } = session;
  const { signal } = hooks;
  const emit = async (event: PublishEvent) => {
    await hooks.onProgress?.(event);
  };
  const wantsDraft = Boolean(options.draft || options.publish || options.bundle);
  const wecom = config.platform === 'wecom';
  const online = isOnline(session, options);
  const account = online ? session.accountId : undefined;
  const mode: RunReport['mode'] = options.publish
    ? 'publish'
    : wantsDraft
      ? 'draft'
      : online
        ? 'upload'
        : 'preview';
  const officialAccount = async () => givenClient ?? session.officialAccount();
  const problems: VFileMessage[] = [];
  signal?.throwIfAborted();

  // (2) Render: images resolved, compressed and (with credentials) uploaded. Unchanged posts skip it, and a
  // run of only unchanged posts never loads the renderer or the image modules.
  const fresh = prepared.some((post) => !unchangedResult(post));
  let uploader: WechatImageUploader | undefined;
  let cache: ImageCache | undefined;
  if (fresh && online && wecom) {
    uploader = await wecomUploader(session);
    cache = await imageCache(session);
  } else if (fresh && online) {
    const client = await officialAccount();
    uploader = (await loadRemarkImages()).wechatUploader(client, { account: account as string });
    cache = await imageCache(session);
  }
  if (uploader && signal) uploader = abortableUploader(uploader, signal);

  const reports: PostReport[] = [];
  /** Posts whose image uploads failed on WeChat's side: reported, never drafted. */
  const failures: PostReport[] = [];
  for (const post of prepared) {
    const shown = displayPath(post.file, config.cwd);
    signal?.throwIfAborted();
    const hit = unchangedResult(post);
    if (hit) {
      const t = hit.report.images;
      // Nothing was uploaded this time: what the last run uploaded now counts as cached.
      const report: PostReport = {
        ...hit.report,
        images: { ...t, uploaded: 0, cached: t.cached + t.uploaded },
      };
      await emit({ type: 'rendered', file: post.file, report });
      await emit({ type: 'unchanged', file: post.file });
      options.onRendered?.(post.file, hit.html, post.meta);
      reports.push(report);
      post.html = hit.html;
      continue;
    }
    const [render, remark] = await Promise.all([loadRender(), loadRemarkImages()]);
    const recorder = recorderFor(post, path.dirname(post.file));
    const base = outputBase(post.file, config.cwd, config.outDir);
    let totals = remark.emptyTotals();
    await emit({ type: 'render-started', file: post.file });
    const onProgress = (event: ProgressEvent) => {
      recorder?.onProgress(event);
      totals = event.totals;
      void hooks.onProgress?.({ type: 'image', file: post.file, image: event });
    };
    const pluginOptions: RemarkWechatImagesOptions = {
      baseDir: path.dirname(post.file),
      rootDir: post.rootDir,
      downloadCacheDir: path.join(config.cacheDir, 'downloads'),
      allowPrivateHosts: session.privateHosts(),
      onProgress,
    };
    if (options.allowOutsideRoot || post.allowOutsideRoot) pluginOptions.allowOutsideRoot = true;
    if (options.continueOnError) pluginOptions.continueOnError = true;
    if (uploader && cache) {
      pluginOptions.uploader = uploader;
      pluginOptions.cache = cache;
    } else {
      // Dry run: compressed copies next to the preview page, linked relatively.
      const imagesDir = `${base}.images`;
      pluginOptions.outDir = imagesDir;
      pluginOptions.publicPath = path.basename(imagesDir);
    }
    let html: string;
    let messages: VFileMessage[];
    let renderMeta: ArticleMeta;
    try {
      const renderOptions: RenderOptions = {
        filePath: post.file,
        remarkPlugins: [
          ...(await diagramPlugins(session, post.source)),
          [remark.remarkWechatImages, pluginOptions],
        ],
      };
      if (config.theme) renderOptions.theme = config.theme;
      const formulaCache = await formulaCacheFor(session, post.source, cacheWarnings(hooks));
      if (formulaCache) renderOptions.formulaCache = formulaCache;
      const result = await render.render(post.source, renderOptions);
      html = result.html;
      renderMeta = result.meta;
      messages = result.file.messages;
    } catch (error) {
      await emit({ type: 'render-finished', file: post.file });
      if (signal?.aborted) throw signal.reason;
      const imageProblems = imageProblemsOf(remark, error, shown);
      if (imageProblems) {
        problems.push(...imageProblems);
        continue;
      }
      // WeChat failed uploading this post's images: this post fails, the others go on.
      const failure = unwrapUploadError(remark, error);
      if (options.failFast || exitCodeOf(failure) !== ExitCode.wechat) throw failure;
      const failed: PostReport = {
        file: post.file,
        key: post.key,
        title: post.meta.title ?? path.basename(post.file),
        images: totals,
        messages: [],
        htmlMessages: [],
        error: postError(failure),
      };
      await emit({ type: 'post-failed', file: post.file, error: failed.error as PostError });
      failures.push(failed);
      continue;
    } finally {
      await cache?.flush?.();
    }
    await emit({ type: 'render-finished', file: post.file });
    const lintFindings = await render.lint(html, lintOptions(session));

    const report: PostReport = {
      file: post.file,
      key: post.key,
      title: post.meta.title ?? renderMeta.title ?? path.basename(post.file),
      images: totals,
      messages: [...(post.fields ?? []), ...messages],
      // Without uploads the images are local files on purpose: "not on WeChat" is expected, not a finding.
      htmlMessages: online ? lintFindings : lintFindings.filter((m) => m.ruleId !== 'img-on-mmbiz'),
    };
    if (wantsDraft) problems.push(...checkContentLimits(post.meta, shown, html));
    if (!options.noWrite) {
      const previewMeta: Partial<ArticleMeta> = { title: report.title };
      if (post.meta.author) previewMeta.author = post.meta.author;
      if (post.meta.digest) previewMeta.digest = post.meta.digest;
      // The in-process sandbox dies with this run, and its image URLs with it: the preview keeps copies.
      const previewHtml = session.sandbox
        ? await keepSandboxImages(session.sandbox.imageHost, html, base)
        : html;
      report.preview = `${base}.preview.html`;
      await writeFileAtomic(report.preview, render.previewPage(previewHtml, previewMeta));
      if (online) {
        report.html = `${base}.wechat.html`;
        await writeFileAtomic(report.html, html);
      }
    }
    await emit({ type: 'rendered', file: post.file, report });
    options.onRendered?.(post.file, html, post.meta);
    reports.push(report);
    post.html = html;
  }
  assertNoProblems(problems);
  if (!online && !options.offline) await emit({ type: 'no-credentials' });

  const run: RunReport = { mode, posts: reports, failed: 0, exitCode: ExitCode.ok };
  if (account) run.account = account;
  if (!wantsDraft) return finishRun(run, failures);

  // (3) Drafts. --publish is refused while MUST errors stand.
  if (options.publish) {
    const blocking: string[] = [];
    for (const report of reports) {
      const file = displayPath(report.file, config.cwd);
      // Linter positions are in the HTML, not the post: only the file is named for those.
      for (const [list, inPost] of [
        [report.messages, true],
        [report.htmlMessages, false],
      ] as const) {
        for (const m of list.filter((x) => x.fatal)) {
          const where = formatLocation({ file, line: inPost ? m.line : undefined });
          blocking.push(`  ${where}: [${ruleOf(m)}] ${m.reason}`);
        }
      }
    }
    if (blocking.length > 0) {
      throw new CliError(
        `--publish refused: the linter reports MUST errors (fix them, or push a draft without --publish):\n${blocking.join('\n')}`,
        ExitCode.content,
      );
    }
  }
  const client = await officialAccount();
  const drafted = prepared.filter((post) => reports.some((r) => r.file === post.file));
  const costs = { lookupPages: 0, lookupGets: 0, stateLockWaitMs: 0, lockWaitMs: 0 };
  const upsertOptions = await draftUpsertOptions(session, (lookup) => {
    costs.lookupPages += lookup.pages;
    costs.lookupGets += lookup.gets;
  });
  let coverCache = cache;
  const coverFor = async (post: PreparedPost, report: PostReport): Promise<string> => {
    signal?.throwIfAborted();
    const kept = unchangedResult(post)?.cover;
    if (kept) {
      report.cover = { ...kept, cached: true };
      return kept.media_id;
    }
    coverCache ??= await imageCache(session);
    const cover = post.cover;
    if (!cover) {
      throw new ContentError([
        contentMessage('no cover prepared', { file: post.file, ruleId: 'wechat/cover' }),
      ]);
    }
    const info = cover.processed.info;
    const uploaded = await uploadCover(client, coverCache, account as string, {
      sourceSha256: cover.sourceSha256,
      data: cover.processed.data,
      format: info.format,
      bytes: info.bytes,
      width: info.width,
      height: info.height,
    });
    report.cover = { src: post.coverSrc as string, ...uploaded };
    await emit({ type: 'cover-uploaded', file: post.file, ...report.cover });
    return uploaded.media_id;
  };
  const reportOf = (post: PreparedPost) => reports.find((r) => r.file === post.file) as PostReport;
  if (options.bundle && failures.length > 0) {
    // A bundle without one of its articles is not the draft asked for: none is pushed.
    const failed = failures.map((f) => displayPath(f.file, config.cwd)).join(', ');
    for (const post of drafted) {
      reportOf(post).error = postError(
        new CliError(
          `--bundle not pushed: ${failed} failed, and the draft needs every article`,
          ExitCode.wechat,
        ),
      );
    }
    await emit({
      type: 'bundle-skipped',
      files: drafted.map((post) => post.file),
      failed: failures.map((f) => f.file),
    });
  } else if (options.bundle && drafted.length > 1) {
    try {
      const articles: DraftArticle[] = [];
      for (const post of drafted) {
        const report = reportOf(post);
        articles.push(toArticle(post, post.html ?? '', await coverFor(post, report)));
      }
      // Only a single-article draft has a digest (Add_draft: "仅有单图文消息才有摘要").
      for (const article of articles) delete article.digest;
      const keys = drafted.map((p) => p.key);
      signal?.throwIfAborted();
      const draft = await upsertDraft(client, state, account as string, keys, articles, upsertOptions);
      drafted.forEach((post, index) => {
        reportOf(post).draft = draftReport(draft, index);
      });
      await emit({
        type: 'draft-saved',
        bundle: true,
        files: drafted.map((p) => p.file),
        ...draftEvent(draft),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      // One draft holds them all: its failure is every article's.
      for (const post of drafted) reportOf(post).error = postError(error);
      await emit({
        type: 'draft-failed',
        bundle: true,
        files: drafted.map((p) => p.file),
        error: postError(error),
      });
    }
  } else {
    for (const post of drafted) {
      const report = reportOf(post);
      try {
        const article = toArticle(post, post.html ?? '', await coverFor(post, report));
        signal?.throwIfAborted();
        const draft = await upsertDraft(
          client,
          state,
          account as string,
          [post.key],
          [article],
          upsertOptions,
        );
        report.draft = draftReport(draft, 0);
        await storeResult(post, post.html ?? '', report, coverFile(post.coverSrc, post.file, config.cwd));
        await emit({ type: 'draft-saved', bundle: false, files: [post.file], ...draftEvent(draft) });
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        report.error = postError(error);
        await emit({ type: 'draft-failed', bundle: false, files: [post.file], error: report.error });
      }
    }
  }
  if (!session.ephemeral) run.state = config.stateFile;

  // (4) Publish.
  if (options.publish) {
    const seen = new Set<string>();
    for (const report of reports) {
      const media_id = report.draft?.media_id;
      if (!media_id || report.error || seen.has(media_id)) continue;
      seen.add(media_id);
      const sharing = reports.filter((r) => r.draft?.media_id === media_id);
      try {
        signal?.throwIfAborted();
        const published = await publishDraft(client, media_id, options.publishTimeoutMs ?? 600_000, emit);
        for (const other of sharing) other.publish = published;
        // A published draft leaves the draft box: the next run makes a new draft for these posts.
        for (const [key] of state.entriesFor(account as string, media_id))
          state.delete(account as string, key);
        await state.save();
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        for (const other of sharing) other.error = postError(error);
        await emit({ type: 'publish-failed', media_id, error: postError(error) });
      }
    }
  }
  costs.stateLockWaitMs = state.lockWaitMs;
  costs.lockWaitMs = lockWaits.maxMs;
  run.costs = costs;
  return finishRun(run, failures);
}

function draftEvent(draft: UpsertResult): {
  media_id: string;
  action: UpsertResult['action'];
  reconciled: boolean;
} {
  return { media_id: draft.media_id, action: draft.action, reconciled: Boolean(draft.reconciled) };
}

/**
 * `uploader` checking `signal` before every upload, so that a cancelled run sends no further image.
 * An upload already on the wire finishes (WeChat may have stored it; the cache records what came back).
 */
function abortableUploader(uploader: WechatImageUploader, signal: AbortSignal): WechatImageUploader {
  const wrapped: WechatImageUploader = {
    ...uploader,
    async uploadBodyImage(data, info) {
      signal.throwIfAborted();
      return uploader.uploadBodyImage(data, info);
    },
  };
  const animated = uploader.uploadAnimatedImage?.bind(uploader);
  if (animated) {
    wrapped.uploadAnimatedImage = async (data, info) => {
      signal.throwIfAborted();
      return animated(data, info);
    };
  }
  return wrapped;
}

function draftReport(draft: UpsertResult, index: number): NonNullable<PostReport['draft']> {
  const out: NonNullable<PostReport['draft']> = { media_id: draft.media_id, index, action: draft.action };
  if (draft.reconciled) out.reconciled = true;
  return out;
}

/**
 * The run's posts in argument order (failed uploads included), the failure count and the exit code of the
 * worst failure.
 */
function finishRun(run: RunReport, failures: PostReport[]): RunReport {
  if (failures.length > 0) {
    const order = new Map(run.posts.concat(failures).map((r) => [r.file, r]));
    run.posts = [...order.values()];
  }
  const failed = run.posts.filter((r) => r.error);
  run.failed = failed.length;
  run.exitCode = failed.reduce<ExitCodeValue>(
    (worst, r) => Math.max(worst, r.error?.exitCode ?? 0) as ExitCodeValue,
    ExitCode.ok,
  );
  return run;
}

/** A thrown error as a post's `error` (secrets were redacted by the client that raised it). */
export function postError(error: unknown): PostError {
  const e = error as Error & Partial<{ hint: string }>;
  const out: PostError = {
    name: e?.name ?? 'Error',
    message: e instanceof Error ? e.message : String(error),
    exitCode: exitCodeOf(error),
  };
  if (isWechatError(error)) {
    out.errcode = error.errcode;
    out.errmsg = error.errmsg;
    if (error.rid) out.rid = error.rid;
    if (error.endpoint) out.endpoint = error.endpoint;
  }
  if (typeof e?.hint === 'string') out.hint = e.hint;
  return out;
}

/** One line for a failed post: WeChat's errcode/errmsg/rid and hint, else the message. */
export function describePostError(error: PostError): string {
  if (error.errcode === undefined) return error.message;
  let text = `WeChat ${error.endpoint ?? 'API'}: errcode ${error.errcode} ${error.errmsg ?? ''}`.trimEnd();
  if (error.rid && !text.includes(error.rid)) text += ` (rid ${error.rid})`;
  if (error.hint) text += ` — hint: ${error.hint}`;
  return text;
}

/**
 * The per-post lock of `upsertDraft`: the session's store (file store or Redis, so runners on other machines
 * are excluded too). Held for a lookup and an add (a second or two, more with retries); a killed holder's lock
 * lasts `ttlMs` unless the store detects the dead holder sooner.
 */
const DRAFT_LOCK = { ttlMs: 20_000, waitMs: 60_000 };

async function draftUpsertOptions(
  session: Session,
  onLookup: (lookup: DraftLookup) => void,
): Promise<UpsertOptions> {
  if (session.ephemeral) return { onLookup };
  const store = await session.tokenStore();
  return {
    onLookup,
    lock: (name) => timedLock(store, name, DRAFT_LOCK),
  };
}

/**
 * Copies every image `html` takes from the in-process sandbox's `imageHost` to `<base>.images/` and points
 * the returned HTML at the copies (relative paths), so the preview page still shows them once the sandbox is
 * gone. The `.wechat.html` file keeps the sandbox URLs: that is the content the draft holds.
 */
async function keepSandboxImages(imageHost: string, html: string, base: string): Promise<string> {
  const prefix = `${imageHost}/`;
  const srcs = new Set(
    [...html.matchAll(/<img\b[^>]*\bsrc="([^"]+)"/g)]
      .map((m) => (m[1] as string).replace(/&amp;/g, '&'))
      .filter((src) => src.startsWith(prefix)),
  );
  if (srcs.size === 0) return html;
  const dir = `${base}.images`;
  const local = new Map<string, string>();
  for (const src of srcs) {
    const response = await fetch(src);
    if (!response.ok) continue;
    const format = /[?&]wx_fmt=(\w+)/.exec(src)?.[1] ?? 'png';
    const data = Buffer.from(await response.arrayBuffer());
    const name = `${createHash('sha256').update(data).digest('hex').slice(0, 16)}.${format === 'jpeg' ? 'jpg' : format}`;
    await writeFileAtomic(path.join(dir, name), data);
    local.set(src, `${path.basename(dir)}/${name}`);
  }
  return html.replace(/(<img\b[^>]*\bsrc=")([^"]+)"/g, (whole, head: string, src: string) => {
    const copy = local.get(src.replace(/&amp;/g, '&'));
    return copy ? `${head}${copy}"` : whole;
  });
}

/**
 * Linter options: image hosts accepted besides mmbiz.qpic.cn — the sandbox's, or a non-WeChat `baseUrl`'s
 * (a sandbox started elsewhere serves its images from its own origin).
 */
export function lintOptions(session: Session): LintOptions {
  const hosts: string[] = [];
  if (session.sandbox) hosts.push(`${session.sandbox.imageHost}/`);
  const base =
    session.config.platform === 'wecom' ? session.config.wecom?.baseUrl : session.config.oa?.baseUrl;
  if (base && !/\.weixin\.qq\.com/.test(base)) hosts.push(`${new URL(base).origin}/`);
  return hosts.length ? { imageHosts: hosts } : {};
}

/** `file` relative to `cwd` when inside it (as messages show it), else absolute. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative.startsWith('..') ? file : relative;
}

/** The loaded `@md2wx/remark-wechat-images` module (its error class is matched against this copy). */
type RemarkImages = Awaited<ReturnType<typeof loadRemarkImages>>;

/**
 * Content problems from a `RemarkWechatImagesError` of the 'prepare' stage, as vfile messages (ruleId
 * `wechat/image`, `actual` the src); undefined for other errors. The class is the one of the module whose
 * plugin ran, so `instanceof` holds even beside a second copy of the package.
 */
function imageProblemsOf(remark: RemarkImages, error: unknown, shown: string): VFileMessage[] | undefined {
  if (!(error instanceof remark.RemarkWechatImagesError) || error.stage !== 'prepare') return undefined;
  return error.problems.map((p) =>
    contentMessage(`image ${p.actual}: ${p.reason}`, {
      file: shown,
      line: p.line,
      column: p.column,
      image: p.actual,
      ruleId: 'wechat/image',
    }),
  );
}

/** An upload-stage plugin error carries the WeChat error as the cause of a problem: surface that (exit 3). */
function unwrapUploadError(remark: RemarkImages, error: unknown): unknown {
  if (!(error instanceof remark.RemarkWechatImagesError)) return error;
  const wechat = error.problems
    .map((p) => p.cause)
    // An unreachable host (WechatNetworkError) is WeChat's side too: exit 3, not a content error.
    .find((cause) => isWechatError(cause) || exitCodeOf(cause) === ExitCode.wechat);
  return wechat ?? error;
}

/**
 * WeCom body images go through WeCom's media/uploadimg (https://developer.work.weixin.qq.com/document/path/90256), which takes jpg/png only: an
 * animated GIF cannot be placed in a WeCom mpnews body, so it is refused with what to do.
 */
async function wecomUploader(session: Session): Promise<WechatImageUploader> {
  const client = await session.wecomClient();
  return {
    account: `wecom:${session.config.wecom?.corpId}`,
    async uploadBodyImage(data, info) {
      return client.uploadImage(data, { filename: info.filename });
    },
    async uploadAnimatedImage(_data, info) {
      throw new CliError(
        `${info.filename}: WeCom uploadimg takes jpg/png only; an animated GIF cannot go into an mpnews body — use a still image`,
        ExitCode.content,
      );
    },
  };
}

/** What a post with no cover is told (`--draft` refuses it; preview and lint report it). */
export const NO_COVER =
  "no cover: add `cover: path/to/image.jpg` to the front matter, put an image in the post, or pass --cover <image>; or `cover: generate` (front matter or config) / --cover generate for a title card in the theme's colours";

/** The cover value (`cover: generate`, config `cover`, `--cover generate`) that asks for a title card. */
export const GENERATED_COVER = 'generate';

/**
 * A 2.35:1 title card for `post` (@md2wx/images `titleCard`): the title in white on the theme's accent
 * colour (its `--accent` variable; dark grey for a theme without one), the author under it.
 */
async function generatedCover(session: Session, post: PreparedPost): Promise<Buffer> {
  const [images, render] = await Promise.all([loadImages(), loadRender()]);
  const css = render.themes[session.config.theme ?? render.DEFAULT_THEME] ?? '';
  const accent = /--accent\s*:\s*(#[0-9a-fA-F]{3,8})\b/.exec(css)?.[1] ?? '#333333';
  const card = await images.titleCard({
    title: post.meta.title ?? path.basename(post.file),
    background: accent,
    ...(post.meta.author ? { subtitle: post.meta.author } : {}),
  });
  return card.data;
}

/**
 * Gives `post` the cover used when its front matter names none: `--cover`/config `cover`, else the post's
 * first image. @returns false when there is neither.
 */
function defaultCover(post: PreparedPost, configCover: string | undefined): boolean {
  delete post.coverLine;
  post.coverFromFrontMatter = false;
  if (configCover) {
    post.coverSrc = configCover;
    post.coverFromConfig = true;
    return true;
  }
  const first = post.meta.firstImage;
  if (!first) return false;
  post.coverSrc = first.src;
  post.coverLine = first.line;
  return true;
}

/** Image error codes meaning "the cover is not there" (as opposed to "it is there but broken"). */
const MISSING_COVER: ReadonlySet<ImageErrorCode> = new Set(['not-found', 'unreachable']);

/** Resolves and compresses every cover before anything is uploaded: a broken cover stops the run here. */
async function prepareCovers(
  session: Session,
  posts: PreparedPost[],
  options: PublishOptions,
  hooks: RunHooks,
): Promise<void> {
  const images = await loadImages();
  const problems: VFileMessage[] = [];
  for (const post of posts) {
    if (!post.coverSrc) continue;
    const shown = displayPath(post.file, session.config.cwd);
    // Where the cover's problems point: its front-matter line, or the image taken instead after a fallback.
    const at = { file: shown, line: post.coverLine, image: post.coverSrc };
    const coverProblem = (reason: string) => contentMessage(reason, { ...at, ruleId: 'wechat/cover' });
    const resolveOptions = (): ResolveOptions => ({
      baseDir: path.dirname(post.file),
      rootDir: post.rootDir,
      cacheDir: path.join(session.config.cacheDir, 'downloads'),
      allowPrivateHosts: session.privateHosts(),
      ...(options.allowOutsideRoot || post.coverFromConfig ? { allowOutsideRoot: true } : {}),
    });
    try {
      if (post.coverSrc === GENERATED_COVER) {
        const data = await generatedCover(session, post);
        const processed = await images.processImage(data, { target: 'cover', source: 'generated cover' });
        post.cover = { data, sourceSha256: processed.info.sourceSha256, processed };
        continue;
      }
      let resolved: ResolvedImage;
      try {
        resolved = await images.resolveImage(post.coverSrc, resolveOptions());
      } catch (error) {
        const fallback =
          (options.coverFallback || session.config.coverFallback) &&
          post.coverFromFrontMatter &&
          images.isImageError(error) &&
          MISSING_COVER.has(error.code);
        if (!fallback) throw error;
        const { code } = error;
        const missing = post.coverSrc;
        if (!defaultCover(post, session.config.cover)) {
          throw new Error(
            `${(error as Error).message}; --cover-fallback found no other cover: the post has no image — pass --cover <image>`,
          );
        }
        await hooks.onProgress?.({
          type: 'cover-fallback',
          file: post.file,
          missing,
          src: post.coverSrc as string,
          message: `${formatLocation(at)}: front-matter cover ${missing} is missing (${code}); using ${post.coverSrc}${
            post.coverLine === undefined ? '' : ` (line ${post.coverLine})`
          } instead (--cover-fallback)`,
        });
        at.image = post.coverSrc;
        at.line = post.coverLine;
        resolved = await images.resolveImage(post.coverSrc, resolveOptions());
      }
      if (!resolved.data) {
        problems.push(
          coverProblem(
            `cover ${post.coverSrc} is already a WeChat URL; a cover must be uploaded as material: give a local file or an http(s) URL`,
          ),
        );
        continue;
      }
      const processed = await images.processImage(resolved.data, { target: 'cover', source: post.coverSrc });
      post.cover = { data: resolved.data, sourceSha256: processed.info.sourceSha256, processed };
    } catch (error) {
      const missing =
        post.coverFromFrontMatter &&
        !(options.coverFallback || session.config.coverFallback) &&
        images.isImageError(error) &&
        MISSING_COVER.has(error.code);
      const fix = missing
        ? ' — fix the path, or add --cover-fallback to use --cover or the first image instead'
        : '';
      // ImageError messages start with the source, which "cover <src>:" names already.
      const reason = (error as Error).message.replace(`${post.coverSrc}: `, '');
      problems.push(coverProblem(`cover ${post.coverSrc}: ${reason}${fix}`));
    }
  }
  assertNoProblems(problems);
}

function toArticle(post: PreparedPost, html: string, thumb_media_id: string): DraftArticle {
  const meta = post.meta;
  const article: DraftArticle = { title: meta.title as string, content: html, thumb_media_id };
  if (meta.author) article.author = meta.author;
  if (meta.digest) article.digest = meta.digest;
  if (meta.contentSourceUrl) article.content_source_url = meta.contentSourceUrl;
  if (meta.needOpenComment !== undefined) article.need_open_comment = meta.needOpenComment;
  if (meta.onlyFansCanComment !== undefined) article.only_fans_can_comment = meta.onlyFansCanComment;
  if (meta.picCrop2351) article.pic_crop_235_1 = meta.picCrop2351;
  if (meta.picCrop11) article.pic_crop_1_1 = meta.picCrop11;
  return article;
}

export { upsertDraft } from './drafts.js';

/**
 * Submits a draft (freepublish/submit, https://developers.weixin.qq.com/doc/offiaccount/Publish/Publish.html)
 * and waits for the verdict.
 * @throws WechatPublishError (exit 3) when publishing fails, WechatTimeoutError when it does not finish within
 *   `timeoutMs`.
 */
async function publishDraft(
  client: OfficialAccountClient,
  media_id: string,
  timeoutMs: number,
  emit: (event: PublishEvent) => Promise<void>,
): Promise<{ publish_id: string; article_id?: string; urls: string[] }> {
  const { publish_id } = await client.submitPublish(media_id);
  await emit({ type: 'publish-submitted', media_id, publish_id: String(publish_id) });
  // Throws WechatPublishError (statuses 2–6) or WechatTimeoutError: both exit 3 with WeChat's wording.
  const status = await client.waitForPublish(publish_id, { timeoutMs });
  const result: { publish_id: string; article_id?: string; urls: string[] } = {
    publish_id: String(publish_id),
    urls: status.article_detail?.item.map((item) => item.article_url) ?? [],
  };
  if (status.article_id) result.article_id = status.article_id;
  await emit({ type: 'published', media_id, ...result });
  return result;
}
