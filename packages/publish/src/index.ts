/**
 * @md2wx/publish: the post → WeChat draft flow as a library. `preparePost` reads and checks a post (nothing
 * sent), `publishPosts` uploads its images and cover and creates, updates or publishes its draft, reporting
 * progress as `PublishEvent`s. `Session` turns a config file and environment variables into clients, like the
 * `md2wx` CLI does.
 */
export {
  ARTICLE_LIMITS,
  assertNoProblems,
  charCount,
  checkArticleLimits,
  checkContentLimits,
  type DigestKey,
  FIELD_FALLBACK,
  FIELD_LIMIT,
  type PostMeta,
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
  resolveConfig as loadConfig,
  type ServedAccount,
  type WecomConfig,
} from './config.js';
export { uploadCover } from './covers.js';
export { diagramPlugins } from './diagrams.js';
export {
  type DraftLookup,
  findDraft,
  MARKER_ATTRIBUTE,
  isAmbiguousFailure,
  type UpsertOptions,
  type UpsertResult,
  upsertDraft,
} from './drafts.js';
export {
  CliError,
  ConfigError,
  ContentError,
  contentMessage,
  type ContentMessageOptions,
  ExitCode,
  type ExitCodeValue,
  exitCodeOf,
  formatLocation,
  isWechatError,
  type ProblemJson,
  problemJson,
  problemsJson,
  type SourceLocation,
  UsageError,
} from './errors.js';
export type { PublishEvent } from './events.js';
export { imageCache, lockWaits, timedLock } from './image-cache.js';
export { type UploadedImage, uploadBodyImages } from './image-uploads.js';
export { compressMedia } from './media-input.js';
export {
  describePostError,
  displayPath,
  GENERATED_COVER,
  lintOptions,
  modeFlags,
  NO_COVER,
  openDraftState,
  outputBase,
  type PostError,
  type PostReport,
  type PrepareOptions,
  type PreparedPost,
  type PublishMode,
  type PublishOptions,
  type PublishPostsOptions,
  postError,
  preparePost,
  publishPosts,
  type RunHooks,
  type RunReport,
  rootDirFor,
  runPublish,
} from './pipeline.js';
export { applyFieldFallbacks, readPostMeta } from './post-fields.js';
export {
  type DiagnosticJson,
  describeMessage,
  diagnosticJson,
  type MessageTarget,
  type PostReportJson,
  postReportJson,
  reportDiagnostics,
  ruleOf,
  type RunReportJson,
  runReportJson,
} from './report-json.js';
export { Session, type SessionFlags } from './session.js';
export { prepareWecomCover, wecomImageQuota } from './wecom.js';
export { DraftState, type DraftStateData, type DraftStateEntry, writeFileAtomic } from './state.js';
/** Types of the stages this package joins, for programs that pass them through (render options, clients). */
export type { RenderOptions } from '@md2wx/render';
export type { DraftArticle, MpnewsArticle, OfficialAccountClient } from '@md2wx/wechat';
