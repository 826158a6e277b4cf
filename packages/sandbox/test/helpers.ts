/** Test helpers: real HTTP against a sandbox with global fetch/FormData, plus tiny media files. */
import { deflateSync } from 'node:zlib';
import { DEFAULT_ACCOUNT, DEFAULT_WECOM_APP } from '../src/index.js';

export type Json = Record<string, unknown> & { errcode?: number; errmsg?: string };

/** A fake clock tests move by hand. */
export function fakeClock(start = Date.UTC(2026, 0, 5, 4, 0, 0)) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

export async function getJson(url: string): Promise<Json> {
  const res = await fetch(url);
  return JSON.parse(await res.text()) as Json;
}

export async function postJson(url: string, body: unknown): Promise<Json> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return JSON.parse(await res.text()) as Json;
}

/** A classic OA access_token for `appId`. */
export async function oaToken(base: string, account = DEFAULT_ACCOUNT): Promise<string> {
  const body = await getJson(
    `${base}/cgi-bin/token?grant_type=client_credential&appid=${account.appId}&secret=${account.appSecret}`,
  );
  if (typeof body.access_token !== 'string') throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

export async function wecomToken(wecomUrl: string, app = DEFAULT_WECOM_APP): Promise<string> {
  const body = await getJson(
    `${wecomUrl}/cgi-bin/gettoken?corpid=${app.corpId}&corpsecret=${app.corpSecret}`,
  );
  if (typeof body.access_token !== 'string') throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** POSTs a multipart form with a `media` file part (or another field name) and extra text fields. */
export async function upload(
  url: string,
  file: { data: Uint8Array; filename?: string; field?: string; type?: string } | undefined,
  fields: Record<string, string> = {},
): Promise<{ status: number; contentType: string; body: Json }> {
  const form = new FormData();
  if (file) {
    const blob = new Blob([file.data], { type: file.type ?? 'application/octet-stream' });
    // Without a filename the part is a plain form field, not a file (what a broken client sends).
    if (file.filename === undefined)
      form.append(file.field ?? 'media', Buffer.from(file.data).toString('latin1'));
    else form.append(file.field ?? 'media', blob, file.filename);
  }
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(url, { method: 'POST', body: form });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    body: JSON.parse(text) as Json,
  };
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A valid RGB PNG of `width`×`height`, grey; `padTo` appends a tEXt chunk to reach that many bytes. */
export function png(width = 1, height = 1, padTo = 0): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = Buffer.alloc((width * 3 + 1) * height, 0x80);
  for (let y = 0; y < height; y++) raw[y * (width * 3 + 1)] = 0;
  const parts = [
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
  ];
  const base = parts.reduce((n, p) => n + p.length, 0) + 12;
  if (padTo > base + 12) parts.push(pngChunk('tEXt', Buffer.alloc(padTo - base - 12, 0x61)));
  parts.push(pngChunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/** JPEG magic (SOI + APP0 JFIF) followed by filler: enough for magic-byte checks. */
export function jpeg(size = 200): Buffer {
  const head = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
  return Buffer.concat([
    head,
    Buffer.alloc(Math.max(0, size - head.length - 2), 0x11),
    Buffer.from([0xff, 0xd9]),
  ]);
}

export function gif(): Buffer {
  return Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([1, 0, 1, 0, 0, 0, 0, 0x3b])]);
}

/** An ISO-BMFF `ftyp isom` header + filler: detected as MP4. */
export function mp4(size = 64): Buffer {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 0x20]),
    Buffer.from('ftypisom', 'latin1'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2avc1mp41', 'latin1'),
  ]);
  return Buffer.concat([ftyp, Buffer.alloc(Math.max(0, size - ftyp.length), 0)]);
}

export function amr(size = 64): Buffer {
  return Buffer.concat([Buffer.from('#!AMR\n', 'latin1'), Buffer.alloc(size - 6, 0x3c)]);
}

/** MPEG-1 Layer III frame headers (no ID3 tag). */
export function mp3(size = 64): Buffer {
  const frame = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(413, 0)]);
  const frames = Buffer.concat(Array.from({ length: Math.ceil(size / frame.length) }, () => frame));
  return frames.subarray(0, size);
}
