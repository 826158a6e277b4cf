import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { MediaInput } from './input.js';

/**
 * Hex digest (`md5` for WeCom `upload_by_url` https://developer.work.weixin.qq.com/document/path/96219,
 * `sha256` for upload dedupe) of a file path (streamed, never read whole), bytes or a Blob (streamed).
 */
export async function digestOf(input: MediaInput, algorithm: 'md5' | 'sha256' = 'md5'): Promise<string> {
  const hash = createHash(algorithm);
  if (typeof input === 'string') {
    for await (const chunk of createReadStream(input)) hash.update(chunk as Buffer);
  } else if (input instanceof Blob) {
    // Node's web stream is async-iterable; the cast keeps that true when a DOM lib is also in the program.
    for await (const chunk of input.stream() as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
  } else {
    hash.update(input);
  }
  return hash.digest('hex');
}
