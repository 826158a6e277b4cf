/**
 * Distribution end-to-end (issue 14): the workspace packages published to a local Verdaccio and installed the
 * way users install them, in empty temp directories outside the repository:
 * (a) `npm i -g @md2wx/cli --prefix …`, and the installed `md2wx` pushes examples/hello to the embedded sandbox;
 * (b) the remark plugin's README: its install line in an empty project, then its usage block, run as written
 *     against a sandbox (WECHAT_* variables) and type-checked against the installed types;
 * (c) `npx @md2wx/cli --help`;
 * (e) `npm i @md2wx/mcp` in an empty project, and its `md2wx-mcp` pushes a draft for an MCP client over stdio.
 *
 * Needs the built dist/ of every package (`npm test`'s pretest builds; else `npx turbo run build`). One
 * registry and one publish serve every case. The install timings and size are printed (issue 14's closing note).
 * (d), `npm link` from a clone, is link.e2e.test.ts: it rebuilds packages/cli/dist, which this file publishes.
 */
import { cp, lstat, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_ACCOUNT, type Sandbox, startSandbox } from '@md2wx/sandbox';
import { repoRoot } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalRegistry,
  npmEnv,
  publicWorkspacePackages,
  startLocalRegistry,
} from './support/local-registry.js';
import { expectOk, run, userEnv } from './support/user-commands.js';

/** Bytes under a folder, as `du -sk` counts them (1 KiB blocks). */
async function duKiB(dir: string): Promise<number> {
  const result = await run('du', ['-sk', dir], { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
  return Number(result.stdout.split(/\s/)[0]);
}

/** The fenced blocks of a Markdown text with their info string. */
function fencedBlocks(markdown: string): { lang: string; code: string }[] {
  return [...markdown.matchAll(/^```(\w*)[^\n]*\n([\s\S]*?)^```/gm)].map((m) => ({
    lang: m[1] as string,
    code: m[2] as string,
  }));
}

const HELLO = path.join(repoRoot, 'examples/hello');
const figures: string[] = [];
let registry: LocalRegistry;
let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  for (const { dir } of await publicWorkspacePackages()) {
    const built = await stat(path.join(dir, 'dist/index.js')).catch(() => undefined);
    if (!built)
      throw new Error(`${dir}/dist is missing: build first (npx turbo run build --output-logs=errors-only)`);
  }
  work = await mkdtemp(path.join(tmpdir(), 'md2wx-registry-e2e-'));
  registry = await startLocalRegistry({ dir: path.join(work, 'registry') });
  sandbox = await startSandbox();
  const started = performance.now();
  await registry.publishWorkspace();
  figures.push(`publish every public package: ${Math.round(performance.now() - started)} ms`);
}, 180_000);

afterAll(async () => {
  await registry?.close();
  await sandbox?.close();
  if (work) await rm(work, { recursive: true, force: true });
  if (figures.length) console.log(`\nregistry e2e figures:\n  ${figures.join('\n  ')}\n`);
});

