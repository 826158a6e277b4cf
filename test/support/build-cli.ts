/**
 * Global setup of the e2e project: builds @md2wx/cli and the packages it depends on with turbo, so that the
 * CLI the tests start (packages/cli/dist/bin.js, see test/cli-runner.ts) is the code in src/. When nothing
 * changed since the last build (always so under `npm test`, whose pretest builds), turbo restores from its
 * cache in about a second. Skipped with `MD2WX_CLI_FROM_SOURCE=1`, which runs the CLI from src/ through tsx.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default async function buildCli(): Promise<void> {
  if (process.env.MD2WX_CLI_FROM_SOURCE === '1') return;
  const turbo = path.join(repoRoot, 'node_modules/.bin/turbo');
  try {
    await promisify(execFile)(
      turbo,
      ['run', 'build', '--filter=@md2wx/cli...', '--output-logs=errors-only'],
      {
        cwd: repoRoot,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `the e2e tests run the built CLI, and \`turbo run build --filter=@md2wx/cli...\` failed; fix the build, or run the CLI from src/ with MD2WX_CLI_FROM_SOURCE=1:\n${stdout}${stderr}`,
    );
  }
}
