/**
 * A code-review checklist for WeCom media clients, items R1–R16 (each test names its item and the rule it
 * checks; errcodes: https://developer.work.weixin.qq.com/document/path/90313), one test per item, each
 * asserting what `createWecomClient` really puts on the wire and does with the answers. The client talks HTTP
 * to the sandbox through a recording proxy defined below, so the tests see the exact requests (multipart
 * parts, query strings, Range headers, tokens) and can cut or hold a response mid-body. CDN origins for
 * upload_by_url are local servers.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { DEFAULT_WECOM_APP, type Sandbox, startSandbox } from '@md2wx/sandbox';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createWecomClient,
  digestOf,
  downloadPartPath,
  encodeMultipart,
  fileStore,
  memoryStore,
  QuotaCounter,
  type Store,
  TEMP_MEDIA_LIFETIME_S,
  TOKEN_REPLACEMENTS,
  WECOM_MAX_CHUNK,
  WECOM_UPLOADIMG_LIMITS,
  WechatError,
  WechatInputError,
  WechatQuotaError,
  WechatTimeoutError,
  type WecomOptions,
} from '../src/index.js';
import { apiError, caught } from './helpers.js';
import { amrVoice as amr, mp4Video as mp4 } from './media-fixtures.js';

// ── Fixtures ────────────────────────────────────────────────────────────────────────────────────────────────

const MB = 1_000_000;
const img = (p: string) => corpusPath(`images/${p}`);
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

/** Bytes that encode their own offsets, so a chunk glued at the wrong place changes the MD5. */
function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i + 4 <= n; i += 4) b.writeUInt32BE(i, i);
  return b;
}

/** `head` padded with zero bytes to exactly `size` bytes: the format detectors only read the start. */
const padded = (head: Buffer, size: number) => Buffer.concat([head, Buffer.alloc(size - head.length)]);

async function inputError(p: Promise<unknown>, code: string): Promise<WechatInputError> {
  const e = await caught(p);
  expect(e).toBeInstanceOf(WechatInputError);
  expect((e as WechatInputError).code).toBe(code);
  return e as WechatInputError;
}
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

// ── A recording proxy between the client and the sandbox ────────────────────────────────────────────────────

/** One request as the proxy saw it, and what went back. */
interface Exchange {
  method: string;
  /** Path below `/cgi-bin/`, e.g. `media/upload`. */
  api: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  status: number;
  responseHeaders: IncomingHttpHeaders;
  /** Body bytes the sandbox answered (the client may have received fewer when a plan cut it). */
  responseBytes: number;
  /** The sandbox's JSON answer, when it answered JSON. */
  json: Record<string, unknown> | undefined;
}

/** What the proxy does with one response instead of passing it through. */
type Plan =
  | { kind: 'cut'; afterBytes: number }
  | { kind: 'hold'; afterBytes: number; until: Promise<unknown> }
  | { kind: 'answer'; json: Record<string, unknown> };

interface Recorder {
  /** The client's `baseUrl`. */
  url: string;
  exchanges: Exchange[];
  calls(api: string): Exchange[];
  /** Decides per request (after it was read) whether to tamper with the answer; reset before each test. */
  plan: ((ex: Exchange) => Plan | undefined) | undefined;
  close(): Promise<void>;
}

async function startRecorder(upstream: () => string): Promise<Recorder> {
  const rec: Recorder = {
    url: '',
    exchanges: [],
    calls: (api) => rec.exchanges.filter((e) => e.api === api),
    plan: undefined,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://proxy');
    const ex: Exchange = {
      method: req.method ?? 'GET',
      api: url.pathname.replace(/^\/cgi-bin\//, ''),
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks),
      status: 0,
      responseHeaders: {},
      responseBytes: 0,
      json: undefined,
    };
    rec.exchanges.push(ex);
    const plan = rec.plan?.(ex);
    if (plan?.kind === 'answer') {
      ex.status = 200;
      ex.json = plan.json;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify(plan.json));
      return;
    }
    const target = new URL(upstream() + (req.url ?? '/'));
    const headers = { ...req.headers, host: target.host, 'content-length': String(ex.body.length) };
    delete headers['transfer-encoding'];
    const up = request(target, { method: ex.method, headers }, async (upRes) => {
      const parts: Buffer[] = [];
      for await (const c of upRes) parts.push(c as Buffer);
      const body = Buffer.concat(parts);
      ex.status = upRes.statusCode ?? 0;
      ex.responseHeaders = upRes.headers;
      ex.responseBytes = body.length;
      if (/json|text\/plain/.test(String(upRes.headers['content-type'])) && body[0] === 0x7b) {
        ex.json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      }
      res.writeHead(ex.status, upRes.headers);
      if (plan?.kind === 'cut') {
        res.write(body.subarray(0, plan.afterBytes), () => res.socket?.destroy());
      } else if (plan?.kind === 'hold') {
        res.write(body.subarray(0, plan.afterBytes));
        await plan.until;
        res.end(body.subarray(plan.afterBytes));
      } else {
        res.end(body);
      }
    });
    up.on('error', () => res.socket?.destroy());
    up.end(ex.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return rec;
}

/**
 * The multipart body of a recorded upload as a FormData. Built from `rawParts`: the platform's parser
 * (undici, WHATWG rules) rejects the `filelength` parameter WeChat documents and the client sends
 * (https://developer.work.weixin.qq.com/document/path/96484), while WeCom and the sandbox (busboy) accept it.
 */
async function formOf(ex: Exchange): Promise<FormData> {
  const form = new FormData();
  for (const part of rawParts(ex)) {
    const disposition = part.headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const name = /; name="([^"]*)"/.exec(disposition)?.[1] ?? '';
    const filename = /; filename="([^"]*)"/.exec(disposition)?.[1];
    const type = /^content-type:\s*(.*)$/i.exec(
      part.headers.find((h) => /^content-type:/i.test(h)) ?? '',
    )?.[1];
    if (filename === undefined) form.append(name, part.data.toString('utf8'));
    else form.append(name, new File([new Uint8Array(part.data)], filename, { type: type ?? '' }));
  }
  return form;
}

/** The parts of a recorded multipart body as sent: raw header lines and bytes (no parser in between). */
function rawParts(ex: Exchange): { headers: string[]; data: Buffer }[] {
  const boundary = /boundary=(\S+)/.exec(String(ex.headers['content-type']))?.[1];
  if (!boundary) throw new Error('not multipart');
  const delimiter = Buffer.from(`--${boundary}`);
  const out: { headers: string[]; data: Buffer }[] = [];
  let at = ex.body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (ex.body.subarray(start, start + 2).toString() === '--') break;
    const next = ex.body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    const part = ex.body.subarray(start + 2, next);
    const split = part.indexOf('\r\n\r\n');
    out.push({
      headers: part.subarray(0, split).toString('utf8').split('\r\n'),
      data: part.subarray(split + 4),
    });
    at = next + 2;
  }
  return out;
}

// ── A CDN origin for upload_by_url: serves registered bodies, records each request's Range header ──────────

