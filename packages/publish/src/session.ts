/**
 * A run's session ("an account"): resolved configuration and — created on first use — the WeChat clients,
 * the store (tokens, quotas, and with Redis the upload cache) and, with `--sandbox`, an in-process sandbox that
 * lives as long as the command.
 */
import path from 'node:path';
import type { DiagramRenderer } from '@md2wx/diagrams';
import type { SandboxServer } from '@md2wx/sandbox';
import type {
  OfficialAccountClient,
  OfficialAccountOptions,
  Store,
  WecomClient,
  WecomOptions,
} from '@md2wx/wechat';
import {
  type ConfigFlags,
  type ResolvedConfig,
  requireOfficialAccount,
  requireWecom,
  resolveConfig,
} from './config.js';
import { ConfigError } from './errors.js';
import { loadDiagrams, loadSandbox, loadStoreRedis, loadWechat } from './modules.js';

/**
 * How long the start-up PING of a configured Redis may take, milliseconds. Long enough for a server across a
 * region (a few round trips, TLS included); a server that is not there is reported after this, not after the
 * ~10 s a command waits through reconnects later in a run.
 */
const REDIS_PING_TIMEOUT_MS = 3_000;

/**
 * What opens a session: the configuration inputs ({@link ConfigFlags}: `--account`, `--config`, …, the same
 * as the CLI's global flags) plus the run-wide switches below.
 */
export interface SessionFlags extends ConfigFlags {
  /** Start an in-process sandbox (fake WeChat) and point both platforms' credentials at it. */
  sandbox?: boolean;
  /** `--sandbox-state <dir>`: the in-process sandbox, the draft state, upload cache and tokens persist here. */
  sandboxState?: string;
  /** `--diagrams png|svg`: how mermaid blocks are drawn (@md2wx/diagrams `format`). */
  diagrams?: 'png' | 'svg';
  /** `--allow-private-hosts`: image downloads may reach loopback/private/link-local addresses. */
  allowPrivateHosts?: boolean;
}

/**
 * One run's context: configuration resolved like the CLI's (config file, `.env`, environment) and the
 * clients made from it. Open with `Session.open(flags, { cwd, env })`; always `close()` it (stops an
 * in-process sandbox, the diagram browser and the store). Clients are created on first use, so a run that
 * needs none never loads `@md2wx/wechat`.
 *
 * @example
 *   const session = await Session.open({}, { cwd: process.cwd(), env: process.env });
 *   try { const client = await session.officialAccount(); } finally { await session.close(); }
 */
export class Session {
  readonly config: ResolvedConfig;
  /** The in-process sandbox of `--sandbox`, when running. */
  sandbox: SandboxServer | undefined;
  private wechat: typeof import('@md2wx/wechat') | undefined;
  private store: Store | undefined;
  private oa: OfficialAccountClient | undefined;
  private wecom: WecomClient | undefined;
  private diagrams: DiagramRenderer | undefined;

  private allowAllPrivateHosts = false;

  protected constructor(config: ResolvedConfig) {
    this.config = config;
  }

  /**
   * Which non-public hosts image downloads may reach (@md2wx/images `allowPrivateHosts`): all with
   * `--allow-private-hosts`; otherwise only the WeChat API hosts this run talks to (the `--sandbox`, or a
   * `--base-url` such as a local `md2wx sandbox`), whose images a post may legitimately link. A post can name
   * any URL, so nothing else on loopback or a private network is fetched.
   */
  privateHosts(): boolean | string[] {
    if (this.allowAllPrivateHosts) return true;
    const hosts: string[] = [];
    for (const base of [this.config.oa?.baseUrl, this.config.wecom?.baseUrl]) {
      if (!base) continue;
      try {
        hosts.push(new URL(base).host);
      } catch {
        // A malformed base URL fails where it is used, with its own message.
      }
    }
    return hosts;
  }

  /**
   * Resolves configuration and, with `--sandbox`, starts the in-process sandbox and points both platforms'
   * credentials at it (the sandbox's default account and WeCom app).
   * @throws ConfigError from the configuration.
   */
  static async open(
    flags: SessionFlags,
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ): Promise<Session> {
    const env = options.env ?? process.env;
    const session = new Session(await resolveConfig(flags, { ...options, env }));
    await session.start(flags);
    return session;
  }

  /** Applies the run-wide `flags` to a new session and starts its sandbox when asked (see {@link open}). */
  protected async start(flags: SessionFlags): Promise<void> {
    const { config } = this;
    if (flags.sandboxState) {
      // Everything a rehearsal needs to find again lives in one directory, apart from the real account's state.
      const dir = path.resolve(config.cwd, flags.sandboxState);
      this.sandboxStateDir = dir;
      config.stateFile = path.join(dir, 'drafts.json');
      config.cacheDir = path.join(dir, 'cache');
    }
    if (flags.allowPrivateHosts) this.allowAllPrivateHosts = true;
    if (flags.diagrams) this.diagramFormat = flags.diagrams;
    if (flags.sandbox || flags.sandboxState) await this.startSandbox();
  }

  /** `--sandbox-state`: the directory the sandbox and this run's state persist in. */
  sandboxStateDir: string | undefined;

  /**
   * True when running against an in-process sandbox without `--sandbox-state` (state and caches then live in
   * memory only).
   */
  get ephemeral(): boolean {
    return this.sandbox !== undefined && this.sandboxStateDir === undefined;
  }

