import { join } from 'node:path';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { describe, expect, it } from 'vitest';
import { memoryStore, WechatApiError } from '../src/index.js';
import { useSandbox, useTempDir, wecomClient } from './helpers.js';
import { amrVoice } from './media-fixtures.js';

const ctx = useSandbox();
const tmp = useTempDir();

const JPG = () => corpusPath('images/special/progressive-small-nikon.jpeg');
const apiError = async (p: Promise<unknown>): Promise<WechatApiError> => {
  const error = await p.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WechatApiError);
  return error as WechatApiError;
};

// The checklist R1–R16 lives in wecom-checklist.test.ts (one test per item).

describe.skipIf(!requireCorpus())('WeCom methods', () => {
  it('sendMpnews sends articles from this agent; partial invalid users come back', async () => {
    const client = wecomClient(ctx.sb);
    const thumb = await client.upload('image', JPG());
    const { url } = await client.uploadImage(JPG());
    const res = await client.sendMpnews({
      touser: 'zhangsan|ghost',
      articles: [
        { title: '标题', thumb_media_id: thumb.media_id, content: `<p><img src="${url}"></p>`, digest: 'd' },
      ],
    });
    expect(res.msgid).toBeTruthy();
    expect(res.invaliduser).toBe('ghost');
    await expect(client.sendMpnews({ articles: [] })).rejects.toThrow(/touser, toparty or totag/);
    await expect(client.sendMpnews({ touser: '@all', articles: [] })).rejects.toThrow(/1 to 8 articles/);
  });

  it('uploadImage refuses > 2 MB and GIFs before counting or sending', async () => {
    const store = memoryStore();
    const client = wecomClient(ctx.sb, { store });
    await expect(
      client.uploadImage(corpusPath('images/photos/canon-sx60_orient6.jpg')),
    ).resolves.toBeTruthy();
    await expect(
      client.uploadImage(corpusPath('images/photos/apple-iphone-5_orient3.jpg')),
    ).rejects.toMatchObject({
      code: 'too-large',
    });
    expect((await client.uploadImageQuota()).day.used).toBe(1);
  });

  it('downloadHdVoice streams a voice media; unknown ids → 40007', async () => {
    const client = wecomClient(ctx.sb);
    const up = await client.upload('voice', amrVoice(), { filename: 'v.amr' });
    const got = await client.downloadHdVoice(up.media_id, join(tmp.dir, 'hd.speex'));
    expect(got.bytes).toBeGreaterThan(0);
    expect((await apiError(client.downloadHdVoice('nope', join(tmp.dir, 'x.speex')))).errcode).toBe(40007);
  });

  it('a wrong corpSecret → gettoken error with the secret hint, secret redacted', async () => {
    const client = wecomClient(ctx.sb, { corpSecret: 'wrong-corp-secret-000000001' });
    const error = await apiError(client.getAccessToken());
    expect([40001, 40091]).toContain(error.errcode);
    expect(error.hint).toMatch(/secret/i);
    expect(error.message).not.toContain('wrong-corp-secret-000000001');
  });
});
