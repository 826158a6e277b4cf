import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { describe, expect, it } from 'vitest';
import { encodeMultipart, memoryStore, prepareMedia } from '../src/index.js';
import { apiError, useSandbox, useTempDir, wecomClient } from './helpers.js';

const ctx = useSandbox();
const tmp = useTempDir();

const JPG = () => corpusPath('images/special/progressive-small-nikon.jpeg');

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

  it('uploadImage inputs refused before sending (over 2 MB, GIF) are not counted against the uploadimg quota', async () => {
    // R4/R5 show the refusals; this is about the quota kept in the Store (R16) staying untouched by them.
    const store = memoryStore();
    const client = wecomClient(ctx.sb, { store });
    await client.uploadImage(corpusPath('images/photos/canon-sx60_orient6.jpg'));
    await expect(
      client.uploadImage(corpusPath('images/photos/apple-iphone-5_orient3.jpg')),
    ).rejects.toMatchObject({ code: 'too-large' });
    await expect(
      client.uploadImage(corpusPath('images/gif/sharp-rotating-squares.gif')),
    ).rejects.toMatchObject({ code: 'bad-format' });
    expect((await client.uploadImageQuota()).day.used).toBe(1);
    expect(ctx.sb.stats().requests['wecom/media/uploadimg']).toBe(1);
  });

  it('uploadReusable: a refused upload throws and caches nothing, so the next call uploads afresh', async () => {
    const client = wecomClient(ctx.sb, { store: memoryStore() });
    ctx.sb.setFaults({ exhaustedQuotas: ['wecom/media/upload'] });
    const refused = await apiError(
      client.uploadReusable('file', Buffer.from('weekly report'), { filename: 'r.txt' }),
    );
    expect(refused).toMatchObject({ errcode: 45009, endpoint: 'cgi-bin/media/upload' });
    ctx.sb.setFaults({ exhaustedQuotas: [] });
    const first = await client.uploadReusable('file', Buffer.from('weekly report'), { filename: 'r.txt' });
    expect(first.reused).toBe(false);
    expect((await client.uploadReusable('file', Buffer.from('weekly report'))).reused).toBe(true);
    expect(ctx.sb.stats().uploads['wecom/media/upload']).toBe(1);
  });

  it('a wrong corpSecret → gettoken error with the secret hint, secret redacted', async () => {
    const client = wecomClient(ctx.sb, { corpSecret: 'wrong-corp-secret-000000001' });
    const error = await apiError(client.getAccessToken());
    expect([40001, 40091]).toContain(error.errcode);
    expect(error.hint).toMatch(/secret/i);
    expect(error.message).not.toContain('wrong-corp-secret-000000001');
  });

  it('a media part is streamed from disk in bounded pieces, never read whole, and declares its filelength', async () => {
    const path = join(tmp.dir, 'big.bin');
    const bytes = Buffer.alloc(19_000_000, 0x5a);
    await writeFile(path, bytes);
    const body = encodeMultipart({
      name: 'media',
      filename: 'big.bin',
      type: undefined,
      blob: (await prepareMedia(path)).blob,
    });
    let total = 0;
    let largest = 0;
    let head = '';
    for await (const chunk of body.stream()) {
      const piece = chunk as Buffer;
      if (total === 0) head = piece.toString('latin1');
      total += piece.length;
      largest = Math.max(largest, piece.length);
    }
    expect(total).toBe(body.length);
    expect(head).toContain('filename="big.bin"; filelength=19000000\r\n');
    // Blob reads come in pieces of at most a few hundred KB; a whole-file read would be one 19 MB piece.
    expect(largest).toBeLessThanOrEqual(1024 * 1024);
    // And it goes through: WeCom (the sandbox) stores the exact bytes.
    const client = wecomClient(ctx.sb);
    const up = await client.upload('file', path);
    const back = join(tmp.dir, 'big.back');
    await client.download(up.media_id, back);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(await readFile(back))).toBe(sha(bytes));
  });
});
