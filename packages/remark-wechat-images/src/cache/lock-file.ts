import { open, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Run `fn` holding `<lockPath>` (created with O_EXCL), so two processes do not interleave a
 * read-merge-write of the same file. A lock older than `staleMs` (milliseconds) is taken over: its holder
 * crashed. Waits up to `waitMs`, then runs `fn` anyway — a lost merge costs a re-upload, never a corrupt file.
 */
export async function withLockFile<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: { staleMs?: number; waitMs?: number } = {},
): Promise<T> {
  const staleMs = options.staleMs ?? 30_000;
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  let held = false;
  while (!held) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.close();
      held = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lockPath).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > staleMs) await rm(lockPath, { force: true });
      else if (Date.now() > deadline) break;
      else await sleep(15);
    }
  }
  try {
    return await fn();
  } finally {
    if (held) await rm(lockPath, { force: true });
  }
}
