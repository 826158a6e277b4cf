import { mergeConfig } from 'vitest/config';
import { GROUP, packageConfig } from '../vitest.shared.ts';

/**
 * The end-to-end tests in test/ (and the short soak in soak/; `npm run soak` runs the long one), except
 * registry.e2e.test.ts, the `distribution` project (vitest.distribution.config.ts), and link.e2e.test.ts, the
 * `link` project (vitest.link.config.ts).
 */
export default mergeConfig(packageConfig('e2e', { testTimeout: 120_000, groupOrder: GROUP.e2e }), {
  test: {
    include: ['soak/**/*.test.ts'],
    exclude: ['registry.e2e.test.ts', 'link.e2e.test.ts'],
    globalSetup: ['support/build-cli.ts', 'support/bound-registry-cache.ts'],
  },
});
