/**
 * md2wx as a library: the CLI's building blocks, for scripts that drive it without a subprocess. The publish
 * flow itself is @md2wx/publish (re-exported here for programs written against earlier versions).
 */
export {
  ARTICLE_LIMITS,
  type AccountEntry,
  accountsToServe,
  assertNoProblems,
  CliError,
  type ConfigFile,
  type ConfigFlags,
  ConfigError,
  ContentError,
  CREDENTIALS_HINT,
  charCount,
  checkArticleLimits,
  contentMessage,
  type DiagnosticJson,
  DraftState,
  diagnosticJson,
  type DraftStateData,
  type DraftStateEntry,
  ExitCode,
  type ExitCodeValue,
  exitCodeOf,
  findConfigFile,
  formatLocation,
  isWechatError,
  loadDotenv,
  type OfficialAccountConfig,
  outputBase,
  type Platform,
  type PostMeta,
  type PostReport,
  type PublishOptions,
  readConfigFile,
  readPostMeta,
  type ResolvedConfig,
  type RunReport,
  requireOfficialAccount,
  requireWecom,
  resolveConfig,
  rootDirFor,
  runReportJson,
  type ServedAccount,
  type SourceLocation,
  UsageError,
  upsertDraft,
  type WecomConfig,
  writeFileAtomic,
} from '@md2wx/publish';
export { buildProgram, main, reportError } from './cli.js';
export { expandPosts, filterChangedSince } from './post-files.js';
export { formatBytes, type Progress, Reporter, type ReporterOptions } from './reporter.js';
export { runPublish } from './run.js';
export { type GlobalFlags, Session } from './session.js';
