/**
 * The main job: posts → WeChat HTML with every image on WeChat → drafts (upsert) → optionally published.
 *
 * Order matters, so that a bad post costs nothing: (1) read every post and check its article fields and cover
 * (wechat-api.md §2.13 limits) — no request yet; (2) render each post, the remark plugin resolving and
 * compressing all of a post's images before it uploads any; (3) only when every post rendered, upload covers
 * and create or update drafts; (4) `--publish` submits and waits.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageErrorCode, ProcessedImage, ResolvedImage, ResolveOptions } from '@md2wx/images';
import type {
  ImageCache,
  ProgressEvent,
  ProgressTotals,
  RemarkWechatImagesError,
  RemarkWechatImagesOptions,
  WechatImageUploader,
} from '@md2wx/remark-wechat-images';
import type { ArticleMeta, LintOptions, Message, RenderOptions } from '@md2wx/render';
import type { DraftArticle, OfficialAccountClient } from '@md2wx/wechat';
import {
  applyFieldFallbacks,
  assertNoProblems,
  checkArticleLimits,
  firstImage,
  type PostMeta,
  readPostMeta,
} from './article.js';
import { CREDENTIALS_HINT } from './config.js';
import { diagramPlugins } from './diagrams.js';
import {
  CliError,
  ContentError,
  type ContentProblem,
  ExitCode,
  formatLocation,
  isWechatError,
  UsageError,
} from './errors.js';
import { loadImages, loadRemarkImages, loadRender } from './modules.js';
import { formatBytes } from './reporter.js';
import type { Session } from './session.js';
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
  /** Called with each post's final HTML (used by `send`). */
  onRendered?: (file: string, html: string, meta: PostMeta) => void;
}

/** A lint or renderer diagnostic (normalised from @md2wx/render). */
export interface Diagnostic {
  rule: string;
  severity: 'must' | 'should';
  message: string;
  fix?: string;
  /** What `line`/`column` point into: the Markdown post (renderer) or the rendered HTML (linter). */
  in?: 'markdown' | 'html';
  line?: number;
  column?: number;
}

/** What happened to one post. Paths are absolute. */
export interface PostReport {
  file: string;
  key: string;
  title: string;
  html?: string;
  preview?: string;
  images: ProgressTotals;
  diagnostics: Diagnostic[];
  draft?: { media_id: string; index: number; action: 'created' | 'updated' | 'recreated' };
  cover?: { src: string; media_id: string; cached: boolean };
  publish?: { publish_id: string; article_id?: string; urls: string[] };
}

/** The `--json` document of a run. */
export interface RunReport {
  account?: string;
  mode: 'preview' | 'upload' | 'draft' | 'publish';
  posts: PostReport[];
  state?: string;
}

interface PreparedPost {
  file: string;
  source: string;
  meta: PostMeta;
  key: string;
  /** Field problems `--draft` refuses and fallbacks taken, reported in every mode (see {@link fieldDiagnostics}). */
  fields?: Diagnostic[];
  coverSrc?: string;
  /** The cover was named by --cover or the config file: it may live outside the post's root. */
  coverFromConfig?: boolean;
  coverLine?: number;
  /** The cover came from the front matter (`--cover-fallback` may replace it when it is missing). */
  coverFromFrontMatter?: boolean;
  cover?: { data: Buffer; sourceSha256: string; processed: ProcessedImage };
}

/** Articles per draft: the legacy news limit, which the sandbox enforces (§2.13 calls it UNCONFIRMED). */
const MAX_BUNDLE_ARTICLES = 8;

/** Length of a media/uploadimg URL (`https://mmbiz.qpic.cn/mmbiz_png/<~90 chars>/0?wx_fmt=png`), characters. */
const WECHAT_URL_LENGTH = 130;

/**
 * Content-size problems of an article body: ours (text < 20,000 characters, HTML < 1 MiB) and the
 * @md2wx/wechat client's own `checkArticles`, so that nothing is uploaded for a post the client would refuse
 * at draft/add.
 */
