/**
 * `md2wx doctor`: checks configuration, credentials, the store, the network path to WeChat and the token with
 * one live call, printing one line per check and, for each failure, what to fix. Exits with the code of the
 * first failure (4 configuration, 3 WeChat/network), 0 when all pass.
 */
import { requireOfficialAccount, requireWecom } from '@md2wx/publish';
import { ExitCode, type ExitCodeValue, exitCodeOf, isWechatError } from '../errors.js';
import type { Session } from '../session.js';
import { checkToken } from './token.js';

/** One check of `md2wx doctor`. */
export interface DoctorCheck {
  name: 'config' | 'credentials' | 'store' | 'network' | 'token';
  ok: boolean;
  /** What was found (ok) or what went wrong. */
  detail: string;
  /** What to do about a failure. */
  fix?: string;
  exitCode?: ExitCodeValue;
}

function failure(name: DoctorCheck['name'], error: unknown, fix: string): DoctorCheck {
  const e = error as Error & { hint?: string };
  const detail = isWechatError(error)
    ? `errcode ${error.errcode} ${error.errmsg}${error.rid ? ` (rid ${error.rid})` : ''}`
    : (e?.message ?? String(error));
  return { name, ok: false, detail, fix: e?.hint ?? fix, exitCode: exitCodeOf(error) };
}

/**
 * Runs the checks in order; later checks are skipped once one fails (they would fail for the same reason).
 * @returns ExitCode.ok when every check passed, else the exit code of the first failure.
 */
export async function runDoctor(session: Session): Promise<ExitCodeValue> {
  const { config, reporter } = session;
  const wecom = config.platform === 'wecom';
  const checks: DoctorCheck[] = [];
  checks.push({
    name: 'config',
    ok: true,
    detail: `${config.configFile ? `config file ${config.configFile}` : 'no config file (flags and environment only)'}; platform ${config.platform}${config.accountName ? `; account ${config.accountName}` : ''}`,
  });
  let baseUrl: string | undefined;
  try {
    if (wecom) {
      const w = requireWecom(config);
      baseUrl = w.baseUrl ?? 'https://qyapi.weixin.qq.com';
      checks.push({ name: 'credentials', ok: true, detail: `WeCom corp ${w.corpId}, agent ${w.agentId}` });
    } else {
      const oa = requireOfficialAccount(config);
      baseUrl = oa.baseUrl ?? 'https://api.weixin.qq.com';
      checks.push({
        name: 'credentials',
        ok: true,
        detail: `appId ${oa.appId}, ${oa.tokenService ? `tokens from the service ${oa.tokenService.url}` : 'AppSecret set (not shown)'}`,
      });
    }
  } catch (error) {
    checks.push(
      failure(
        'credentials',
        error,
        'set WECHAT_APP_ID and WECHAT_APP_SECRET (or WECOM_CORP_ID, WECOM_CORP_SECRET, WECOM_AGENT_ID) in the environment or .env',
      ),
    );
  }
  if (checks.every((c) => c.ok)) {
    try {
      await session.tokenStore();
      checks.push({
        name: 'store',
        ok: true,
        detail: session.sharedStore ? 'Redis store answers' : `file store in ${config.cacheDir}`,
      });
    } catch (error) {
      checks.push(failure('store', error, 'start Redis, fix MD2WX_REDIS_URL, or unset it'));
    }
  }
  if (checks.every((c) => c.ok) && baseUrl) {
    const started = Date.now();
    try {
      // Any HTTP answer proves the route; WeChat answers a bare GET with an errcode.
      const answer = await fetch(baseUrl, { signal: AbortSignal.timeout(10_000) });
      await answer.body?.cancel();
      checks.push({ name: 'network', ok: true, detail: `${baseUrl} answers (${Date.now() - started} ms)` });
    } catch (error) {
      checks.push({
        name: 'network',
        ok: false,
        detail: `${baseUrl} unreachable: ${describeFetchError(error)}`,
        fix: 'check the network, proxy and --base-url / WECHAT_BASE_URL',
        exitCode: ExitCode.wechat,
      });
    }
  }
  if (checks.every((c) => c.ok)) {
    try {
      const check = await checkToken(session, { live: true });
      checks.push({
        name: 'token',
        ok: true,
        detail: `access_token (${check.origin}) accepted by a live getcallbackip call`,
      });
    } catch (error) {
      checks.push(failure('token', error, 'check the secret and the IP whitelist'));
    }
  }
  reporter.emitJson({ ok: checks.every((c) => c.ok), checks });
  for (const check of checks) {
    if (check.ok) reporter.success(`${check.name}: ${check.detail}`);
    else reporter.error(`${check.name}: ${check.detail}${check.fix ? `\n  fix: ${check.fix}` : ''}`);
  }
  return checks.find((c) => !c.ok)?.exitCode ?? ExitCode.ok;
}

/** fetch's "fetch failed" names nothing; its cause says ECONNREFUSED, ENOTFOUND or the timeout. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
