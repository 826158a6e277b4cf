/**
 * Each post's article fields as `post-fields.ts` reads them (`readPostMeta`, then `applyFieldFallbacks`), kept
 * in the cache directory beside the result cache: both are functions of the post's source and the name it is
 * shown by alone, so a re-run of an unchanged post takes them from here and never loads the renderer (unified,
 * remark, highlight.js, MathJax) only to read its front matter again.
 *
 * One small JSON file a post (`<cacheDir>/fields/<sha256 of the path>.json`), written atomically; one that is
 * missing, unreadable, from another md2wx version or for other source bytes is a miss, and the fields are read
 * again and the file rewritten.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PostMeta } from './article.js';
import type { VFileMessage } from 'vfile-message';
import { MD2WX_VERSION, reviveMessage } from './result-cache.js';
import { writeFileAtomic } from './state.js';

/** A post's fields: the meta with fallbacks applied, and one warning per fallback taken. */
export interface PostFields {
  meta: PostMeta;
  /** Non-fatal vfile messages (`wechat/field-fallback`). */
  fallbacks: VFileMessage[];
}

/** What a memo file holds. */
interface Memo extends PostFields {
  version: string;
  /** SHA-256 of `[file, shown, source]`. */
  input: string;
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/**
 * The fields of the post at `file` (absolute) with Markdown `source`, shown to the user as `shown`: from the
 * memo in `cacheDir` when it holds them for these bytes, else read (loading @md2wx/render) and, with a
 * `cacheDir`, written there for the next run. `cacheDir` undefined: always read, nothing written.
 * The returned objects are the caller's to change.
 * @throws ContentError (exit 1) from `readPostMeta` when the front matter does not parse (never memoised).
 */
export async function postFields(
  cacheDir: string | undefined,
  file: string,
  source: string,
  shown: string,
): Promise<PostFields> {
  const input = sha256(JSON.stringify([file, shown, source]));
  const memoFile = cacheDir && path.join(cacheDir, 'fields', `${sha256(file)}.json`);
  if (memoFile) {
    const memo = await readFile(memoFile, 'utf8')
      .then((text) => JSON.parse(text) as Partial<Memo>)
      .catch(() => undefined);
    if (memo?.version === MD2WX_VERSION && memo.input === input && memo.meta && Array.isArray(memo.fallbacks))
      return { meta: memo.meta, fallbacks: memo.fallbacks.map(reviveMessage) };
  }
  const { applyFieldFallbacks, readPostMeta } = await import('./post-fields.js');
  const meta = readPostMeta(source, shown);
  const fallbacks = applyFieldFallbacks(meta, shown);
  if (memoFile) {
    const memo: Memo = { version: MD2WX_VERSION, input, meta, fallbacks };
    // A memo that cannot be written costs the next run a read of the front matter, nothing more.
    await writeFileAtomic(memoFile, JSON.stringify(memo)).catch(() => undefined);
  }
  return { meta, fallbacks };
}
