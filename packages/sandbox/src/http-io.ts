/**
 * Reading request bodies the way WeChat does: JSON regardless of Content-Type, multipart via busboy.
 */
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { WxError } from './wx-error.js';

/** Largest JSON body read, bytes. Draft content must stay under 1 MB, so 8 MB leaves room for the rest. */
const MAX_JSON_BYTES = 8 * 1024 * 1024;
/** Largest multipart file buffered, bytes: above every per-endpoint limit (WeCom file: 20 MB). */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

export interface UploadedFile {
  field: string;
  filename: string;
  mimeType: string;
  data: Buffer;
  /** The part was longer than `MAX_UPLOAD_BYTES` and was cut. */
  truncated: boolean;
}

export interface MultipartBody {
  files: UploadedFile[];
  fields: Record<string, string>;
}

/** Reads the raw body, at most `limit` bytes; throws WxError(45002) when it is longer. */
export async function readRaw(req: IncomingMessage, limit = MAX_JSON_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new WxError(45002, 'content size out of limit');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * Parses a JSON object body. Empty body → 44002 `empty post data`; not JSON or not an object →
 * 47001 `data format error` (wechat-api.md §4.1).
 */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readRaw(req);
  if (raw.length === 0 || raw.toString('utf8').trim() === '') throw new WxError(44002);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new WxError(47001);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new WxError(47001);
  return parsed as Record<string, unknown>;
}

/**
 * Parses a multipart/form-data body into buffered files and text fields. A body that is not multipart
 * (or is malformed) has no media: 41005 `media data missing`.
 */
export function readMultipart(req: IncomingMessage): Promise<MultipartBody> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    req.resume();
    return Promise.reject(new WxError(41005));
  }
  return new Promise((resolve, reject) => {
    const result: MultipartBody = { files: [], fields: {} };
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { fileSize: MAX_UPLOAD_BYTES, files: 8, fields: 32, fieldSize: 1024 * 1024 },
      });
    } catch {
      req.resume();
      reject(new WxError(41005));
      return;
    }
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      let truncated = false;
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        truncated = true;
      });
      stream.on('close', () => {
        result.files.push({
          field,
          filename: info.filename ?? '',
          mimeType: info.mimeType,
          data: Buffer.concat(chunks),
          truncated,
        });
      });
    });
    parser.on('field', (name, value) => {
      result.fields[name] = value;
    });
    parser.on('close', () => resolve(result));
    parser.on('error', () => {
      req.resume();
      reject(new WxError(41005));
    });
    req.pipe(parser);
  });
}
