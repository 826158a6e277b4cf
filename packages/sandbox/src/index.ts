export type {
  Sandbox,
  SandboxAccount,
  SandboxFaults,
  SandboxLogEntry,
  SandboxLoggedFile,
  SandboxRateFaults,
  SandboxOptions,
  SandboxSnapshot,
  SandboxStats,
  SandboxWecomApp,
} from './types.js';
export { DEFAULT_ACCOUNT, DEFAULT_WECOM_APP } from './defaults.js';
export { startSandbox, redactUrl, type SandboxServer } from './server.js';
export { CONTROL_PREFIX } from './control.js';
export { wxDecrypt, wxEncrypt, wxSignature } from './wecom-crypto.js';
export { ARTICLE_LIMITS, filterContent } from './articles.js';
export { DAILY_LIMITS } from './routes/oa-misc.js';
