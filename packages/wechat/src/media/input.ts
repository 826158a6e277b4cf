import { openAsBlob } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { WechatInputError } from '../core/errors.js';
import { encodeMultipart, type MultipartBody } from './multipart.js';

/** What an upload accepts: a file path (streamed from disk), bytes, or a Blob. */
export type MediaInput = string | Buffer | Uint8Array | Blob;

/** An upload body ready to send: a Blob (file-backed for paths, so never read whole into memory). */
export interface PreparedMedia {
  blob: Blob;
  /** Bytes. */
  size: number;
  /** Name sent in the multipart `filename`, extension matching the real format when one was detected. */
  filename: string;
  /** Real format from magic bytes (file-type), e.g. `{ ext: 'jpg', mime: 'image/jpeg' }`; undefined if unknown. */
  detected: { ext: string; mime: string } | undefined;
  /** Human name for messages: the path, or the filename. */
  label: string;
}

const HEAD_BYTES = 4100;

async function headOfFile(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Turn `input` into an upload body without loading files into memory: paths become `fs.openAsBlob` Blobs.
 * Detects the real format from the first 4,100 bytes. `filename` defaults to the path's basename or `media`.
 * Throws `WechatInputError` code 'not-found' when the path does not exist or is not a file.
 */
export async function prepareMedia(input: MediaInput, filename?: string): Promise<PreparedMedia> {
  let blob: Blob;
  let head: Uint8Array;
  let label: string;
  let name = filename;
  if (typeof input === 'string') {
    const info = await stat(input).catch(() => undefined);
    if (!info?.isFile()) {
      throw new WechatInputError('not-found', `${input}: no such file. Check the path.`, input);
    }
    blob = await openAsBlob(input);
    head = await headOfFile(input);
    label = input;
    name ??= basename(input);
  } else if (input instanceof Blob) {
    blob = input;
    head = new Uint8Array(await input.slice(0, HEAD_BYTES).arrayBuffer());
    label = name ?? 'blob';
  } else {
    const bytes =
      input instanceof Buffer ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    blob = new Blob([bytes]);
    head = bytes.subarray(0, HEAD_BYTES);
    label = name ?? 'buffer';
  }
  // Imported here: file-type's tokenizer stack is ~10 % of the client's start-up, and only uploads sniff bytes.
  const detected = head.length > 0 ? await (await import('file-type')).fileTypeFromBuffer(head) : undefined;
  name ??= 'media';
  if (detected) {
    // WeChat answers 40005/40113 when the extension does not match the content
    // (https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html): send
    // the real one.
    const ext = extname(name).slice(1).toLowerCase();
    const same = ext === detected.ext || (ext === 'jpeg' && detected.ext === 'jpg');
    if (!same) name = `${ext ? name.slice(0, -(ext.length + 1)) : name}.${detected.ext}`;
  }
  return {
    blob,
    size: blob.size,
    filename: name,
    detected: detected ? { ext: detected.ext, mime: detected.mime } : undefined,
    label,
  };
}

/**
 * The upload body of `media`: the part `media` with filename, filelength and content-type (the real format's
 * MIME type when detected), then optional text `fields` (e.g. add_material's `description`). See
 * `encodeMultipart` for the wire format
 * (https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html,
 * https://developer.work.weixin.qq.com/document/path/96484).
 */
export function mediaForm(media: PreparedMedia, fields: Record<string, string> = {}): MultipartBody {
  return encodeMultipart(
    { name: 'media', filename: media.filename, type: media.detected?.mime, blob: media.blob },
    fields,
  );
}
