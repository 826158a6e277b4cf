/**
 * md2wx as a library: the CLI's building blocks, for scripts that drive it without a subprocess.
 */
export { buildProgram, main, reportError } from './cli.js';
export {
  ARTICLE_LIMITS,
  assertNoProblems,
  charCount,
  checkArticleLimits,
  checkContentLimits,
  type PostMeta,
  readPostMeta,
} from './article.js';
export {
  type AccountEntry,
  accountsToServe,
  type ConfigFile,
  type ConfigFlags,
  CREDENTIALS_HINT,
  findConfigFile,
  loadDotenv,
  type OfficialAccountConfig,
  type Platform,
  readConfigFile,
  type ResolvedConfig,
  requireOfficialAccount,
  requireWecom,
  resolveConfig,
  type ServedAccount,
  type WecomConfig,
} from './config.js';
export {
  CliError,
  ConfigError,
  ContentError,
  type ContentProblem,
  ExitCode,
  type ExitCodeValue,
  exitCodeOf,
  formatLocation,
  isWechatError,
  type SourceLocation,
  UsageError,
} from './errors.js';
export {
  type Diagnostic,
  normaliseDiagnostics,
  outputBase,
  type PostReport,
  type PublishOptions,
  rootDirFor,
  type RunReport,
  runPublish,
  upsertDraft,
} from './pipeline.js';
export { expandPosts, filterChangedSince } from './post-files.js';
export { formatBytes, type Progress, Reporter, type ReporterOptions } from './reporter.js';
export { type GlobalFlags, Session } from './session.js';
export { DraftState, type DraftStateData, type DraftStateEntry, writeFileAtomic } from './state.js';
