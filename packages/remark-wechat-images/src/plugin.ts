import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Root } from 'mdast';
import pLimit from 'p-limit';
import type { Plugin } from 'unified';
import type { VFile } from 'vfile';
import { VFileMessage } from 'vfile-message';
import { cacheKey, type ProcessingSettings } from './cache/key.js';
import { memoryCache } from './cache/memory.js';
import { collectImages, type ImageOccurrence } from './collect.js';
import { RemarkWechatImagesError } from './errors.js';
import { checkOptions } from './options.js';
import { imageProcessing, type ProcessedImageLike } from './image-processing.js';
import type {
  CacheEntry,
  ImageCache,
  ProgressEvent,
  ProgressStage,
  RemarkWechatImagesOptions,
  UploadEndpoint,
  UploadImageInfo,
} from './types.js';
import { emptyTotals } from './types.js';

/** Messages carry this `source`, so reporters can group them. */
export const MESSAGE_SOURCE = 'remark-wechat-images';

/**
 * Work in flight in this process, keyed by cache key (account + endpoint + source sha256 + settings), so
 * concurrent files sharing an image process and upload it once even when they use different cache objects.
 */
interface InFlight {
  processing: Map<string, Promise<ProcessedImageLike>>;
  uploading: Map<string, Promise<CacheEntry>>;
}
const inFlight: InFlight = { processing: new Map(), uploading: new Map() };

/** A unique source of one file and what became of it. */
interface SourceJob {
  src: string;
  uses: ImageOccurrence[];
  /** Set when the source is ready to upload (cache miss) or done. */
  key?: string;
  target?: 'body' | 'animated';
  processed?: ProcessedImageLike;
  bytesIn?: number;
  url?: string;
  /** Why the source cannot be used: see {@link RemarkWechatImagesError}'s `problems`. */
  problem?: VFileMessage;
  /** Already on WeChat: left as is. */
  skipped?: boolean;
}

/**
 * remark plugin: move every image of a Markdown file onto WeChat and rewrite its URL.
 *
 * `unified().use(remarkParse).use(remarkWechatImages, { uploader: wechatUploader(client), cache })`
 *
 * Walks `image`, `imageReference` (+ its `definition`) and `html` `<img>` nodes; resolves each unique source
 * once (@md2wx/images `resolveImage`), picks the target with `probeImage` (animated →
 * `material/add_material`, else `media/uploadimg`; see `UploadEndpoint`), looks
 * it up in the dedupe cache (key: account, endpoint, sha256 of the source bytes, processing settings),
 * processes misses (`processImage`), and only when every image of the file is ready uploads them with at most
 * `concurrency` (default 4) at a time. Every use is rewritten to the permanent URL; alt text and titles are
 * kept. Sources already on mmbiz.qpic.cn are left.
 *
 * Without `uploader` it is a dry run: images are processed and written to `outDir`, and the Markdown points at
 * those local files.
 *
 * Problems become vfile messages at the image's line:column (source `remark-wechat-images`, ruleId = the
 * @md2wx/images error code). By default any problem fails the file after listing all of them, and nothing of
 * the file is uploaded; with `continueOnError` the bad images stay untouched and get warnings.
 *
 * @throws RemarkWechatImagesError (the transform rejects) when images fail and `continueOnError` is off; with
 *   `stage: 'options'` (when unified attaches the plugin) for an option it does not know, naming the nearest.
 * @throws StateFileError when a state-file cache cannot be read or written.
 */
