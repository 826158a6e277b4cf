/**
 * `md2wx token`: proves an access_token can be had for the configured account and says where it came from
 * (the local cache, WeChat, or the central token service). `--check` also makes one live authenticated call
 * (getcallbackip), so a token that is cached but no longer accepted — secret reset, IP not whitelisted
 * (40164) — fails here rather than in the middle of a publish. The token itself only with `--reveal`.
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { Session } from '../session.js';

/** Where the access_token of one `md2wx token` run came from. */
export type TokenOrigin = 'cache' | 'wechat' | 'token-service';

/** What `checkToken` found. */
export interface TokenCheck {
  account: string | undefined;
  origin: TokenOrigin;
  /** The endpoint that issues tokens: WeChat's stable_token, cgi-bin/token, gettoken, or the service URL. */
  source: string;
  /** The API base URL the token is for. */
  endpoint: string;
  /** Milliseconds the token (and the live call) took. */
  ms: number;
  /** True when the live call (getcallbackip) was made and accepted. */
  live: boolean;
  token: string;
}

/**
 * Gets the account's access_token through the client (and so through the store's cache) and, with `live`,
 * makes one getcallbackip call with it.
 * @throws WechatApiError (40125 wrong secret, 40164 IP not whitelisted, 40001 …) with its hint (exit 3);
 *   TokenProviderError from the token service; ConfigError when credentials are missing (exit 4).
 */
export async function checkToken(session: Session, options: { live?: boolean } = {}): Promise<TokenCheck> {
  const { config } = session;
  const wecom = config.platform === 'wecom';
  const client = wecom ? await session.wecomClient() : await session.officialAccount();
  const started = Date.now();
  const before = client.stats().tokenFetches;
  const token = await client.getAccessToken();
  const fetched = client.stats().tokenFetches > before;
  const service = !wecom ? config.oa?.tokenService?.url : undefined;
  const origin: TokenOrigin = !fetched ? 'cache' : service ? 'token-service' : 'wechat';
  const source = wecom
    ? 'cgi-bin/gettoken'
    : service
      ? `token service ${service}`
      : config.oa?.tokenMode === 'classic'
        ? 'cgi-bin/token'
        : 'cgi-bin/stable_token';
  const endpoint =
    (wecom ? config.wecom?.baseUrl : config.oa?.baseUrl) ??
    (wecom ? 'https://qyapi.weixin.qq.com' : 'https://api.weixin.qq.com');
  if (options.live) await client.getCallbackIp();
  return {
    account: session.accountId,
    origin,
    source,
    endpoint,
    ms: Date.now() - started,
    live: Boolean(options.live),
    token,
  };
}

const ORIGIN_TEXT: Record<TokenOrigin, string> = {
  cache: 'from the local cache',
  wechat: 'fetched from WeChat',
  'token-service': 'fetched from the token service',
};

/**
 * @returns ExitCode.ok; WeChat errors (40013, 40125, 40164 …) are thrown and printed with their hint (exit 3).
 */
export async function runToken(
  session: Session,
  options: { reveal?: boolean; check?: boolean },
): Promise<ExitCodeValue> {
  const { reporter } = session;
  const check = await checkToken(session, { live: options.check === true });
  reporter.emitJson({
    ok: true,
    account: check.account,
    origin: check.origin,
    source: check.source,
    endpoint: check.endpoint,
    live: check.live,
    ms: check.ms,
    ...(options.reveal ? { access_token: check.token } : {}),
  });
  reporter.success(
    `access_token ok for ${check.account} (${ORIGIN_TEXT[check.origin]}; issued by ${check.source}, ${check.endpoint}; ${check.token.length} characters, ${check.ms} ms)`,
  );
  if (check.live) reporter.success('live call getcallbackip accepted: the token works from this machine');
  else if (check.origin === 'cache')
    reporter.info(
      'not checked against WeChat: add --check for one live call (a cached token may be refused, e.g. 40164)',
    );
  if (options.reveal) reporter.result(check.token);
  else reporter.info('the token itself is not printed; add --reveal to print it');
  return ExitCode.ok;
}
