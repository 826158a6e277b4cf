/**
 * `statePath`: a restarted sandbox knows what the last one held — tokens, materials, drafts and the id streams —
 * comes back on its port, and keeps accepting its earlier image URLs in article content.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../src/index.js';
import { getJson, jpeg, oaToken, postJson, upload } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sandbox-persist-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('statePath', () => {
  it('keeps tokens, materials and drafts across a restart, on the same port', async () => {
    const statePath = path.join(dir, 'state', 'sandbox.json');
    const first = await startSandbox({ statePath });
    const token = await oaToken(first.url);
    const api = (base: string, name: string, query = '') =>
      `${base}/cgi-bin/${name}?access_token=${token}${query}`;
    const thumb = await upload(api(first.url, 'material/add_material', '&type=image'), {
      data: jpeg(),
      filename: 'c.jpg',
    });
    const image = await upload(api(first.url, 'media/uploadimg'), { data: jpeg(), filename: 'b.jpg' });
    const article = (title: string) => ({
      title,
      content: `<p>x</p><img src="${String(image.body.url)}">`,
      thumb_media_id: thumb.body.media_id,
    });
    const draft = await postJson(api(first.url, 'draft/add'), { articles: [article('one')] });
    expect(typeof draft.media_id).toBe('string');
    const url = first.url;
    await first.close();
    expect(JSON.parse(await readFile(statePath, 'utf8')).meta.origins).toEqual([url]);

    const second = await startSandbox({ statePath });
    try {
      expect(second.url).toBe(url);
      // The old token still works, and the draft is there to update.
      const updated = await postJson(api(second.url, 'draft/update'), {
        media_id: draft.media_id,
        index: 0,
        articles: article('two'),
      });
      expect(updated.errcode).toBe(0);
      const got = await postJson(api(second.url, 'draft/get'), { media_id: draft.media_id });
      const item = (got.news_item as { title: string; content: string }[])[0];
      expect(item?.title).toBe('two');
      expect(item?.content).toContain(String(image.body.url));
      // New ids continue the stream instead of repeating the first run's.
      const again = await upload(api(second.url, 'material/add_material', '&type=image'), {
        data: jpeg(),
        filename: 'd.jpg',
      });
      expect(again.body.media_id).not.toBe(thumb.body.media_id);
      expect((await getJson(api(second.url, 'material/get_materialcount'))).image_count).toBe(2);
    } finally {
      await second.close();
    }
  });

  it('on another port it keeps accepting its earlier image URLs in article content', async () => {
    const statePath = path.join(dir, 'moved.json');
    const first = await startSandbox({ statePath });
    const token = await oaToken(first.url);
    const image = await upload(`${first.url}/cgi-bin/media/uploadimg?access_token=${token}`, {
      data: jpeg(),
      filename: 'b.jpg',
    });
    const thumb = await upload(
      `${first.url}/cgi-bin/material/add_material?access_token=${token}&type=image`,
      {
        data: jpeg(),
        filename: 'c.jpg',
      },
    );
    await first.close();
    // Something else took the old port: the restart must move, and the old image URLs stay valid content.
    const blocker = await startSandbox({ port: Number(new URL(first.url).port) });
    const second = await startSandbox({ statePath });
    try {
      expect(second.url).not.toBe(first.url);
      const draft = await postJson(`${second.url}/cgi-bin/draft/add?access_token=${token}`, {
        articles: [
          {
            title: 't',
            content: `<img src="${String(image.body.url)}">`,
            thumb_media_id: thumb.body.media_id,
          },
        ],
      });
      const got = await postJson(`${second.url}/cgi-bin/draft/get?access_token=${token}`, {
        media_id: draft.media_id,
      });
      expect((got.news_item as { content: string }[])[0]?.content).toContain(String(image.body.url));
    } finally {
      await second.close();
      await blocker.close();
    }
  });
});