export const remarkWechatImages: Plugin<[RemarkWechatImagesOptions?], Root> = function remarkWechatImages(
  options: RemarkWechatImagesOptions = {},
) {
  checkOptions(options);
  const settings = options ?? {};
  const concurrency = settings.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`remark-wechat-images: concurrency must be a positive integer, got ${concurrency}`);
  }
  const uploader = settings.uploader;
  const cache = uploader ? (settings.cache ?? memoryCache()) : undefined;
  // One limiter per attachment: files processed in parallel share the budget.
  const limit = pLimit(concurrency);

  return async (tree: Root, file: VFile) => {
    const images = imageProcessing;
    const sites = collectImages(tree, typeof file.value === 'string' ? file.value : String(file.value ?? ''));
    const jobs = groupBySource(sites.occurrences);
    if (jobs.length === 0) return;

    const filePath = file.path ? path.resolve(file.cwd, file.path) : undefined;
    const fileDir = filePath ? path.dirname(filePath) : file.cwd;
    const baseDir = settings.baseDir ? path.resolve(settings.baseDir) : fileDir;
    const totals = emptyTotals(jobs.length);
    const progress = (stage: ProgressStage, job: SourceJob, extra: Partial<ProgressEvent> = {}) => {
      if (!settings.onProgress) return;
      try {
        settings.onProgress({
          stage,
          src: job.src,
          ...(filePath ? { file: filePath } : {}),
          ...extra,
          totals: { ...totals },
        });
      } catch {
        // A broken progress bar must not break the build.
      }
    };
    const fail = (job: SourceJob, error: unknown) => {
      const first = job.uses[0]?.place;
      const problem = new VFileMessage(describe(error, job.src), {
        ...(first ? { place: first } : {}),
        ruleId: errorCode(error) ?? 'image',
        source: MESSAGE_SOURCE,
        ...(error instanceof Error ? { cause: error } : {}),
      });
      problem.fatal = true;
      problem.actual = job.src;
      if (filePath) problem.file = filePath;
      job.problem = problem;
      totals.failed++;
      progress('failed', job, { reason: job.problem.reason });
    };

    let warming: Promise<void> | undefined;

    // Phase 1: resolve, look up, process. No image leaves the machine yet.
    await Promise.all(
      jobs.map((job) =>
        limit(async () => {
          try {
            await prepare(job);
          } catch (error) {
            fail(job, error);
          }
        }),
      ),
    );

    async function prepare(job: SourceJob): Promise<void> {
      const resolved = await images.resolveImage(job.src, {
        baseDir,
        ...(settings.rootDir ? { rootDir: path.resolve(settings.rootDir) } : {}),
        ...(settings.allowOutsideRoot ? { allowOutsideRoot: true } : {}),
        ...(settings.downloadCacheDir ? { cacheDir: settings.downloadCacheDir } : {}),
        ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
        ...(settings.downloadRetries !== undefined ? { retries: settings.downloadRetries } : {}),
        ...(settings.maxSourceBytes ? { maxBytes: settings.maxSourceBytes } : {}),
        ...(settings.downloadDeadlineMs ? { deadlineMs: settings.downloadDeadlineMs } : {}),
        ...(settings.minBytesPerSecond !== undefined
          ? { minBytesPerSecond: settings.minBytesPerSecond }
          : {}),
        ...(settings.allowPrivateHosts !== undefined
          ? { allowPrivateHosts: settings.allowPrivateHosts }
          : {}),
      });
      if (resolved.kind === 'wechat' || !resolved.data) {
        job.skipped = true;
        totals.skipped++;
        progress('skipped', job);
        return;
      }
      const data = resolved.data;
      job.bytesIn = data.length;
      totals.resolved++;
      progress('resolved', job, { bytesIn: data.length });

      const sourceSha256 = resolved.sha256 ?? createHash('sha256').update(data).digest('hex');
      const probe = await images.probeImage(data, { source: job.src });
      const target = probe.animated && probe.frames > 1 ? 'animated' : 'body';
      const processing: ProcessingSettings & { target: typeof target } = {
        target,
        ...(settings.maxWidth ? { maxWidth: settings.maxWidth } : {}),
        ...(settings.maxBytes ? { maxBytes: settings.maxBytes } : {}),
        ...(settings.quality !== undefined ? { quality: settings.quality } : {}),
      };
      job.target = target;
      const endpoint: UploadEndpoint = target === 'animated' ? 'material/add_material' : 'media/uploadimg';
      const key = cacheKey({
        account: uploader?.account ?? 'dry-run',
        endpoint,
        sourceSha256,
        settings: processing,
      });
      job.key = key;

      if (cache) {
        const hit = await cache.get(key);
        if (hit) {
          job.url = hit.url;
          totals.cached++;
          progress('cached', job, { url: hit.url, bytesIn: data.length, bytesOut: hit.bytes });
          return;
        }
        // Something will be uploaded: fetch the access_token while the images are processed.
        warming ??= uploader?.warmUp?.().catch(() => undefined);
      }

      job.processed = await processOnce(inFlight, key, () =>
        images.processImage(data, { ...processing, source: job.src }),
      );
      const bytesOut = job.processed.data.length;
      totals.processed++;
      totals.bytesSaved += Math.max(0, data.length - bytesOut);
      progress('processed', job, { bytesIn: data.length, bytesOut });
      for (const warning of job.processed.warnings) {
        const message = file.message(`${job.src}: ${warning}`, {
          ...placeOf(job),
          source: MESSAGE_SOURCE,
          ruleId: 'processed',
        });
        message.fatal = false;
      }
    }

    const failed = () => jobs.filter((job) => job.problem);
    if (failed().length > 0 && !settings.continueOnError) {
      throw report(file, failed(), 'prepare', filePath);
    }

    // Phase 2: upload (or, in a dry run, write local files) what the cache did not have.
    await warming;
    await Promise.all(
      jobs
        .filter((job) => !job.problem && !job.skipped && !job.url && job.processed && job.key)
        .map((job) =>
          limit(async () => {
            try {
              if (uploader && cache) await upload(job);
              else await writeLocal(job);
            } catch (error) {
              fail(job, error);
            }
          }),
        ),
    );

    async function upload(job: SourceJob): Promise<void> {
      const processed = job.processed!;
      const key = job.key!;
      const info = uploadInfo(processed);
      const { entry, fresh } = await uploadOnce(
        inFlight,
        key,
        cache!,
        async () => {
          if (job.target === 'animated') {
            const result = await uploader!.uploadAnimatedImage(processed.data, info);
            return { url: result.url, media_id: result.media_id };
          }
          return uploader!.uploadBodyImage(processed.data, info);
        },
        info,
      );
      job.url = entry.url;
      if (fresh) totals.uploaded++;
      else totals.cached++;
      progress(fresh ? 'uploaded' : 'cached', job, {
        url: entry.url,
        bytesOut: entry.bytes,
        ...(job.bytesIn ? { bytesIn: job.bytesIn } : {}),
      });
    }

    async function writeLocal(job: SourceJob): Promise<void> {
      const processed = job.processed!;
      const outDir = path.resolve(settings.outDir ?? path.join(baseDir, '.md2wx-cache', 'preview'));
      const name = uploadInfo(processed).filename;
      const target = path.join(outDir, name);
      if (!(await exists(target))) {
        await mkdir(outDir, { recursive: true });
        const temp = `${target}.${process.pid}.tmp`;
        await writeFile(temp, processed.data);
        await rename(temp, target).catch(async (error: unknown) => {
          await rm(temp, { force: true });
          throw error;
        });
      }
      const prefix = settings.publicPath ?? toPosix(path.relative(fileDir, outDir) || '.');
      job.url = `${prefix.replace(/\/+$/, '')}/${name}`;
      totals.written++;
      progress('written', job, { url: job.url, bytesOut: processed.data.length });
    }

    await cache?.flush?.();

    if (failed().length > 0 && !settings.continueOnError) {
      throw report(file, failed(), 'upload', filePath);
    }
    for (const job of failed()) {
      for (const use of job.uses) {
        const message = file.message(`Left image ${job.src} untouched: ${job.problem!.reason}`, {
          ...(use.place ? { place: use.place } : {}),
          source: MESSAGE_SOURCE,
          ruleId: job.problem!.ruleId ?? 'image',
          ...(job.problem!.cause instanceof Error ? { cause: job.problem!.cause } : {}),
        });
        message.fatal = false;
      }
    }
    for (const job of jobs) {
      if (job.url === undefined) continue;
      for (const use of job.uses) use.rewrite(job.url);
    }
    sites.commit();
  };
};

