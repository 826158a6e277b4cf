import type { CacheEntry, ImageCache } from '../types.js';

/**
 * An in-process dedupe cache: lives as long as the returned object. Share one between processors to dedupe
 * across files of one build.
 */
export function memoryCache(): ImageCache {
  const entries = new Map<string, CacheEntry>();
  return {
    async get(key) {
      return entries.get(key);
    },
    async set(key, entry) {
      entries.set(key, entry);
    },
  };
}
