/**
 * The result cache of unchanged posts: a `--draft` re-run of a post whose source, images (by content
 * hash), options and md2wx version are unchanged skips rendering, image work, cover processing and the
 * modules for them, and only sends the `draft/update` (WeChat's draft may have been edited by hand in
 * the editor since, so the article is always pushed again — it is one round trip and keeps "the draft
 * box holds what the post says" true).
 *
 * Entries live in `<cacheDir>` (`.md2wx-cache/` by default) on @md2wx/cache. A CI runner that starts
 * with an empty cache re-renders: the committed state files stay what keeps it from uploading twice.
 * Posts with remote (http) images or covers are never cached: their bytes can change behind the URL.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Cache, CacheWarning } from '@md2wx/cache';
import type { ProgressEvent } from '@md2wx/remark-wechat-images';
import type { FormulaCache } from '@md2wx/render';
import { VFileMessage } from 'vfile-message';
import { loadRender } from './modules.js';
import type { PostReport, PublishOptions } from './pipeline.js';
import type { Session } from './session.js';

/** A file the post's result depends on, with the SHA-256 of its bytes when the result was made. */
interface Dependency {
  path: string;
  sha256: string;
}

/** What a post's cached result holds. */
export interface CachedResult {
  html: string;
  /** The post's report without this run's draft outcome. */
  report: Omit<PostReport, 'draft' | 'error' | 'publish'>;
  /** The uploaded cover (its thumb_media_id), reused as long as its source file is unchanged. */
  cover?: NonNullable<PostReport['cover']>;
  deps: Dependency[];
}

/** The post fields the key is made of (`PreparedPost` in pipeline.ts). */
interface KeyedPost {
  file: string;
  source: string;
  meta: unknown;
  key: string;
  coverSrc?: string;
}

/** Config keys never hashed into a key (secrets stay out of the cache directory, even as hashes). */
const SECRET = /secret|token|password/i;

function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!SECRET.test(k)) out[k] = withoutSecrets(v);
    return out;
  }
  return value;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
/** An image source that names a local file (not a URL, data: URI or protocol-relative URL). */
const isLocal = (src: string) => !/^(?:[a-z][a-z\d+.-]*:|\/\/)/i.test(src);

/** Records which local images a post's render read, from the image plugin's progress events. */
export class DependencyRecorder {
  readonly sources = new Set<string>();
  /** A remote image was seen: the result must not be cached. */
  remote = false;
  constructor(readonly baseDir: string) {}
  onProgress(event: ProgressEvent): void {
    if (isLocal(event.src)) this.sources.add(event.src);
    else if (!event.src.startsWith('https://mmbiz.qpic.cn/')) this.remote = true;
  }
}

/** The md2wx version: results (and memoised fields) written by another version are never read. */
export const MD2WX_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;

/**
 * The cache directory a run's results are kept in, or `undefined` where the result cache does not apply: only
 * `--draft` runs on an Official Account with a persistent state (not `--publish`, `--bundle`, the in-process
 * sandbox or WeCom).
 */
export function resultCacheDir(session: Session, options: PublishOptions): string | undefined {
  const { config } = session;
  if (session.ephemeral || config.platform === 'wecom' || !session.hasOfficialAccount) return undefined;
  if (!options.draft || options.publish || options.bundle || options.offline || options.noWrite)
    return undefined;
  return config.cacheDir;
}

/**
 * The result cache of one run, or `undefined` where it does not apply: only `--draft` runs on an
 * Official Account with a persistent state (not `--publish`, `--bundle`, the in-process sandbox or WeCom).
 * `onWarning` hears of each corrupt entry (dropped; the post is rendered again).
 */
export async function openResultCache(
  session: Session,
  options: PublishOptions,
  onWarning: (warning: CacheWarning) => void,
): Promise<ResultCache | undefined> {
  const { config } = session;
  const dir = resultCacheDir(session, options);
  if (!dir) return undefined;
  const { openCache } = await import('@md2wx/cache');
  const cache = openCache({
    namespace: 'result',
    version: MD2WX_VERSION,
    dir,
    options: { config: withoutSecrets(config), options, account: session.accountId },
    onWarning,
  });
  return new ResultCache(cache);
}

/** What step (1) found for a post, for step (3) to store or reuse: kept beside the post, not in its public shape. */
const found = new WeakMap<
  object,
  { results: ResultCache; hit?: CachedResult; recorder?: DependencyRecorder }
>();

/** Notes that `post` was looked up in `results` (and its `hit`, if any). */
export function noteLookup(post: object, results: ResultCache, hit: CachedResult | undefined): void {
  found.set(post, hit ? { results, hit } : { results });
}

/** The cached result step (1) found for `post`, if any. */
export function unchangedResult(post: object): CachedResult | undefined {
  return found.get(post)?.hit;
}

/** A recorder for the images `post`'s render reads, when its result may be stored. */
export function recorderFor(post: object, baseDir: string): DependencyRecorder | undefined {
  const entry = found.get(post);
  if (!entry) return undefined;
  entry.recorder = new DependencyRecorder(baseDir);
  return entry.recorder;
}

