/**
 * Configuration: flags override environment variables, which override `.env`, which overrides the config file
 * (`md2wx.config.json`, `.yaml`/`.yml` or `.mjs`, looked up in the working directory or given by `--config`).
 *
 * A config file holds named accounts; `--account <name>` (or the file's `default`) picks one:
 *
 * ```yaml
 * default: blog
 * accounts:
 *   blog:   { appId: wx0123456789abcdef, appSecretEnv: BLOG_SECRET }
 *   corp:   { platform: wecom, corpId: ww01234, corpSecretEnv: CORP_SECRET, agentId: 1000002 }
 * stateFile: .md2wx/drafts.json
 * redis: redis://redis.internal:6379/0   # optional: share tokens, upload cache and quotas (MD2WX_REDIS_URL wins)
 * ```
 *
 * Secrets belong in the environment (`WECHAT_APP_SECRET`, or the variable named by `appSecretEnv`), not in a
 * committed file; a literal `appSecret` in the file is accepted for local use.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './errors.js';

export type Platform = 'oa' | 'wecom';

/** Official Account credentials and endpoint. */
export interface OfficialAccountConfig {
  appId: string;
  /** Absent when tokens come from a central token service. */
  appSecret?: string;
  /** API base URL; default WeChat's (`https://api.weixin.qq.com`). */
  baseUrl?: string;
  tokenMode?: 'stable' | 'classic';
  /** Central token service (`@md2wx/token-service`); its secret comes from `MD2WX_TOKEN_SERVICE_SECRET`. */
  tokenService?: { url: string; secret: string };
}

/** WeCom (企业微信) app credentials. */
export interface WecomConfig {
  corpId: string;
  corpSecret: string;
  agentId: number;
  baseUrl?: string;
}

/** One named account of a config file, as written. */
export interface AccountEntry {
  platform?: Platform;
  appId?: string;
  appSecret?: string;
  appSecretEnv?: string;
  baseUrl?: string;
  tokenMode?: 'stable' | 'classic';
  tokenServiceUrl?: string;
  corpId?: string;
  corpSecret?: string;
  corpSecretEnv?: string;
  agentId?: number | string;
}

/** The config file, as written. Paths inside are relative to the file's directory. */
export interface ConfigFile {
  default?: string;
  accounts?: Record<string, AccountEntry>;
  stateFile?: string;
  cacheDir?: string;
  outDir?: string;
  theme?: string;
  author?: string;
  cover?: string;
  /** When a post's front-matter cover is missing, warn and use `cover` or the first image instead. */
  coverFallback?: boolean;
  platform?: Platform;
  /** Redis server shared by every run (`redis://…`); `MD2WX_REDIS_URL` overrides it. */
  redis?: string | { url?: string; prefix?: string };
}

/** Flags that take part in configuration (names as commander gives them). */
export interface ConfigFlags {
  config?: string;
  account?: string;
  platform?: string;
  appId?: string;
  baseUrl?: string;
  tokenService?: string;
  stateFile?: string;
  cacheDir?: string;
  outDir?: string;
  theme?: string;
  cover?: string;
  author?: string;
}

/** Everything the commands need, resolved. Paths are absolute. */
export interface ResolvedConfig {
  cwd: string;
  configFile?: string;
  accountName?: string;
  platform: Platform;
  oa?: OfficialAccountConfig;
  wecom?: WecomConfig;
  /** The committed draft state file (post × account → draft media_id). */
  stateFile: string;
  /** Upload dedupe cache and token cache directory (not committed). */
  cacheDir: string;
  /** Where HTML and preview files go; default: next to each post. */
  outDir?: string;
  theme?: string;
  author?: string;
  cover?: string;
  /** See `ConfigFile.coverFallback`. */
  coverFallback?: boolean;
  /**
   * Shared Redis store for tokens, the upload dedupe cache and quota counters (`MD2WX_REDIS_URL`, else the
   * config file's `redis`); absent: the file store in `cacheDir`.
   */
  redis?: { url: string; prefix?: string };
}

const CONFIG_NAMES = ['md2wx.config.json', 'md2wx.config.yaml', 'md2wx.config.yml', 'md2wx.config.mjs'];

/**
 * Loads `.env` from `cwd` into a copy of `env` (existing variables win), never printing anything.
 * @returns the merged environment.
 */
