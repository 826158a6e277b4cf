export { RedisStoreError, type RedisStoreErrorCode, redactRedisUrl } from './errors.js';
export {
  createRedisStore,
  DEFAULT_LOCK_LEASE_MS,
  DEFAULT_PREFIX,
  REDIS_URL_ENV,
  type RedisStore,
  type RedisStoreLock,
  type RedisStoreOptions,
  redisUrlFromEnv,
} from './redis-store.js';
export type { Store, StoreLock } from '@md2wx/wechat';
export { freePort, type RedisServer, type RedisServerOptions, startRedisServer } from './redis-server.js';
