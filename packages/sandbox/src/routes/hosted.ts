/**
 * The image host: files uploaded through uploadimg / add_material (and WeCom uploadimg) served back,
 * and `/s/<id>` article preview pages for drafts and published articles.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxState, StoredArticle } from '../state.js';

function articlePage(articles: StoredArticle[]): string {
  const parts = articles.map(
    (a) =>
      `<article><h1>${escapeHtml(String(a.title))}</h1><div id="js_content">${String(a.content)}</div></article>`,
  );
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(
    String(articles[0]?.title ?? ''),
  )}</title></head><body>${parts.join('<hr>')}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Answers GET/HEAD for hosted files and preview pages; 404 for anything else. */
export function serveHosted(state: SandboxState, url: URL, req: IncomingMessage, res: ServerResponse): void {
  const head = req.method === 'HEAD';
  const file = state.hosted.get(url.pathname);
  if (file && (req.method === 'GET' || head)) {
    res.writeHead(200, {
      'Content-Type': file.mime,
      'Content-Length': String(file.data.length),
      'Cache-Control': 'max-age=2592000',
      'Accept-Ranges': 'bytes',
    });
    res.end(head ? undefined : file.data);
    return;
  }
  const page = /^\/s\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
  if (page && (req.method === 'GET' || head)) {
    const id = page[1] ?? '';
    const articles = state.drafts.get(id)?.articles ?? state.published.get(id)?.articles;
    if (articles) {
      const idx = Number(url.searchParams.get('idx') ?? '0');
      const chosen =
        url.searchParams.has('idx') && articles[idx - 1] ? [articles[idx - 1] as StoredArticle] : articles;
      const html = Buffer.from(articlePage(chosen));
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': String(html.length),
      });
      res.end(head ? undefined : html);
      return;
    }
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not found');
}
