import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BinaryResponse } from './transport.js';

/** Where a download goes: a file path (written to a temp file, renamed when complete) or a writable stream. */
export type DownloadTarget = string | Writable;

/** What a finished download reports. */
export interface DownloadedFile {
  /** Bytes written. */
  bytes: number;
  /** Content-Type header, e.g. `image/jpeg`. */
  contentType: string | undefined;
  /** Filename from Content-Disposition, e.g. `MEDIA_ID.jpg`. */
  filename: string | undefined;
  /** The path written, when the target was a path. */
  path?: string;
}

/** The `filename="…"` of a Content-Disposition header. */
export function dispositionFilename(header: string | undefined): string | undefined {
  return header ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header)?.[1] : undefined;
}

/**
 * Stream `source` into the file `file`, created or truncated (`flags` 'w') or appended to ('a'). Resolves once
 * every byte is written. When `source` fails it rejects only after the file is closed: `pipeline` alone rejects
 * while a write it already handed to the file system may still land, so the file's size read right after
 * would be short of what ends up in it (a resumed download then fetches those bytes again and appends them
 * twice).
 */
export async function pipeToFile(source: Readable, file: string, flags: 'w' | 'a' = 'w'): Promise<void> {
  const sink = createWriteStream(file, { flags });
  try {
    await pipeline(source, sink);
  } catch (error) {
    if (!sink.closed) await new Promise<void>((resolve) => sink.once('close', () => resolve()));
    throw error;
  }
}

/**
 * Stream `response` into `target` without buffering it. Paths are written atomically (temp + rename) so a failed
 * download never leaves a truncated file under the final name. `append` (paths only) opens in append mode;
 * `end: false` leaves a stream target open (chunked downloads).
 */
export async function streamTo(
  response: BinaryResponse,
  target: DownloadTarget,
  options: { append?: boolean; end?: boolean } = {},
): Promise<DownloadedFile> {
  let bytes = 0;
  response.stream.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  const info = {
    contentType: response.headers['content-type'],
    filename: dispositionFilename(response.headers['content-disposition']),
  };
  if (typeof target !== 'string') {
    await pipeline(response.stream, target, { end: options.end ?? true });
    return { bytes, ...info };
  }
  if (options.append) {
    await pipeToFile(response.stream, target, 'a');
    return { bytes, ...info, path: target };
  }
  const temp = `${target}.${process.pid}.${Date.now()}.part`;
  try {
    await pipeToFile(response.stream, temp);
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return { bytes, ...info, path: target };
}