async function contentProblems(session: Session, shown: string, html: string): Promise<ContentProblem[]> {
  const problems = checkArticleLimits({ title: 't', body: '', bodyLineOffset: 0 }, shown, html);
  const wechat = await session.wechatModule();
  if (problems.length === 0) {
    try {
      wechat.checkArticles([{ title: 't', content: html, thumb_media_id: 'x' }], 'article');
    } catch (error) {
      if (!(error instanceof wechat.WechatInputError)) throw error;
      problems.push({ file: shown, message: error.message.replace(/^article article 1: /, '') });
    }
  }
  return problems;
}

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
 * Runs the main job over `files` (absolute paths).
 * @returns the run report (also printed as JSON with `--json`).
 * @throws ContentError (exit 1) for field limits, missing covers, broken images and — with `--publish` — MUST
 *   lint errors, before any draft is pushed; WechatApiError (exit 3) from WeChat; ConfigError (exit 4).
 */
export async function runPublish(
  session: Session,
  files: string[],
  options: PublishOptions,
): Promise<RunReport> {
  const { reporter, config } = session;
  const wantsDraft = Boolean(options.draft || options.publish || options.bundle);
  const wecom = config.platform === 'wecom';
  const online = options.offline ? false : wecom ? Boolean(config.wecom) : session.hasOfficialAccount;
  if (wantsDraft && !online) {
    // Surfaces the configuration error (exit 4) before any work.
    await session.officialAccount();
  }
  const account = online ? session.accountId : undefined;
  const mode: RunReport['mode'] = options.publish
    ? 'publish'
    : wantsDraft
      ? 'draft'
      : online
        ? 'upload'
        : 'preview';

  if (options.bundle && files.length > MAX_BUNDLE_ARTICLES) {
    throw new UsageError(
      `--bundle: ${files.length} posts, but a draft holds at most ${MAX_BUNDLE_ARTICLES} articles (wechat-api.md §2.13); bundle fewer posts`,
    );
  }

  if (options.title !== undefined && files.length !== 1) {
    throw new UsageError(
      `--title gives one post its title, but ${files.length} posts were given: run them one at a time, or put \`wechat_title:\` in each post's front matter`,
    );
  }

  // (1) Read every post and check what can be checked without a request.
  const prepared: PreparedPost[] = [];
  const state = session.ephemeral ? DraftState.ephemeral() : await DraftState.open(config.stateFile);
  const problems: ContentProblem[] = [];
  for (const file of files) {
    const source = await readFile(file, 'utf8');
    const meta = readPostMeta(source);
    if (!meta.author && config.author) meta.author = config.author;
    if (options.title !== undefined) {
      meta.title = options.title.trim();
      meta.titleFrom = 'flag';
      delete meta.titleLine;
    }
    const post: PreparedPost = { file, source, meta, key: state.keyFor(file, meta.wechatId) };
    const shown = displayPath(file, config.cwd);
    const fallbacks = applyFieldFallbacks(meta, shown);
    const fieldProblems = checkArticleLimits(meta, shown);
    if (meta.cover) {
      post.coverSrc = meta.cover;
      post.coverFromFrontMatter = true;
      if (meta.coverLine !== undefined) post.coverLine = meta.coverLine;
    } else if (!defaultCover(post, config.cover)) {
      fieldProblems.push({ file: shown, message: NO_COVER });
    }
    // Without --draft nothing is refused, but the same problems are reported as errors: a post shown
    // with ✔ is one that --draft accepts.
    post.fields = fieldDiagnostics(fieldProblems, fallbacks);
    if (wantsDraft) problems.push(...fieldProblems);
    prepared.push(post);
  }
  assertNoProblems(problems);

  if (wantsDraft) {
    // The content limit can only be measured on HTML: a render without the image plugin (no upload) gives it,
    // with each image src padded to the length of a WeChat URL.
    const render = await loadRender();
    for (const post of prepared) {
      const renderOptions: RenderOptions = { filePath: post.file };
      if (config.theme) renderOptions.theme = config.theme;
      const drawn = await diagramPlugins(session, post.source);
      if (drawn.length) renderOptions.remarkPlugins = drawn;
      const dry = await render.render(post.source, renderOptions);
      const estimate = dry.html.replace(/(<img\b[^>]*\bsrc=")[^"]*"/g, `$1${'x'.repeat(WECHAT_URL_LENGTH)}"`);
      const shown = displayPath(post.file, config.cwd);
      problems.push(...(await contentProblems(session, shown, estimate)));
      if (options.publish) {
        // --publish is refused on MUST lint errors: find them before uploading (images are not up yet, so
        // "image not on WeChat" is expected here).
        const findings = normaliseDiagnostics(await render.lint(dry.html, lintOptions(session)), 'html');
        for (const d of findings.filter((x) => x.severity === 'must' && x.rule !== 'img-on-mmbiz')) {
          problems.push({ file: shown, message: `--publish refused: ${describeDiagnostic(d, shown)}` });
        }
      }
    }
    assertNoProblems(problems);
    await prepareCovers(session, prepared, options);
  }

  // (2) Render: images resolved, compressed and (with credentials) uploaded.
  const render = await loadRender();
  const remark = await loadRemarkImages();
  let uploader: WechatImageUploader | undefined;
  let cache: ImageCache | undefined;
  if (online && wecom) {
    uploader = await wecomUploader(session);
    cache = await imageCache(session);
  } else if (online) {
    const client = await session.officialAccount();
    uploader = remark.wechatUploader(client, { account: account as string });
    cache = await imageCache(session);
  }

  const reports: PostReport[] = [];
  for (const post of prepared) {
    const shown = displayPath(post.file, config.cwd);
    const base = outputBase(post.file, config.cwd, config.outDir);
    let totals = remark.emptyTotals();
    const bar = reporter.progressBars
      ? await reporter.progress(path.basename(post.file), 1)
      : { increment() {}, note() {}, stop() {}, setTotal() {} };
    const onProgress = (event: ProgressEvent) => {
      totals = event.totals;
      bar.setTotal(event.totals.images);
      if (['uploaded', 'cached', 'skipped', 'written', 'failed'].includes(event.stage)) {
        bar.increment();
        bar.note(`${formatBytes(event.totals.bytesSaved)} saved`);
      }
    };
    const pluginOptions: RemarkWechatImagesOptions = {
      baseDir: path.dirname(post.file),
      rootDir: rootDirFor(post.file, config.cwd, options.rootDir),
      downloadCacheDir: path.join(config.cacheDir, 'downloads'),
      onProgress,
    };
    if (options.allowOutsideRoot) pluginOptions.allowOutsideRoot = true;
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
    let diagnostics: Diagnostic[];
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
      const result = await render.render(post.source, renderOptions);
      html = result.html;
      renderMeta = result.meta;
      diagnostics = normaliseDiagnostics(result.messages, 'markdown');
    } catch (error) {
      bar.stop();
      const imageProblems = imageProblemsOf(error, shown);
      if (imageProblems) {
        problems.push(...imageProblems);
        continue;
      }
      throw unwrapUploadError(error);
    } finally {
      await cache?.flush?.();
    }
    bar.stop();
    const lintFindings = normaliseDiagnostics(await render.lint(html, lintOptions(session)), 'html');
    // Without uploads the images are local files on purpose: "not on WeChat" is expected, not a finding.
    diagnostics.push(...(online ? lintFindings : lintFindings.filter((d) => d.rule !== 'img-on-mmbiz')));

    const report: PostReport = {
      file: post.file,
      key: post.key,
      title: post.meta.title ?? renderMeta.title ?? path.basename(post.file),
      images: totals,
      diagnostics: [...(post.fields ?? []), ...diagnostics],
    };
    if (wantsDraft) problems.push(...(await contentProblems(session, shown, html)));
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
    printPostSummary(session, report, shown);
    options.onRendered?.(post.file, html, post.meta);
    reports.push(report);
    (post as PreparedPost & { html?: string }).html = html;
  }
  assertNoProblems(problems);
  if (!online && !options.offline) reporter.info(CREDENTIALS_HINT);

  const run: RunReport = { mode, posts: reports };
  if (account) run.account = account;
  if (!wantsDraft) return run;

  // (3) Drafts. --publish is refused while MUST errors stand.
  if (options.publish) {
    const blocking: ContentProblem[] = [];
    for (const report of reports) {
      for (const d of report.diagnostics.filter((x) => x.severity === 'must')) {
        const location: ContentProblem = {
          file: displayPath(report.file, config.cwd),
          message: `[${d.rule}] ${d.message}`,
        };
        blocking.push(location);
      }
    }
    if (blocking.length > 0) {
      throw new CliError(
        `--publish refused: the linter reports MUST errors (fix them, or push a draft without --publish):\n${blocking
          .map((p) => `  ${formatLocation(p)}: ${p.message}`)
          .join('\n')}`,
        ExitCode.content,
      );
    }
  }
  const client = await session.officialAccount();
  const coverIds = await uploadCovers(session, client, prepared, reports);
  const articles = prepared.map((post, i) =>
    toArticle(post, (post as PreparedPost & { html?: string }).html ?? '', coverIds[i] as string),
  );
  if (options.bundle && prepared.length > 1) {
    // Only a single-article draft has a digest (§2.13: "仅有单图文消息才有摘要").
    for (const article of articles) delete article.digest;
    const keys = prepared.map((p) => p.key);
    const draft = await upsertDraft(client, state, account as string, keys, articles);
    reports.forEach((report, index) => {
      report.draft = { media_id: draft.media_id, index, action: draft.action };
    });
    reporter.success(`draft ${draft.action}: ${prepared.length} articles in one draft`);
    reporter.result(`media_id ${draft.media_id}`);
  } else {
    for (const [i, post] of prepared.entries()) {
      const report = reports[i] as PostReport;
      const draft = await upsertDraft(
        client,
        state,
        account as string,
        [post.key],
        [articles[i] as DraftArticle],
      );
      report.draft = { media_id: draft.media_id, index: 0, action: draft.action };
      reporter.success(`${displayPath(post.file, config.cwd)}: draft ${draft.action}`);
      reporter.result(`media_id ${draft.media_id}`);
    }
  }
  if (!session.ephemeral) run.state = config.stateFile;

  // (4) Publish.
  if (options.publish) {
    const seen = new Set<string>();
    for (const report of reports) {
      const media_id = report.draft?.media_id as string;
      if (seen.has(media_id)) continue;
      seen.add(media_id);
      const published = await publishDraft(session, client, media_id, options.publishTimeoutMs ?? 600_000);
      for (const other of reports.filter((r) => r.draft?.media_id === media_id)) other.publish = published;
      // A published draft leaves the draft box: the next run makes a new draft for these posts.
      for (const [key] of state.entriesFor(account as string, media_id)) state.delete(account as string, key);
      await state.save();
      for (const url of published.urls) reporter.result(url);
    }
  }
  return run;
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

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative.startsWith('..') ? file : relative;
}

function printPostSummary(session: Session, report: PostReport, shown: string): void {
  const { reporter } = session;
  const t = report.images;
  const parts = [`${t.images} image(s)`];
  if (t.uploaded) parts.push(`${t.uploaded} uploaded`);
  if (t.cached) parts.push(`${t.cached} cached`);
  if (t.skipped) parts.push(`${t.skipped} already on WeChat`);
  if (t.bytesSaved > 0) parts.push(`${formatBytes(t.bytesSaved)} saved`);
  const refused = report.diagnostics.some((d) => d.rule === FIELD_LIMIT);
  if (refused) reporter.error(`${shown}: "${report.title}" — ${parts.join(', ')}; --draft would refuse it:`);
  else reporter.success(`${shown}: "${report.title}" — ${parts.join(', ')}`);
  for (const d of report.diagnostics) {
    const text = `${describeDiagnostic(d, shown)}${d.fix ? ` — ${d.fix}` : ''}`;
    if (d.rule === FIELD_LIMIT) reporter.error(text);
    else if (d.severity === 'must' || d.rule === FIELD_FALLBACK) reporter.warn(text);
    else reporter.info(`  ${text}`);
  }
  if (report.html) reporter.info(`  html    ${displayPath(report.html, session.config.cwd)}`);
  if (report.preview) reporter.info(`  preview ${displayPath(report.preview, session.config.cwd)}`);
}

/** Diagnostic rule of a field WeChat would refuse (title, author, digest, source URL, crops, cover). */
export const FIELD_LIMIT = 'wechat/field-limit';
/** Diagnostic rule of a field left out instead (a long `description`). */
export const FIELD_FALLBACK = 'wechat/field-fallback';

/** Field problems (MUST, {@link FIELD_LIMIT}) and fallbacks taken (SHOULD, {@link FIELD_FALLBACK}) as diagnostics. */
export function fieldDiagnostics(problems: ContentProblem[], fallbacks: ContentProblem[]): Diagnostic[] {
  const as = (p: ContentProblem, rule: string, severity: Diagnostic['severity']): Diagnostic => ({
    rule,
    severity,
    message: p.message,
    in: 'markdown',
    ...(p.line === undefined ? {} : { line: p.line }),
  });
  return [
    ...problems.map((p) => as(p, FIELD_LIMIT, 'must')),
    ...fallbacks.map((p) => as(p, FIELD_FALLBACK, 'should')),
  ];
}

/** `post.md:12:3 [MUST rule] message`, or `post.md (html 1:1032) …` for linter positions in the HTML. */
export function describeDiagnostic(d: Diagnostic, shown: string): string {
  const pos = d.line === undefined ? '' : `${d.line}${d.column === undefined ? '' : `:${d.column}`}`;
  const where = !pos ? shown : d.in === 'html' ? `${shown} (html ${pos})` : `${shown}:${pos}`;
  return `${where} [${d.severity.toUpperCase()} ${d.rule}] ${d.message}`;
}

/**
 * @md2wx/render messages (renderer or linter) as the CLI's diagnostics; `where` says whether their positions
 * point into the Markdown post or the rendered HTML.
 */
export function normaliseDiagnostics(
  messages: readonly Message[],
  where?: 'markdown' | 'html',
): Diagnostic[] {
  return messages.map((m) => {
    const d: Diagnostic = { rule: m.rule, severity: m.severity, message: m.message };
    if (m.fix) d.fix = m.fix;
    if (where) d.in = where;
    if (m.position) {
      d.line = m.position.line;
      d.column = m.position.column;
    }
    return d;
  });
}

/**
 * The plugin's `RemarkWechatImagesError`, thrown as is or as the `cause` of the renderer's error. Matched by
 * name, not `instanceof`: a second copy of the package (a linked checkout, a bundled CLI) has its own class.
 */
function pluginErrorOf(error: unknown): RemarkWechatImagesError | undefined {
  const isPluginError = (e: unknown): e is RemarkWechatImagesError =>
    e instanceof Error && e.name === 'RemarkWechatImagesError';
  if (isPluginError(error)) return error;
  const cause = error instanceof Error ? error.cause : undefined;
  return isPluginError(cause) ? cause : undefined;
}

/** Content problems from a `RemarkWechatImagesError` of the 'prepare' stage; undefined for other errors. */
function imageProblemsOf(error: unknown, shown: string): ContentProblem[] | undefined {
  const plugin = pluginErrorOf(error);
  if (plugin?.stage !== 'prepare') return undefined;
  return plugin.problems.map((p) => {
    const problem: ContentProblem = { file: shown, image: p.src, message: `image ${p.src}: ${p.reason}` };
    if (p.line !== undefined) problem.line = p.line;
    if (p.column !== undefined) problem.column = p.column;
    return problem;
  });
}

/** An upload-stage plugin error carries the WeChat error as the cause of a problem: surface that (exit 3). */
function unwrapUploadError(error: unknown): unknown {
  const wechat = pluginErrorOf(error)
    ?.problems.map((p) => p.cause)
    .find((cause) => isWechatError(cause));
  return wechat ?? error;
}

/**
 * WeCom body images go through WeCom's media/uploadimg (wechat-api.md §3.3), which takes jpg/png only: an
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

/**
 * The upload dedupe cache: on the Redis store when one is configured (shared by every runner, uploads of one
 * image serialized by a lock), else committed next to the draft state (CI starts empty), memory for the sandbox.
 */
async function imageCache(session: Session): Promise<ImageCache> {
  const remark = await loadRemarkImages();
  if (session.sharedStore) return remark.storeCache(await session.tokenStore());
  if (session.ephemeral) return remark.memoryCache();
  return remark.stateFileCache({ path: path.join(path.dirname(session.config.stateFile), 'images.json') });
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
  const first = firstImage(post.meta.body);
  if (!first) return false;
  post.coverSrc = first.src;
  post.coverLine = first.line + 1 + post.meta.bodyLineOffset;
  return true;
}

/** Image error codes meaning "the cover is not there" (as opposed to "it is there but broken"). */
const MISSING_COVER: ReadonlySet<ImageErrorCode> = new Set(['not-found', 'unreachable']);

/** Resolves and compresses every cover before anything is uploaded: a broken cover stops the run here. */
async function prepareCovers(
  session: Session,
  posts: PreparedPost[],
  options: PublishOptions,
): Promise<void> {
  const images = await loadImages();
  const problems: ContentProblem[] = [];
  for (const post of posts) {
    if (!post.coverSrc) continue;
    const shown = displayPath(post.file, session.config.cwd);
    const at: ContentProblem = { file: shown, message: '', image: post.coverSrc };
    if (post.coverLine !== undefined) at.line = post.coverLine;
    const resolveOptions = (): ResolveOptions => ({
      baseDir: path.dirname(post.file),
      rootDir: rootDirFor(post.file, session.config.cwd, options.rootDir),
      cacheDir: path.join(session.config.cacheDir, 'downloads'),
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
        session.reporter.warn(
          `${formatLocation(at)}: front-matter cover ${missing} is missing (${code}); using ${post.coverSrc}${
            post.coverLine === undefined ? '' : ` (line ${post.coverLine})`
          } instead (--cover-fallback)`,
        );
        at.image = post.coverSrc;
        if (post.coverLine === undefined) delete at.line;
        else at.line = post.coverLine;
        resolved = await images.resolveImage(post.coverSrc, resolveOptions());
      }
      if (!resolved.data) {
        problems.push({
          ...at,
          message: `cover ${post.coverSrc} is already a WeChat URL; a cover must be uploaded as material: give a local file or an http(s) URL`,
        });
        continue;
      }
      const processed = await images.processImage(resolved.data, { target: 'cover', source: post.coverSrc });
      post.cover = { data: resolved.data, sourceSha256: processed.info.sourceSha256, processed };
    } catch (error) {
      problems.push({ ...at, message: `cover ${post.coverSrc}: ${(error as Error).message}` });
    }
  }
  assertNoProblems(problems);
}

/** Uploads each post's cover as permanent material (§2.4), deduplicated by the source's sha256. */
async function uploadCovers(
  session: Session,
  client: OfficialAccountClient,
  posts: PreparedPost[],
  reports: PostReport[],
): Promise<string[]> {
  const cache = await imageCache(session);
  const account = session.accountId as string;
  const ids: string[] = [];
  for (const [i, post] of posts.entries()) {
    const cover = post.cover;
    if (!cover) throw new ContentError([{ file: post.file, message: 'no cover prepared' }]);
    const key = `cover:${account}:${cover.sourceSha256}`;
    let cached = await cache.get(key);
    let media_id = cached?.media_id;
    // Runners sharing a store take turns per cover, and the second finds the first one's upload.
    const release = media_id ? undefined : await cache.lock?.(key);
    try {
      if (release) {
        cached = await cache.get(key);
        media_id = cached?.media_id;
      }
      if (!media_id) {
        const info = cover.processed.info;
        const ext = info.format === 'jpeg' ? 'jpg' : info.format;
        const result = await client.addMaterial({
          type: 'image',
          data: cover.processed.data,
          filename: `cover.${ext}`,
        });
        media_id = result.media_id;
        await cache.set(key, {
          url: result.url ?? '',
          media_id,
          bytes: info.bytes,
          width: info.width,
          height: info.height,
          uploadedAt: new Date().toISOString(),
        });
        await cache.flush?.();
      }
    } finally {
      await release?.();
    }
    ids.push(media_id);
    const report = reports[i];
    if (report) report.cover = { src: post.coverSrc as string, media_id, cached: Boolean(cached?.media_id) };
  }
  return ids;
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

/** True when draft/get knows `media_id` (40007 from it means the draft is gone). */
async function draftExists(client: OfficialAccountClient, media_id: string): Promise<boolean> {
  try {
    await client.getDraft(media_id);
    return true;
  } catch (error) {
    if (isWechatError(error) && error.errcode === 40007) return false;
    throw error;
  }
}

/** errcodes meaning "that draft is gone" (deleted or published in WeChat): re-create it. */
const DRAFT_GONE = new Set([40007, 40114, 53600]);

/**
 * Creates or updates the draft holding `keys` (one post, or a bundle in order): draft/update per article
 * when the state file knows the draft and its layout is unchanged, draft/add otherwise or when WeChat says the
 * draft is gone (§2.12). Saves the state file after each change.
 * @throws WechatApiError for any other WeChat error.
 */
export async function upsertDraft(
  client: OfficialAccountClient,
  state: DraftState,
  account: string,
  keys: string[],
  articles: DraftArticle[],
): Promise<{ media_id: string; action: 'created' | 'updated' | 'recreated' }> {
  const entries = keys.map((key) => state.get(account, key));
  const first = entries[0];
  const sameLayout =
    first !== undefined &&
    entries.every((e, i) => e?.media_id === first.media_id && e.index === i) &&
    (keys.length === 1
      ? !first.bundle || first.bundle.length <= 1
      : JSON.stringify(first.bundle) === JSON.stringify(keys));
  let action: 'created' | 'updated' | 'recreated' = 'created';
  let media_id: string | undefined;
  if (first && sameLayout) {
    try {
      for (const [index, article] of articles.entries()) {
        await client.updateDraft({ media_id: first.media_id, index, articles: article });
      }
      media_id = first.media_id;
      action = 'updated';
    } catch (error) {
      if (!(isWechatError(error) && DRAFT_GONE.has(error.errcode))) throw error;
      // draft/update answers 40007 both for a gone draft and for a bad thumb_media_id: draft/get tells which.
      if (error.errcode === 40007 && (await draftExists(client, first.media_id))) throw error;
      action = 'recreated';
    }
  } else if (first) {
    action = 'recreated';
  }
  if (!media_id) {
    media_id = (await client.addDraft(articles)).media_id;
  }
  for (const [index, key] of keys.entries()) {
    const entry: Parameters<DraftState['set']>[2] = { media_id, index, title: articles[index]?.title ?? '' };
    if (keys.length > 1) entry.bundle = keys;
    state.set(account, key, entry);
  }
  await state.save();
  return { media_id, action };
}

/**
 * Submits a draft (freepublish/submit, §2.14) and waits for the verdict.
 * @throws WechatPublishError (exit 3) when publishing fails, WechatTimeoutError when it does not finish within
 *   `timeoutMs`.
 */
async function publishDraft(
  session: Session,
  client: OfficialAccountClient,
  media_id: string,
  timeoutMs: number,
): Promise<{ publish_id: string; article_id?: string; urls: string[] }> {
  const { publish_id } = await client.submitPublish(media_id);
  session.reporter.info(`publishing draft ${media_id} (publish_id ${publish_id})…`);
  // Throws WechatPublishError (statuses 2–6) or WechatTimeoutError: both exit 3 with WeChat's wording.
  const status = await client.waitForPublish(publish_id, { timeoutMs });
  const result: { publish_id: string; article_id?: string; urls: string[] } = {
    publish_id: String(publish_id),
    urls: status.article_detail?.item.map((item) => item.article_url) ?? [],
  };
  if (status.article_id) result.article_id = status.article_id;
  session.reporter.success(`published: ${result.urls.join(' ') || status.article_id || publish_id}`);
  return result;
}
