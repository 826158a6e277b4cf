/** Runs a command's action inside a session, with its errors turned into messages and exit codes. */
import type { Command } from 'commander';
import { ExitCode, type ExitCodeValue } from './errors.js';
import { reportError } from './report-error.js';
import type { GlobalFlags, Session } from './session.js';

/** Runs a command action inside a session and turns errors into messages and exit codes. */
export async function withSession(
  command: Command,
  action: (session: Session) => Promise<ExitCodeValue | undefined>,
): Promise<void> {
  const flags = command.optsWithGlobals() as GlobalFlags;
  const { Session } = await import('./session.js');
  let session: Session | undefined;
  try {
    session = await Session.open(flags);
    const code = await action(session);
    process.exitCode = code ?? ExitCode.ok;
  } catch (error) {
    process.exitCode = reportError(error, flags);
  } finally {
    await session?.close().catch(() => {});
  }
}
