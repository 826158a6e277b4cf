import { defineConfig } from 'vitest/config';

/**
 * Tags for what a test needs from the machine beyond Node (https://vitest.dev/guide/test-tags). A file that needs
 * one throughout says so in a top comment (`// @module-tag redis`), a suite or test in its options
 * (`describe('…', { tags: ['chromium'] }, …)`). `npm run test:quick` runs with `--tags-filter='!redis && !chromium'`.
 * Defined here rather than only in the root config, so that `vitest` run inside one package knows them too.
 */
export const MACHINE_TAGS = [
  { name: 'redis', description: 'starts a real redis-server (apt-get install redis-server)' },
  { name: 'chromium', description: 'drives headless Chromium: mermaid diagrams, the 375 px preview' },
];

/**
 * Groups of projects that run one after the other (`sequence.groupOrder`); projects of one group share the
 * workers. link.e2e (the `link` project) rebuilds packages/cli/dist in its `npm link` case, which every file of
 * the e2e and distribution projects reads (the CLI e2e tests start it, packaging and action.e2e pack it,
 * registry.e2e publishes it, the soak runs it): a process reading a file while tsc rewrites it gets half a
 * module. So it runs in the group after theirs, beside the package tests, which read no dist/.
 */
export const GROUP = { e2e: 0, distribution: 0, packages: 1, link: 1 } as const;

/**
 * Shared vitest settings for every package and for the end-to-end tests in test/.
 *
 * Workspace packages export their TypeScript sources under the `@md2wx/source` condition, so tests
 * run against `src/` without a build step; published builds resolve to `dist/`.
 *
 * @param name the project name (`npx vitest run --project <name>`), the package folder's name by convention.
 * @param options.testTimeout per-test limit, milliseconds (default 30,000).
 * @param options.groupOrder the project's `sequence.groupOrder` (default {@link GROUP.packages}).
 */
export function packageConfig(name: string, options: { testTimeout?: number; groupOrder?: number } = {}) {
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
      tags: MACHINE_TAGS,
      sequence: { groupOrder: options.groupOrder ?? GROUP.packages },
    },
  });
}
