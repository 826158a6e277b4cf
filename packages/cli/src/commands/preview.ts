/**
 * `md2wx preview <post>`: renders the post (images compressed locally, never uploaded), serves the preview
 * page on localhost and reloads the browser when the post is saved.
 */
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ExitCode, type ExitCodeValue, UsageError } from '../errors.js';
import { loadRender } from '../modules.js';
import { outputBase } from '@md2wx/publish';
import { runPublish } from '../run.js';
import type { Session } from '../session.js';

const RELOAD_SCRIPT =
  '<script>(function(){var s=new EventSource("/__md2wx/events");s.onmessage=function(e){if(e.data==="reload")location.reload();};})();</script>';

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
};

/** A running preview server. */
export interface PreviewServer {
  url: string;
  /** Renders again and tells connected browsers to reload. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Renders `file` and serves it on `host:port` (port 0 = a free one). The page carries a small script that
 * reloads it on an EventSource message; `watch` re-renders on every save.
 * @throws ContentError when the post cannot be rendered the first time (later failures are shown in the page).
 */
export async function startPreviewServer(
  session: Session,
  file: string,
  options: { port?: number; host?: string; watch?: boolean; continueOnError?: boolean } = {},
): Promise<PreviewServer> {
  const render = await loadRender();
  const base = outputBase(file, session.config.cwd, session.config.outDir);
  const staticRoot = path.dirname(base);
  let page = '';
  const clients = new Set<ServerResponse>();

  const build = async () => {
    let html = '';
    let title = path.basename(file);
    await runPublish(session, [file], {
      offline: true,
      noWrite: true,
      ...(options.continueOnError ? { continueOnError: true } : {}),
      onRendered: (_f, h, meta) => {
        html = h;
        title = meta.title ?? title;
      },
    });
    page = render.previewPage(html, { title });
  };
  await build();

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/__md2wx/events') {
      response.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      response.write(': connected\n\n');
      clients.add(response);
      request.on('close', () => clients.delete(response));
      return;
    }
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const body = page.includes('</body>')
        ? page.replace('</body>', `${RELOAD_SCRIPT}</body>`)
        : page + RELOAD_SCRIPT;
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(body);
      return;
    }
    // Only the compressed images of this post, never anything else on disk.
    const target = path.resolve(staticRoot, `.${decodeURIComponent(url.pathname)}`);
    const imagesDir = `${base}.images`;
    if (!target.startsWith(imagesDir + path.sep)) {
      response.writeHead(404).end('not found');
      return;
    }
    readFile(target).then(
      (data) => {
        response.writeHead(200, {
          'content-type': TYPES[path.extname(target).toLowerCase()] ?? 'application/octet-stream',
        });
        response.end(data);
      },
      () => response.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const refresh = async () => {
    try {
      await build();
    } catch (error) {
      page = `<!doctype html><meta charset="utf-8"><pre style="color:#b00">${escapeHtml((error as Error).message)}</pre>`;
    }
    for (const client of clients) client.write('data: reload\n\n');
  };

  let timer: NodeJS.Timeout | undefined;
  const watcher = options.watch
    ? watch(path.dirname(file), (_event, name) => {
        if (name && path.join(path.dirname(file), name.toString()) !== file) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          session.reporter.info(`${path.basename(file)} changed: re-rendering`);
          void refresh();
        }, 150);
      })
    : undefined;

  return {
    url: `http://${host}:${address.port}/`,
    refresh,
    async close() {
      clearTimeout(timer);
      watcher?.close();
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string,
  );
}

/** Serves until Ctrl-C; with `--once`, writes the preview page (images compressed locally) and prints its path. */
export async function runPreview(
  session: Session,
  post: string,
  options: { port?: number; host?: string; once?: boolean; continueOnError?: boolean },
): Promise<ExitCodeValue> {
  const file = path.resolve(session.config.cwd, post);
  if (!/\.(md|markdown|mdx)$/i.test(file)) throw new UsageError(`not a Markdown file: ${post}`);
  if (options.once) {
    const report = await runPublish(session, [file], {
      offline: true,
      ...(options.continueOnError ? { continueOnError: true } : {}),
    });
    const preview = report.posts[0]?.preview as string;
    session.reporter.emitJson({ preview });
    session.reporter.result(preview);
    return ExitCode.ok;
  }
  const serverOptions: { port?: number; host?: string; watch?: boolean; continueOnError?: boolean } = {
    watch: true,
  };
  if (options.continueOnError) serverOptions.continueOnError = true;
  if (options.port !== undefined) serverOptions.port = options.port;
  if (options.host) serverOptions.host = options.host;
  const server = await startPreviewServer(session, file, serverOptions);
  session.reporter.emitJson({ url: server.url });
  session.reporter.result(server.url);
  session.reporter.info('watching for changes; Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
  return ExitCode.ok;
}
