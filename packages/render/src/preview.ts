import type { ArticleMeta } from './types.js';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Wraps an article fragment in a standalone HTML page that shows it roughly as WeChat does: a
 * 375 px phone column with 16 px side padding, the title, the author line, then the content.
 * `no-referrer` lets mmbiz.qpic.cn images load outside Tencent's domains (they are hot-link protected).
 *
 * @param html the fragment from {@link render}.
 * @param meta title/author/digest to show above it.
 */
export function previewPage(html: string, meta: Partial<ArticleMeta> = {}): string {
  const title = meta.title ? escapeHtml(meta.title) : '';
  const author = meta.author ? escapeHtml(meta.author) : '';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title || 'md2wx preview'}</title>
<style>
  html, body { margin: 0; padding: 0; background: #ededed; }
  body { font-family: -apple-system, BlinkMacSystemFont, "PingFang SC", "Microsoft YaHei", sans-serif; }
  .phone { box-sizing: border-box; width: 100%; max-width: 375px; margin: 0 auto; min-height: 100vh; background: #fff; padding: 20px 16px 40px; overflow-wrap: break-word; }
  .title { margin: 0 0 14px; font-size: 22px; line-height: 1.4; font-weight: 500; color: rgba(0,0,0,.9); }
  .byline { margin: 0 0 22px; font-size: 15px; color: rgba(0,0,0,.3); }
  .byline .account { color: #576b95; }
</style>
</head>
<body>
<main class="phone">
${title ? `<h1 class="title">${title}</h1>` : ''}
<p class="byline">${author ? `<span>${author}</span> ` : ''}<span class="account">md2wx</span></p>
<article class="content">${html}</article>
</main>
</body>
</html>
`;
}
