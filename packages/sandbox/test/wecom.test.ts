import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_WECOM_APP, type SandboxServer, startSandbox, wxDecrypt, wxSignature } from '../src/index.js';
import { amr, fakeClock, getJson, jpeg, mp4, png, postJson, upload, wecomToken } from './helpers.js';

let sb: SandboxServer;
let token: string;
let helper: Server | undefined;
beforeEach(async () => {
  sb = await startSandbox({ uploadByUrlDelayMs: 0 });
  token = await wecomToken(sb.wecomUrl);
});
afterEach(async () => {
  await sb.close();
  if (helper) await new Promise((r) => helper?.close(r));
  helper = undefined;
});

const api = (path: string, extra = '') => `${sb.wecomUrl}/cgi-bin/${path}?access_token=${token}${extra}`;

/** A local file server; `range: false` ignores Range headers (answers 200 with the whole file). */
async function fileServer(files: Record<string, Buffer>, range = true): Promise<string> {
  helper = createServer((req, res) => {
    const data = files[req.url ?? ''];
    if (!data) {
      res.writeHead(404).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && m) {
      const start = Number(m[1]);
      const end = Math.min(m[2] ? Number(m[2]) : data.length - 1, data.length - 1);
      res.writeHead(206, {
        'Content-Range': `bytes ${start}-${end}/${data.length}`,
        'Content-Length': end - start + 1,
      });
      res.end(data.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { 'Content-Length': data.length }).end(data);
  });
  await new Promise<void>((r) => helper?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(helper.address() as AddressInfo).port}`;
}

async function waitJob(jobid: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 1000; i++) {
    const r = await postJson(api('media/get_upload_by_url_result'), { jobid });
    if (r.status !== 1) return r;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('job did not finish');
}

describe('WeCom media/upload + media/get', () => {
  it('uploads a file and downloads it whole or by Range (206)', async () => {
    const data = Buffer.alloc(2048, 7);
    data.write('hello', 0);
    const r = await upload(api('media/upload', '&type=file'), { data, filename: 'wework.txt' });
    expect(r.body).toMatchObject({ errcode: 0, errmsg: '', type: 'file', created_at: expect.any(Number) });
    const id = String(r.body.media_id);
    const whole = await fetch(api('media/get', `&media_id=${encodeURIComponent(id)}`));
    expect(whole.headers.get('content-disposition')).toBe(`attachment; filename="${id}.txt"`);
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(data);
    const part = await fetch(api('media/get', `&media_id=${encodeURIComponent(id)}`), {
      headers: { Range: 'bytes=0-1023' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 0-1023/2048');
    expect(part.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(data.subarray(0, 1024));
    const bad = await fetch(api('media/get', `&media_id=${encodeURIComponent(id)}`), {
      headers: { Range: 'bytes=5000-' },
    });
    expect(bad.status).toBe(416);
  });

  it('over 20 MB needs Range (830002), and ranges above 20 MB are refused too', async () => {
    const data = Buffer.alloc(20_000_001, 1);
    const r = await upload(api('media/upload', '&type=file'), { data, filename: 'big.bin' });
    expect(r.body.errcode).toBe(45001);
    // Large files arrive through upload_by_url (200 MB limit).
    const base = await fileServer({ '/big.bin': data });
    const md5 = createHash('md5').update(data).digest('hex');
    const job = await postJson(api('media/upload_by_url'), {
      scene: 1,
      type: 'file',
      filename: 'big.bin',
      url: `${base}/big.bin`,
      md5,
    });
    const done = await waitJob(String(job.jobid));
    const id = encodeURIComponent(String((done.detail as { media_id: string }).media_id));
    expect((await getJson(api('media/get', `&media_id=${id}`))).errcode).toBe(830002);
    const tooWide = await fetch(api('media/get', `&media_id=${id}`), {
      headers: { Range: 'bytes=0-20000000' },
    });
    expect(JSON.parse(await tooWide.text()).errcode).toBe(830002);
    const tail = await fetch(api('media/get', `&media_id=${id}`), { headers: { Range: 'bytes=20000000-' } });
    expect(tail.status).toBe(206);
    expect((await tail.arrayBuffer()).byteLength).toBe(1);
  });

  // Named by size, not `%o`: formatting a 10 MB Buffer into the test name took 9 s of the file's collection.
  it.each([
    ['type=doc', 'a.png (1×1 PNG)', { data: png(), filename: 'a.png' }, 40005],
    ['type=image', 'a.png (5 bytes)', { data: Buffer.from('12345'), filename: 'a.png' }, 40006],
    ['type=image', 'a.png (empty)', { data: Buffer.alloc(0), filename: 'a.png' }, 44001],
    ['type=image', 'a.gif (JPEG bytes)', { data: jpeg(), filename: 'a.gif' }, 40004],
    ['type=image', 'a.png (JPEG bytes)', { data: jpeg(), filename: 'a.png' }, 40004],
    ['type=voice', 'a.mp3 (AMR bytes)', { data: amr(), filename: 'a.mp3' }, 40004],
    ['type=video', 'a.mp4 (10,000,001 bytes)', { data: mp4(10_000_001), filename: 'a.mp4' }, 40011],
    ['type=image', 'a.jpg (10,000,001 bytes)', { data: jpeg(10_000_001), filename: 'a.jpg' }, 40009],
  ] as const)('%s with %s → %i', async (query, _label, file, errcode) => {
    const r = await upload(api('media/upload', `&${query}`), file);
    expect(r.body.errcode).toBe(errcode);
  });

  it('media/get: 41006 without media_id, 40007 for unknown; get/jssdk serves voice', async () => {
    expect((await getJson(api('media/get'))).errcode).toBe(41006);
    expect((await getJson(api('media/get', '&media_id=nope'))).errcode).toBe(40007);
    const v = await upload(api('media/upload', '&type=voice'), { data: amr(), filename: 'v.amr' });
    const res = await fetch(api('media/get/jssdk', `&media_id=${String(v.body.media_id)}`));
    expect(res.headers.get('content-type')).toBe('voice/speex');
    const img = await upload(api('media/upload', '&type=image'), { data: png(), filename: 'a.png' });
    expect((await getJson(api('media/get/jssdk', `&media_id=${String(img.body.media_id)}`))).errcode).toBe(
      40007,
    );
    expect((await getJson(api('media/get/jssdk'))).errcode).toBe(41006);
    const ticket = await getJson(api('get_jsapi_ticket'));
    expect(ticket).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect((await getJson(api('get_jsapi_ticket'))).ticket).toBe(ticket.ticket);
  });
});

/** POSTs a hand-encoded multipart body whose `media` part header is exactly `disposition`, in small writes. */
async function rawUpload(url: string, disposition: string, data: Buffer): Promise<Record<string, unknown>> {
  const boundary = '-------------------------acebdf13572468';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\n${disposition}\r\nContent-Type: application/octet-stream\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  // 7-byte pieces: part headers and delimiters straddle the chunks the server reads.
  const pieces = Array.from({ length: Math.ceil(body.length / 7) }, (_, i) =>
    body.subarray(i * 7, i * 7 + 7),
  );
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: new ReadableStream({
      async pull(controller) {
        const next = pieces.shift();
        if (next) {
          controller.enqueue(next);
          await new Promise((r) => setImmediate(r));
        } else controller.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
  return (await res.json()) as Record<string, unknown>;
}

describe('WeCom media part filelength', () => {
  it('records the declared filelength in the request log and refuses one that disagrees with the bytes (40006)', async () => {
    const ok = await rawUpload(
      api('media/upload', '&type=file'),
      'Content-Disposition: form-data; name="media";filename="wework.txt"; filelength=6',
      Buffer.from('mytext'),
    );
    expect(ok.errcode).toBe(0);
    const bad = await rawUpload(
      api('media/upload', '&type=file'),
      'Content-Disposition: form-data; name="media"; filename="wework.txt"; filelength=60',
      Buffer.from('mytext'),
    );
    expect(bad.errcode).toBe(40006);
    const logged = sb.requestLog().filter((e) => e.api === 'wecom/media/upload');
    expect(logged.map((e) => e.files)).toEqual([
      [
        {
          field: 'media',
          filename: 'wework.txt',
          contentType: 'application/octet-stream',
          bytes: 6,
          filelength: 6,
        },
      ],
      [
        {
          field: 'media',
          filename: 'wework.txt',
          contentType: 'application/octet-stream',
          bytes: 6,
          filelength: 60,
        },
      ],
    ]);
  });

  it('with requireFilelength, a media part without filelength is refused (41005) on media/upload and uploadimg', async () => {
    await sb.close();
    sb = await startSandbox({ requireFilelength: true });
    token = await wecomToken(sb.wecomUrl);
    const missing = await upload(api('media/upload', '&type=file'), {
      data: Buffer.from('mytext'),
      filename: 'a.txt',
    });
    expect(missing.body.errcode).toBe(41005);
    expect(String(missing.body.errmsg)).toMatch(/filelength/);
    const img = await upload(api('media/uploadimg'), { data: jpeg(), filename: 'a.jpg', type: 'image/jpeg' });
    expect(img.body.errcode).toBe(41005);
    const declared = await rawUpload(
      api('media/upload', '&type=file'),
      'Content-Disposition: form-data; name="media"; filename="a.txt"; filelength=6',
      Buffer.from('mytext'),
    );
    expect(declared.errcode).toBe(0);
    expect(sb.requestLog().at(-1)?.files?.[0]?.filelength).toBe(6);
  });
});

describe('WeCom media/uploadimg', () => {
  it('answers a pic_wework URL served back; 1000 a day then 45009', async () => {
    await sb.close();
    sb = await startSandbox({ quotas: { 'wecom/media/uploadimg': 2 } });
    token = await wecomToken(sb.wecomUrl);
    const r = await upload(api('media/uploadimg'), { data: png(), filename: 'a.png' });
    expect(r.body).toMatchObject({ errcode: 0, errmsg: '' });
    expect(String(r.body.url)).toMatch(new RegExp(`^${sb.imageHost}/pic_wework/\\d+/[0-9a-f]+/0$`));
    expect((await fetch(String(r.body.url))).status).toBe(200);
    await upload(api('media/uploadimg'), { data: png(), filename: 'a.png' });
    expect((await upload(api('media/uploadimg'), { data: png(), filename: 'a.png' })).body.errcode).toBe(
      45009,
    );
    expect(sb.stats().uploads['wecom/media/uploadimg']).toBe(2);
  });

  it('the monthly cap holds across days (3000/month, here overridden to 3)', async () => {
    await sb.close();
    const clock = fakeClock(Date.UTC(2026, 2, 1, 0, 0, 0));
    sb = await startSandbox({
      clock: clock.now,
      quotas: { 'wecom/media/uploadimg': 2, 'wecom/media/uploadimg/month': 3 },
    });
    token = await wecomToken(sb.wecomUrl);
    const up = async () =>
      (await upload(api('media/uploadimg'), { data: png(), filename: 'a.png' })).body.errcode;
    expect([await up(), await up(), await up()]).toEqual([0, 0, 45009]);
    clock.advance(24 * 3600_000);
    token = await wecomToken(sb.wecomUrl);
    expect([await up(), await up()]).toEqual([0, 45009]);
    clock.advance(31 * 24 * 3600_000);
    token = await wecomToken(sb.wecomUrl);
    expect(await up()).toBe(0);
  });

  it('refuses > 2 MB (40009) and ≤ 5 bytes (40006)', async () => {
    expect(
      (await upload(api('media/uploadimg'), { data: jpeg(2_000_001), filename: 'a.jpg' })).body.errcode,
    ).toBe(40009);
    expect(
      (await upload(api('media/uploadimg'), { data: Buffer.from([0xff, 0xd8, 0xff]), filename: 'a.jpg' }))
        .body.errcode,
    ).toBe(40006);
  });
});

describe('WeCom media/upload_by_url', () => {
  it('downloads by Range, checks md5, reports status 2 with media_id and pushes the encrypted callback', async () => {
    const received: { query: URLSearchParams; body: string }[] = [];
    const cbServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ query: new URL(req.url ?? '/', 'http://x').searchParams, body });
        res.end('success');
      });
    });
    await new Promise<void>((r) => cbServer.listen(0, '127.0.0.1', r));
    const cbUrl = `http://127.0.0.1:${(cbServer.address() as AddressInfo).port}/cb`;
    const cb = {
      url: cbUrl,
      token: 'cbToken123',
      encodingAESKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
    };
    await sb.close();
    sb = await startSandbox({ wecom: [{ ...DEFAULT_WECOM_APP, callback: cb }], uploadByUrlDelayMs: 0 });
    token = await wecomToken(sb.wecomUrl);
    const video = mp4(5000);
    const base = await fileServer({ '/v.mp4': video });
    const md5 = createHash('md5').update(video).digest('hex');
    const job = await postJson(api('media/upload_by_url'), {
      scene: 1,
      type: 'video',
      filename: 'v.mp4',
      url: `${base}/v.mp4`,
      md5,
    });
    expect(job).toMatchObject({ errcode: 0, errmsg: 'ok', jobid: expect.any(String) });
    const done = await waitJob(String(job.jobid));
    expect(done).toMatchObject({
      errcode: 0,
      status: 2,
      detail: { errcode: 0, errmsg: 'ok', created_at: expect.any(String) },
    });
    const mediaId = String((done.detail as { media_id: string }).media_id);
    expect(mediaId).toMatch(/^3\*1\*/);
    const got = await fetch(api('media/get', `&media_id=${encodeURIComponent(mediaId)}`));
    expect(Buffer.from(await got.arrayBuffer())).toEqual(video);
    for (let i = 0; i < 500 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => cbServer.close(r));
    expect(received).toHaveLength(1);
    const push = received[0];
    const encrypt = /<Encrypt><!\[CDATA\[([^\]]+)\]\]><\/Encrypt>/.exec(push?.body ?? '')?.[1] ?? '';
    const q = push?.query;
    expect(q?.get('msg_signature')).toBe(
      wxSignature(cb.token, q?.get('timestamp') ?? '', q?.get('nonce') ?? '', encrypt),
    );
    const xml = wxDecrypt(encrypt, cb.encodingAESKey, DEFAULT_WECOM_APP.corpId);
    expect(xml).toContain('<Event><![CDATA[upload_media_job_finish]]></Event>');
    expect(xml).toContain(`<JobId><![CDATA[${String(job.jobid)}]]></JobId>`);
    expect(push?.body).toContain(`<AgentID><![CDATA[${DEFAULT_WECOM_APP.agentId}]]></AgentID>`);
  });

  it('job failures: md5 mismatch 301019, no Range support 830001, 404 830003, non-loopback 830001, tiny file 45001', async () => {
    const data = Buffer.from('0123456789');
    const base = await fileServer({ '/f.bin': data, '/tiny.bin': Buffer.from('abc') });
    const md5 = createHash('md5').update(data).digest('hex');
    const run = async (url: string, sum = md5) => {
      const job = await postJson(api('media/upload_by_url'), {
        scene: 1,
        type: 'file',
        filename: 'f.bin',
        url,
        md5: sum,
      });
      const r = await waitJob(String(job.jobid));
      expect(r.status).toBe(3);
      return (r.detail as { errcode: number }).errcode;
    };
    expect(await run(`${base}/f.bin`, 'f'.repeat(32))).toBe(301019);
    expect(await run(`${base}/missing`)).toBe(830003);
    expect(await run('http://203.0.113.9/f.bin')).toBe(830001);
    expect(await run(`${base}/tiny.bin`, createHash('md5').update('abc').digest('hex'))).toBe(45001);
    await new Promise((r) => helper?.close(r));
    const noRange = await fileServer({ '/f.bin': data }, false);
    expect(await run(`${noRange}/f.bin`)).toBe(830001);
  });

  it('validates the request: scene, type, url, md5; unknown jobid', async () => {
    const good = { scene: 1, type: 'file', filename: 'f', url: 'http://127.0.0.1/x', md5: 'a'.repeat(32) };
    expect((await postJson(api('media/upload_by_url'), { ...good, scene: 2 })).errcode).toBe(40058);
    expect((await postJson(api('media/upload_by_url'), { ...good, type: 'image' })).errcode).toBe(40005);
    expect((await postJson(api('media/upload_by_url'), { ...good, url: 'nope' })).errcode).toBe(40058);
    expect((await postJson(api('media/upload_by_url'), { ...good, md5: 'a'.repeat(33) })).errcode).toBe(
      40058,
    );
    expect((await postJson(api('media/get_upload_by_url_result'), { jobid: 'nope' })).errcode).toBe(40058);
  });
});

