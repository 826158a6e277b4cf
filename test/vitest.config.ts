import { packageConfig } from '../vitest.shared.ts';

export default packageConfig('e2e', { testTimeout: 120_000 });
