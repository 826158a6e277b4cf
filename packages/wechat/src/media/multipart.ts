import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

/** A multipart/form-data body that can be streamed again for every attempt (a sent stream is consumed). */
export interface MultipartBody {
  /** `multipart/form-data; boundary=…`. */
  contentType: string;
  /** Total body length, bytes (sent as Content-Length: WeChat does not take chunked uploads). */
  length: number;
  /** A fresh stream of the whole body; the file part is read from its Blob (disk-backed for paths) as it goes. */
  stream(): Readable;
}

/** The file part of an upload. */
export interface MultipartFile {
  /**
   * Form field name; WeChat and WeCom want `media`
   * (https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html).
   */
  name: string;
  filename: string;
  /**
   * Part Content-Type; `application/octet-stream` when the format is unknown (WeCom's wire example,
   * https://developer.work.weixin.qq.com/document/path/96484).
   */
  type: string | undefined;
  blob: Blob;
}

/** `"`, CR and LF in a field or file name, escaped as browsers and undici do (WHATWG multipart encoding). */
function quoted(value: string): string {
  return `"${value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22')}"`;
}

/**
 * Encode `file` (then the text `fields`) as multipart/form-data with the part header WeChat documents:
 * `Content-Disposition: form-data; name="media"; filename="…"; filelength=<bytes>` and a Content-Type
 * (https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html and
 * https://developer.work.weixin.qq.com/document/path/96484, "form-data 中必须包含
 * filename、filelength、content-type"). Standard encoders (undici FormData, form-data-encoder) cannot add
 * `filelength`, hence this small encoder. Nothing is read until `stream()` is consumed.
 */
export function encodeMultipart(file: MultipartFile, fields: Record<string, string> = {}): MultipartBody {
  const boundary = `----md2wx${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\n` +
      `Content-Disposition: form-data; name=${quoted(file.name)}; filename=${quoted(file.filename)}; filelength=${file.blob.size}\r\n` +
      `Content-Type: ${file.type || 'application/octet-stream'}\r\n\r\n`,
  );
  let rest = '\r\n';
  for (const [name, value] of Object.entries(fields)) {
    rest += `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`;
  }
  const tail = Buffer.from(`${rest}--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + file.blob.size + tail.length,
    stream: () =>
      Readable.from(
        (async function* () {
          yield head;
          for await (const chunk of file.blob.stream() as unknown as AsyncIterable<Uint8Array>) yield chunk;
          yield tail;
        })(),
        { objectMode: false },
      ),
  };
}
