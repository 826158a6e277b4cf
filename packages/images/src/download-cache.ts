import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What is kept beside a cached body, to revalidate it with a conditional GET. */
export interface CacheEntryMeta {
  url: string;
  etag?: string;
  lastModified?: string;
  contentType?: string;
  storedAt: string;
}

/**
 * Disk cache of downloaded images, keyed by the SHA-256 of the URL: `<key>.body` holds the bytes,
 * `<key>.json` the validators. Writes are atomic (temp file + rename), so a crash never leaves a
 * half-written body behind a valid meta file.
 */
export class DownloadCache {
  constructor(readonly dir: string) {}

  private files(url: string): { body: string; meta: string } {
    const key = createHash('sha256').update(url).digest('hex');
    return { body: path.join(this.dir, `${key}.body`), meta: path.join(this.dir, `${key}.json`) };
  }

  /** The cached entry for `url`, or undefined when absent or unreadable (a damaged cache is a miss). */
  async get(url: string): Promise<{ meta: CacheEntryMeta; data: Buffer } | undefined> {
    const files = this.files(url);
    try {
      const meta = JSON.parse(await readFile(files.meta, 'utf8')) as CacheEntryMeta;
      if (meta.url !== url) return undefined;
      return { meta, data: await readFile(files.body) };
    } catch {
      return undefined;
    }
  }

  /** Store `data` and its validators for `url`; the body is renamed into place before the meta file. */
  async set(url: string, data: Buffer, meta: Omit<CacheEntryMeta, 'url' | 'storedAt'>): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const files = this.files(url);
    const entry: CacheEntryMeta = { url, ...meta, storedAt: new Date().toISOString() };
    await atomicWrite(files.body, data);
    await atomicWrite(files.meta, `${JSON.stringify(entry, null, 2)}\n`);
  }
}

async function atomicWrite(file: string, data: Buffer | string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
