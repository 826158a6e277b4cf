import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ACCOUNT, DEFAULT_WECOM_APP, type Sandbox, startSandbox } from '@md2wx/sandbox';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import {
  createOfficialAccountClient,
  createWecomClient,
  type OfficialAccountOptions,
  WechatApiError,
  type WecomOptions,
} from '../src/index.js';

export { DEFAULT_ACCOUNT, DEFAULT_WECOM_APP };

/** One sandbox per test file, reset before each test. */
export function useSandbox(): { readonly sb: Sandbox } {
  const holder = {} as { sb: Sandbox };
  beforeAll(async () => {
    holder.sb = await startSandbox();
  });
  beforeEach(() => {
    holder.sb.reset();
    holder.sb.setFaults({
      busyRate: 0,
      dropRate: 0,
      rateLimitRate: 0,
      latencyMs: 0,
      jitterMs: 0,
      ipWhitelist: undefined,
      exhaustedQuotas: [],
    });
  });
  afterAll(async () => {
    await holder.sb?.close();
  });
  return holder;
}

/** An OA client on the sandbox's default account with fast retries. */
export function oaClient(sb: Sandbox, over: Partial<OfficialAccountOptions> = {}) {
  return createOfficialAccountClient({ ...DEFAULT_ACCOUNT, baseUrl: sb.url, retryBaseMs: 5, ...over });
}

/** A WeCom client on the sandbox's default app with fast retries. */
export function wecomClient(sb: Sandbox, over: Partial<WecomOptions> = {}) {
  return createWecomClient({ ...DEFAULT_WECOM_APP, baseUrl: sb.wecomUrl, retryBaseMs: 5, ...over });
}

/** A temp directory removed after the file's tests. */
export function useTempDir(): { readonly dir: string } {
  const holder = {} as { dir: string };
  beforeAll(async () => {
    holder.dir = await mkdtemp(join(tmpdir(), 'md2wx-wechat-'));
  });
  afterAll(async () => {
    await rm(holder.dir, { recursive: true, force: true });
  });
  return holder;
}

/** Run a TypeScript fixture in a fresh Node process with workspace sources resolvable. */
export function runNode(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@md2wx/source', '--import', 'tsx', script, ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What `p` rejects with; a resolved `p` fails the test (a call that should have failed succeeded). */
export function caught(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection, the call succeeded');
    },
    (e: unknown) => e,
  );
}

/** The `WechatApiError` `p` rejects with; anything else fails the test. */
export async function apiError(p: Promise<unknown>): Promise<WechatApiError> {
  const e = await caught(p);
  expect(e).toBeInstanceOf(WechatApiError);
  return e as WechatApiError;
}
