/**
 * Issue 19 defect 9 (second half), through the token service: revocations every 0.4 s must not fail calls of
 * clients fed by the service, also after a `sandbox.reset()` that invalidates every token the service caches.
 */
import { DEFAULT_ACCOUNT, type Sandbox, startSandbox } from '@md2wx/sandbox';
import { createOfficialAccountClient, remoteTokenProvider } from '@md2wx/wechat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTokenService, type TokenService } from '../src/index.js';

const SECRET = 'test-bearer-secret-0123456789abcdef';
const appId = DEFAULT_ACCOUNT.appId;
let sandbox: Sandbox;
let svc: TokenService;

beforeAll(async () => {
  // draft/count's real daily quota (1,000) is reached within the test on a fast machine; it is not the subject.
  sandbox = await startSandbox({ quotas: { 'draft/count': 1_000_000 } });
  svc = await startTokenService({ accounts: [{ ...DEFAULT_ACCOUNT, baseUrl: sandbox.url }], secret: SECRET });
});
afterAll(async () => {
  await svc?.close();
  await sandbox?.close();
});

describe('token rejected again and again (defect 9)', () => {
  const revocationsFail = async (label: string) => {
    const clients = Array.from({ length: 5 }, () =>
      createOfficialAccountClient({
        appId,
        baseUrl: sandbox.url,
        retryBaseMs: 5,
        tokenProvider: remoteTokenProvider({ url: svc.url, secret: SECRET, account: appId }),
      }),
    );
    await Promise.all(clients.map((c) => c.countDrafts()));
    const timer = setInterval(() => sandbox.revokeTokens(appId), 400);
    const until = Date.now() + 2_400;
    let calls = 0;
    const results = await Promise.allSettled(
      clients.map(async (client) => {
        while (Date.now() < until) {
          await client.countDrafts();
          calls++;
        }
      }),
    );
    clearInterval(timer);
    const failed = results
      .filter((r) => r.status === 'rejected')
      .map((r) => String((r as PromiseRejectedResult).reason));
    expect(failed).toEqual([]);
    expect(calls).toBeGreaterThan(20);
    // Some calls were rejected more than once in a row and still succeeded.
    expect(
      clients.reduce((n, c) => n + c.stats().tokenRetries, 0),
      label,
    ).toBeGreaterThan(4);
  };

  it('a revocation every 0.4 s, 5 clients × 2.4 s of calls through the service: 0 failures', async () => {
    await revocationsFail('revocations');
  }, 30_000);

  it('the same after a sandbox reset (every token the service holds is unknown to WeChat)', async () => {
    sandbox.reset();
    await revocationsFail('reset, then revocations');
  }, 30_000);
});
