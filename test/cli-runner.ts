/**
 * Runs the md2wx CLI as a subprocess: the built `packages/cli/dist/bin.js`, which the e2e project's global setup
 * (test/support/build-cli.ts) brings up to date with src/ through turbo's cache before any test starts. Plain
 * `node` starts the CLI ~1 s (CPU) sooner than tsx compiling src/ on every start, over ~150 starts per run.
 * `MD2WX_CLI_FROM_SOURCE=1` runs `node --conditions=@md2wx/source --import tsx packages/cli/src/bin.ts` instead.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@md2wx/testkit';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const tsxLoader = pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

/** Whether the CLI runs from its TypeScript sources (`MD2WX_CLI_FROM_SOURCE=1`) rather than from dist/. */
export const cliFromSource = process.env.MD2WX_CLI_FROM_SOURCE === '1';

/** The node arguments that start the CLI. */
export function cliCommand(): string[] {
  if (!cliFromSource) return [path.join(repoRoot, 'packages/cli/dist/bin.js')];
  return [
    '--conditions=@md2wx/source',
    '--import',
    tsxLoader,
    path.join(repoRoot, 'packages/cli/src/bin.ts'),
  ];
}

/**
 * Runs `md2wx <args>` in `cwd` with `env` added to a clean environment (no WeChat credentials leak in from
 * the caller's shell), CI=1 and NO_COLOR=1 so output is plain.
 */
export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliResult> {
  const env = cleanEnv(options.env);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...cliCommand(), ...args],
      { cwd: options.cwd, env, timeout: options.timeoutMs ?? 240_000, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The draft media_ids printed on stdout (`media_id <id>` lines). */
export function mediaIds(stdout: string): string[] {
  return [...stdout.matchAll(/^media_id (\S+)$/gm)].map((m) => m[1] as string);
}

function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: '1', NO_COLOR: '1', ...extra };
}

/** A long-running `md2wx` subprocess (a server command) and everything it printed so far. */
export interface CliServer {
  child: ChildProcessWithoutNullStreams;
  /** stdout and stderr so far. */
  output(): { stdout: string; stderr: string };
  /** Sends SIGINT and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `md2wx <args>` (the same clean environment as `runCli`) and resolves once its stdout matches
 * `ready`, with the match; rejects when it exits first.
 */
export function startCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; ready: RegExp },
): Promise<{ server: CliServer; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [...cliCommand(), ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const server: CliServer = {
    child,
    output: () => ({ stdout, stderr }),
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = options.ready.exec(stdout);
      if (match) resolve({ server, match });
    });
    void exited.then((code) =>
      reject(new Error(`md2wx ${args.join(' ')} exited (${code}) before it was ready:\n${stdout}${stderr}`)),
    );
  });
}
