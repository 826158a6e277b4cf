import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings for every package and for the end-to-end tests in test/.
 *
 * Workspace packages export their TypeScript sources under the `@md2wx/source` condition, so tests
 * run against `src/` without a build step; published builds resolve to `dist/`.
 */
export function packageConfig(name: string, options: { testTimeout?: number } = {}) {
  const conditions = ['@md2wx/source', 'node', 'import', 'default'];
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@md2wx/source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts', '*.test.ts'],
      exclude: ['**/node_modules/**', '**/dist/**'],
      testTimeout: options.testTimeout ?? 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
    },
  });
}
