import { readFileSync } from 'node:fs';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SandboxServer, startSandbox } from '../src/index.js';
import { amr, fakeClock, getJson, gif, jpeg, mp3, mp4, oaToken, png, postJson, upload } from './helpers.js';

let sb: SandboxServer;
let token: string;
const clock = fakeClock();
beforeEach(async () => {
  sb = await startSandbox({ clock: clock.now });
  token = await oaToken(sb.url);
});
afterEach(async () => {
  await sb.close();
});

const api = (path: string, extra = '') => `${sb.url}/cgi-bin/${path}?access_token=${token}${extra}`;

describe('media/uploadimg', () => {
  it('answers {url, errcode 0, errmsg ok} as text/plain and serves the image back byte for byte', async () => {
    const data = png(3, 2);
    const r = await upload(api('media/uploadimg'), { data, filename: 'a.png', type: 'image/png' });
    expect(r.contentType).toBe('text/plain');
    expect(r.body).toMatchObject({ errcode: 0, errmsg: 'ok' });
    expect(String(r.body.url)).toMatch(new RegExp(`^${sb.imageHost}/mmbiz_png/[A-Za-z0-9]+/0\\?wx_fmt=png$`));
    const img = await fetch(String(r.body.url));
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await img.arrayBuffer())).toEqual(data);
    expect(sb.stats().uploads['media/uploadimg']).toBe(1);
    expect(sb.stats().materials).toBe(0);
  });

  it('serves JPEGs under mmbiz_jpg with wx_fmt=jpeg', async () => {
    const r = await upload(api('media/uploadimg'), { data: jpeg(), filename: 'p.JPG' });
    expect(String(r.body.url)).toMatch(/\/mmbiz_jpg\/[A-Za-z0-9]+\/0\?wx_fmt=jpeg$/);
  });

  it.each([
    ['no multipart body at all', undefined, 41005],
    ['the part is not named media', { data: png(), filename: 'a.png', field: 'file' }, 41005],
    ['media sent as a plain field, not a file', { data: png() }, 41005],
    ['a filename without extension', { data: png(), filename: 'image' }, 40113],
    ['an empty file', { data: Buffer.alloc(0), filename: 'a.png' }, 44001],
    ['a GIF (uploadimg takes jpg/png only)', { data: gif(), filename: 'a.gif' }, 40005],
    ['a JPEG named .png', { data: jpeg(), filename: 'a.png' }, 40005],
    ['bytes that are no image', { data: Buffer.from('hello world, not an image'), filename: 'a.png' }, 40005],
    [
      'exactly 1,000,000 bytes (must be below 1 MB)',
      { data: png(1, 1, 1_000_000), filename: 'a.png' },
      40009,
    ],
  ])('rejects %s', async (_name, file, errcode) => {
    const r = await upload(api('media/uploadimg'), file);
    expect(r.body.errcode).toBe(errcode);
    expect(sb.stats().uploads['media/uploadimg']).toBeUndefined();
  });

  it('accepts 999,999 bytes', async () => {
    const data = png(1, 1, 999_999);
    expect(data.length).toBe(999_999);
    const r = await upload(api('media/uploadimg'), { data, filename: 'a.png' });
    expect(r.body.errcode).toBe(0);
  });

  it('needs a valid access_token (41001 / 40014)', async () => {
    const r1 = await upload(`${sb.url}/cgi-bin/media/uploadimg`, { data: png(), filename: 'a.png' });
    expect(r1.body.errcode).toBe(41001);
    const r2 = await upload(`${sb.url}/cgi-bin/media/uploadimg?access_token=zzz`, {
      data: png(),
      filename: 'a.png',
    });
    expect(r2.body.errcode).toBe(40014);
  });
});

describe.skipIf(!requireCorpus())('media/uploadimg with corpus images', () => {
  it('takes a real small JPEG and PNG, refuses the JPEG that is named .png and the 1,021,283-byte photo', async () => {
    const file = (p: string) => readFileSync(corpusPath(p));
    const ok1 = await upload(api('media/uploadimg'), {
      data: file('images/special/progressive-small-nikon.jpeg'),
      filename: 'nikon.jpeg',
    });
    expect(ok1.body.errcode).toBe(0);
    const ok2 = await upload(api('media/uploadimg'), {
      data: file('images/broken-and-tiny/pngsuite-1x1.png'),
      filename: '1.png',
    });
    expect(ok2.body.errcode).toBe(0);
    const wrong = await upload(api('media/uploadimg'), {
      data: file('images/wrong-extension/real-time-apps-15_is-jpeg.png'),
      filename: '15.png',
    });
    expect(wrong.body.errcode).toBe(40005);
    const big = await upload(api('media/uploadimg'), {
      data: file('images/photos/mate-dune-1021283-bytes.jpg'),
      filename: 'dune.jpg',
    });
    expect(big.body.errcode).toBe(40009);
    const gifFile = await upload(api('material/add_material', '&type=image'), {
      data: file('images/gif/sharp-rotating-squares.gif'),
      filename: 'squares.gif',
    });
    expect(gifFile.body.media_id).toEqual(expect.any(String));
    expect(String(gifFile.body.url)).toContain('/mmbiz_gif/');
  });
});

