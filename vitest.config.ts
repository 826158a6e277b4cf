import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Every folder under packages/ is a project (named in its vitest.config.ts: `--project <name>`), so a new
    // package needs no edit here; test/ holds the e2e project and the distribution project.
    projects: ['packages/*', 'test', 'test/vitest.distribution.config.ts'],
    // vitest's default for `run` is one worker fewer than the cores: a single worker on a 2-core machine, which
    // leaves a core idle while an e2e file waits (npm installs through the local registry's uplink, CLI
    // subprocesses, sandbox delays). One worker per core: more would push the CPU-bound image tests toward their
    // timeouts on a loaded machine.
    maxWorkers: availableParallelism(),
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