describe('published to a local registry', () => {
  it('every public package is there at the workspace version, and no @md2wx package comes from the uplink', async () => {
    for (const { name, dir } of await publicWorkspacePackages()) {
      const { version } = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
        version: string;
      };
      // The packument, as npm reads it (https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md).
      const response = await fetch(new URL(encodeURIComponent(name).replace('%40', '@'), registry.url));
      expect(response.status, name).toBe(200);
      const packument = (await response.json()) as {
        versions: Record<string, { dist: { tarball: string } }>;
      };
      expect(Object.keys(packument.versions), name).toEqual([version]);
      expect(packument.versions[version]?.dist.tarball.startsWith(registry.url), name).toBe(true);
    }
    const privatePackage = await fetch(new URL('@md2wx%2ftestkit', registry.url));
    expect(privatePackage.status).toBe(404);
  });

  it('(a) npm i -g @md2wx/cli; the installed md2wx pushes examples/hello to the sandbox as a draft', async () => {
    // The npm cache and Verdaccio's uplink copies are the repository's shared ones (local-registry.ts): cold on
    // a clean clone, warm on a developer's second run. `bench/install` measures a cold install apart.
    const prefix = path.join(work, 'global');
    const install = await run('npm', ['i', '-g', '@md2wx/cli', '--prefix', prefix], {
      cwd: work,
      env: npmEnv(registry),
      timeoutMs: 300_000,
    });
    expectOk(install, 'npm i -g @md2wx/cli');
    figures.push(`npm i -g @md2wx/cli (shared npm cache): ${(install.ms / 1000).toFixed(1)} s`);
    figures.push(
      `installed size (du -sk ${path.basename(prefix)}): ${((await duKiB(prefix)) / 1024).toFixed(0)} MiB`,
    );

    // Installed from tarballs, not linked to the workspace; nothing of src/ was published.
    const installed = path.join(prefix, 'lib/node_modules/@md2wx/cli');
    expect((await stat(installed)).isDirectory()).toBe(true);
    await expect(stat(path.join(installed, 'src'))).rejects.toThrow(/ENOENT/);

    const blog = path.join(work, 'blog');
    await cp(path.join(HELLO, 'post.md'), path.join(blog, 'post.md'));
    await cp(path.join(HELLO, 'images'), path.join(blog, 'images'), { recursive: true });
    const md2wx = path.join(prefix, 'bin/md2wx');
    const push = await run(md2wx, ['post.md', '--sandbox', '--draft'], { cwd: blog, env: userEnv() });
    expectOk(push, 'md2wx post.md --sandbox --draft');
    expect(push.stdout + push.stderr).toContain('draft created');
    expect(push.stdout).toMatch(/^media_id \S+$/m);
    expect(await readFile(path.join(blog, 'out/post.wechat.html'), 'utf8')).toContain('<img');
  }, 600_000);

  it("(b) the remark plugin alone: its README's install line and usage block, as written, against a sandbox", async () => {
    const readme = await readFile(path.join(repoRoot, 'packages/remark-wechat-images/README.md'), 'utf8');
    const usage = readme.slice(readme.indexOf('\n## Install\n'));
    const blocks = fencedBlocks(usage);
    const installLine = blocks.find((b) => b.lang === 'sh')?.code.trim() ?? '';
    const program = blocks.find((b) => b.lang === 'ts')?.code ?? '';
    expect(installLine).toMatch(/^npm i @md2wx\/remark-wechat-images( [@\w/-]+)*$/);
    expect(program).toContain("from '@md2wx/remark-wechat-images'");

    const project = path.join(work, 'plugin-only');
    await mkdir(project, { recursive: true });
    await writeFile(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'plugin-only', private: true, type: 'module' }),
    );
    const install = await run('npm', installLine.split(/\s+/).slice(1), {
      cwd: project,
      env: npmEnv(registry),
      timeoutMs: 300_000,
    });
    expectOk(install, installLine);
    figures.push(`${installLine}: ${(install.ms / 1000).toFixed(1)} s`);
    const plugin = await lstat(path.join(project, 'node_modules/@md2wx/remark-wechat-images'));
    expect(plugin.isSymbolicLink()).toBe(false);

    // The README's posts/hello.md: examples/hello with its images.
    await cp(path.join(HELLO, 'post.md'), path.join(project, 'posts/hello.md'));
    await cp(path.join(HELLO, 'images'), path.join(project, 'posts/images'), { recursive: true });
    await writeFile(path.join(project, 'usage.mts'), program);

    // Type-checked against the published declarations (the repository's tsc and @types/node only).
    await writeFile(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [path.join(repoRoot, 'node_modules/@types')],
        },
        files: ['usage.mts'],
      }),
    );
    const tsc = await run(
      process.execPath,
      [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', '.'],
      {
        cwd: project,
        env: userEnv(),
      },
    );
    expectOk(tsc, 'tsc on the README usage block');

    const before = Object.values(sandbox.stats().uploads).reduce((a, b) => a + b, 0);
    const tsx = pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
    const usageRun = await run(process.execPath, ['--import', tsx, 'usage.mts'], {
      cwd: project,
      env: userEnv({
        WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
        WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret,
        WECHAT_BASE_URL: sandbox.url,
      }),
    });
    expectOk(usageRun, 'the README usage block');
    const markdown = usageRun.stdout;
    const srcs = [...markdown.matchAll(/!\[[^\]]*\]\((\S+)/g)].map((m) => m[1] as string);
    expect(srcs).toHaveLength(3);
    for (const src of srcs) expect(src.startsWith(sandbox.url) || src.includes(sandbox.imageHost)).toBe(true);
    expect(Object.values(sandbox.stats().uploads).reduce((a, b) => a + b, 0) - before).toBe(3);
    const state = JSON.parse(await readFile(path.join(project, 'posts/.md2wx-images.json'), 'utf8')) as {
      entries: Record<string, unknown>;
    };
    expect(Object.keys(state.entries)).toHaveLength(3);
  }, 600_000);

  it('(c) npx @md2wx/cli --help', async () => {
    const empty = path.join(work, 'npx');
    await mkdir(empty, { recursive: true });
    // npx keeps what it installed under the npm cache's _npx and runs it again while it satisfies the spec: an
    // earlier run's @md2wx/cli 0.1.0, not the one just published. Without it, npx installs afresh (from the
    // shared cache's tarballs, so only the published @md2wx packages come from this run).
    await rm(path.join(registry.env.npm_config_cache as string, '_npx'), { recursive: true, force: true });
    const help = await run('npx', ['--yes', '@md2wx/cli', '--help'], {
      cwd: empty,
      env: npmEnv(registry, { NO_COLOR: '1' }),
      timeoutMs: 300_000,
    });
    expectOk(help, 'npx @md2wx/cli --help');
    expect(help.stdout).toMatch(/Usage: md2wx /);
    expect(help.stdout).toContain('--draft');
    figures.push(`npx --yes @md2wx/cli --help: ${(help.ms / 1000).toFixed(1)} s`);
  }, 300_000);

  it('(e) npm i @md2wx/mcp: the installed md2wx-mcp lists its tools and pushes a draft over stdio', async () => {
    const project = path.join(work, 'mcp-only');
    await mkdir(project, { recursive: true });
    await writeFile(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'mcp-only', private: true, type: 'module' }),
    );
    const install = await run('npm', ['i', '@md2wx/mcp'], {
      cwd: project,
      env: npmEnv(registry),
      timeoutMs: 300_000,
    });
    expectOk(install, 'npm i @md2wx/mcp');
    figures.push(`npm i @md2wx/mcp: ${(install.ms / 1000).toFixed(1)} s`);
    await cp(path.join(HELLO, 'post.md'), path.join(project, 'posts/hello.md'));
    await cp(path.join(HELLO, 'images'), path.join(project, 'posts/images'), { recursive: true });

    const transport = new StdioClientTransport({
      command: path.join(project, 'node_modules/.bin/md2wx-mcp'),
      args: ['--root', project],
      cwd: project,
      env: userEnv({
        WECHAT_APP_ID: DEFAULT_ACCOUNT.appId,
        WECHAT_APP_SECRET: DEFAULT_ACCOUNT.appSecret,
        WECHAT_BASE_URL: sandbox.url,
      }),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'registry-e2e', version: '0.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['render_post', 'lint_post', 'push_draft', 'publish_draft']);
      const result = (await client.callTool({
        name: 'push_draft',
        arguments: { path: 'posts/hello.md' },
      })) as CallToolResult;
      expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
      expect(result.structuredContent).toMatchObject({ action: 'created' });
    } finally {
      await client.close();
    }
  }, 600_000);
});