export async function loadDotenv(cwd: string, env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return { ...env };
  // dotenv is CommonJS: its `default` (module.exports) is there under Node and in the CLI's bundle alike.
  const { parse } = (await import('dotenv')).default;
  const parsed = parse(await readFile(file, 'utf8'));
  return { ...parsed, ...env };
}

/**
 * Reads a config file (json, yaml or mjs with a default export).
 * @throws ConfigError when the file cannot be read or parsed, naming the file.
 */
export async function readConfigFile(file: string): Promise<ConfigFile> {
  try {
    if (file.endsWith('.mjs') || file.endsWith('.js')) {
      const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
      return validateConfigFile(mod.default, file);
    }
    const text = await readFile(file, 'utf8');
    if (file.endsWith('.json')) return validateConfigFile(JSON.parse(text), file);
    const YAML = (await import('yaml')).default; // CommonJS under Node, like dotenv above
    return validateConfigFile(YAML.parse(text), file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function validateConfigFile(value: unknown, file: string): ConfigFile {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`config file ${file} must hold an object (accounts, default, stateFile, …)`);
  }
  const config = value as ConfigFile;
  if (
    config.accounts !== undefined &&
    (typeof config.accounts !== 'object' || Array.isArray(config.accounts))
  ) {
    throw new ConfigError(`config file ${file}: "accounts" must map account names to credentials`);
  }
  return config;
}

/** The config file to use: `--config`, else the first of md2wx.config.{json,yaml,yml,mjs} in `cwd`. */
export function findConfigFile(cwd: string, explicit?: string): string | undefined {
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`);
    return file;
  }
  for (const name of CONFIG_NAMES) {
    const file = path.join(cwd, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

function parsePlatform(value: string | undefined, where: string): Platform | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'oa' || value === 'mp' || value === 'official-account') return 'oa';
  if (value === 'wecom' || value === 'work') return 'wecom';
  throw new ConfigError(`${where}: unknown platform "${value}" (use "oa" or "wecom")`);
}

function parseAgentId(value: string | number | undefined, where: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${where}: agentId must be a positive integer`);
  return n;
}

/**
 * Resolves the configuration from flags, environment (after `.env`) and the config file.
 *
 * Environment: `WECHAT_APP_ID`, `WECHAT_APP_SECRET`, `WECHAT_BASE_URL`, `WECOM_CORP_ID`, `WECOM_CORP_SECRET`,
 * `WECOM_AGENT_ID`, `WECOM_BASE_URL`, `MD2WX_ACCOUNT`, `MD2WX_TOKEN_SERVICE_URL`, `MD2WX_TOKEN_SERVICE_SECRET`,
 * `MD2WX_REDIS_URL`.
 * Credentials may be missing (no-credentials mode); `requireOfficialAccount`/`requireWecom` check them.
 * @throws ConfigError for an unknown `--account`, a bad platform or agentId, an unreadable config file.
 */
