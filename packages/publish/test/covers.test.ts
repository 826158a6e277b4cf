import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryCache } from '@md2wx/remark-wechat-images';
import type { Sandbox } from '@md2wx/sandbox';
import type { OfficialAccountClient } from '@md2wx/wechat';
import { coverCacheKey, uploadCover } from '../src/covers.js';
import { loadSandbox, loadWechat } from '../src/modules.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const PNG = path.join(here, '../../../examples/hello/images/pipeline.png');

let sandbox: Sandbox;
let client: OfficialAccountClient;
let account: string;
let cover: Parameters<typeof uploadCover>[3];

beforeAll(async () => {
  const sandboxModule = await loadSandbox();
  account = sandboxModule.DEFAULT_ACCOUNT.appId;
  sandbox = await sandboxModule.startSandbox();
  client = (await loadWechat()).createOfficialAccountClient({
    ...sandboxModule.DEFAULT_ACCOUNT,
    baseUrl: sandbox.url,
  });
  const data = await readFile(PNG);
  cover = {
    sourceSha256: createHash('sha256').update(data).digest('hex'),
    data,
    format: 'png',
    bytes: data.length,
    width: 1,
    height: 1,
  };
});
afterAll(async () => {
  await sandbox?.close();
});

describe('uploadCover through the plugin dedupe cache', () => {
  it("stores the cover under the plugin's key scheme and uploads it once", async () => {
    const cache = memoryCache();
    const before = sandbox.stats().materials;
    const first = await uploadCover(client, cache, account, cover);
    const second = await uploadCover(client, cache, account, cover);
    expect(first.cached).toBe(false);
    expect(second).toEqual({ media_id: first.media_id, cached: true });
    expect(sandbox.stats().materials - before).toBe(1);
    const key = await coverCacheKey(account, cover.sourceSha256);
    expect(key).toBe(`${account}|material/add_material|${cover.sourceSha256}|cover;w=default;b=default`);
    expect((await cache.get(key))?.media_id).toBe(first.media_id);
  });

  it('reuses a cover recorded under the key older state files used', async () => {
    const cache = memoryCache();
    await cache.set(`cover:${account}:${cover.sourceSha256}`, {
      url: '',
      media_id: 'legacy-media-id',
      bytes: cover.bytes,
      width: 1,
      height: 1,
      uploadedAt: new Date(0).toISOString(),
    });
    const before = sandbox.stats().materials;
    expect(await uploadCover(client, cache, account, cover)).toEqual({
      media_id: 'legacy-media-id',
      cached: true,
    });
    expect(sandbox.stats().materials).toBe(before);
  });
});
