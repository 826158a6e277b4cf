import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StateFileError } from '../errors.js';
import type { CacheEntry, ImageCache } from '../types.js';
import { withLockFile } from './lock-file.js';

/** The `format` field of a state file; bumped only on incompatible changes. */
export const STATE_FILE_FORMAT = 'md2wx-images-state@1';

/** Options of `stateFileCache`. */
export interface StateFileCacheOptions {
  /** The state file, e.g. `posts/.md2wx-images.json`; created on the first upload. */
  path: string;
}

/** A dedupe cache kept in a committed JSON file. */
export interface StateFileCache extends ImageCache {
  readonly path: string;
  /** A snapshot of every entry (after loading the file). */
  entries(): Promise<Record<string, CacheEntry>>;
  flush(): Promise<void>;
}

/**
 * A dedupe cache in a state file meant to be committed next to the posts, so CI runners that start empty
 * upload nothing already uploaded.
 *
 * Format (see the README): JSON, `{ "format": "md2wx-images-state@1", "entries": { key: entry } }` with keys
 * sorted and one entry per line, so two branches that uploaded different images merge line by line. A file
 * left with git conflict markers still loads: every well-formed entry line is kept (union of both sides).
 *
 * Writes re-read the file and merge before writing (another process may have added entries), under a
 * `<path>.lock` file so two processes do not interleave, then write a temp file and rename it over the old
 * one, so readers never see half a file. Writes happen in the
 * background after each `set`, coalesced; `flush()` waits for them and reports a failed write.
 *
 * @throws StateFileError (from get/set/flush) when the file exists but holds no readable entries and is
 *   not an empty file, or cannot be written.
 */
export function stateFileCache(options: StateFileCacheOptions): StateFileCache {
  const file = path.resolve(options.path);
  const entries = new Map<string, CacheEntry>();
  let loading: Promise<void> | undefined;
  let writing: Promise<void> | undefined;
  let dirty = false;
  let writeError: unknown;

  const load = () => {
    loading ??= readState(file).then((loaded) => {
      for (const [key, entry] of Object.entries(loaded)) if (!entries.has(key)) entries.set(key, entry);
    });
    return loading;
  };

  const writeLoop = async () => {
    while (dirty) {
      dirty = false;
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await withLockFile(`${file}.lock`, async () => {
          const onDisk = await readState(file);
          const merged = new Map<string, CacheEntry>(Object.entries(onDisk));
          for (const [key, entry] of entries) merged.set(key, entry);
          for (const [key, entry] of merged) if (!entries.has(key)) entries.set(key, entry);
          await writeAtomically(file, serializeState(merged));
        });
      } catch (error) {
        writeError = error;
      }
    }
  };

  return {
    path: file,
    async get(key) {
      await load();
      return entries.get(key);
    },
    async set(key, entry) {
      await load();
      entries.set(key, entry);
      dirty = true;
      writing ??= writeLoop().finally(() => {
        writing = undefined;
      });
    },
    async flush() {
      await load();
      while (writing) await writing;
      if (writeError) {
        const error = writeError;
        writeError = undefined;
        throw error instanceof StateFileError
          ? error
          : new StateFileError(file, `cannot write the state file: ${(error as Error).message}`);
      }
    },
    async entries() {
      await load();
      return Object.fromEntries([...entries].sort(([a], [b]) => compare(a, b)));
    },
  };
}

/**
 * Serialize entries the way the state file stores them: keys sorted (code-unit order), one entry per line,
 * entry fields in a fixed order. Deterministic: the same entries give the same bytes.
 */
export function serializeState(
  entries: ReadonlyMap<string, CacheEntry> | Record<string, CacheEntry>,
): string {
  const list = entries instanceof Map ? [...entries] : Object.entries(entries);
  list.sort(([a], [b]) => compare(a, b));
  const lines = list.map(([key, entry]) => `    ${JSON.stringify(key)}: ${JSON.stringify(normalize(entry))}`);
  const body = lines.length > 0 ? `{\n${lines.join(',\n')}\n  }` : '{}';
  return `{\n  "format": ${JSON.stringify(STATE_FILE_FORMAT)},\n  "entries": ${body}\n}\n`;
}

/**
 * Parse a state file's text. Strict JSON first; if that fails (a merge left conflict markers, say), every line
 * that holds one well-formed `"key": {entry}` is taken.
 *
 * @throws StateFileError naming the file when the text is neither, or has an unknown `format`.
 */
export function parseState(text: string, file = 'state file'): Record<string, CacheEntry> {
  if (text.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return salvage(text, file);
  }
  const entries = (json as { entries?: unknown } | null)?.entries;
  if (typeof json !== 'object' || Array.isArray(json) || typeof entries !== 'object' || entries === null) {
    throw new StateFileError(file, 'not an md2wx image state file (no "entries" object)');
  }
  const format = (json as { format?: unknown }).format;
  if (format !== undefined && format !== STATE_FILE_FORMAT) {
    throw new StateFileError(
      file,
      `unknown format ${JSON.stringify(format)}; this md2wx reads ${STATE_FILE_FORMAT}`,
    );
  }
  const out: Record<string, CacheEntry> = {};
  for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
    if (isEntry(value)) out[key] = normalize(value);
  }
  return out;
}

const ENTRY_LINE = /^\s*("(?:[^"\\]|\\.)*")\s*:\s*(\{.*\})\s*,?\s*$/;

function salvage(text: string, file: string): Record<string, CacheEntry> {
  const out: Record<string, CacheEntry> = {};
  let found = 0;
  for (const line of text.split(/\r?\n/)) {
    const match = ENTRY_LINE.exec(line);
    if (!match) continue;
    try {
      const key = JSON.parse(match[1]!) as string;
      const value: unknown = JSON.parse(match[2]!);
      if (isEntry(value)) {
        out[key] = normalize(value);
        found++;
      }
    } catch {
      // Not an entry line after all (a stray brace in a conflict hunk): skip it.
    }
  }
  if (found === 0) {
    throw new StateFileError(
      file,
      'is not valid JSON and holds no entry lines; restore it from git or delete it',
    );
  }
  return out;
}

async function readState(file: string): Promise<Record<string, CacheEntry>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new StateFileError(file, `cannot read: ${(error as Error).message}`);
  }
  return parseState(text, file);
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function isEntry(value: unknown): value is CacheEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry.url === 'string' && entry.url !== '';
}

function normalize(entry: CacheEntry): CacheEntry {
  const out: CacheEntry = {
    url: entry.url,
    bytes: Number(entry.bytes) || 0,
    width: Number(entry.width) || 0,
    height: Number(entry.height) || 0,
    uploadedAt: String(entry.uploadedAt ?? ''),
  };
  if (entry.media_id) return { url: out.url, media_id: String(entry.media_id), ...withoutUrl(out) };
  return out;
}

function withoutUrl(entry: CacheEntry): Omit<CacheEntry, 'url'> {
  const { url: _url, ...rest } = entry;
  return rest;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
