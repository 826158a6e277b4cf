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
  /**
   * The `filelength=` parameter of the part's Content-Disposition (WeCom's wire format), bytes;
   * undefined when the client did not send one (browsers' FormData cannot).
   */
  filelength: number | undefined;
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
 * Parses a JSON object body. Empty body → 44002 `empty post data`; not JSON or not an object → 47001
 * `data format error`
 * (https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html).
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

/** Longest part header block kept while looking for its end, bytes; a longer one is not a real part header. */
const MAX_PART_HEADER = 16 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Collects the raw header block of every part of a multipart body as the chunks stream past, holding at most a
 * delimiter's length or one header block between chunks. Busboy reports only name, filename and type; WeCom's
 * `filelength` parameter has to be read from the raw headers.
 */
class PartHeaderScanner {
  /** Header blocks in body order, e.g. `Content-Disposition: form-data; name="media"; …\r\nContent-Type: …`. */
  readonly headers: string[] = [];
  readonly #delimiter: Buffer;
  /** Unscanned bytes from the previous chunk; the body's first delimiter has no CRLF before it, so one is added. */
  #carry: Buffer = Buffer.from('\r\n');
  #inHeader = false;
  #done = false;

  constructor(boundary: string) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  push(chunk: Buffer): void {
    if (this.#done) return;
    const buf: Buffer = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      if (!this.#inHeader) {
        const at = buf.indexOf(this.#delimiter, pos);
        if (at < 0) {
          this.#carry = buf.subarray(Math.max(pos, buf.length - this.#delimiter.length + 1));
          return;
        }
        pos = at + this.#delimiter.length;
        this.#inHeader = true;
      }
      // After a delimiter: `--` closes the body, CRLF starts a part's header block.
      if (buf.length - pos < 2) {
        this.#carry = buf.subarray(pos);
        return;
      }
      if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) {
        this.#done = true;
        this.#carry = Buffer.alloc(0);
        return;
      }
      const end = buf.indexOf(CRLFCRLF, pos);
      if (end < 0) {
        if (buf.length - pos > MAX_PART_HEADER) {
          this.#inHeader = false;
          this.#carry = buf.subarray(buf.length - this.#delimiter.length + 1);
        } else {
          this.#carry = buf.subarray(pos);
        }
        return;
      }
      this.headers.push(buf.subarray(pos + 2, end).toString('utf8'));
      this.#inHeader = false;
      pos = end + CRLFCRLF.length;
    }
  }
}

/** The `filelength` parameter of a part header block, when present and a whole number. */
function filelengthOf(header: string | undefined): number | undefined {
  const disposition = header?.split('\r\n').find((line) => /^content-disposition:/i.test(line));
  const m = disposition ? /;\s*filelength\s*=\s*"?(\d+)"?\s*(?:;|$)/i.exec(disposition) : null;
  return m ? Number(m[1]) : undefined;
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
    // Busboy parsed the Content-Type already, so the boundary is there; parts arrive in body order.
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
    const scanner = new PartHeaderScanner(boundary?.[1] ?? boundary?.[2] ?? '');
    req.on('data', (chunk: Buffer) => scanner.push(chunk));
    const partOf = new Map<UploadedFile, number>();
    let parts = 0;
    parser.on('file', (field, stream, info) => {
      const index = parts++;
      const chunks: Buffer[] = [];
      let truncated = false;
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        truncated = true;
      });
      stream.on('close', () => {
        const file: UploadedFile = {
          field,
          filename: info.filename ?? '',
          mimeType: info.mimeType,
          data: Buffer.concat(chunks),
          truncated,
          filelength: undefined,
        };
        partOf.set(file, index);
        result.files.push(file);
      });
    });
    parser.on('field', (name, value) => {
      parts++;
      result.fields[name] = value;
    });
    parser.on('close', () => {
      for (const file of result.files)
        file.filelength = filelengthOf(scanner.headers[partOf.get(file) ?? -1]);
      resolve(result);
    });
    parser.on('error', () => {
      req.resume();
      reject(new WxError(41005));
    });
    req.pipe(parser);
  });
}
