/**
 * The committed draft state file: for each account (appId) and post, the draft `media_id` it lives in, so a
 * re-run calls draft/update instead of creating a second draft.
 *
 * ```json
 * { "version": 1, "accounts": { "wx0123…": { "posts/hello.md": { "media_id": "…", "index": 0, "title": "…", "updated_at": "…" } } } }
 * ```
 * Posts are keyed by front-matter `wechat_id` when set (renaming the file keeps its draft), else by their
 * path relative to the project root, with `/` separators. Writes are atomic (temp file + rename), keys sorted
 * so the file diffs cleanly.
 *
 * Several md2wx processes may share one state file (CI jobs in one work tree, `xargs -P`): `save()` never
 * writes back what it read at start. It takes the file's lock (`<file>.lock`, proper-lockfile: a directory
 * whose mtime the holder refreshes every second, so the lock of a killed holder is taken over after
 * `STATE_LOCK_STALE_MS`), re-reads the file, applies only this process's own changes key by key, writes a
 * temp file and renames it over the old one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { ConfigError } from './errors.js';

/**
 * After how long without a refresh the state file's lock counts as left by a dead process, milliseconds. The
 * holder refreshes it every `STATE_LOCK_STALE_MS / 2`, so a live holder never loses it; a killed one costs the
 * next writer at most this long (README "Parallel runs").
 */
export const STATE_LOCK_STALE_MS = 5_000;

/** How long `save()` waits for the lock before giving up with a ConfigError, milliseconds. */
const STATE_LOCK_WAIT_MS = 30_000;

export interface DraftStateEntry {
  media_id: string;
  /** Position of the post inside the draft (0-based; > 0 only in `--bundle` drafts). */
  index: number;
  title?: string;
  /** Other posts of the same bundle draft, in order (keys). */
  bundle?: string[];
  updated_at: string;
}

export interface DraftStateData {
  version: 1;
  accounts: Record<string, Record<string, DraftStateEntry>>;
}

/** Read/write access to one state file. */
export class DraftState {
  readonly file: string;
  /** Directory post paths are made relative to. */
  readonly root: string;
  private data: DraftStateData;
  /** This process's changes not yet written: `account\0key` → the entry, or null for a deletion. */
  private readonly pending = new Map<
    string,
    { account: string; key: string; entry: DraftStateEntry | null }
  >();
  /** Longest wait for the file's lock so far, milliseconds (the soak suite reports it). */
  lockWaitMs = 0;

  private constructor(file: string, data: DraftStateData) {
    this.file = file;
    const dir = path.dirname(file);
    this.root = path.basename(dir) === '.md2wx' ? path.dirname(dir) : dir;
    this.data = data;
  }

  /**
   * Opens `file` (a missing file is an empty state).
   * @throws ConfigError when the file exists but is not a state file.
   */
  static async open(file: string): Promise<DraftState> {
    return new DraftState(file, await readStateFile(file));
  }

  /** Re-reads the file (what other processes saved since), keeping this process's unsaved changes on top. */
  async reload(): Promise<void> {
    this.data = await readStateFile(this.file);
    this.applyPending();
  }

  private applyPending(): void {
    for (const { account, key, entry } of this.pending.values()) {
      const entries = this.data.accounts[account] ?? {};
      if (entry) entries[key] = entry;
      else delete entries[key];
      this.data.accounts[account] = entries;
    }
  }

  /** An in-memory state that never writes (the in-process sandbox: its drafts die with the process). */
  static ephemeral(file = '(memory)'): DraftState {
    const state = new DraftState(file, { version: 1, accounts: {} });
    state.save = async () => {
      state.pending.clear();
    };
    state.reload = async () => {};
    return state;
  }

  /** The key of a post: `wechat_id:<id>` when the front matter has one, else its root-relative path. */
  keyFor(postFile: string, wechatId?: string): string {
    if (wechatId) return `wechat_id:${wechatId}`;
    return path.relative(this.root, path.resolve(postFile)).split(path.sep).join('/');
  }

  /** The entry of post `key` for `account` (appId), if any. */
  get(account: string, key: string): DraftStateEntry | undefined {
    return this.data.accounts[account]?.[key];
  }

