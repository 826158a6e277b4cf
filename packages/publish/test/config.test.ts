import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountsToServe, requireOfficialAccount, requireWecom, resolveConfig } from '../src/config.js';
import { ConfigError, ExitCode } from '../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'md2wx-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveConfig', () => {
  it('reads credentials from the environment', async () => {
    const config = await resolveConfig(
      {},
      {
        cwd: dir,
        env: { WECHAT_APP_ID: 'wxenv', WECHAT_APP_SECRET: 'sec', WECHAT_BASE_URL: 'http://127.0.0.1:1' },
      },
    );
    expect(config.oa).toEqual({ appId: 'wxenv', appSecret: 'sec', baseUrl: 'http://127.0.0.1:1' });
    expect(config.platform).toBe('oa');
    expect(config.stateFile).toBe(path.join(dir, '.md2wx', 'drafts.json'));
  });

  it('loads .env without overriding variables already set', async () => {
    await writeFile(path.join(dir, '.env'), 'WECHAT_APP_ID=wxdotenv\nWECHAT_APP_SECRET=from-dotenv\n');
    const config = await resolveConfig({}, { cwd: dir, env: { WECHAT_APP_SECRET: 'from-env' } });
    expect(config.oa).toEqual({ appId: 'wxdotenv', appSecret: 'from-env' });
  });

  it('picks a named account from a YAML config, its secret from the variable it names', async () => {
    await writeFile(
      path.join(dir, 'md2wx.config.yaml'),
      [
        'default: blog',
        'stateFile: state/drafts.json',
        'accounts:',
        '  blog: { appId: wxblog, appSecretEnv: BLOG_SECRET }',
        '  other: { appId: wxother, appSecret: literal }',
        '  corp: { platform: wecom, corpId: ww1, corpSecretEnv: CORP_SECRET, agentId: "1000002" }',
      ].join('\n'),
    );
    const env = { BLOG_SECRET: 'blog-secret', CORP_SECRET: 'corp-secret' };
    const blog = await resolveConfig({}, { cwd: dir, env });
    expect(blog.accountName).toBe('blog');
    expect(blog.oa).toEqual({ appId: 'wxblog', appSecret: 'blog-secret' });
    expect(blog.stateFile).toBe(path.join(dir, 'state', 'drafts.json'));
    const other = await resolveConfig({ account: 'other' }, { cwd: dir, env });
    expect(other.oa?.appSecret).toBe('literal');
    const corp = await resolveConfig({ account: 'corp' }, { cwd: dir, env });
    expect(corp.platform).toBe('wecom');
    expect(corp.wecom).toEqual({ corpId: 'ww1', corpSecret: 'corp-secret', agentId: 1000002 });
  });

  it('lets flags override the file and the environment', async () => {
    await writeFile(
      path.join(dir, 'md2wx.config.json'),
      JSON.stringify({ accounts: { a: { appId: 'wxfile' } } }),
    );
    const config = await resolveConfig(
      { account: 'a', appId: 'wxflag', baseUrl: 'http://flag', stateFile: 'x.json' },
      { cwd: dir, env: { WECHAT_APP_SECRET: 's', WECHAT_BASE_URL: 'http://env' } },
    );
    expect(config.oa).toEqual({ appId: 'wxflag', appSecret: 's', baseUrl: 'http://flag' });
    expect(config.stateFile).toBe(path.join(dir, 'x.json'));
  });

  it('loads an .mjs config', async () => {
    await writeFile(
      path.join(dir, 'md2wx.config.mjs'),
      "export default { default: 'm', accounts: { m: { appId: 'wxmjs', appSecret: 'x' } }, theme: 'tech' };\n",
    );
    const config = await resolveConfig({}, { cwd: dir, env: {} });
    expect(config.oa?.appId).toBe('wxmjs');
    expect(config.theme).toBe('tech');
  });

  it('names the known accounts when --account is unknown (exit 4)', async () => {
    await writeFile(path.join(dir, 'md2wx.config.json'), JSON.stringify({ accounts: { a: {}, b: {} } }));
    const error = await resolveConfig({ account: 'zzz' }, { cwd: dir, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(ExitCode.config);
    expect((error as Error).message).toMatch(/unknown account "zzz".*known accounts: a, b/);
  });

  it('names the file when it cannot be parsed', async () => {
    await writeFile(path.join(dir, 'md2wx.config.json'), '{ not json');
    await expect(resolveConfig({}, { cwd: dir, env: {} })).rejects.toThrow(/md2wx\.config\.json/);
  });

  it('says which credential is missing', async () => {
    const none = await resolveConfig({}, { cwd: dir, env: {} });
    expect(() => requireOfficialAccount(none)).toThrow(/WECHAT_APP_ID is not set/);
    const noSecret = await resolveConfig({}, { cwd: dir, env: { WECHAT_APP_ID: 'wx1' } });
    expect(() => requireOfficialAccount(noSecret)).toThrow(/WECHAT_APP_SECRET is not set for app wx1/);
    expect(() => requireWecom(none)).toThrow(/WECOM_CORP_ID, WECOM_CORP_SECRET and WECOM_AGENT_ID/);
  });

  it('refuses a bad agentId and a bad platform', async () => {
    await expect(
      resolveConfig(
        {},
        { cwd: dir, env: { WECOM_CORP_ID: 'ww', WECOM_CORP_SECRET: 's', WECOM_AGENT_ID: 'abc' } },
      ),
    ).rejects.toThrow(/agentId must be a positive integer/);
    await expect(resolveConfig({ platform: 'qq' }, { cwd: dir, env: {} })).rejects.toThrow(
      /unknown platform "qq"/,
    );
  });

  it('takes the Redis store from MD2WX_REDIS_URL over the config file, and refuses a non-redis URL', async () => {
    await writeFile(
      path.join(dir, 'md2wx.config.yaml'),
      'redis: { url: "redis://file-host:6379/1", prefix: "md2wx:blog:" }\ncoverFallback: true\n',
    );
    const fromFile = await resolveConfig({}, { cwd: dir, env: {} });
    expect(fromFile.redis).toEqual({ url: 'redis://file-host:6379/1', prefix: 'md2wx:blog:' });
    expect(fromFile.coverFallback).toBe(true);
    const fromEnv = await resolveConfig({}, { cwd: dir, env: { MD2WX_REDIS_URL: 'redis://env-host:6379' } });
    expect(fromEnv.redis).toEqual({ url: 'redis://env-host:6379', prefix: 'md2wx:blog:' });
    const none = await resolveConfig({}, { cwd: path.join(dir, '..'), env: {} });
    expect(none.redis).toBeUndefined();
    const bad = resolveConfig({}, { cwd: dir, env: { MD2WX_REDIS_URL: 'http://user:pw@host' } });
    await expect(bad).rejects.toThrow(/MD2WX_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    await expect(bad).rejects.not.toThrow(/pw@host/);
  });
});

describe('accountsToServe (md2wx token serve)', () => {
  it('serves every Official Account of the config file with its own secret, skipping WeCom and clients', async () => {
    await writeFile(
      path.join(dir, 'md2wx.config.yaml'),
      [
        'default: blog',
        'accounts:',
        '  blog: { appId: wxblog, appSecretEnv: BLOG_SECRET }',
        '  news: { appId: wxnews, appSecretEnv: NEWS_SECRET, baseUrl: "http://127.0.0.1:9" }',
        '  corp: { platform: wecom, corpId: ww1, corpSecretEnv: CORP_SECRET, agentId: 1000002 }',
        '  remote: { appId: wxremote, tokenServiceUrl: "http://service" }',
      ].join('\n'),
    );
    const env = { BLOG_SECRET: 'b-secret', NEWS_SECRET: 'n-secret', MD2WX_TOKEN_SERVICE_URL: 'http://x' };
    expect(await accountsToServe({}, { cwd: dir, env })).toEqual([
      { appId: 'wxblog', appSecret: 'b-secret', name: 'blog' },
      { appId: 'wxnews', appSecret: 'n-secret', baseUrl: 'http://127.0.0.1:9', name: 'news' },
    ]);
    expect(await accountsToServe({ account: 'news' }, { cwd: dir, env })).toEqual([
      { appId: 'wxnews', appSecret: 'n-secret', baseUrl: 'http://127.0.0.1:9', name: 'news' },
    ]);
    await expect(accountsToServe({}, { cwd: dir, env: { BLOG_SECRET: 'b' } })).rejects.toThrow(
      /account "news" has no AppSecret/,
    );
  });

  it('falls back to WECHAT_APP_ID + WECHAT_APP_SECRET, and says what is missing (exit 4)', async () => {
    const env = { WECHAT_APP_ID: 'wxenv', WECHAT_APP_SECRET: 's' };
    expect(await accountsToServe({}, { cwd: dir, env })).toEqual([{ appId: 'wxenv', appSecret: 's' }]);
    const error = await accountsToServe({}, { cwd: dir, env: { WECHAT_APP_ID: 'wxenv' } }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.exitCode).toBe(ExitCode.config);
    expect(error.message).toMatch(/app wxenv has no AppSecret/);
  });
});
