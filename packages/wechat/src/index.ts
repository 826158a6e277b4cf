export * from './crypto/index.js';
export type { DownloadedFile, DownloadTarget } from './core/download.js';
export {
  TokenProviderError,
  WechatApiError,
  WechatError,
  WechatHttpError,
  WechatInputError,
  WechatNetworkError,
  WechatQuotaError,
  WechatTimeoutError,
} from './core/errors.js';
export { hintFor, ipFromErrmsg, type Platform, RETRYABLE_ERRCODES, TOKEN_ERRCODES } from './core/hints.js';
export { TOKEN_BACKOFF_MS, TOKEN_REPLACEMENTS } from './core/caller.js';
export { MIN_PREFIX_CHARS, Redactor, redactPatterns } from './core/redact.js';
export {
  ambiguityAdvice,
  CREATE_ENDPOINTS,
  neverReachedServer,
  type RetryPolicy,
  retryPolicyFor,
} from './core/retry-policy.js';
export type { CommonClientOptions } from './core/setup.js';
export type { ClientStats, Logger } from './core/transport.js';
export { type MediaInput, mediaForm, type PreparedMedia, prepareMedia } from './media/input.js';
export {
  encodeMultipart,
  type MultipartBody,
  type MultipartFile,
} from './media/multipart.js';
export { checkMedia, MB, type MediaRule, RULES, type RuleName } from './media/limits.js';
export {
  ARTICLE_LIMITS,
  type ArticleField,
  type ArticleProblem,
  assertArticles,
  checkArticles,
  type DraftArticle,
  type DraftArticleOut,
  visibleText,
} from './oa/articles.js';
export {
  createOfficialAccountClient,
  type MaterialContent,
  type MaterialType,
  OfficialAccountClient,
  type OfficialAccountOptions,
  type TempMediaContent,
  WechatPublishError,
} from './oa/client.js';
export type * from './oa/types.js';
export { defaultStorePath, fileStore } from './store/file.js';
export { memoryStore } from './store/memory.js';
export type { Store, StoreLock } from './store/types.js';
export { CredentialCache, type CredentialSource, type IssuedCredential } from './token/manager.js';
export { credentialScope } from './token/scope.js';
export { type ProvidedToken, remoteTokenProvider, type TokenProvider } from './token/sources.js';
export {
  createWecomClient,
  downloadPartPath,
  type SendResult,
  type UploadJobResult,
  TEMP_MEDIA_LIFETIME_S,
  WECOM_MAX_CHUNK,
  WecomClient,
  type WecomMediaType,
  type WecomOptions,
} from './wecom/client.js';
export { checkMpnews, isAsyncMediaId, MPNEWS_LIMITS, type MpnewsArticle } from './wecom/mpnews.js';
export { QuotaCounter, type QuotaUsage, WECOM_UPLOADIMG_LIMITS } from './wecom/quota.js';
export { digestOf } from './media/digest.js';
