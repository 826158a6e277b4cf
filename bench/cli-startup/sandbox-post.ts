/**
 * What the CLI start-up benches share: `md2wx sandbox` in a child process and a copy of examples/hello with a
 * `.env` pointing at it, so each bench runs the built CLI as a user does (`md2wx post.md --draft`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ACCOUNT } from '@md2wx/sandbox';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built CLI (`npx turbo run build --filter=@md2wx/cli...`): the esbuild bundle a registry install runs. */
export const bin = path.join(root, 'packages/cli/dist/bin.js');

export interface SandboxPost {
  baseUrl: string;
  /** The post's directory: post.md, its images and a `.env` for the sandbox account. */
  work: string;
  /** Stops the sandbox and removes `work`. */
  close(): void;
}

/** Starts the sandbox (a child process, since spawnSync blocks this one's event loop) and copies the post. */
export async function openSandboxPost(): Promise<SandboxPost> {
  if (!existsSync(bin)) {
    console.error(`build the CLI first: npx turbo run build --filter=@md2wx/cli... (${bin} is missing)`);
    process.exit(1);
  }
  const proc = spawn(process.execPath, [bin, 'sandbox'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^WECHAT_BASE_URL=(\S+)$/m.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`md2wx sandbox exited ${code}`)));
  });
  const work = mkdtempSync(path.join(tmpdir(), 'md2wx-bench-'));
  cpSync(path.join(root, 'examples/hello'), work, { recursive: true });
  rmSync(path.join(work, 'out'), { recursive: true, force: true });
  writeFileSync(
    path.join(work, '.env'),
    `WECHAT_APP_ID=${DEFAULT_ACCOUNT.appId}\nWECHAT_APP_SECRET=${DEFAULT_ACCOUNT.appSecret}\nWECHAT_BASE_URL=${baseUrl}\n`,
  );
  return {
    baseUrl,
    work,
    close() {
      proc.kill();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Wall milliseconds of one `node …args` process run in `cwd`; throws on a non-zero exit. */
export function wall(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): { ms: number; stdout: string; stderr: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