/** Group occurrences by their source string, in document order. Empty sources are not images. */
function groupBySource(occurrences: ImageOccurrence[]): SourceJob[] {
  const jobs = new Map<string, SourceJob>();
  for (const occurrence of occurrences) {
    const src = occurrence.src.trim();
    if (!src) continue;
    let job = jobs.get(src);
    if (!job) {
      job = { src, uses: [] };
      jobs.set(src, job);
    }
    job.uses.push(occurrence);
  }
  return [...jobs.values()];
}

async function processOnce(
  inFlight: InFlight,
  key: string,
  run: () => Promise<ProcessedImageLike>,
): Promise<ProcessedImageLike> {
  const pending = inFlight.processing.get(key);
  if (pending) return pending;
  const started = run();
  inFlight.processing.set(key, started);
  try {
    return await started;
  } finally {
    inFlight.processing.delete(key);
  }
}

async function uploadOnce(
  inFlight: InFlight,
  key: string,
  cache: ImageCache,
  send: () => Promise<{ url: string; media_id?: string }>,
  info: UploadImageInfo,
): Promise<{ entry: CacheEntry; fresh: boolean }> {
  const pending = inFlight.uploading.get(key);
  if (pending) {
    const entry = await pending;
    // The uploader may have written to another cache object: keep ours complete too.
    if (!(await cache.get(key))) await cache.set(key, entry);
    return { entry, fresh: false };
  }
  let fresh = false;
  const started = (async () => {
    const release = await cache.lock?.(key);
    try {
      // Another process may have uploaded it while we waited for the lock.
      const hit = await cache.get(key);
      if (hit) return hit;
      const result = await send();
      const entry: CacheEntry = {
        url: result.url,
        ...(result.media_id ? { media_id: result.media_id } : {}),
        bytes: info.bytes,
        width: info.width,
        height: info.height,
        uploadedAt: new Date().toISOString(),
      };
      await cache.set(key, entry);
      fresh = true;
      return entry;
    } finally {
      await release?.();
    }
  })();
  inFlight.uploading.set(key, started);
  try {
    const entry = await started;
    return { entry, fresh };
  } finally {
    inFlight.uploading.delete(key);
  }
}

