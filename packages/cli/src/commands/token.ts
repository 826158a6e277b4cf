/**
 * `md2wx token`: proves an access_token can be had for the configured account. Prints status only; the token
 * itself only with `--reveal` (it grants full API access).
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { Session } from '../session.js';

/**
 * @returns ExitCode.ok; WeChat errors (40013, 40125, 40164 …) are thrown and printed with their hint (exit 3).
 */
export async function runToken(session: Session, options: { reveal?: boolean }): Promise<ExitCodeValue> {
  const { reporter, config } = session;
  const wecom = config.platform === 'wecom';
  const client = wecom ? await session.wecomClient() : await session.officialAccount();
  const started = Date.now();
  const token = await client.getAccessToken();
  const account = session.accountId;
  const source = wecom
    ? 'gettoken'
    : config.oa?.tokenService
      ? `token service ${config.oa.tokenService.url}`
      : config.oa?.tokenMode === 'classic'
        ? 'cgi-bin/token'
        : 'stable_token';
  const endpoint =
    (wecom ? config.wecom?.baseUrl : config.oa?.baseUrl) ??
    (wecom ? 'https://qyapi.weixin.qq.com' : 'https://api.weixin.qq.com');
  reporter.emitJson({
    ok: true,
    account,
    source,
    endpoint,
    ms: Date.now() - started,
    ...(options.reveal ? { access_token: token } : {}),
  });
  reporter.success(
    `access_token ok for ${account} (${source}, ${endpoint}, ${token.length} characters, ${Date.now() - started} ms)`,
  );
  if (options.reveal) reporter.result(token);
  else reporter.info('the token itself is not printed; add --reveal to print it');
  return ExitCode.ok;
}