describe('WeCom message/send', () => {
  async function thumb(): Promise<string> {
    const r = await upload(api('media/upload', '&type=image'), { data: png(), filename: 't.png' });
    return String(r.body.media_id);
  }

  it('sends mpnews, reports invalid users, truncates title/digest by bytes', async () => {
    const body = {
      touser: 'zhangsan|Ghost',
      toparty: '7',
      msgtype: 'mpnews',
      agentid: DEFAULT_WECOM_APP.agentId,
      mpnews: {
        articles: [
          {
            title: '标'.repeat(50),
            thumb_media_id: await thumb(),
            content: '<p>x</p>',
            digest: 'd'.repeat(600),
          },
        ],
      },
    };
    const r = await postJson(api('message/send'), body);
    expect(r).toMatchObject({
      errcode: 0,
      errmsg: 'ok',
      invaliduser: 'ghost',
      invalidparty: '7',
      invalidtag: '',
      msgid: expect.any(String),
    });
    const sent = sb.inspect().messages[0]?.body.mpnews as { articles: { title: string; digest: string }[] };
    expect(Buffer.byteLength(sent.articles[0]?.title ?? '')).toBe(126);
    expect(sent.articles[0]?.digest.length).toBe(512);
    expect(sb.stats().messagesSent).toBe(1);
  });

  it('errors: wrong agentid 40056, bad msgtype 40008, all recipients invalid 81013, bad thumb 40007, big content 45002', async () => {
    const t = await thumb();
    const base = { touser: '@all', msgtype: 'mpnews', agentid: DEFAULT_WECOM_APP.agentId };
    const art = { title: 'T', thumb_media_id: t, content: '<p>x</p>' };
    const send = (extra: Record<string, unknown>) =>
      postJson(api('message/send'), { ...base, mpnews: { articles: [art] }, ...extra });
    expect((await send({ agentid: 1 })).errcode).toBe(40056);
    expect((await send({ msgtype: 'card' })).errcode).toBe(40008);
    expect((await send({ touser: 'nobody' })).errcode).toBe(81013);
    expect((await send({ mpnews: { articles: [{ ...art, thumb_media_id: 'nope' }] } })).errcode).toBe(40007);
    expect((await send({ mpnews: { articles: [{ ...art, thumb_media_id: undefined }] } })).errcode).toBe(
      41006,
    );
    expect(
      (await send({ mpnews: { articles: [{ ...art, content: 'x'.repeat(666 * 1024 + 1) }] } })).errcode,
    ).toBe(45002);
    expect((await send({ mpnews: { articles: Array.from({ length: 9 }, () => art) } })).errcode).toBe(40058);
    expect((await send({})).errcode).toBe(0);
  });
});
