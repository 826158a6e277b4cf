import { GROUP, packageConfig } from '../vitest.shared.ts';

/**
 * registry.e2e.test.ts on its own project (`--project distribution`): the built packages published to a local
 * registry and installed the way users install them. It reads dist/ only, so it shares the e2e group's workers;
 * most of its time is npm waiting on the uplink and unpacking, which overlaps the CPU-bound e2e files.
 */
const config = packageConfig('distribution', { testTimeout: 120_000, groupOrder: GROUP.distribution });
// Replaced, not merged: packageConfig's `*.test.ts` would take in every e2e file.
config.test = {
  ...config.test,
  include: ['registry.e2e.test.ts'],
  globalSetup: ['support/bound-registry-cache.ts'],
};
export default config;
