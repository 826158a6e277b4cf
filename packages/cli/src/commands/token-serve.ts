/**
 * `md2wx token serve`: the central token service (中控服务器, @md2wx/token-service) for accounts whose WeChat IP
 * whitelist holds one machine only (40164). It keeps the AppSecrets, refreshes access_tokens and jsapi_tickets
 * ahead of expiry and serves them to clients holding the bearer secret (`MD2WX_TOKEN_SERVICE_URL` +
 * `MD2WX_TOKEN_SERVICE_SECRET` on their side). Neither the secret nor a token is ever printed.
 */
import type { TokenService, TokenServiceOptions } from '@md2wx/token-service';
import { accountsToServe, loadDotenv, type ServedAccount } from '@md2wx/publish';
import { ConfigError, ExitCode, type ExitCodeValue, UsageError } from '../errors.js';
import { loadTokenService } from '../modules.js';
import type { GlobalFlags, Session } from '../session.js';

/** Options of `md2wx token serve` (commander names). */
export interface TokenServeOptions extends GlobalFlags {
  port?: number;
  host?: string;
  /** Name of the environment variable holding the bearer secret. */
  secretEnv?: string;
  allowIp?: string[];
  /** Requests per client IP per minute; 0 turns the limit off. */
  rateLimit?: number;
  /** Refresh credentials this many seconds before they expire. */
  refreshAhead?: number;
  localAddress?: string;
}

/** Where the bearer secret is read from unless `--secret-env` names another variable. */
export const DEFAULT_SECRET_ENV = 'MD2WX_TOKEN_SERVICE_SECRET';

/**
 * Starts the token service and serves until SIGINT/SIGTERM. Prints its URL (`MD2WX_TOKEN_SERVICE_URL=…` on
 * stdout) and the served appIds; request and refresh lines go to stderr (they carry no secret or token).
 * With a Redis store configured, credentials live there, so several instances behind a load balancer share
 * one token per account.
 * @returns ExitCode.ok after a clean stop.
 * @throws ConfigError (exit 4) when the secret variable is unset or shorter than the service's minimum, an
 *   account has no AppSecret, or the port cannot be bound; UsageError (exit 2) for a bad --allow-ip entry.
 */
export async function runTokenServe(session: Session, options: TokenServeOptions): Promise<ExitCodeValue> {
  const { reporter, config } = session;
  const secretEnv = options.secretEnv ?? DEFAULT_SECRET_ENV;
  const env = await loadDotenv(config.cwd, process.env);
  const secret = env[secretEnv];
  const service = await loadTokenService();
  if (!secret) {
    throw new ConfigError(
      `token serve: ${secretEnv} is not set; put the bearer secret clients will send there (at least ${service.MIN_SECRET_LENGTH} characters, e.g. \`openssl rand -hex 32\`)`,
    );
  }
  if (secret.length < service.MIN_SECRET_LENGTH) {
    throw new ConfigError(
      `token serve: ${secretEnv} holds ${secret.length} characters; the service needs at least ${service.MIN_SECRET_LENGTH} (e.g. \`openssl rand -hex 32\`)`,
    );
  }
  let accounts: ServedAccount[];
  if (session.sandbox) {
    const oa = config.oa as { appId: string; appSecret: string; baseUrl?: string };
    accounts = [{ appId: oa.appId, appSecret: oa.appSecret, ...(oa.baseUrl ? { baseUrl: oa.baseUrl } : {}) }];
  } else {
    accounts = await accountsToServe(options, { cwd: config.cwd, env });
  }

  const started = await startService(service, {
    accounts,
    secret,
    host: options.host ?? '127.0.0.1',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.allowIp?.length ? { allowIps: options.allowIp } : {}),
    ...(options.refreshAhead !== undefined ? { refreshAheadSeconds: options.refreshAhead } : {}),
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    rateLimit: options.rateLimit === 0 ? false : { max: options.rateLimit ?? 600, windowSeconds: 60 },
    // Shared with other instances when Redis is configured; the service's own memory otherwise.
    ...(session.sharedStore ? { store: await session.tokenStore() } : {}),
    log: (line) => reporter.info(`token-service: ${line}`),
  });

  const ids = accounts.map((a) => (a.name ? `${a.appId} (${a.name})` : a.appId));
  reporter.emitJson({
    url: started.url,
    accounts: accounts.map((a) => a.appId),
    allowIps: options.allowIp ?? [],
    store: session.sharedStore ? 'redis' : 'memory',
  });
  reporter.result(`MD2WX_TOKEN_SERVICE_URL=${started.url}`);
  reporter.info(`token service serving ${ids.join(', ')} at ${started.url}`);
  reporter.info(
    `clients: MD2WX_TOKEN_SERVICE_URL=${started.url} and MD2WX_TOKEN_SERVICE_SECRET=<the value of ${secretEnv}>; ` +
      `health: ${started.url}/healthz; ${options.allowIp?.length ? `allowed IPs: ${options.allowIp.join(', ')}` : 'every IP allowed (add --allow-ip)'}; Ctrl-C to stop`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await started.close();
  return ExitCode.ok;
}

/** startTokenService, its 'config'/'listen' failures turned into the CLI's errors. */
async function startService(
  service: typeof import('@md2wx/token-service'),
  options: TokenServiceOptions,
): Promise<TokenService> {
  try {
    return await service.startTokenService(options);
  } catch (error) {
    if (error instanceof service.TokenServiceError) {
      if (error.code === 'config' && /allowIps|allow/i.test(error.message)) {
        throw new UsageError(`--allow-ip: ${error.message}`);
      }
      throw new ConfigError(`token serve: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
