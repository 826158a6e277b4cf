import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPreviewServer } from '../src/commands/preview.js';
import { Session } from '../src/session.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const PNG = path.join(here, '../../../examples/hello/images/pipeline.png');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'md2wx-preview-'));
  await copyFile(PNG, path.join(dir, 'diagram.png'));
  await writeFile(path.join(dir, 'post.md'), '---\ntitle: Preview me\n---\n\nHello.\n\n![d](diagram.png)\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('md2wx preview', () => {
  it('serves the page with local images, nothing else from disk, and reloads browsers on refresh', async () => {
    // Credentials in the environment must not make preview upload anything.
    const session = await Session.open(
      {},
      {
        cwd: dir,
        env: { WECHAT_APP_ID: 'wxpreview', WECHAT_APP_SECRET: 'never-used' },
        reporter: { quiet: true },
      },
    );
    const server = await startPreviewServer(session, path.join(dir, 'post.md'));
    try {
      const page = await (await fetch(server.url)).text();
      expect(page).toContain('Preview me');
      expect(page).toContain('/__md2wx/events');
      const src = /<img\b[^>]*\bsrc="([^"]+)"/.exec(page)?.[1] as string;
      expect(src).toMatch(/^post\.images\/[0-9a-f]+\.png$/);
      const image = await fetch(new URL(src, server.url));
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/png');
      expect((await fetch(new URL('post.md', server.url))).status).toBe(404);
      expect((await fetch(`${server.url}..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);

      const events = await fetch(new URL('/__md2wx/events', server.url));
      const reader = (events.body as ReadableStream<Uint8Array>).getReader();
      await reader.read(); // the ": connected" comment
      await writeFile(path.join(dir, 'post.md'), '---\ntitle: Changed title\n---\n\nHello again.\n');
      await server.refresh();
      const chunk = new TextDecoder().decode((await reader.read()).value);
      expect(chunk).toContain('data: reload');
      await reader.cancel();
      expect(await (await fetch(server.url)).text()).toContain('Changed title');
    } finally {
      await server.close();
      await session.close();
    }
  });
});