interface Origin {
  url: string;
  put(path: string, body: Buffer): string;
  /** Range headers received per path ('' when none). */
  seen: { path: string; range: string }[];
  close(): Promise<void>;
}

async function startOrigin(): Promise<Origin> {
  const files = new Map<string, Buffer>();
  const seen: Origin['seen'] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push({ path, range: req.headers.range ?? '' });
    const body = files.get(path);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!m || path.startsWith('/norange/')) {
      res.writeHead(200, { 'content-length': body.length }).end(body);
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(m[2] ? Number(m[2]) : body.length - 1, body.length - 1);
    res
      .writeHead(206, {
        'content-range': `bytes ${start}-${end}/${body.length}`,
        'content-length': end - start + 1,
      })
      .end(body.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    put(path, body) {
      files.set(path, body);
      return `${url}${path}`;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ── Shared servers ──────────────────────────────────────────────────────────────────────────────────────────

let sb: Sandbox;
/** A second sandbox whose clock the tests move (media expiry, token expiry, job status). */
let clocked: Sandbox;
let now = Date.now();
let proxy: Recorder;
let clockedProxy: Recorder;
let origin: Origin;
let dir: string;

beforeAll(async () => {
  // requireFilelength: WeCom's media part must declare filelength (WeCom's wire format); without it uploads fail.
  sb = await startSandbox({ requireFilelength: true });
  clocked = await startSandbox({ clock: () => now, requireFilelength: true });
  proxy = await startRecorder(() => sb.wecomUrl);
  clockedProxy = await startRecorder(() => clocked.wecomUrl);
  origin = await startOrigin();
  dir = await mkdtemp(join(tmpdir(), 'md2wx-wecom-checklist-'));
});
afterAll(async () => {
  await Promise.all([sb?.close(), clocked?.close(), proxy?.close(), clockedProxy?.close(), origin?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  now = Date.now();
  for (const s of [sb, clocked]) {
    s.reset();
    s.setFaults({
      busyRate: 0,
      dropRate: 0,
      rateLimitRate: 0,
      latencyMs: 0,
      jitterMs: 0,
      exhaustedQuotas: [],
    });
  }
  for (const p of [proxy, clockedProxy]) {
    p.exchanges.length = 0;
    p.plan = undefined;
  }
  origin.seen.length = 0;
});

/** A client on the default sandbox app, through the recording proxy, with fast retries. */
function client(over: Partial<WecomOptions> = {}) {
  return createWecomClient({ ...DEFAULT_WECOM_APP, baseUrl: proxy.url, retryBaseMs: 5, ...over });
}
/** The same on the clocked sandbox. */
function clockedClient(over: Partial<WecomOptions> = {}) {
  return createWecomClient({ ...DEFAULT_WECOM_APP, baseUrl: clockedProxy.url, retryBaseMs: 5, ...over });
}
type Client = ReturnType<typeof client>;

/** Put `body` on the origin, run upload_by_url and wait for the async media_id. */
async function asyncUpload(c: Client, body: Buffer, name: string): Promise<string> {
  const url = origin.put(`/${name}`, body);
  const { jobid } = await c.uploadByUrl({ type: 'file', filename: name, url, md5: md5(body) });
  return (await c.waitForUploadJob(jobid, { intervalMs: 20, timeoutMs: 30_000 })).media_id;
}

/** A Store that records every key the client counts with `incr`. */
function spyStore(
  inner: Store = memoryStore(),
): Store & { incrKeys: Set<string>; sets: { key: string; ttl?: number }[] } {
  const incrKeys = new Set<string>();
  const sets: { key: string; ttl?: number }[] = [];
  return {
    incrKeys,
    sets,
    get: (k) => inner.get(k),
    set: (k, v, ttl) => {
      sets.push(ttl === undefined ? { key: k } : { key: k, ttl });
      return inner.set(k, v, ttl);
    },
    delete: (k) => inner.delete(k),
    incr: (k, by, ttl) => {
      incrKeys.add(k);
      return inner.incr(k, by, ttl);
    },
    lock: (k, o) => inner.lock(k, o),
  };
}

// ── R1–R16 ──────────────────────────────────────────────────────────────────────────────────────────────────

describe.skipIf(!requireCorpus())('WeCom code-review checklist R1–R16, client side', () => {
  it('R1: uploads are multipart/form-data, never a JSON body (media/upload and media/uploadimg)', async () => {
    const c = client();
    const jpg = await readFile(img('special/progressive-small-nikon.jpeg'));
    await c.upload('image', img('special/progressive-small-nikon.jpeg'));
    await c.uploadImage(jpg, { filename: 'body.jpg' });
    const uploads = [...proxy.calls('media/upload'), ...proxy.calls('media/uploadimg')];
    expect(uploads).toHaveLength(2);
    for (const ex of uploads) {
      expect(ex.method).toBe('POST');
      expect(ex.headers['content-type']).toMatch(/^multipart\/form-data; boundary=\S+$/);
      expect(ex.body[0]).not.toBe(0x7b); // not `{`
      const file = (await formOf(ex)).get('media');
      expect(file).toBeInstanceOf(File);
      expect(Buffer.from(await (file as File).arrayBuffer()).equals(jpg)).toBe(true);
      expect(ex.json?.errcode).toBe(0);
    }
    // The server really insists: the same upload as a JSON body is refused with 41005 (media data missing).
    const token = await c.getAccessToken();
    const res = await fetch(`${sb.wecomUrl}/cgi-bin/media/upload?access_token=${token}&type=file`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ media: jpg.toString('base64'), filename: 'a.jpg' }),
    });
    expect(((await res.json()) as { errcode: number }).errcode).toBe(41005);
  });

  it('R2: the file part is named `media`, with a filename whose extension matches the real format and a content-type', async () => {
    const c = client();
    // A real JPEG saved as .png (corpus/images/wrong-extension): WeCom answers 40004 when the name lies.
    const up = await c.upload('image', img('wrong-extension/real-time-apps-15_is-jpeg.png'));
    await c.upload('voice', amr(), { filename: 'memo' });
    await c.upload('file', Buffer.from('plain text notes'), { filename: 'notes.txt' });
    const [image, voice, file] = proxy.calls('media/upload');
    const parts = await Promise.all([image, voice, file].map(async (ex) => formOf(ex!)));
    for (const form of parts) expect([...form.keys()]).toEqual(['media']);
    const imagePart = parts[0]!.get('media') as File;
    expect(imagePart.name).toBe('real-time-apps-15_is-jpeg.jpg');
    expect(imagePart.type).toBe('image/jpeg');
    expect((parts[1]!.get('media') as File).name).toBe('memo.amr');
    expect((parts[2]!.get('media') as File).name).toBe('notes.txt');
    expect(image!.headers['content-length']).toBe(String(image!.body.length));
    // G4 / https://developer.work.weixin.qq.com/document/path/96484: the part header carries filename,
    // filelength (the exact byte count) and content-type, as in WeCom's wire example — read from the raw
    // body, since platform parsers drop unknown parameters.
    const expected = [
      {
        ex: image!,
        name: 'real-time-apps-15_is-jpeg.jpg',
        type: 'image/jpeg',
        bytes: await readFile(img('wrong-extension/real-time-apps-15_is-jpeg.png')),
      },
      { ex: voice!, name: 'memo.amr', type: 'audio/amr', bytes: amr() },
      {
        ex: file!,
        name: 'notes.txt',
        type: 'application/octet-stream',
        bytes: Buffer.from('plain text notes'),
      },
    ];
    for (const { ex, name, type, bytes } of expected) {
      const sent = rawParts(ex);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.headers).toEqual([
        `Content-Disposition: form-data; name="media"; filename="${name}"; filelength=${bytes.length}`,
        `Content-Type: ${type}`,
      ]);
      expect(sent[0]!.data.equals(bytes)).toBe(true);
    }
    // A streamed file (by path) declares its on-disk size; quotes and newlines in names are escaped.
    const onDisk = join(dir, 'say "hi"\n.txt');
    await writeFile(onDisk, pattern(70_000));
    await c.upload('file', onDisk);
    const streamed = rawParts(proxy.calls('media/upload').at(-1)!)[0]!;
    expect(streamed.headers[0]).toBe(
      'Content-Disposition: form-data; name="media"; filename="say %22hi%22%0A.txt"; filelength=70000',
    );
    expect(streamed.data.equals(pattern(70_000))).toBe(true);
    // The sandbox (strict about filelength here) read the same declared lengths from the wire.
    const logged = sb.requestLog().filter((e) => e.api === 'wecom/media/upload');
    expect(logged.map((e) => e.files?.map((f) => [f.filelength, f.bytes]))).toEqual([
      [[expected[0]!.bytes.length, expected[0]!.bytes.length]],
      [[expected[1]!.bytes.length, expected[1]!.bytes.length]],
      [[expected[2]!.bytes.length, expected[2]!.bytes.length]],
      [[70_000, 70_000]],
    ]);
    // What WeCom stored is what was sent: the download names and types it as a JPEG.
    const got = await c.download(up.media_id, join(dir, 'r2.jpg'));
    expect(got).toMatchObject({ filename: `${up.media_id}.jpg`, contentType: 'image/jpeg' });
  });

  it('R3: `type` travels in the query string (one per media type), never in the body', async () => {
    const c = client();
    await c.upload('image', img('png/sharp-flag-nl-16bit.png'));
    await c.upload('voice', amr(), { filename: 'v.amr' });
    await c.upload('video', mp4(), { filename: 'v.mp4' });
    await c.upload('file', Buffer.from('%PDF-ish bytes'), { filename: 'doc.bin' });
    const calls = proxy.calls('media/upload');
    expect(calls.map((ex) => ex.query.get('type'))).toEqual(['image', 'voice', 'video', 'file']);
    for (const ex of calls) {
      expect(ex.query.get('access_token')).toBeTruthy();
      const form = await formOf(ex);
      expect(form.has('type')).toBe(false);
      expect(ex.json).toMatchObject({ errcode: 0, type: ex.query.get('type') });
    }
    // uploadimg takes no type at all.
    await c.uploadImage(img('png/sharp-flag-nl-16bit.png'));
    expect(proxy.calls('media/uploadimg')[0]!.query.has('type')).toBe(false);
  });

  it('R4: size is checked before any request: > 5 bytes, and ≤ 10 MB image / 2 MB voice / 10 MB video / 20 MB file / 2 MB uploadimg', async () => {
    const c = client();
    const jpgHead = (await readFile(img('special/progressive-small-nikon.jpeg'))).subarray(0, 4096);
    // ≤ 5 bytes is refused for every type, and for uploadimg.
    for (const type of ['image', 'voice', 'video', 'file'] as const) {
      const e = await inputError(c.upload(type, Buffer.from('12345'), { filename: 'five.bin' }), 'too-small');
      expect(e.message).toMatch(/5 bytes .*more than 5 bytes/);
    }
    await inputError(c.upload('file', img('broken-and-tiny/empty-0-bytes.png')), 'too-small');
    await inputError(c.uploadImage(Buffer.from('12345')), 'too-small');
    // One byte over each maximum is refused; the message names the input and the limit.
    const over: [Parameters<Client['upload']>[0], Buffer, number][] = [
      ['image', padded(jpgHead, 10 * MB + 1), 10 * MB],
      ['voice', padded(amr(), 2 * MB + 1), 2 * MB],
      ['video', padded(mp4(), 10 * MB + 1), 10 * MB],
      ['file', pattern(20 * MB + 1), 20 * MB],
    ];
    for (const [type, data, limit] of over) {
      const e = await inputError(c.upload(type, data, { filename: `big-${type}` }), 'too-large');
      expect(e.message).toContain(`${limit}-byte limit`);
      expect(e.subject).toBe(`big-${type}`);
    }
    // A real 16 MB photo from the corpus, by path: the message names the file.
    const elephants = img('photos/mate-elephants-5640x3172-progressive.jpg');
    expect((await inputError(c.upload('image', elephants), 'too-large')).message).toContain(elephants);
    // uploadimg: 2 MB; a real 2.4 MB JPEG is refused.
    await inputError(c.uploadImage(img('photos/apple-iphone-5_orient3.jpg')), 'too-large');
    expect(proxy.exchanges).toHaveLength(0); // not even a token was fetched
    // Exactly at each bound is accepted by the client and by the server.
    await c.upload('file', Buffer.from('123456'), { filename: 'six.txt' });
    await c.upload('file', pattern(20 * MB), { filename: 'twenty.bin' });
    await c.upload('voice', padded(amr(), 2 * MB), { filename: 'v.amr' });
    await c.upload('video', padded(mp4(), 10 * MB), { filename: 'v.mp4' });
    expect(sb.stats().uploads['wecom/media/upload']).toBe(4);
    const pngHead = (await readFile(img('png/sharp-flag-nl-16bit.png'))).subarray(0, 64);
    await c.uploadImage(padded(pngHead, 2 * MB), { filename: 'two-mb.png' });
    await inputError(c.uploadImage(padded(pngHead, 2 * MB + 1), { filename: 'over.png' }), 'too-large');
    expect(sb.stats().uploads['wecom/media/uploadimg']).toBe(1);
    // The server would have refused 5 bytes too (40006): the client's bound is WeCom's.
    const token = await c.getAccessToken();
    const five = encodeMultipart({
      name: 'media',
      filename: 'five.txt',
      type: undefined,
      blob: new Blob([Buffer.from('12345')]),
    });
    const chunks: Buffer[] = [];
    for await (const chunk of five.stream()) chunks.push(chunk as Buffer);
    const res = await fetch(`${sb.wecomUrl}/cgi-bin/media/upload?access_token=${token}&type=file`, {
      method: 'POST',
      headers: { 'content-type': five.contentType },
      body: Buffer.concat(chunks),
    });
    expect(((await res.json()) as { errcode: number }).errcode).toBe(40006);
  }, 30_000);

  it('R5: format is checked by magic bytes, not names: image JPG/PNG, voice AMR, video MP4, file anything', async () => {
    const c = client();
    const refused: [() => Promise<unknown>, RegExp][] = [
      [() => c.upload('image', img('gif/sharp-rotating-squares.gif')), /gif/],
      [() => c.upload('image', img('special/bmpsuite-rgb24.bmp')), /bmp/],
      [() => c.upload('image', img('webp/sharp-5_webp_a-alpha.webp')), /webp/],
      [
        () => c.upload('image', Buffer.from('not an image at all'), { filename: 'photo.jpg' }),
        /unrecognised/,
      ],
      [() => c.upload('voice', img('special/progressive-small-nikon.jpeg')), /jpg/],
      [() => c.upload('voice', mp4(), { filename: 'voice.amr' }), /mp4/],
      [() => c.upload('video', amr(), { filename: 'clip.mp4' }), /amr/],
      [() => c.uploadImage(img('gif/sharp-rotating-squares.gif')), /gif/],
      [() => c.uploadImage(img('special/bmpsuite-rgb24.bmp')), /bmp/],
    ];
    for (const [call, seen] of refused) {
      const e = await inputError(call(), 'bad-format');
      expect(e.message).toMatch(seen);
      expect(e.message).toMatch(/renaming it is not enough/);
    }
    expect(proxy.exchanges).toHaveLength(0);
    // The real formats pass; `file` takes any content, a GIF included.
    await c.upload('image', img('png/sharp-flag-nl-16bit.png'));
    await c.upload('image', img('special/grayscale-gamma-test.jpg'));
    await c.upload('voice', amr(), { filename: 'v.amr' });
    await c.upload('video', mp4(), { filename: 'v.mp4' });
    await c.upload('file', img('gif/sharp-rotating-squares.gif'));
    expect(sb.stats().uploads['wecom/media/upload']).toBe(5);
    // The declared part type follows the content as well.
    const types = await Promise.all(
      proxy.calls('media/upload').map(async (ex) => ((await formOf(ex)).get('media') as File).type),
    );
    expect(types.slice(0, 2)).toEqual(['image/png', 'image/jpeg']);
  });

  it('R6: media/get answers a file on success and JSON on failure; the two are told apart and nothing is written on failure', async () => {
    const c = client();
    const to = join(dir, 'r6.bin');
    // Failure: a JSON error instead of the file.
    const e = await apiError(c.download('1unknownmediaid', to));
    expect(e).toMatchObject({ errcode: 40007, endpoint: 'cgi-bin/media/get', platform: 'wecom' });
    expect(e.hint).toMatch(/expired/);
    expect(proxy.calls('media/get')[0]!.json).toMatchObject({ errcode: 40007 });
    expect(await exists(to)).toBe(false);
    expect(await exists(downloadPartPath(to, '1unknownmediaid'))).toBe(false);
    expect((await apiError(c.downloadHdVoice('1unknownmediaid', to))).errcode).toBe(40007);
    // The same error served as text/plain, as WeChat often labels JSON
    // (https://github.com/doocs/md/pull/1878), is still read as the error.
    proxy.plan = (ex) =>
      ex.api === 'media/get'
        ? { kind: 'answer', json: { errcode: 40007, errmsg: 'invalid media_id' } }
        : undefined;
    expect((await apiError(c.download('1unknownmediaid', to))).errcode).toBe(40007);
    expect(await exists(to)).toBe(false);
    proxy.plan = undefined;
    // Success: a file whose bytes are JSON (even an errcode) is still a file, because WeCom marks it as one.
    const jsonFile = Buffer.from('{"errcode":40007,"errmsg":"I am file content"}');
    const up = await c.upload('file', jsonFile, { filename: 'data.json' });
    const got = await c.download(up.media_id, to);
    expect(got.bytes).toBe(jsonFile.length);
    expect((await readFile(to)).equals(jsonFile)).toBe(true);
    expect(got.filename).toBe(`${up.media_id}.json`);
    // HD voice (media/get/jssdk) answers speex as a file too.
    const voice = await c.upload('voice', amr(), { filename: 'v.amr' });
    const hd = await c.downloadHdVoice(voice.media_id, join(dir, 'r6.speex'));
    expect(hd).toMatchObject({ contentType: 'voice/speex', filename: `${voice.media_id}.speex` });
    expect(hd.bytes).toBeGreaterThan(5);
    // An errcode-0 JSON answer where a file was expected is not mistaken for an empty file.
    proxy.plan = (ex) =>
      ex.api === 'media/get' ? { kind: 'answer', json: { errcode: 0, errmsg: 'ok' } } : undefined;
    const odd = await caught(c.download(up.media_id, join(dir, 'r6-odd.bin')));
    expect(odd).toBeInstanceOf(WechatError);
    expect(odd).toMatchObject({ code: 'bad-answer' });
    expect(await exists(join(dir, 'r6-odd.bin'))).toBe(false);
  });

  it('R7: media_ids expire after 3 days: the reuse cache lives 3 days minus a margin, and an expired id is re-uploaded with fresh', async () => {
    const store = spyStore();
    const c = clockedClient({ store });
    const file = Buffer.from('weekly report, version 1');
    const first = await c.uploadReusable('file', file, { filename: 'report.txt' });
    expect(first.reused).toBe(false);
    const cached = store.sets.find((s) => s.key.startsWith('md2wx:wecom-media:'));
    expect(cached?.ttl).toBeGreaterThan(TEMP_MEDIA_LIFETIME_S - 3600 - 10);
    expect(cached?.ttl).toBeLessThanOrEqual(TEMP_MEDIA_LIFETIME_S - 3600);
    expect(await c.uploadReusable('file', file, { filename: 'report.txt' })).toMatchObject({
      media_id: first.media_id,
      reused: true,
    });
    expect(clocked.stats().uploads['wecom/media/upload']).toBe(1);
    // An id with no life left beyond the margin is not cached at all.
    const shortLived = await c.uploadReusable('file', Buffer.from('short lived'), {
      filename: 's.txt',
      marginSeconds: TEMP_MEDIA_LIFETIME_S,
    });
    const again = await c.uploadReusable('file', Buffer.from('short lived'), { filename: 's.txt' });
    expect(again.reused).toBe(false);
    expect(again.media_id).not.toBe(shortLived.media_id);
    // WeCom's clock passes 3 days: the id is gone (40007) and the hint says why.
    now += TEMP_MEDIA_LIFETIME_S * 1000;
    const expired = await apiError(c.download(first.media_id, join(dir, 'r7.txt')));
    expect(expired.errcode).toBe(40007);
    expect(expired.hint).toMatch(/3 days/);
    // The retry: fresh: true uploads again, and later calls reuse the new id.
    const renewed = await c.uploadReusable('file', file, { filename: 'report.txt', fresh: true });
    expect(renewed.reused).toBe(false);
    expect(renewed.media_id).not.toBe(first.media_id);
    expect((await c.uploadReusable('file', file, { filename: 'report.txt' })).media_id).toBe(
      renewed.media_id,
    );
    expect((await c.download(renewed.media_id, join(dir, 'r7.txt'))).bytes).toBe(file.length);
  });

  it('R8: downloads stream: bytes reach the target while the response is still arriving, in bounded chunks', async () => {
    const c = client();
    const body = pattern(3 * MB);
    const up = await c.upload('file', body, { filename: 'stream.bin' });
    // The proxy forwards 1 MB, then holds the rest until the client has shown it already has those bytes.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    proxy.plan = (ex) => (ex.api === 'media/get' ? { kind: 'hold', afterBytes: MB, until: held } : undefined);
    let early = 0;
    const chunkSizes: number[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunkSizes.push(chunk.length);
        early += chunk.length;
        if (early >= 512 * 1024) release();
        done();
      },
    });
    const streamed = c.download(up.media_id, sink);
    await held; // never resolves if the client buffered the whole body first (the test then times out)
    expect(early).toBeLessThan(body.length);
    expect((await streamed).bytes).toBe(body.length);
    expect(Math.max(...chunkSizes)).toBeLessThan(MB);
    // 30 Range chunks into one stream: the bytes arrive in order, listeners do not pile up, the stream is ended.
    proxy.plan = undefined;
    proxy.exchanges.length = 0;
    const chunked = new PassThrough();
    const parts: Buffer[] = [];
    chunked.on('data', (c: Buffer) => parts.push(c));
    await c.download(up.media_id, chunked, { chunkBytes: 100_000 });
    expect(proxy.calls('media/get')).toHaveLength(30);
    expect(Buffer.concat(parts).equals(body)).toBe(true);
    expect(chunked.listenerCount('error')).toBeLessThanOrEqual(1);
    expect(chunked.writableEnded).toBe(true);
    // To a path: the bytes land in the partial file during the download; `<to>` appears only when complete.
    let releasePath!: () => void;
    const heldPath = new Promise<void>((resolve) => {
      releasePath = resolve;
    });
    proxy.plan = (ex) =>
      ex.api === 'media/get' ? { kind: 'hold', afterBytes: MB, until: heldPath } : undefined;
    const to = join(dir, 'r8.bin');
    const toFile = c.download(up.media_id, to);
    let partSize = 0;
    for (let i = 0; i < 500 && partSize === 0; i++) {
      partSize = (await stat(downloadPartPath(to, up.media_id)).catch(() => undefined))?.size ?? 0;
      if (partSize === 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThanOrEqual(MB);
    expect(await exists(to)).toBe(false);
    releasePath();
    await toFile;
    expect(md5(await readFile(to))).toBe(md5(body));
    expect(await exists(downloadPartPath(to, up.media_id))).toBe(false);
  });

  it('R9: files over 20 MB are fetched with Range in ≤ 20 MB chunks, and a cut download resumes from the bytes it has', async () => {
    const c = client();
    const body = pattern(25 * MB);
    const media_id = await asyncUpload(c, body, 'r9.bin');
    // Without Range WeCom refuses such a file (830002): Range is required, not an optimisation.
    const token = await c.getAccessToken();
    const whole = await fetch(`${sb.wecomUrl}/cgi-bin/media/get?access_token=${token}&media_id=${media_id}`);
    expect(((await whole.json()) as { errcode: number }).errcode).toBe(830002);
    proxy.exchanges.length = 0;
    const to = join(dir, 'r9.bin');
    expect((await c.download(media_id, to)).bytes).toBe(body.length);
    const gets = proxy.calls('media/get');
    expect(gets.map((ex) => ex.headers.range)).toEqual([
      `bytes=0-${WECOM_MAX_CHUNK - 1}`,
      `bytes=${WECOM_MAX_CHUNK}-${2 * WECOM_MAX_CHUNK - 1}`,
    ]);
    expect(gets.map((ex) => ex.status)).toEqual([206, 206]);
    expect(gets[1]!.responseHeaders['content-range']).toBe(`bytes 20000000-24999999/${body.length}`);
    expect(md5(await readFile(to))).toBe(md5(body));
    // The connection dies after 5 MB of the first chunk: the next request starts where the file on disk ends.
    proxy.exchanges.length = 0;
    let cuts = 0;
    proxy.plan = (ex) =>
      ex.api === 'media/get' && cuts++ === 0 ? { kind: 'cut', afterBytes: 5 * MB } : undefined;
    const cut = join(dir, 'r9-cut.bin');
    expect((await c.download(media_id, cut)).bytes).toBe(body.length);
    const ranges = proxy.calls('media/get').map((ex) => ex.headers.range ?? '');
    expect(ranges[0]).toBe(`bytes=0-${WECOM_MAX_CHUNK - 1}`);
    const resumedAt = Number(/^bytes=(\d+)-/.exec(ranges[1] ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(5 * MB);
    expect(md5(await readFile(cut))).toBe(md5(body));
    // A later call resumes the partial file an earlier process left for the same media_id.
    proxy.exchanges.length = 0;
    proxy.plan = undefined;
    const later = join(dir, 'r9-later.bin');
    await writeFile(downloadPartPath(later, media_id), body.subarray(0, 7 * MB));
    await c.download(media_id, later);
    expect(proxy.calls('media/get').map((ex) => ex.headers.range)).toEqual([
      `bytes=${7 * MB}-${7 * MB + WECOM_MAX_CHUNK - 1}`,
    ]);
    expect(md5(await readFile(later))).toBe(md5(body));
    // resume: false ignores a leftover; a leftover longer than the media (416) is discarded, not appended to.
    const small = pattern(3000);
    const { media_id: smallId } = await c.upload('file', small, { filename: 'small.bin' });
    for (const [leftover, options] of [
      [pattern(1000), { resume: false }],
      [pattern(5000), {}],
    ] as const) {
      proxy.exchanges.length = 0;
      const target = join(dir, `r9-leftover-${leftover.length}.bin`);
      await writeFile(downloadPartPath(target, smallId), leftover);
      expect((await c.download(smallId, target, options)).bytes).toBe(small.length);
      expect((await readFile(target)).equals(small)).toBe(true);
      expect(proxy.calls('media/get').at(-1)?.headers.range).toBe(`bytes=0-${WECOM_MAX_CHUNK - 1}`);
    }
  }, 60_000);

  it('R9 (cut mid-write): a download cut while a write to the partial file is in flight resumes after its bytes, not before', async () => {
    // The resume offset is the partial file's size; read before the last write lands, it would fetch those
    // bytes again and append them twice. Whether a write is in flight at the cut is timing, so many cuts.
    const wanted = pattern(3 * MB);
    const { media_id } = await client().upload('file', wanted, { filename: 'cut-mid-write.bin' });
    const c = client();
    for (let i = 0; i < 12; i++) {
      let cuts = 0;
      proxy.plan = (ex) =>
        ex.api === 'media/get' && cuts++ === 0 ? { kind: 'cut', afterBytes: MB + i * 41_017 } : undefined;
      const to = join(dir, `r9-cut-mid-write-${i}.bin`);
      expect((await c.download(media_id, to)).bytes, `cut ${i}`).toBe(wanted.length);
      expect(md5(await readFile(to)), `cut ${i}`).toBe(md5(wanted));
    }
    proxy.plan = undefined;
  }, 60_000);

  it('R9 (resume safety): a partial file left by a DIFFERENT media_id is discarded, never resumed', async () => {
    const other = pattern(2 * MB).fill(0x5a, 0, MB);
    const wanted = pattern(3 * MB);
    const a = await client().upload('file', other, { filename: 'a.bin' });
    const b = await client().upload('file', wanted, { filename: 'b.bin' });
    const to = join(dir, 'r9-mixed.bin');
    // A download of media A to `to` dies after 1 MB and is not retried: its partial file stays on disk.
    proxy.plan = (ex) => (ex.api === 'media/get' ? { kind: 'cut', afterBytes: MB } : undefined);
    await caught(client({ retries: 0 }).download(a.media_id, to));
    proxy.plan = undefined;
    // A leftover in the pre-fix naming (`<to>.part`, no media_id in it) is just as foreign.
    await writeFile(`${to}.part`, other.subarray(0, 500_000));
    proxy.exchanges.length = 0;
    // Media B (longer than both leftovers) goes to the same path: its bytes, from offset 0, and no leftovers.
    expect((await client().download(b.media_id, to)).bytes).toBe(wanted.length);
    expect(md5(await readFile(to))).toBe(md5(wanted));
    expect(proxy.calls('media/get').map((ex) => ex.headers.range)).toEqual([
      `bytes=0-${WECOM_MAX_CHUNK - 1}`,
    ]);
    expect((await readdir(dir)).filter((f) => f.startsWith('r9-mixed.bin.'))).toEqual([]);
    // The partial file of B itself is still resumed: its name carries B's media_id.
    proxy.plan = (ex) => (ex.api === 'media/get' ? { kind: 'cut', afterBytes: MB } : undefined);
    const again = join(dir, 'r9-same.bin');
    await caught(client({ retries: 0 }).download(b.media_id, again));
    proxy.plan = undefined;
    expect((await stat(downloadPartPath(again, b.media_id))).size).toBeGreaterThan(0);
    proxy.exchanges.length = 0;
    await client().download(b.media_id, again);
    expect(proxy.calls('media/get')[0]?.headers.range).not.toBe(`bytes=0-${WECOM_MAX_CHUNK - 1}`);
    expect(md5(await readFile(again))).toBe(md5(wanted));
  });

  it('R9 (concurrency): two downloads into the same path at once each leave the intact file, never glued bytes', async () => {
    const wanted = pattern(3 * MB);
    const { media_id } = await client().upload('file', wanted, { filename: 'c.bin' });
    const to = join(dir, 'r9-concurrent.bin');
    // Small chunks make the two downloads interleave: unlocked, both append to the one partial file.
    const [first, second] = await Promise.all([
      client().download(media_id, to, { chunkBytes: 256 * 1024 }),
      client().download(media_id, to, { chunkBytes: 256 * 1024 }),
    ]);
    expect(first.bytes).toBe(wanted.length);
    expect(second.bytes).toBe(wanted.length);
    expect(md5(await readFile(to))).toBe(md5(wanted));
    expect((await readdir(dir)).filter((f) => f.startsWith('r9-concurrent.bin.'))).toEqual([]);
  });

  it('R10: the CDN URL must support Range: probed with bytes=0-0 before upload_by_url, refused when it answers 200', async () => {
    const c = client();
    const body = pattern(40_000);
    const good = origin.put('/r10.bin', body);
    const { jobid } = await c.uploadByUrl({ type: 'file', filename: 'r10.bin', url: good, md5: md5(body) });
    expect(origin.seen[0]).toEqual({ path: '/r10.bin', range: 'bytes=0-0' });
    expect(proxy.calls('media/upload_by_url')).toHaveLength(1);
    await c.waitForUploadJob(jobid, { intervalMs: 20 });
    // WeCom's own download of the URL used Range as well.
    expect(origin.seen.slice(1).every((s) => s.range.startsWith('bytes='))).toBe(true);

    const noRange = origin.put('/norange/r10.bin', body);
    const e = await inputError(
      c.uploadByUrl({ type: 'file', filename: 'r10.bin', url: noRange, md5: md5(body) }),
      'bad-argument',
    );
    expect(e.subject).toBe('url');
    expect(e.message).toMatch(/HTTP 200 to a Range request/);
    const closed = await inputError(
      c.uploadByUrl({ type: 'file', filename: 'r10.bin', url: 'http://127.0.0.1:9/r10.bin', md5: md5(body) }),
      'bad-argument',
    );
    expect(closed.message).toMatch(/unreachable/);
    expect(proxy.calls('media/upload_by_url')).toHaveLength(1);
    // Skipping the probe hands the verdict to WeCom: the job fails with 830001.
    const skipped = await c.uploadByUrl({
      type: 'file',
      filename: 'r10.bin',
      url: noRange,
      md5: md5(body),
      checkRange: false,
    });
    const failed = await apiError(c.waitForUploadJob(skipped.jobid, { intervalMs: 20 }));
    expect(failed.errcode).toBe(830001);
    expect(failed.hint).toMatch(/Range/);
  });

  it('R11: the MD5 is computed over the exact bytes (streamed), sent as 32 hex digits, and checked by WeCom', async () => {
    // The classic vector, by path, Buffer and Blob.
    const fox = Buffer.from('The quick brown fox jumps over the lazy dog');
    const foxPath = join(dir, 'fox.txt');
    await writeFile(foxPath, fox);
    for (const input of [foxPath, fox, new Blob([fox])]) {
      expect(await digestOf(input)).toBe('9e107d9d372bb6826bd81d3542a419d6');
    }
    const c = client();
    const path = img('photos/mate-dune-1021283-bytes.jpg');
    const bytes = await readFile(path);
    const sum = await digestOf(path);
    expect(sum).toBe(md5(bytes));
    const url = origin.put('/dune.jpg', bytes);
    const ok = await c.uploadByUrl({ type: 'file', filename: 'dune.jpg', url, md5: sum });
    expect(JSON.parse(proxy.calls('media/upload_by_url')[0]!.body.toString('utf8'))).toEqual({
      scene: 1,
      type: 'file',
      filename: 'dune.jpg',
      url,
      md5: sum,
    });
    const { media_id } = await c.waitForUploadJob(ok.jobid, { intervalMs: 20 });
    await c.download(media_id, join(dir, 'dune.jpg'));
    expect(md5(await readFile(join(dir, 'dune.jpg')))).toBe(sum);
    // A wrong MD5 fails the job with 301019; a malformed one never leaves the client.
    const bad = await c.uploadByUrl({ type: 'file', filename: 'dune.jpg', url, md5: md5(fox) });
    const e = await apiError(c.waitForUploadJob(bad.jobid, { intervalMs: 20 }));
    expect(e.errcode).toBe(301019);
    expect(e.hint).toMatch(/MD5/);
    const before = proxy.calls('media/upload_by_url').length;
    for (const wrong of [
      sum.slice(1),
      `${sum.slice(1)}g`,
      createHash('sha1').update(bytes).digest('hex'),
      '',
    ]) {
      const err = await inputError(
        c.uploadByUrl({ type: 'file', filename: 'dune.jpg', url, md5: wrong }),
        'bad-argument',
      );
      expect(err.subject).toBe('md5');
    }
    expect(proxy.calls('media/upload_by_url')).toHaveLength(before);
  });

  it('R12: job status 1 (processing) is polled, 2 gives the media_id, 3 throws with detail.errcode 830001/830003/45001/301019', async () => {
    const c = clockedClient();
    const body = pattern(30_000);
    const url = origin.put('/r12.bin', body);
    // WeCom's clock stands still: the job stays at status 1 and the poller gives up at its timeout.
    const { jobid } = await c.uploadByUrl({ type: 'file', filename: 'r12.bin', url, md5: md5(body) });
    expect(await c.getUploadByUrlResult(jobid)).toEqual({ status: 1, detail: { errcode: 0, errmsg: 'ok' } });
    const timeout = await caught(c.waitForUploadJob(jobid, { intervalMs: 10, timeoutMs: 120 }));
    expect(timeout).toBeInstanceOf(WechatTimeoutError);
    expect(clockedProxy.calls('media/get_upload_by_url_result').length).toBeGreaterThanOrEqual(2);
    now += 1000;
    const done = await c.waitForUploadJob(jobid, { intervalMs: 10 });
    expect(done.media_id).toBeTruthy();
    expect((await c.getUploadByUrlResult(jobid)).status).toBe(2);

    const failures: [string, string, Buffer, string, number, RegExp][] = [
      ['norange', '/norange/r12.bin', body, md5(body), 830001, /Range/],
      ['missing', '/missing/r12.bin', body, md5(body), 830003, /reachable/],
      ['tiny', '/tiny.bin', Buffer.from('12345'), md5('12345'), 45001, /./],
      ['md5', '/md5.bin', body, md5('something else'), 301019, /MD5/],
    ];
    for (const [name, path, data, sum, errcode, hint] of failures) {
      const target = path.startsWith('/missing/') ? `${origin.url}${path}` : origin.put(path, data);
      const job = await c.uploadByUrl({
        type: 'file',
        filename: `${name}.bin`,
        url: target,
        md5: sum,
        checkRange: false,
      });
      now += 1000;
      const e = await apiError(c.waitForUploadJob(job.jobid, { intervalMs: 10 }));
      expect(e).toMatchObject({
        errcode,
        endpoint: 'cgi-bin/media/get_upload_by_url_result',
        platform: 'wecom',
      });
      expect(e.errmsg).toBeTruthy();
      expect(e.hint).toMatch(hint);
      const raw = await c.getUploadByUrlResult(job.jobid);
      expect(raw.status).toBe(3);
      expect(raw.detail.errcode).toBe(errcode);
      expect(raw.detail.media_id).toBeUndefined();
    }
    // An unknown jobid is an API error of the query itself, not a status.
    expect((await apiError(c.getUploadByUrlResult('jobid_unknown'))).errcode).toBe(40058);
  });

  it('R13: async media_ids are only for video/file and for media/get in ≤ 20 MB Range chunks, whatever chunk size is asked', async () => {
    const c = client();
    for (const type of ['image', 'voice']) {
      const e = await inputError(
        c.uploadByUrl({ type: type as 'file', filename: 'a.jpg', url: `${origin.url}/a.jpg`, md5: md5('a') }),
        'bad-argument',
      );
      expect(e.message).toMatch(/type must be video or file.*use upload\(\)/);
    }
    expect(proxy.exchanges).toHaveLength(0);
    const body = pattern(21 * MB);
    const media_id = await asyncUpload(c, body, 'r13.bin');
    proxy.exchanges.length = 0;
    const got = await c.download(media_id, join(dir, 'r13.bin'), { chunkBytes: 50 * MB });
    expect(got.bytes).toBe(body.length);
    const ranges = proxy.calls('media/get').map((ex) => /^bytes=(\d+)-(\d+)$/.exec(ex.headers.range ?? ''));
    expect(ranges).toHaveLength(2);
    for (const m of ranges) expect(Number(m?.[2]) - Number(m?.[1]) + 1).toBeLessThanOrEqual(20 * MB);
    expect(proxy.calls('media/get').every((ex) => ex.status === 206)).toBe(true);
    // Smaller chunks are honoured too.
    proxy.exchanges.length = 0;
    await c.download(media_id, join(dir, 'r13-small.bin'), { chunkBytes: 8 * MB });
    expect(proxy.calls('media/get')).toHaveLength(3);
    expect(md5(await readFile(join(dir, 'r13-small.bin')))).toBe(md5(body));
    await inputError(c.download(media_id, join(dir, 'r13-zero.bin'), { chunkBytes: 0 }), 'bad-argument');
  }, 60_000);

  it('R14: errcode != 0 becomes a WechatApiError (errcode, errmsg, endpoint, hint, no token), retried only when WeCom says so', async () => {
    const c = client({ retries: 2 });
    const thumb = await c.upload('image', img('special/progressive-small-nikon.jpeg'));
    const token = await c.getAccessToken();
    const articles = [{ title: '周报', thumb_media_id: thumb.media_id, content: '<p>hello</p>' }];
    // 81013: every recipient invalid; not retried.
    const nobody = await apiError(c.sendMpnews({ touser: 'nobody|ghost', articles }));
    expect(nobody).toMatchObject({ errcode: 81013, endpoint: 'cgi-bin/message/send', platform: 'wecom' });
    expect(nobody.errmsg).toMatch(/invalid/);
    expect(proxy.calls('message/send')).toHaveLength(1);
    // An unknown thumb_media_id: 40007 with the media hint.
    const badThumb = await apiError(
      c.sendMpnews({ touser: 'zhangsan', articles: [{ ...articles[0]!, thumb_media_id: 'nope' }] }),
    );
    expect(badThumb.errcode).toBe(40007);
    expect(badThumb.hint).toBeTruthy();
    // 40056: this app id is not the token's app.
    const other = client({ agentId: 999 });
    expect((await apiError(other.sendMpnews({ touser: 'zhangsan', articles }))).errcode).toBe(40056);
    // 45009 (quota) is not retried either.
    sb.setFaults({ exhaustedQuotas: ['media/upload'] });
    const quota = await apiError(c.upload('file', Buffer.from('quota test'), { filename: 'q.txt' }));
    expect(quota.errcode).toBe(45009);
    expect(quota.hint).toBeTruthy();
    expect(proxy.calls('media/upload')).toHaveLength(2);
    sb.setFaults({ exhaustedQuotas: [] });
    // -1 (busy) is retried with backoff, a bounded number of times, then surfaced.
    const retriesBefore = c.stats().retries;
    sb.setFaults({ busyRate: 1 });
    const busy = await apiError(c.upload('file', Buffer.from('busy test'), { filename: 'b.txt' }));
    expect(busy.errcode).toBe(-1);
    expect(proxy.calls('media/upload')).toHaveLength(5);
    expect(c.stats().retries - retriesBefore).toBe(2);
    for (const e of [nobody, quota, busy]) {
      expect(e.message).toContain(`errcode ${e.errcode}`);
      expect(`${e.message} ${e.errmsg} ${JSON.stringify(e)}`).not.toContain(token);
      expect(e.message).not.toContain(DEFAULT_WECOM_APP.corpSecret);
    }
  });

  it('R15: an expired access_token (42001) is refreshed once, shared by concurrent calls, and never retried in a loop', async () => {
    const c = clockedClient();
    await c.upload('file', Buffer.from('before expiry'), { filename: 'a.txt' });
    const firstToken = clockedProxy.calls('media/upload')[0]!.query.get('access_token');
    now += 7300 * 1000; // WeCom's clock passes the 7200 s lifetime; the client's cache does not know yet
    await Promise.all(
      [1, 2, 3, 4].map((i) => c.upload('file', Buffer.from(`after expiry ${i}`), { filename: `${i}.txt` })),
    );
    expect(clockedProxy.calls('gettoken')).toHaveLength(2); // initial + one shared refresh
    const uploads = clockedProxy.calls('media/upload');
    // Every call that met the dead token (at least the first; usually all four) was repeated once.
    const rejected = uploads.filter((ex) => ex.json?.errcode === 42001);
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    for (const ex of rejected) expect(ex.query.get('access_token')).toBe(firstToken);
    const succeeded = uploads.filter((ex) => ex.json?.errcode === 0).slice(1);
    expect(succeeded).toHaveLength(4);
    for (const ex of succeeded) expect(ex.query.get('access_token')).not.toBe(firstToken);
    expect(c.stats()).toMatchObject({ tokenFetches: 2, tokenRetries: rejected.length });
    // A revoked token (WeCom "提前使access_token失效") recovers the same way.
    clocked.revokeTokens(DEFAULT_WECOM_APP.corpId);
    await c.upload('file', Buffer.from('after revoke'), { filename: 'r.txt' });
    expect(clockedProxy.calls('gettoken')).toHaveLength(3);
    // When every fresh token is refused as well, the call replaces it at most TOKEN_REPLACEMENTS (4) times, with
    // backoff, then the error surfaces: bounded, no loop.
    clockedProxy.exchanges.length = 0;
    clockedProxy.plan = (ex) =>
      ex.api === 'media/upload'
        ? { kind: 'answer', json: { errcode: 42001, errmsg: 'access_token expired' } }
        : undefined;
    const e = await apiError(c.upload('file', Buffer.from('always expired'), { filename: 'x.txt' }));
    expect(e.errcode).toBe(42001);
    expect(clockedProxy.calls('media/upload')).toHaveLength(1 + TOKEN_REPLACEMENTS);
    expect(clockedProxy.calls('gettoken')).toHaveLength(TOKEN_REPLACEMENTS);
  });

  it('R16: uploadimg is counted per corp per day and month in the Store and refused before 1,000/day and 3,000/month', async () => {
    const store = spyStore();
    const c = client({ store });
    const png = await readFile(img('broken-and-tiny/pngsuite-1x1.png'));
    // 1,000 real uploads in a day go through, as WeCom allows …
    let next = 0;
    const worker = async () => {
      while (next < 1000) {
        next++;
        await c.uploadImage(png, { filename: 'dot.png' });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(sb.stats().uploads['wecom/media/uploadimg']).toBe(1000);
    const usage = await c.uploadImageQuota();
    expect(usage.day).toMatchObject({ used: 1000, limit: 1000 });
    expect(usage.month).toMatchObject({ used: 1000, limit: 3000 });
    expect(usage.day.window).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(usage.month.window).toBe(usage.day.window.slice(0, 7));
    // … and the 1,001st is refused here, without a request.
    const day = await caught(c.uploadImage(png, { filename: 'dot.png' }));
    expect(day).toBeInstanceOf(WechatQuotaError);
    expect(day).toMatchObject({ window: 'day', used: 1000, limit: 1000 });
    expect((day as Error).message).toMatch(/1000 of 1000 calls this day.*Wait for the next day/);
    expect(proxy.calls('media/uploadimg')).toHaveLength(1000);
    expect((await c.uploadImageQuota()).day.used).toBe(1000);

    // The month cap: with 2,999 used this month (and today's count fresh), one more passes and the next is refused.
    const monthKey = [...store.incrKeys].find(
      (k) => k.includes(usage.month.window) && !k.includes(usage.day.window),
    );
    expect(monthKey).toBeTruthy();
    sb.reset(); // the sandbox counts WeCom's side of the day quota too; start a fresh day there
    const monthStore = memoryStore();
    await monthStore.incr(monthKey!, 2999);
    const m = client({ store: monthStore });
    await m.uploadImage(png, { filename: 'dot.png' });
    const month = await caught(m.uploadImage(png, { filename: 'dot.png' }));
    expect(month).toMatchObject({ window: 'month', used: 3000, limit: 3000 });
    expect(await m.uploadImageQuota()).toMatchObject({ day: { used: 1 }, month: { used: 3000 } });

    // Two clients (processes) sharing a file Store share one budget; a call WeCom refused is given back.
    const shared = join(dir, 'quota-store.json');
    const a = client({ store: fileStore({ path: shared }) });
    const b = client({ store: fileStore({ path: shared }) });
    await a.uploadImage(png, { filename: 'dot.png' });
    await b.uploadImage(png, { filename: 'dot.png' });
    expect((await a.uploadImageQuota()).day.used).toBe(2);
    sb.setFaults({ busyRate: 1 });
    expect((await apiError(a.uploadImage(png, { filename: 'dot.png' }))).errcode).toBe(-1);
    expect((await b.uploadImageQuota()).day.used).toBe(2);

    // The windows are China days and months (UTC+8): at 16:00 UTC on 31 March a new day and month begin, and a
    // day cap reached just before is lifted just after.
    const clockStore = memoryStore();
    const counter = new QuotaCounter(clockStore, 'test:uploadimg', WECOM_UPLOADIMG_LIMITS, 'uploadimg');
    const viewer = client({ store: clockStore });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-03-31T15:59:59Z'));
      expect(await counter.usage()).toMatchObject({
        day: { window: '2026-03-31' },
        month: { window: '2026-03' },
      });
      for (let i = 0; i < 1000; i++) await counter.reserve();
      await expect(counter.reserve()).rejects.toMatchObject({ window: 'day', used: 1000 });
      expect((await viewer.uploadImageQuota()).day.window).toBe('2026-03-31');
      vi.setSystemTime(new Date('2026-03-31T16:00:00Z'));
      expect(await counter.usage()).toMatchObject({
        day: { window: '2026-04-01', used: 0 },
        month: { window: '2026-04', used: 0 },
      });
      await counter.reserve();
      expect((await counter.usage()).day.used).toBe(1);
      expect((await viewer.uploadImageQuota()).month.window).toBe('2026-04');
    } finally {
      vi.useRealTimers();
    }
  }, 60_000);
});
