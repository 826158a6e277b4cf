/**
 * Global setup of the e2e and distribution projects: keeps the npm cache the local registries share
 * (local-registry.ts, `SHARED_CACHE_DIR`) under its size bound, once per run, before any test installs.
 */
import { boundSharedCache } from './local-registry.js';

export default async function boundRegistryCache(): Promise<void> {
  await boundSharedCache();
}