  private async startSandbox(): Promise<void> {
    const { startSandbox, DEFAULT_ACCOUNT, DEFAULT_WECOM_APP } = await loadSandbox();
    const dir = this.sandboxStateDir;
    this.sandbox = await startSandbox({
      publishDelayMs: 50,
      ...(dir ? { statePath: path.join(dir, 'sandbox.json') } : {}),
    });
    this.config.oa = {
      appId: DEFAULT_ACCOUNT.appId,
      appSecret: DEFAULT_ACCOUNT.appSecret,
      baseUrl: this.sandbox.url,
    };
    this.config.wecom = { ...DEFAULT_WECOM_APP, baseUrl: this.sandbox.wecomUrl };
  }

  /** True when Official Account credentials (or a token service) are configured. */
  get hasOfficialAccount(): boolean {
    const oa = this.config.oa;
    return Boolean(oa && (oa.appSecret || oa.tokenService));
  }

  /** The account id used in the state file and cache keys (appId or corpId). */
  get accountId(): string | undefined {
    return this.config.platform === 'wecom' ? this.config.wecom?.corpId : this.config.oa?.appId;
  }

  async wechatModule(): Promise<typeof import('@md2wx/wechat')> {
    this.wechat ??= await loadWechat();
    return this.wechat;
  }

  /** True when a Redis store is configured (`MD2WX_REDIS_URL` or config `redis`) and in use (not `--sandbox`). */
  get sharedStore(): boolean {
    return Boolean(this.config.redis) && !this.ephemeral;
  }

  /**
   * The token/quota store: memory for the sandbox (its tokens die with it); Redis when `MD2WX_REDIS_URL` or
   * the config file's `redis` names one, so every run on every machine shares one token, one upload cache and
   * one quota count; else a file in the cache directory (one machine, not committed).
   * @throws ConfigError (exit 4) when the Redis server does not answer (the URL is shown without password).
   */
  async tokenStore(): Promise<Store> {
    if (this.store) return this.store;
    const redis = this.config.redis;
    if (redis && !this.ephemeral) {
      const { createRedisStore, redactRedisUrl, RedisStoreError } = await loadStoreRedis();
      const store = createRedisStore({
        url: redis.url,
        ...(redis.prefix ? { prefix: redis.prefix } : {}),
      });
      try {
        // A user's first run against a wrong URL should hear so in seconds, not after ~10 s of reconnects.
        await store.ping({ timeoutMs: REDIS_PING_TIMEOUT_MS });
      } catch (error) {
        await store.close().catch(() => {});
        throw new ConfigError(
          // The store's own hint ("is the server running?") would say twice what this one says.
          `Redis store ${redactRedisUrl(redis.url)} (MD2WX_REDIS_URL or config "redis") does not answer: ${
            error instanceof RedisStoreError ? error.detail : (error as Error).message
          } — start it, fix the URL, or unset MD2WX_REDIS_URL to use the local file store`,
          { cause: error },
        );
      }
      this.store = store;
    } else {
      const wechat = await this.wechatModule();
      this.store = this.ephemeral
        ? wechat.memoryStore()
        : wechat.fileStore({ path: path.join(this.config.cacheDir, 'store.json') });
    }
    return this.store;
  }

  /**
   * The Official Account client (@md2wx/wechat `createOfficialAccountClient`).
   * @throws ConfigError (exit 4) when credentials are missing.
   */
  async officialAccount(): Promise<OfficialAccountClient> {
    if (this.oa) return this.oa;
    const oa = requireOfficialAccount(this.config);
    const wechat = await this.wechatModule();
    const options: OfficialAccountOptions = {
      appId: oa.appId,
      store: await this.tokenStore(),
    };
    if (oa.appSecret) options.appSecret = oa.appSecret;
    if (oa.baseUrl) options.baseUrl = oa.baseUrl;
    if (oa.tokenMode) options.tokenMode = oa.tokenMode;
    if (oa.tokenService) {
      options.tokenProvider = wechat.remoteTokenProvider({
        url: oa.tokenService.url,
        secret: oa.tokenService.secret,
        account: oa.appId,
      });
    }
    this.oa = wechat.createOfficialAccountClient(options);
    return this.oa;
  }

  /**
   * The WeCom client (@md2wx/wechat `createWecomClient`).
   * @throws ConfigError (exit 4) when WECOM_CORP_ID / WECOM_CORP_SECRET / WECOM_AGENT_ID are missing.
   */
  async wecomClient(): Promise<WecomClient> {
    if (this.wecom) return this.wecom;
    const wecom = requireWecom(this.config);
    const wechat = await this.wechatModule();
    const options: WecomOptions = {
      corpId: wecom.corpId,
      corpSecret: wecom.corpSecret,
      agentId: wecom.agentId,
      store: await this.tokenStore(),
    };
    if (wecom.baseUrl) options.baseUrl = wecom.baseUrl;
    this.wecom = wechat.createWecomClient(options);
    return this.wecom;
  }

  /** How mermaid diagrams are drawn (`--diagrams`): a PNG through the image pipeline, or inline SVG. */
  diagramFormat: 'png' | 'svg' = 'png';

  /**
   * The run's one mermaid renderer (@md2wx/diagrams), caching in `<cacheDir>/diagrams` (in memory only with
   * `--sandbox`); its browser starts on the first diagram that is not cached and stops in `close()`.
   */
  async diagramRenderer(): Promise<DiagramRenderer> {
    if (!this.diagrams) {
      const { DiagramRenderer } = await loadDiagrams();
      this.diagrams = new DiagramRenderer({
        format: this.diagramFormat,
        ...(this.ephemeral ? {} : { cacheDir: path.join(this.config.cacheDir, 'diagrams') }),
      });
    }
    return this.diagrams;
  }

  /** Stops the sandbox and the diagram browser, and closes the store. Idempotent. */
  async close(): Promise<void> {
    await this.diagrams?.close();
    this.diagrams = undefined;
    await this.store?.close?.();
    this.store = undefined;
    await this.sandbox?.close();
    this.sandbox = undefined;
  }
}