export async function resolveConfig(
  flags: ConfigFlags,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ResolvedConfig> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const env = await loadDotenv(cwd, options.env ?? process.env);
  const configFile = findConfigFile(cwd, flags.config);
  const file: ConfigFile = configFile ? await readConfigFile(configFile) : {};
  const fileDir = configFile ? path.dirname(configFile) : cwd;

  const accountName = flags.account ?? env.MD2WX_ACCOUNT ?? file.default;
  let entry: AccountEntry = {};
  if (accountName !== undefined) {
    const found = file.accounts?.[accountName];
    if (!found) {
      const known = Object.keys(file.accounts ?? {});
      throw new ConfigError(
        `unknown account "${accountName}"` +
          (configFile ? ` in ${configFile}` : ' (no md2wx.config.json|yaml|mjs found)') +
          (known.length ? `; known accounts: ${known.join(', ')}` : ''),
      );
    }
    entry = found;
  }
  const where = configFile
    ? `${configFile}${accountName ? ` account "${accountName}"` : ''}`
    : 'configuration';

  const platform =
    parsePlatform(flags.platform, '--platform') ??
    parsePlatform(entry.platform, where) ??
    parsePlatform(file.platform, where) ??
    'oa';

  const secretFromEnvName = (name: string | undefined) => (name ? env[name] : undefined);
  // An account picked by name keeps its own credentials; the generic variables fill in what it leaves out.
  const appId = flags.appId ?? entry.appId ?? env.WECHAT_APP_ID;
  const appSecret = secretFromEnvName(entry.appSecretEnv) ?? entry.appSecret ?? env.WECHAT_APP_SECRET;
  const tokenServiceUrl = flags.tokenService ?? entry.tokenServiceUrl ?? env.MD2WX_TOKEN_SERVICE_URL;
  const tokenServiceSecret = env.MD2WX_TOKEN_SERVICE_SECRET;
  const baseUrl = flags.baseUrl ?? entry.baseUrl ?? env.WECHAT_BASE_URL;

  let oa: OfficialAccountConfig | undefined;
  if (appId) {
    oa = { appId };
    if (appSecret) oa.appSecret = appSecret;
    if (baseUrl) oa.baseUrl = baseUrl;
    if (entry.tokenMode) oa.tokenMode = entry.tokenMode;
    if (tokenServiceUrl) {
      if (!tokenServiceSecret) {
        throw new ConfigError('a token service URL is set but MD2WX_TOKEN_SERVICE_SECRET is not');
      }
      oa.tokenService = { url: tokenServiceUrl, secret: tokenServiceSecret };
    }
  }

  const corpId = entry.corpId ?? env.WECOM_CORP_ID;
  const corpSecret = secretFromEnvName(entry.corpSecretEnv) ?? entry.corpSecret ?? env.WECOM_CORP_SECRET;
  const agentId = parseAgentId(entry.agentId ?? env.WECOM_AGENT_ID, where);
  let wecom: WecomConfig | undefined;
  if (corpId && corpSecret && agentId !== undefined) {
    wecom = { corpId, corpSecret, agentId };
    const wecomBase =
      (platform === 'wecom' ? flags.baseUrl : undefined) ?? entry.baseUrl ?? env.WECOM_BASE_URL;
    if (wecomBase) wecom.baseUrl = wecomBase;
  }

  const resolved: ResolvedConfig = {
    cwd,
    platform,
    stateFile: flags.stateFile
      ? path.resolve(cwd, flags.stateFile)
      : path.resolve(fileDir, file.stateFile ?? '.md2wx/drafts.json'),
    cacheDir: flags.cacheDir
      ? path.resolve(cwd, flags.cacheDir)
      : path.resolve(fileDir, file.cacheDir ?? '.md2wx-cache'),
  };
  if (configFile) resolved.configFile = configFile;
  if (accountName !== undefined) resolved.accountName = accountName;
  if (oa) resolved.oa = oa;
  if (wecom) resolved.wecom = wecom;
  const outDir = flags.outDir
    ? path.resolve(cwd, flags.outDir)
    : file.outDir && path.resolve(fileDir, file.outDir);
  if (outDir) resolved.outDir = outDir;
  const theme = flags.theme ?? file.theme;
  if (theme) resolved.theme = theme;
  const author = flags.author ?? file.author;
  if (author) resolved.author = author;
  // `generate` asks for a title card (pipeline.ts GENERATED_COVER), not a file of that name.
  const coverPath = (value: string, dir: string) => (value === 'generate' ? value : path.resolve(dir, value));
  const cover = flags.cover ? coverPath(flags.cover, cwd) : file.cover && coverPath(file.cover, fileDir);
  if (cover) resolved.cover = cover;
  if (file.coverFallback === true) resolved.coverFallback = true;
  const redis = redisConfig(env, file, where);
  if (redis) resolved.redis = redis;
  return resolved;
}

/** The Redis store settings: `MD2WX_REDIS_URL` wins over the config file's `redis` (a URL or `{ url, prefix }`). */
function redisConfig(
  env: NodeJS.ProcessEnv,
  file: ConfigFile,
  where: string,
): ResolvedConfig['redis'] | undefined {
  const fromFile = typeof file.redis === 'string' ? { url: file.redis } : (file.redis ?? undefined);
  if (fromFile !== undefined && (typeof fromFile !== 'object' || Array.isArray(fromFile))) {
    throw new ConfigError(`${where}: "redis" must be a redis:// URL or { url, prefix }`);
  }
  const url = env.MD2WX_REDIS_URL?.trim() || fromFile?.url;
  if (!url) return undefined;
  if (!/^rediss?:\/\//i.test(url)) {
    // The URL may carry a password: show only its scheme.
    throw new ConfigError(
      `${env.MD2WX_REDIS_URL?.trim() ? 'MD2WX_REDIS_URL' : `${where}: redis`} must be a redis:// or rediss:// URL (got "${url.split(':')[0]}:…")`,
    );
  }
  return fromFile?.prefix ? { url, prefix: fromFile.prefix } : { url };
}

