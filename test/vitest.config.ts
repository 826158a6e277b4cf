import { mergeConfig } from 'vitest/config';
import { packageConfig } from '../vitest.shared.ts';

// The short soak lives in soak/ (test/soak/soak.test.ts); `npm run soak` runs the long one.
export default mergeConfig(packageConfig('e2e', { testTimeout: 120_000 }), {
  test: { include: ['soak/**/*.test.ts'] },
});