  set(
    account: string,
    key: string,
    entry: Omit<DraftStateEntry, 'updated_at'> & { updated_at?: string },
  ): void {
    const accountEntries = this.data.accounts[account] ?? {};
    const full = { ...entry, updated_at: entry.updated_at ?? new Date().toISOString() };
    accountEntries[key] = full;
    this.data.accounts[account] = accountEntries;
    this.pending.set(`${account}\0${key}`, { account, key, entry: full });
  }

  /** Forgets post `key` for `account` (its draft was deleted or published). */
  delete(account: string, key: string): void {
    const accountEntries = this.data.accounts[account];
    if (accountEntries && key in accountEntries) delete accountEntries[key];
    this.pending.set(`${account}\0${key}`, { account, key, entry: null });
  }

  /** Every entry of `account` pointing at `media_id`. */
  entriesFor(account: string, media_id: string): Array<[string, DraftStateEntry]> {
    return Object.entries(this.data.accounts[account] ?? {}).filter(([, e]) => e.media_id === media_id);
  }

  /** A deep copy of the whole state. */
  snapshot(): DraftStateData {
    return structuredClone(this.data);
  }

  /**
   * Writes this process's changes, merged key by key into the file as it is now (other processes' entries
   * kept), under the file's lock, atomically. Does nothing when nothing changed.
   * @throws ConfigError when the lock cannot be had within 30 s, or the file on disk is not a state file.
   */
  async save(): Promise<void> {
    if (this.pending.size === 0) return;
    await mkdir(path.dirname(this.file), { recursive: true });
    const started = Date.now();
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(this.file, {
        realpath: false,
        stale: STATE_LOCK_STALE_MS,
        update: STATE_LOCK_STALE_MS / 2,
        retries: { retries: Math.ceil(STATE_LOCK_WAIT_MS / 50), factor: 1, minTimeout: 20, maxTimeout: 50 },
        // A lock compromised (refresh failed) while held: the write below is still atomic and merged.
        onCompromised: () => {},
      });
    } catch (error) {
      throw new ConfigError(
        `state file ${this.file}: its lock ${this.file}.lock is held by another md2wx for over ${
          STATE_LOCK_WAIT_MS / 1000
        } s (${(error as Error).message}); if no md2wx runs, delete ${this.file}.lock`,
        { cause: error },
      );
    }
    this.lockWaitMs = Math.max(this.lockWaitMs, Date.now() - started);
    try {
      this.data = await readStateFile(this.file);
      this.applyPending();
      await writeFileAtomic(this.file, serializeDraftState(this.data));
      this.pending.clear();
    } finally {
      await release().catch(() => {});
    }
  }
}

/** The file's text: accounts and keys sorted, so it diffs cleanly. */
function serializeDraftState(data: DraftStateData): string {
  const sorted: DraftStateData = { version: 1, accounts: {} };
  for (const account of Object.keys(data.accounts).sort()) {
    const entries = data.accounts[account] ?? {};
    const out: Record<string, DraftStateEntry> = {};
    for (const key of Object.keys(entries).sort()) out[key] = entries[key] as DraftStateEntry;
    sorted.accounts[account] = out;
  }
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

/**
 * Reads a state file (a missing or empty file is an empty state).
 * @throws ConfigError naming the file when it is not valid JSON or has no "accounts" object.
 */
async function readStateFile(file: string): Promise<DraftStateData> {
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text === undefined || text.trim() === '') return { version: 1, accounts: {} };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`state file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = data as Partial<DraftStateData> | null;
  if (
    !parsed ||
    typeof parsed !== 'object' ||
    typeof parsed.accounts !== 'object' ||
    parsed.accounts === null
  ) {
    throw new ConfigError(`state file ${file} has no "accounts" object; fix or delete it`);
  }
  return { version: 1, accounts: parsed.accounts };
}

/**
 * Writes `content` to `file` through a temp file in the same directory and a rename (atomic on POSIX). The temp
 * name is unique per call, so concurrent writers (processes or promises) never share one.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temp, content);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
}