/** Stores `post`'s result after its draft went through (no-op for posts not looked up, or served from the cache). */
export async function storeResult(
  post: KeyedPost,
  html: string,
  report: PostReport,
  coverPath: string | undefined | null,
): Promise<void> {
  const entry = found.get(post);
  if (!entry?.recorder || entry.hit || coverPath === null) return;
  await entry.results.store(post, entry.recorder, html, report, coverPath);
}

/** See the module comment. */
export class ResultCache {
  constructor(private readonly cache: Cache) {}

  private keyOf(post: KeyedPost): string {
    return `${post.file}\0${sha256(JSON.stringify([post.source, post.meta, post.key, post.coverSrc ?? null]))}`;
  }

  /**
   * The cached result of `post` when every file it depends on has the bytes it had and the files the
   * last run wrote (preview, WeChat HTML) are still there; else `undefined`.
   */
  async lookup(post: KeyedPost): Promise<CachedResult | undefined> {
    const hit = await this.cache.getJSON<CachedResult>(this.keyOf(post));
    if (!hit || typeof hit.html !== 'string' || !Array.isArray(hit.deps) || !hit.cover) return undefined;
    // An entry of an older md2wx (diagnostics, not messages) is rebuilt.
    if (!Array.isArray(hit.report?.messages) || !Array.isArray(hit.report.htmlMessages)) return undefined;
    for (const dep of hit.deps) {
      const data = await readFile(dep.path).catch(() => undefined);
      if (!data || sha256(data) !== dep.sha256) return undefined;
    }
    for (const written of [hit.report.preview, hit.report.html])
      if (written && !existsSync(written)) return undefined;
    hit.report.messages = hit.report.messages.map(reviveMessage);
    hit.report.htmlMessages = hit.report.htmlMessages.map(reviveMessage);
    return hit;
  }

  /**
   * Stores a post's result after its draft went through. Nothing is stored when the post used a remote
   * image or cover, or a source file could not be read back.
   */
  async store(
    post: KeyedPost,
    recorder: DependencyRecorder,
    html: string,
    report: PostReport,
    coverPath: string | undefined,
  ): Promise<void> {
    if (recorder.remote || !report.cover) return;
    const files = [...recorder.sources].map((src) => path.resolve(recorder.baseDir, decodeSource(src)));
    if (coverPath) files.push(coverPath);
    const deps: Dependency[] = [];
    for (const file of new Set(files)) {
      const data = await readFile(file).catch(() => undefined);
      if (!data) return;
      deps.push({ path: file, sha256: sha256(data) });
    }
    const { draft: _d, error: _e, publish: _p, cover, ...kept } = report;
    const entry: CachedResult = { html, report: kept, deps, ...(cover ? { cover } : {}) };
    await this.cache.setJSON(this.keyOf(post), entry);
  }
}

/**
 * A vfile message read back from its JSON (a cached report's): a `VFileMessage` again, with the fields the
 * report shows (reason, file, place, line/column, ruleId, source, fatal, note, actual).
 */
export function reviveMessage(data: Partial<VFileMessage>): VFileMessage {
  const message = new VFileMessage(data.reason ?? '', {
    ...(data.place ? { place: data.place } : {}),
    ...(data.ruleId ? { ruleId: data.ruleId } : {}),
    ...(data.source ? { source: data.source } : {}),
  });
  message.file = data.file ?? '';
  message.fatal = data.fatal;
  // Set apart from `place`: a problem that only knows its line has no column.
  message.line = data.line;
  message.column = data.column;
  if (data.note) message.note = data.note;
  if (data.actual) message.actual = data.actual;
  return message;
}

/** A Markdown image path as a file path: `<…>` brackets and %-escapes removed. */
function decodeSource(src: string): string {
  const bare = src.replace(/^<(.*)>$/, '$1').replace(/[?#].*$/, '');
  try {
    return decodeURI(bare);
  } catch {
    return bare;
  }
}

/**
 * The local file a post's cover was read from, or `undefined` for a generated cover; `null` when it is
 * remote (the result is then not cached).
 */
export function coverFile(
  coverSrc: string | undefined,
  postFile: string,
  cwd: string,
): string | undefined | null {
  if (!coverSrc || coverSrc === 'generate') return undefined;
  if (!isLocal(coverSrc)) return null;
  const nextToPost = path.resolve(path.dirname(postFile), decodeSource(coverSrc));
  if (existsSync(nextToPost)) return nextToPost;
  const fromCwd = path.resolve(cwd, decodeSource(coverSrc));
  return existsSync(fromCwd) ? fromCwd : null;
}

const formulaCaches = new WeakMap<Session, Promise<FormulaCache>>();

/**
 * The run's persistent formula cache (`<cacheDir>`, shared by every post), opened on the first post that
 * may hold math; `undefined` for a post without `$`, `\(` or `\[` (no table read, no cacache loaded).
 */
export function formulaCacheFor(
  session: Session,
  source: string,
  onWarning: (warning: CacheWarning) => void,
): Promise<FormulaCache> | undefined {
  if (!/\$|\\\(|\\\[/.test(source)) return undefined;
  let opened = formulaCaches.get(session);
  if (!opened) {
    opened = loadRender().then((render) =>
      render.createFormulaCache({
        dir: session.config.cacheDir,
        onWarning,
      }),
    );
    formulaCaches.set(session, opened);
  }
  return opened;
}
