import { packageConfig } from '../../vitest.shared.ts';

export default packageConfig('mcp', { testTimeout: 120_000 });
