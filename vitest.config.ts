import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Every folder under packages/ is a project (named in its vitest.config.ts: `--project <name>`), so a new
    // package needs no edit here; test/ holds the e2e, distribution and link projects.
    projects: ['packages/*', 'test', 'test/vitest.distribution.config.ts', 'test/vitest.link.config.ts'],
    // vitest's default for `run` is one worker fewer than the cores: a single worker on a 2-core machine, which
    // leaves a core idle while an e2e file waits (npm installs, CLI subprocesses, sandbox delays, Redis
    // restarts). One worker more than the cores keeps both busy through those waits: on 2 cores the whole run
    // took 282 s against 300 s with one per core (2026-12-04, `time npx vitest run --coverage`), the image
    // tests well inside their timeouts.
    maxWorkers: availableParallelism() + 1,
    // The default output, then the 10 slowest test files (after everything else, so nothing is hidden).
    reporters: ['default', './test/support/slowest-files.ts'],
    coverage: {
      provider: 'v8',
      reporter: ['text-summary', 'json-summary'],
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/*.d.ts'],
    },
  },
});
