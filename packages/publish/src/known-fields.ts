/**
 * Each post's article fields as `post-fields.ts` reads them (`readPostMeta`, then `applyFieldFallbacks`), kept
 * in the run's cache directory (namespace `fields` of @md2wx/cache, beside the result cache): both are
 * functions of the post's source and the name it is shown by alone, so a re-run of an unchanged post takes
 * them from here and never loads the renderer (unified, remark, highlight.js, MathJax) only to read its front
 * matter again. A hit is served through the cache's pointer file, without loading cacache.
 *
 * One entry a post, keyed by its path; an entry from another md2wx version or for other source bytes is a
 * miss, and the fields are read again and the entry rewritten. A corrupt entry is dropped by the cache.
 */
import { createHash } from 'node:crypto';
import type { VFileMessage } from 'vfile-message';
import type { PostMeta } from './article.js';
import { MD2WX_VERSION, reviveMessage } from './result-cache.js';

/** A post's fields: the meta with fallbacks applied, and one warning per fallback taken. */
export interface PostFields {
  meta: PostMeta;
  /** Non-fatal vfile messages (`wechat/field-fallback`). */
  fallbacks: VFileMessage[];
}

/** What an entry holds. */
interface Memo extends PostFields {
  /** SHA-256 of `[file, shown, source]`. */
  input: string;
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/**
 * The fields of the post at `file` (absolute) with Markdown `source`, shown to the user as `shown`: from the
 * cache in `cacheDir` when it holds them for these bytes, else read (loading @md2wx/render) and, with a
 * `cacheDir`, stored there for the next run. `cacheDir` undefined: always read, nothing written.
 * The returned objects are the caller's to change.
 * @throws ContentError (exit 1) from `readPostMeta` when the front matter does not parse (never stored).
 */
export async function postFields(
  cacheDir: string | undefined,
  file: string,
  source: string,
  shown: string,
): Promise<PostFields> {
  const input = sha256(JSON.stringify([file, shown, source]));
  // A cache that cannot be read or written costs the next run a read of the front matter, nothing more.
  const cache =
    cacheDir === undefined
      ? undefined
      : (await import('@md2wx/cache')).openCache({
          namespace: 'fields',
          version: MD2WX_VERSION,
          dir: cacheDir,
        });
  const memo = await cache?.getJSON<Partial<Memo>>(file);
  if (memo?.input === input && memo.meta && Array.isArray(memo.fallbacks))
    return { meta: memo.meta, fallbacks: memo.fallbacks.map(reviveMessage) };
  const { applyFieldFallbacks, readPostMeta } = await import('./post-fields.js');
  const meta = readPostMeta(source, shown);
  const fallbacks = applyFieldFallbacks(meta, shown);
  await cache?.setJSON(file, { input, meta, fallbacks } satisfies Memo);
  return { meta, fallbacks };
}
