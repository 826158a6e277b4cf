/**
 * Running commands the way a user's shell does, for the distribution tests (registry.e2e, link.e2e): a
 * subprocess whose failure is data (exit code and output), not an exception, and the clean environment of a
 * user's machine.
 */
import { execFile } from 'node:child_process';
import { expect } from 'vitest';

/** What a command did: its exit code (99 when it was killed or could not start), output and wall time (ms). */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `command` with `args`; never rejects. `timeoutMs` default 240,000. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs?: number },
): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs ?? 240_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
        resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) });
      },
    );
  });
}

/** Fails with the command's output, so a broken install says why. */
export function expectOk(result: Run, what: string): void {
  expect(result.code, `${what} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
}

/** A clean environment for a user's `md2wx` (no npm settings, no WeChat credentials from the caller). */
export function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: '1', NO_COLOR: '1', ...extra };
}
