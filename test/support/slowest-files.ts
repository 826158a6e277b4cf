/**
 * A vitest reporter that prints the slowest test files once the run is over, under the default reporter's
 * summary (it replaces no reporter: list it beside 'default'). A file's time is what vitest spent on it in its
 * worker: setting up (`prepareDuration`, `environmentSetupDuration`, `setupDuration`), importing it
 * (`collectDuration`, which runs the suite callbacks) and running its tests and hooks (`duration`), in
 * milliseconds (https://vitest.dev/api/advanced/test-module#diagnostic).
 *
 *   reporters: ['default', ['./test/support/slowest-files.ts', { count: 10 }]]
 */
import path from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';

export interface SlowestFilesOptions {
  /** How many files to list; default 10. */
  count?: number;
}

/** One test file's time, milliseconds. */
export interface FileTime {
  file: string;
  project: string;
  /** Setup, import and tests together. */
  totalMs: number;
  /** Import of the file (with its suite callbacks). */
  collectMs: number;
  /** Tests and hooks. */
  testsMs: number;
}

/** The time of each file of a finished run, slowest first. */
export function fileTimes(modules: ReadonlyArray<TestModule>, root: string): FileTime[] {
  return modules
    .map((module) => {
      const d = module.diagnostic();
      return {
        file: path.relative(root, module.moduleId),
        project: module.project.name,
        totalMs:
          d.environmentSetupDuration + d.prepareDuration + d.setupDuration + d.collectDuration + d.duration,
        collectMs: d.collectDuration,
        testsMs: d.duration,
      };
    })
    .sort((a, b) => b.totalMs - a.totalMs);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`.padStart(8);

export default class SlowestFilesReporter implements Reporter {
  private ctx: Vitest | undefined;
  private readonly count: number;

  constructor(options: SlowestFilesOptions = {}) {
    this.count = options.count ?? 10;
  }

  onInit(ctx: Vitest): void {
    this.ctx = ctx;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    if (!this.ctx || modules.length === 0) return;
    const times = fileTimes(modules, this.ctx.config.root);
    const shown = times.slice(0, this.count);
    const all = times.reduce((sum, t) => sum + t.totalMs, 0);
    const lines = [
      '',
      ` Slowest ${shown.length} of ${times.length} test files (setup + import + tests, in their worker; all files: ${(all / 1000).toFixed(1)} s):`,
      ...shown.map(
        (t) =>
          `${seconds(t.totalMs)}  ${t.file}  [${t.project}]  import ${(t.collectMs / 1000).toFixed(1)} s`,
      ),
      '',
    ];
    this.ctx.logger.log(lines.join('\n'));
  }
}
