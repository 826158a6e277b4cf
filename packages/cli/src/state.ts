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
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from './errors.js';

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
  private dirty = false;

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
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) return new DraftState(file, { version: 1, accounts: {} });
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
    return new DraftState(file, { version: 1, accounts: parsed.accounts });
  }

  /** An in-memory state that never writes (the in-process sandbox: its drafts die with the process). */
  static ephemeral(file = '(memory)'): DraftState {
    const state = new DraftState(file, { version: 1, accounts: {} });
    state.save = async () => {};
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
    accountEntries[key] = { ...entry, updated_at: entry.updated_at ?? new Date().toISOString() };
    this.data.accounts[account] = accountEntries;
    this.dirty = true;
  }

  /** Forgets post `key` for `account` (its draft was deleted or published). */
  delete(account: string, key: string): void {
    const accountEntries = this.data.accounts[account];
    if (accountEntries && key in accountEntries) {
      delete accountEntries[key];
      this.dirty = true;
    }
  }

  /** Every entry of `account` pointing at `media_id`. */
  entriesFor(account: string, media_id: string): Array<[string, DraftStateEntry]> {
    return Object.entries(this.data.accounts[account] ?? {}).filter(([, e]) => e.media_id === media_id);
  }

  /** A deep copy of the whole state. */
  snapshot(): DraftStateData {
    return structuredClone(this.data);
  }

  /** Writes the file atomically when something changed. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    const sorted: DraftStateData = { version: 1, accounts: {} };
    for (const account of Object.keys(this.data.accounts).sort()) {
      const entries = this.data.accounts[account] ?? {};
      const out: Record<string, DraftStateEntry> = {};
      for (const key of Object.keys(entries).sort()) out[key] = entries[key] as DraftStateEntry;
      sorted.accounts[account] = out;
    }
    await writeFileAtomic(this.file, `${JSON.stringify(sorted, null, 2)}\n`);
    this.dirty = false;
  }
}

/** Writes `content` to `file` through a temp file in the same directory and a rename (atomic on POSIX). */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  await writeFile(temp, content);
  await rename(temp, file);
}
