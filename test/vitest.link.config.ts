import { GROUP, packageConfig } from '../vitest.shared.ts';

/**
 * link.e2e.test.ts on its own project: its `npm link` case rebuilds packages/cli/dist, which every file in the
 * e2e and distribution projects reads, so it runs in a later group (see GROUP).
 */
const config = packageConfig('link', { testTimeout: 180_000, groupOrder: GROUP.link });
// Replaced, not merged: packageConfig's `*.test.ts` would take in every e2e file.
config.test = { ...config.test, include: ['link.e2e.test.ts'] };
export default config;