/** An Official Account whose AppSecret `md2wx token serve` holds. */
export interface ServedAccount {
  appId: string;
  appSecret: string;
  baseUrl?: string;
  /** The config file's name for it, when it comes from one. */
  name?: string;
}

/**
 * The accounts `md2wx token serve` holds: the one picked by `--account`/`MD2WX_ACCOUNT`; else every Official
 * Account of the config file (WeCom accounts and accounts that are themselves token-service clients are
 * skipped); else `WECHAT_APP_ID` + `WECHAT_APP_SECRET`.
 * @throws ConfigError when an account has no AppSecret, or none is configured at all.
 */
export async function accountsToServe(
  flags: ConfigFlags,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ServedAccount[]> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  // The service talks to WeChat itself: a token service URL in the environment is for its clients.
  const own = { ...env, MD2WX_TOKEN_SERVICE_URL: '' };
  const served = (config: ResolvedConfig, name?: string): ServedAccount => {
    const oa = config.oa;
    if (!oa)
      throw new ConfigError(`${name ? `account "${name}"` : 'token serve'}: no appId. ${CREDENTIALS_HINT}`);
    if (!oa.appSecret) {
      throw new ConfigError(
        `${name ? `account "${name}"` : `app ${oa.appId}`} has no AppSecret: the token service needs it (appSecretEnv in the config file, or WECHAT_APP_SECRET)`,
      );
    }
    return {
      appId: oa.appId,
      appSecret: oa.appSecret,
      ...(oa.baseUrl ? { baseUrl: oa.baseUrl } : {}),
      ...(name ? { name } : {}),
    };
  };
  const chosen = flags.account ?? env.MD2WX_ACCOUNT;
  if (chosen) {
    const config = await resolveConfig({ ...flags, account: chosen, tokenService: '' }, { cwd, env: own });
    return [served(config, chosen)];
  }
  const configFile = findConfigFile(cwd, flags.config);
  const file: ConfigFile = configFile ? await readConfigFile(configFile) : {};
  const accounts: ServedAccount[] = [];
  for (const [name, entry] of Object.entries(file.accounts ?? {})) {
    if (parsePlatform(entry.platform ?? file.platform, configFile ?? 'configuration') === 'wecom') continue;
    if (entry.tokenServiceUrl) continue;
    const config = await resolveConfig({ ...flags, account: name, tokenService: '' }, { cwd, env: own });
    const account = served(config, name);
    if (!accounts.some((a) => a.appId === account.appId)) accounts.push(account);
  }
  if (accounts.length > 0) return accounts;
  return [served(await resolveConfig({ ...flags, tokenService: '' }, { cwd, env: own }))];
}

/** One line telling how to add credentials, printed in no-credentials mode. */
export const CREDENTIALS_HINT =
  'No WeChat credentials: set WECHAT_APP_ID and WECHAT_APP_SECRET (environment or .env), or add an account to ' +
  'md2wx.config.yaml, to upload images and push drafts; --sandbox tries it all against a local fake WeChat.';

/**
 * The Official Account credentials, or a ConfigError saying what is missing (exit 4).
 * @throws ConfigError when the app id or the secret (or a token service) is missing.
 */
export function requireOfficialAccount(config: ResolvedConfig): OfficialAccountConfig {
  const oa = config.oa;
  if (!oa) throw new ConfigError(`WECHAT_APP_ID is not set. ${CREDENTIALS_HINT}`);
  if (!oa.appSecret && !oa.tokenService) {
    throw new ConfigError(
      `WECHAT_APP_SECRET is not set for app ${oa.appId} (or use a token service: MD2WX_TOKEN_SERVICE_URL + MD2WX_TOKEN_SERVICE_SECRET)`,
    );
  }
  return oa;
}

/**
 * The WeCom credentials, or a ConfigError naming the missing variables (exit 4).
 * @throws ConfigError when WECOM_CORP_ID, WECOM_CORP_SECRET or WECOM_AGENT_ID is missing.
 */
export function requireWecom(config: ResolvedConfig): WecomConfig {
  if (!config.wecom) {
    throw new ConfigError(
      'WeCom needs WECOM_CORP_ID, WECOM_CORP_SECRET and WECOM_AGENT_ID (environment, .env or config)',
    );
  }
  return config.wecom;
}
