/**
 * The sandbox an e2e test file talks to, started once per file (vitest `beforeAll`, closed in `afterAll`) with
 * a temp work directory, the WECHAT_* environment for CLI runs against it, and an Official Account client on it.
 *
 * `fresh: 'each'` gives every test a sandbox that knows nothing — tokens, media, drafts, quotas, counters,
 * log, faults and clock offset — through the sandbox's reset rather than a new server (packages/sandbox
 * README, "Control API": `POST /__sandbox/reset` keeps options and faults, so the faults are cleared with
 * `PUT /__sandbox/faults {}`). A reset starts a new id stream, so no media_id or token of an earlier test is
 * valid again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT, type SandboxOptions, type SandboxServer, startSandbox } from '@md2wx/sandbox';
import { createOfficialAccountClient, type OfficialAccountClient } from '@md2wx/wechat';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export interface E2eSandbox {
  /** The running sandbox (set once `beforeAll` ran). */
  readonly sandbox: SandboxServer;
  /** A temp directory for the file's posts and state, removed after the file. */
  readonly work: string;
  /** WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_BASE_URL of the sandbox's default account, with `extra` over them. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** An Official Account client of the default account on the sandbox. */
  client(): OfficialAccountClient;
  /** Upload calls the sandbox answered so far, every upload endpoint together. */
  uploads(): number;
}

/**
 * Registers the hooks that start and stop the sandbox of the calling test file (or `describe` block).
 *
 * @param options passed to `startSandbox` (delays, clock, quotas…).
 * @param setup.fresh `'file'` (default): one state for the whole file; `'each'`: reset before every test.
 * @param setup.prefix the temp directory's name prefix.
 */
export function useSandbox(
  options: SandboxOptions = {},
  setup: { fresh?: 'file' | 'each'; prefix?: string } = {},
): E2eSandbox {
  let sandbox: SandboxServer | undefined;
  let work: string | undefined;
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useSandbox: ${what} is used before beforeAll ran`);
    return value;
  };
  beforeAll(async () => {
    sandbox = await startSandbox(options);
    work = await mkdtemp(path.join(tmpdir(), setup.prefix ?? 'md2wx-e2e-'));
  });
  afterAll(async () => {
    await sandbox?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });
  if (setup.fresh === 'each') {
    beforeEach(async () => {
      const s = started(sandbox, 'the sandbox');
      s.reset();
      s.setClockOffset(0);
      const cleared = await fetch(`${s.controlUrl}/faults`, { method: 'PUT', body: '{}' });
      if (!cleared.ok) throw new Error(`clearing the sandbox faults: HTTP ${cleared.status}`);
    });
  }
  const fixture: E2eSandbox = {
    get sandbox() {
      return started(sandbox, 'the sandbox');
    },
    get work() {
      return started(work, 'the work directory');
    },
    env: (extra = {}) => ({
      WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
      WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret,
      WECHAT_BASE_URL: fixture.sandbox.url,
      ...extra,
    }),
    client: () => createOfficialAccountClient({ ...DEFAULT_ACCOUNT, baseUrl: fixture.sandbox.url }),
    uploads: () => Object.values(fixture.sandbox.stats().uploads).reduce((a, b) => a + b, 0),
  };
  return fixture;
}
