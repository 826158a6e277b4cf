export { bearerChecker, ipAllowList, MIN_SECRET_LENGTH, normalizeIp } from './access.js';
export { type CredentialRecord, SharedCredential, type SharedCredentialOptions } from './credential.js';
export {
  INVALID_TOKEN_ERRCODES,
  TokenServiceError,
  type TokenServiceErrorCode,
  UpstreamError,
} from './errors.js';
export {
  startTokenService,
  type TokenService,
  type TokenServiceOptions,
  type TokenServiceRateLimit,
  type TokenServiceStats,
} from './server.js';
export {
  type HttpTokenSourceOptions,
  httpTokenSource,
  type Issued,
  type TokenServiceAccount,
  type TokenSource,
  WECHAT_API_BASE,
} from './upstream.js';
