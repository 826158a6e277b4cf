/**
 * Wall time of the GitHub Action's steps on the example post (`examples/hello/post.md`, three images and a
 * cover), first push (draft created, every image uploaded) and second push (the post changed: draft updated,
 * images from the committed cache), against the baseline of the same CLI run directly
 * (`node packages/cli/dist/bin.js <post> --draft --json`) on the same repository state.
 *
 * The action runs through test/support/action-harness.ts with the published `@md2wx/cli` from a local
 * Verdaccio (test/support/local-registry.ts) and the sandbox as WeChat. Median of `--runs` (default 3) fresh
 * blog repositories. The install step is reported too: cold (empty npm cache, the first repository) and warm
 * (the npm cache an `actions/cache` hit restores, a new `$RUNNER_TEMP`).
 *
 * Build first (`npm run build`: the registry publishes dist/). Needs the public npm registry (the uplink).
 *
 *   npx tsx --conditions=@md2wx/source bench/action/run-step.ts [--runs 3]
 */
import { execFile } from 'node:child_process';
import { appendFile, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_ACCOUNT, startSandbox } from '@md2wx/sandbox';
import { runAction } from '../../test/support/action-harness.ts';
import { startLocalRegistry } from '../../test/support/local-registry.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);

function exec(command: string, args: string[], cwd: string, env?: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: env ?? process.env, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr || error.message}`));
        else resolve(stdout.trim());
      },
    );
  });
}
const git = (cwd: string, ...args: string[]) =>
  exec('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args], cwd);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const runnerPath = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((dir) => !dir.includes(`${path.sep}node_modules${path.sep}`))
  .join(path.delimiter);

const work = await mkdtemp(path.join(tmpdir(), 'md2wx-bench-action-'));
const registry = await startLocalRegistry();
const sandbox = await startSandbox();
const samples = {
  installCold: 0,
  installWarm: [] as number[],
  run: [[], []] as number[][],
  direct: [[], []] as number[][],
};
try {
  await registry.publishWorkspace();
  const env = { ...registry.env, PATH: runnerPath, WECHAT_BASE_URL: sandbox.url };
  const cliEnv = {
    PATH: runnerPath,
    HOME: process.env.HOME ?? '/tmp',
    CI: '1',
    WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
    WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret,
    WECHAT_BASE_URL: sandbox.url,
  };
  const bin = path.join(root, 'packages/cli/dist/bin.js');

  for (let i = 0; i < runs; i++) {
    // Two identical blogs: one for the action, one for the direct CLI (each its own drafts and caches).
    const blogs: string[] = [];
    for (const name of [`action-${i}`, `direct-${i}`]) {
      const remote = path.join(work, `${name}.git`);
      const checkout = path.join(work, name);
      await git(work, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
      await git(work, 'clone', '--quiet', remote, checkout);
      await git(checkout, 'checkout', '--quiet', '-B', 'main');
      await mkdir(path.join(checkout, 'posts/hello'), { recursive: true });
      await cp(path.join(root, 'examples/hello/post.md'), path.join(checkout, 'posts/hello/post.md'));
      await cp(path.join(root, 'examples/hello/images'), path.join(checkout, 'posts/hello/images'), {
        recursive: true,
      });
      await git(checkout, 'add', '-A');
      await git(checkout, 'commit', '--quiet', '-m', 'posts');
      await git(checkout, 'push', '--quiet', '-u', 'origin', 'main');
      blogs.push(checkout);
    }
    const [actionBlog, directBlog] = blogs as [string, string];

    for (const push of [0, 1]) {
      let before = '0'.repeat(40);
      if (push === 1) {
        before = await git(actionBlog, 'rev-parse', 'HEAD');
        for (const blog of blogs) {
          await appendFile(path.join(blog, 'posts/hello/post.md'), `\nEdited (${i}).\n`);
          await git(blog, 'commit', '--quiet', '-am', 'edit');
          await git(blog, 'push', '--quiet');
        }
      }
      const run = await runAction({
        actionPath: root,
        workspace: actionBlog,
        inputs: { 'app-id': DEFAULT_ACCOUNT.appId, 'app-secret': DEFAULT_ACCOUNT.appSecret },
        env,
        github: { event: { before }, ref: 'refs/heads/main' },
      });
      if (run.outcome !== 'success') {
        throw new Error(run.steps.map((s) => `${s.name}: ${s.outcome}\n${s.stderr}`).join('\n'));
      }
      const install = run.step('install').durationMs;
      if (i === 0 && push === 0) samples.installCold = install;
      else samples.installWarm.push(install);
      samples.run[push]?.push(run.step('run').durationMs);

      const started = performance.now();
      await exec(process.execPath, [bin, 'posts/hello/post.md', '--draft', '--json'], directBlog, cliEnv);
      samples.direct[push]?.push(performance.now() - started);
      // The direct blog commits its state too, so its second run sees the same state as the action's.
      await git(directBlog, 'add', '-A', '.md2wx');
      await git(directBlog, 'commit', '--quiet', '-m', 'state');
    }
  }
} finally {
  await sandbox.close();
  await registry.close();
  await rm(work, { recursive: true, force: true });
}

const ms = (x: number) => `${x.toFixed(0)} ms`;
console.log(`md2wx action on examples/hello/post.md — median of ${runs} (wall time, milliseconds)\n`);
console.log('| push | action "Run md2wx" step | direct `md2wx --draft` (baseline) | ratio |');
console.log('| --- | ---: | ---: | ---: |');
for (const [push, label] of ['first (draft created)', 'second (draft updated)'].entries()) {
  const run = median(samples.run[push] as number[]);
  const direct = median(samples.direct[push] as number[]);
  console.log(`| ${label} | ${ms(run)} | ${ms(direct)} | ${(run / direct).toFixed(2)} |`);
}
console.log(
  `\ninstall step (npm install -g @md2wx/cli from the local registry): cold cache ${ms(samples.installCold)}, ` +
    `warm cache median ${ms(median(samples.installWarm))} (${samples.installWarm.length} runs)`,
);
