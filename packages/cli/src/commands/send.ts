/**
 * WeCom (企业微信): `md2wx send <post> --to <users>` sends a post as an mpnews application message
 * (https://developer.work.weixin.qq.com/document/path/90236): body images through WeCom media/uploadimg
 * (https://developer.work.weixin.qq.com/document/path/90256), the cover as temporary media
 * (https://developer.work.weixin.qq.com/document/path/90253).
 * `md2wx <post> --platform wecom` renders and uploads without sending.
 */
import path from 'node:path';
import type { MpnewsArticle, PostMeta } from '@md2wx/publish';
import { ContentError, contentMessage, ExitCode, type ExitCodeValue, isWechatError } from '../errors.js';
import { type PublishOptions, prepareWecomCover, runReportJson } from '@md2wx/publish';
import { runPublish } from '../run.js';
import type { Session } from '../session.js';

/** Renders `posts` for WeCom (images on WeCom, HTML and preview written). */
export async function runWecomRender(
  session: Session,
  posts: string[],
  options: PublishOptions,
): Promise<ExitCodeValue> {
  session.config.platform = 'wecom';
  const report = await runPublish(session, posts, options);
  session.reporter.emitJson(runReportJson(report));
  return report.exitCode;
}

/** mpnews limits (§3.10): title ≤ 128 bytes, author ≤ 64 bytes, digest ≤ 512 bytes, content ≤ 666 KiB. */
const MPNEWS_LIMITS = { titleBytes: 128, authorBytes: 64, digestBytes: 512, contentBytes: 666 * 1024 };

/**
 * Sends one post as mpnews to `--to` users (and `--party`/`--tag`).
 * @returns ExitCode.ok; content problems throw ContentError (exit 1) before anything is sent.
 */
export async function runSend(
  session: Session,
  post: string,
  options: { to: string; party?: string; tag?: string; cover?: string; safe?: boolean; rootDir?: string },
): Promise<ExitCodeValue> {
  const { config, reporter } = session;
  config.platform = 'wecom';
  const client = await session.wecomClient();
  const file = path.resolve(config.cwd, post);
  let rendered: { html: string; meta: PostMeta } | undefined;
  await runPublish(session, [file], {
    noWrite: true,
    failFast: true,
    onRendered: (_file, html, meta) => {
      rendered = { html, meta };
    },
  });
  if (!rendered)
    throw new ContentError([contentMessage('nothing rendered', { file: post, ruleId: 'render' })]);
  const { html, meta } = rendered;
  const title = meta.title ?? path.basename(file);
  const problems = [];
  if (Buffer.byteLength(title) > MPNEWS_LIMITS.titleBytes) problems.push('title over 128 bytes');
  if (meta.author && Buffer.byteLength(meta.author) > MPNEWS_LIMITS.authorBytes)
    problems.push('author over 64 bytes');
  if (Buffer.byteLength(html) > MPNEWS_LIMITS.contentBytes) problems.push('content over 666 KiB');
  if (problems.length)
    throw new ContentError(
      problems.map((message) =>
        contentMessage(`mpnews: ${message}`, { file: post, ruleId: 'wecom/mpnews-limit' }),
      ),
    );

  const coverSrc =
    meta.cover ?? (options.cover ? path.resolve(config.cwd, options.cover) : meta.firstImage?.src);
  if (!coverSrc) {
    throw new ContentError([
      contentMessage('no cover: add `cover:` to the front matter, an image to the post, or --cover', {
        file: post,
        ruleId: 'wechat/field-limit',
      }),
    ]);
  }
  const coverInput = await prepareWecomCover(session, file, coverSrc, {
    shown: post,
    ...(options.rootDir ? { rootDir: options.rootDir } : {}),
  });
  // A temporary media_id dies after 3 days. uploadReusable keeps the cover's media_id in the
  // store only while it has life left, so later sends reuse it and an expired one is uploaded again.
  const media = await client.uploadReusable('image', coverInput.data, { filename: coverInput.filename });
  if (media.reused)
    reporter.info(`cover: reusing temporary media ${media.media_id} (uploaded ${media.created_at})`);

  const article: MpnewsArticle = { title, thumb_media_id: media.media_id, content: html };
  if (meta.author) article.author = meta.author;
  if (meta.digest) article.digest = meta.digest;
  if (meta.contentSourceUrl) article.content_source_url = meta.contentSourceUrl;
  const touser = options.to
    .split(/[|,]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .join('|');
  const message: Parameters<typeof client.sendMpnews>[0] = {
    touser,
    articles: [article],
    safe: options.safe ? 1 : 0,
  };
  if (options.party) message.toparty = options.party;
  if (options.tag) message.totag = options.tag;
  let answer: Awaited<ReturnType<typeof client.sendMpnews>>;
  try {
    answer = await client.sendMpnews(message);
  } catch (error) {
    // WeCom forgot the cached cover before our clock did (expired early, another app's store): upload once more.
    if (!(media.reused && isWechatError(error) && error.errcode === 40007)) throw error;
    reporter.info(`cover: temporary media ${media.media_id} is gone (40007); uploading it again`);
    const fresh = await client.uploadReusable('image', coverInput.data, {
      filename: coverInput.filename,
      fresh: true,
    });
    article.thumb_media_id = fresh.media_id;
    answer = await client.sendMpnews(message);
  }
  reporter.emitJson(answer);
  reporter.success(
    `sent "${title}" to ${message.touser}${answer.invaliduser ? ` (invalid users: ${answer.invaliduser})` : ''}`,
  );
  if (answer.msgid) reporter.result(`msgid ${answer.msgid}`);
  return ExitCode.ok;
}
