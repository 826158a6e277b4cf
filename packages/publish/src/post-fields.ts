/**
 * A post's article fields read from its source: @md2wx/render's `readMeta` (md2wx's one reading of front matter
 * and the Markdown tree) and the fallbacks taken on them. Kept apart from `article.ts` because it loads the
 * renderer (unified, remark), which an unchanged post's re-run does without (see `known-fields.ts`).
 */
import { EXPLICIT_DIGEST_KEYS, type MetaOrigin, readMeta } from '@md2wx/render';
import type { VFileMessage } from 'vfile-message';
import { ARTICLE_LIMITS, charCount, type DigestKey, FIELD_FALLBACK, type PostMeta } from './article.js';
import { ContentError, contentMessage } from './errors.js';

const lineOf = (origin: MetaOrigin | undefined) => origin?.line;

/**
 * Reads a post's article fields through @md2wx/render's `readMeta` (keys in its `META_KEYS` table): title
 * (front matter `wechat_title`, else `title`, else the first h1 of the Markdown tree), author, digest
 * (`wechat_digest`|`digest`|`description`|`summary`|`excerpt`|`abstract`; never the first paragraph: without
 * one WeChat makes its own), cover (`cover`|`image`|`thumbnail`|`banner`|`featured_image`|…, or `cover.image`),
 * `content_source_url`, comment flags, crops and `wechat_id`, each with its 1-based line in the post. YAML
 * (`---`), TOML (`+++`) and Hexo's headless front matter are read alike.
 * @param file the post as shown to the user, for errors.
 * @throws ContentError (exit 1) naming `file:line:column` and the parser's reason when the front matter does
 *   not parse.
 */
export function readPostMeta(source: string, file?: string): PostMeta {
  const { meta: m, frontMatter, frontMatterError } = readMeta(source);
  if (frontMatterError) {
    const language = frontMatter.format === 'toml' ? 'TOML' : 'YAML';
    const fence = frontMatter.format === 'toml' ? '+++' : '---';
    throw new ContentError([
      contentMessage(
        `front matter is not valid ${language}: ${frontMatterError.reason} — fix the ${language} between the ${fence} lines (quote values holding ": " or "#")`,
        {
          file: file ?? '(front matter)',
          line: frontMatterError.line,
          column: frontMatterError.column,
          ruleId: 'render/frontmatter',
        },
      ),
    ]);
  }
  const o = m.origins;
  const meta: PostMeta = {};
  const put = <K extends keyof PostMeta>(key: K, value: PostMeta[K] | undefined) => {
    if (value !== undefined) meta[key] = value;
  };
  if (m.title) {
    meta.title = m.title;
    meta.titleFrom =
      o.title?.key === 'heading' ? 'h1' : o.title?.key === 'wechat_title' ? 'wechat_title' : 'front-matter';
    put('titleLine', lineOf(o.title));
  }
  put('author', m.author);
  put('authorLine', lineOf(o.author));
  // A digest made from the first paragraph is the renderer's preview; WeChat makes a better one itself.
  if (m.digest && o.digest && o.digest.key !== 'paragraph') {
    meta.digest = m.digest;
    meta.digestFrom = o.digest.key as DigestKey;
    put('digestLine', lineOf(o.digest));
  }
  put('cover', m.cover);
  put('coverLine', lineOf(o.cover));
  put('contentSourceUrl', m.sourceUrl);
  put('contentSourceUrlLine', lineOf(o.sourceUrl));
  put('needOpenComment', m.needOpenComment);
  put('onlyFansCanComment', m.onlyFansCanComment);
  put('picCrop2351', m.picCrop2351);
  put('picCrop2351Line', lineOf(o.picCrop2351));
  put('picCrop11', m.picCrop11);
  put('picCrop11Line', lineOf(o.picCrop11));
  put('wechatId', m.wechatId);
  if (m.firstImage) meta.firstImage = { src: m.firstImage.src, line: m.firstImage.line };
  return meta;
}

/**
 * Field fallbacks, applied before {@link checkArticleLimits}: a `description`/`summary`/`excerpt` longer than
 * WeChat's 128-character digest is written for search engines, not for WeChat; it is left out of the draft
 * (WeChat then takes the digest from the article) rather than refusing the post or cutting it in silence.
 * Mutates `meta` (drops `digest`, sets `digestDropped`).
 * @returns one warning per fallback taken: a non-fatal vfile message (ruleId {@link FIELD_FALLBACK}) with file
 *   and line.
 */
export function applyFieldFallbacks(meta: PostMeta, file: string): VFileMessage[] {
  const warnings: VFileMessage[] = [];
  const from = meta.digestFrom;
  if (meta.digest && from && !EXPLICIT_DIGEST_KEYS.has(from)) {
    const chars = charCount(meta.digest);
    if (chars > ARTICLE_LIMITS.digest) {
      meta.digestDropped = {
        from,
        chars,
        ...(meta.digestLine === undefined ? {} : { line: meta.digestLine }),
      };
      delete meta.digest;
      delete meta.digestFrom;
      delete meta.digestLine;
      warnings.push(
        contentMessage(
          `${from} is ${chars} characters, over WeChat's ${ARTICLE_LIMITS.digest}: not sent as the digest, so WeChat makes one from the article; to choose it, add \`digest:\` (or \`wechat_digest:\`, which only WeChat reads) with at most ${ARTICLE_LIMITS.digest} characters`,
          { file, line: meta.digestDropped.line, ruleId: FIELD_FALLBACK, fatal: false },
        ),
      );
    }
  }
  return warnings;
}