describe('media/upload + media/get (temporary media)', () => {
  it('uploads an image, answers {type, media_id, created_at} and downloads it with WeChat headers', async () => {
    const data = jpeg(500);
    const r = await upload(api('media/upload', '&type=image'), { data, filename: 'x.jpg' });
    expect(Object.keys(r.body).sort()).toEqual(['created_at', 'media_id', 'type']);
    expect(r.body.type).toBe('image');
    expect(r.body.created_at).toBe(Math.floor(clock.now() / 1000));
    const res = await fetch(api('media/get', `&media_id=${String(r.body.media_id)}`));
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="${String(r.body.media_id)}.jpg"`,
    );
    expect(Buffer.from(await res.arrayBuffer())).toEqual(data);
    expect(sb.stats().temporaryMedia).toBe(1);
  });

  it('video answers {video_url} JSON, which serves the file', async () => {
    const data = mp4(300);
    const r = await upload(api('media/upload', '&type=video'), { data, filename: 'v.mp4' });
    const got = await getJson(api('media/get', `&media_id=${String(r.body.media_id)}`));
    expect(Object.keys(got)).toEqual(['video_url']);
    const file = await fetch(String(got.video_url));
    expect(Buffer.from(await file.arrayBuffer())).toEqual(data);
  });

  it('voice (amr/mp3) and thumb (jpg ≤ 64 KB) uploads', async () => {
    expect(
      (await upload(api('media/upload', '&type=voice'), { data: amr(), filename: 'v.amr' })).body.type,
    ).toBe('voice');
    expect(
      (await upload(api('media/upload', '&type=voice'), { data: mp3(), filename: 'v.mp3' })).body.type,
    ).toBe('voice');
    expect(
      (await upload(api('media/upload', '&type=thumb'), { data: jpeg(), filename: 't.jpg' })).body.type,
    ).toBe('thumb');
    const bigThumb = await upload(api('media/upload', '&type=thumb'), {
      data: jpeg(64_001),
      filename: 't.jpg',
    });
    expect(bigThumb.body.errcode).toBe(40012);
    // 10 MB (the limits table of
    // https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html), not
    // the superseded 2 MB of older copies: a 2.4 MB phone photo is taken.
    const photo = await upload(api('media/upload', '&type=image'), {
      data: jpeg(2_400_000),
      filename: 'p.jpg',
    });
    expect(photo.body.type).toBe('image');
    const bigImage = await upload(api('media/upload', '&type=image'), {
      data: jpeg(10_000_001),
      filename: 'i.jpg',
    });
    expect(bigImage.body.errcode).toBe(40009);
    const pngThumb = await upload(api('media/upload', '&type=thumb'), { data: png(), filename: 't.png' });
    expect(pngThumb.body.errcode).toBe(40005);
  });

  it('rejects a bad type (40004) and answers 40007 as text/plain for unknown or expired media', async () => {
    expect(
      (await upload(api('media/upload', '&type=doc'), { data: png(), filename: 'a.png' })).body.errcode,
    ).toBe(40004);
    const missing = await fetch(api('media/get', '&media_id=nope'));
    expect(missing.headers.get('content-type')).toBe('text/plain');
    expect(JSON.parse(await missing.text())).toMatchObject({ errcode: 40007 });
    const r = await upload(api('media/upload', '&type=image'), { data: png(), filename: 'a.png' });
    clock.advance(3 * 24 * 3600_000);
    token = await oaToken(sb.url);
    expect((await getJson(api('media/get', `&media_id=${String(r.body.media_id)}`))).errcode).toBe(40007);
  });

  it('media/get/jssdk serves voice as voice/speex; other media are 40007', async () => {
    const v = await upload(api('media/upload', '&type=voice'), { data: amr(), filename: 'v.amr' });
    const res = await fetch(api('media/get/jssdk', `&media_id=${String(v.body.media_id)}`));
    expect(res.headers.get('content-type')).toBe('voice/speex');
    expect(res.headers.get('content-disposition')).toContain('.speex"');
    const i = await upload(api('media/upload', '&type=image'), { data: png(), filename: 'a.png' });
    expect((await getJson(api('media/get/jssdk', `&media_id=${String(i.body.media_id)}`))).errcode).toBe(
      40007,
    );
  });
});

describe('permanent material', () => {
  it('add_material image answers {media_id, url}; get_material returns the bytes; del_material removes it', async () => {
    const data = png(4, 4);
    const r = await upload(api('material/add_material', '&type=image'), { data, filename: '封面.png' });
    expect(Object.keys(r.body).sort()).toEqual(['media_id', 'url']);
    expect(String(r.body.media_id)).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const res = await fetch(api('material/get_material'), {
      method: 'POST',
      body: JSON.stringify({ media_id: r.body.media_id }),
    });
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(data);
    const list = await postJson(api('material/batchget_material'), { type: 'image', offset: 0, count: 20 });
    expect(list).toMatchObject({ total_count: 1, item_count: 1 });
    expect((list.item as Record<string, unknown>[])[0]).toMatchObject({
      media_id: r.body.media_id,
      name: '封面.png',
      url: r.body.url,
    });
    expect(await postJson(api('material/del_material'), { media_id: r.body.media_id })).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    expect((await postJson(api('material/del_material'), { media_id: r.body.media_id })).errcode).toBe(40007);
    expect((await fetch(String(r.body.url))).status).toBe(404);
    expect(sb.stats().materials).toBe(0);
  });

  it('video needs a description (form field or query string) and get_material answers {title, description, down_url}', async () => {
    const noDesc = await upload(api('material/add_material', '&type=video'), {
      data: mp4(),
      filename: 'v.mp4',
    });
    expect(noDesc.body.errcode).toBe(40002);
    const form = await upload(
      api('material/add_material', '&type=video'),
      { data: mp4(), filename: 'v.mp4' },
      { description: JSON.stringify({ title: 'T', introduction: 'I' }) },
    );
    expect(form.body).toEqual({ media_id: expect.any(String), url: '' });
    const q = encodeURIComponent(JSON.stringify({ title: 'Q', introduction: 'J' }));
    const query = await upload(api('material/add_material', `&type=video&description=${q}`), {
      data: mp4(),
      filename: 'v.mp4',
    });
    const got = await postJson(api('material/get_material'), { media_id: query.body.media_id });
    expect(got).toEqual({ title: 'Q', description: 'J', down_url: expect.stringContaining(sb.imageHost) });
    const counts = await getJson(api('material/get_materialcount'));
    expect(counts).toEqual({ voice_count: 0, video_count: 2, image_count: 0, news_count: 0 });
  });

  it('voice and thumb rules; type errors', async () => {
    expect(
      (await upload(api('material/add_material', '&type=voice'), { data: mp3(), filename: 'a.mp3' })).body
        .url,
    ).toBe('');
    const thumb = await upload(api('material/add_material', '&type=thumb'), {
      data: jpeg(),
      filename: 't.jpg',
    });
    expect(String(thumb.body.url)).toContain('/mmbiz_jpg/');
    expect(
      (await upload(api('material/add_material', '&type=thumb'), { data: jpeg(64_001), filename: 't.jpg' }))
        .body.errcode,
    ).toBe(40012);
    expect(
      (await upload(api('material/add_material', '&type=voice'), { data: mp3(2_000_001), filename: 'a.mp3' }))
        .body.errcode,
    ).toBe(40010);
    expect(
      (
        await upload(
          api('material/add_material', '&type=video'),
          { data: mp4(10_000_001), filename: 'a.mp4' },
          { description: '{"title":"t"}' },
        )
      ).body.errcode,
    ).toBe(40011);
    expect(
      (
        await upload(api('material/add_material', '&type=image'), {
          data: png(1, 1, 10_000_001),
          filename: 'a.png',
        })
      ).body.errcode,
    ).toBe(40009);
    expect(
      (await upload(api('material/add_material', '&type=news'), { data: png(), filename: 'a.png' })).body
        .errcode,
    ).toBe(40004);
    expect(
      (await upload(api('material/add_material'), { data: png(), filename: 'a.png' })).body.errcode,
    ).toBe(40004);
  });

  it('batchget_material validates type and count, pages newest first', async () => {
    for (let i = 0; i < 3; i++) {
      await upload(api('material/add_material', '&type=image'), {
        data: png(i + 1, 1),
        filename: `${i}.png`,
      });
      clock.advance(1000);
    }
    const page = await postJson(api('material/batchget_material'), { type: 'image', offset: 1, count: 1 });
    expect(page).toMatchObject({ total_count: 3, item_count: 1 });
    expect((page.item as { name: string }[])[0]?.name).toBe('1.png');
    expect(
      (await postJson(api('material/batchget_material'), { type: 'thumb', offset: 0, count: 1 })).errcode,
    ).toBe(40004);
    expect(
      (await postJson(api('material/batchget_material'), { type: 'image', offset: 0, count: 21 })).errcode,
    ).toBe(40002);
    expect((await postJson(api('material/batchget_material'), 'type=image')).errcode).toBe(47001);
    expect((await postJson(api('material/get_material'), { media_id: 'nope' })).errcode).toBe(40007);
  });
});
