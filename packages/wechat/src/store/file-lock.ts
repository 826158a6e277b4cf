import { randomUUID } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';

interface LockRecord {
  owner: string;
  pid: number;
  /** `os.hostname()` of the holder: its pid can only be checked on the same machine. */
  host?: string;
  expiresAt: number;
}

const HOST = hostname();

/**
 * True when the holder is known to be gone: it ran on this machine and no process has its pid any more (a
 * `kill -9`, a crash, an OOM kill). Lets the next contender take the lock at once instead of waiting out the
 * TTL. A holder on another host (a shared network drive), or a pid reused by a new process, falls back to
 * `expiresAt`.
 */
function holderIsDead(held: LockRecord): boolean {
  if (held.host !== HOST || !Number.isInteger(held.pid) || held.pid <= 0 || held.pid === process.pid)
    return false;
  try {
    process.kill(held.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** An unreadable (empty) lock file older than this, milliseconds, is treated as left by a crashed creator. */
const EMPTY_LOCK_STALE_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readRecord(path: string): Promise<LockRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockRecord;
  } catch {
    return undefined;
  }
}

/**
 * One attempt to create the lock file with O_EXCL. A lock whose `expiresAt` has passed, or whose holder process
 * on this host is gone, is taken over by renaming it aside first: only one contender's rename succeeds. If the renamed file turns out
 * to be a fresh lock (another contender took over between our read and our rename), it is linked back.
 */
async function tryCreate(path: string, ttlMs: number, takeovers = 0): Promise<string | undefined> {
  const owner = randomUUID();
  const record: LockRecord = { owner, pid: process.pid, host: HOST, expiresAt: Date.now() + ttlMs };
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(record));
    } finally {
      await handle.close();
    }
    return owner;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  let held = await readRecord(path);
  if (!held) {
    // No readable content: normally a lock being written right now (open, then write). Only if it has stayed
    // empty for long did its creator die in between; then it is stale like an expired one.
    const info = await stat(path).catch(() => undefined);
    if (!info || Date.now() - info.mtimeMs < EMPTY_LOCK_STALE_MS) return undefined;
    held = { owner: '', pid: 0, expiresAt: 0 };
  }
  if (held.expiresAt > Date.now() && !holderIsDead(held)) return undefined;
  const aside = `${path}.${owner}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return undefined;
  }
  const moved = await readRecord(aside);
  const owner0 = held.owner;
  if (moved && moved.owner !== owner0) {
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
  // The stale lock is gone: contend for it again right away (once), as a fresh contender would.
  return takeovers === 0 ? tryCreate(path, ttlMs, 1) : undefined;
}

/**
 * Take the cross-process lock file `path`, held at most `ttlMs` ms, waiting up to `waitMs` ms (polling with
 * a short randomized interval). Returns the owner id, or undefined when the wait ran out.
 */
export async function acquireFileLock(
  path: string,
  ttlMs: number,
  waitMs: number,
): Promise<string | undefined> {
  const deadline = Date.now() + waitMs;
  let delay = 5;
  for (;;) {
    const owner = await tryCreate(path, ttlMs);
    if (owner) return owner;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(left, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 100);
  }
}

/** Remove the lock file `path` if `owner` still holds it (never another holder's lock). */
export async function releaseFileLock(path: string, owner: string): Promise<void> {
  const held = await readRecord(path);
  if (held?.owner !== owner) return;
  await unlink(path).catch(() => undefined);
}
