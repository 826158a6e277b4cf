import type { SandboxAccount, SandboxWecomApp } from './types.js';

/** The Official Account every sandbox knows unless `accounts` says otherwise. */
export const DEFAULT_ACCOUNT: SandboxAccount = Object.freeze({
  appId: 'wx5a1dbox0000000001',
  appSecret: 'sandbox-app-secret-0000000000000001',
});

/** The WeCom corp + app every sandbox knows unless `wecom` says otherwise. */
export const DEFAULT_WECOM_APP: SandboxWecomApp = Object.freeze({
  corpId: 'ww5a1dbox00000001',
  corpSecret: 'sandbox-corp-secret-000000000000000000000001',
  agentId: 1000002,
});
