export {
  type Cache,
  type CacheOptions,
  type CacheWarning,
  DEFAULT_CACHE_DIR,
  DEFAULT_MAX_SIZE,
  hashOptions,
  openCache,
} from './store.js';
export { type CacheTable, openTable, type TableOptions } from './table.js';
