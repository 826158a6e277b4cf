import { GROUP, packageConfig } from '../vitest.shared.ts';

/**
 * registry.e2e.test.ts on its own project: it publishes the built packages to a local registry and rebuilds
 * packages/cli/dist (`npm link` case), so it runs in a later group than the e2e tests that start that CLI.
 */
const config = packageConfig('distribution', { testTimeout: 120_000, groupOrder: GROUP.distribution });
// Replaced, not merged: packageConfig's `*.test.ts` would take in every e2e file.
config.test = { ...config.test, include: ['registry.e2e.test.ts'] };
export default config;