function uploadInfo(processed: ProcessedImageLike): UploadImageInfo {
  const { info } = processed;
  const ext = info.format === 'jpeg' ? 'jpg' : info.format;
  const sha = info.outputSha256 || createHash('sha256').update(processed.data).digest('hex');
  return {
    format: info.format,
    width: info.width,
    height: info.height,
    bytes: processed.data.length,
    animated: info.animated,
    filename: `${sha.slice(0, 16)}.${ext}`,
  };
}

function report(
  file: VFile,
  failed: SourceJob[],
  stage: 'prepare' | 'upload',
  filePath: string | undefined,
): RemarkWechatImagesError {
  for (const job of failed) {
    for (const use of job.uses) {
      const what = stage === 'prepare' ? 'nothing was uploaded' : 'the file was not rewritten';
      const message = file.message(`Cannot use image ${job.src}: ${job.problem!.reason} (${what})`, {
        ...(use.place ? { place: use.place } : {}),
        source: MESSAGE_SOURCE,
        ruleId: job.problem!.ruleId ?? 'image',
        ...(job.problem!.cause instanceof Error ? { cause: job.problem!.cause } : {}),
      });
      message.fatal = true;
    }
  }
  const problems = failed.map((job) => job.problem!);
  return new RemarkWechatImagesError(filePath ?? (file.path || undefined), problems, stage);
}

function placeOf(job: SourceJob): { place?: NonNullable<ImageOccurrence['place']> } {
  const place = job.uses[0]?.place;
  return place ? { place } : {};
}

function describe(error: unknown, src: string): string {
  const message = error instanceof Error ? error.message : String(error);
  // ImageError messages start with the source; the vfile message names it already.
  return message.startsWith(`${src}: `) ? message.slice(src.length + 2) : message;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  if (typeof errcode === 'number') return `errcode-${errcode}`;
  if (typeof code === 'string') return code;
  return undefined;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

function toPosix(value: string): string {
  return value.split(path.sep).join('/');
}
