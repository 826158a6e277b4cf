/**
 * A throwaway npm registry for tests: Verdaccio on 127.0.0.1 (a free port), storage in a temp dir, the
 * public npm registry as its uplink for every package except `@md2wx/*`, which only ever comes from what
 * `publishWorkspace()` published (anonymous publish is allowed for that scope and nothing else).
 *
 * Verdaccio runs in a child process, not in the test process: callers may then block on `execFileSync`
 * (`npm i …` against this registry) without freezing the registry's event loop.
 *
 * ```ts
 * const registry = await startLocalRegistry();
 * try {
 *   await registry.publishWorkspace(); // the caller builds first (turbo run build)
 *   execFileSync('npm', ['i', '@md2wx/cli'], { cwd: project, env: npmEnv(registry) });
 * } finally {
 *   await registry.close();
 * }
 * ```
 *
 * Verdaccio docs: https://verdaccio.org/docs/configuration (config), https://verdaccio.org/docs/verdaccio-programmatically
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (test/support → two levels up). */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface LocalRegistryOptions {
  /**
   * Folder for the registry's storage, config, npmrc and npm cache. Default: a new temp dir, removed by
   * `close()`. A given folder is kept; publishing the same versions into it twice fails (EPUBLISHCONFLICT).
   */
  dir?: string;
  /** Uplink for everything outside `@md2wx/*`. Default: https://registry.npmjs.org/. */
  uplink?: string;
}

export interface LocalRegistry {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  /**
   * Environment for npm subprocesses that must use this registry and nothing of the user's npm setup:
   * `npm_config_registry`, `npm_config_userconfig` (a temp .npmrc holding a throwaway token for this
   * registry only) and `npm_config_cache` (a cache under the registry's folder). Spread it over `process.env`.
   */
  env: Record<string, string>;
  /**
   * Publishes every public (non-private) workspace package with `npm publish --workspaces`. Builds nothing:
   * the caller builds `dist/` first. Rejects with npm's output when a publish fails.
   */
  publishWorkspace(): Promise<void>;
  /** Stops Verdaccio (waits for the process to exit) and removes the temp dir it created. Idempotent. */
  close(): Promise<void>;
}

// Runs in the child: start Verdaccio from a config file, listen on a free port, report it on stdout.
const SERVER_SCRIPT = `
const { runServer } = require(process.argv[1]);
runServer(process.argv[2]).then((app) => {
  const server = app.listen(0, '127.0.0.1', () => {
    process.stdout.write('md2wx-registry-listening ' + server.address().port + '\\n');
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The parent died without close(): do not outlive it.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}, (error) => {
  console.error(error);
  process.exit(1);
});
`;

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Starts Verdaccio on 127.0.0.1 on a free port (see the module docstring).
 * @throws Error when Verdaccio exits or does not report its port within 60 s (its output is in the message).
 */
export async function startLocalRegistry(options: LocalRegistryOptions = {}): Promise<LocalRegistry> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'md2wx-registry-')));
  await mkdir(dir, { recursive: true });
  const configFile = path.join(dir, 'config.json');
  // Verdaccio reads YAML; JSON is YAML.
  const config = {
    storage: path.join(dir, 'storage'),
    auth: { htpasswd: { file: path.join(dir, 'htpasswd'), max_users: -1 } },
    uplinks: {
      npmjs: { url: options.uplink ?? 'https://registry.npmjs.org/', timeout: '60s', maxage: '30m' },
    },
    packages: {
      '@md2wx/*': { access: '$all', publish: '$all', unpublish: '$all' },
      '**': { access: '$all', publish: '$authenticated', proxy: 'npmjs' },
    },
    max_body_size: '200mb',
    web: { enable: false },
    log: { type: 'stdout', format: 'pretty', level: 'error' },
  };
  await writeFile(configFile, JSON.stringify(config, null, 2));

  const verdaccioMain = createRequire(path.join(repoRoot, 'package.json')).resolve('verdaccio');
  const child = spawn(process.execPath, ['-e', SERVER_SCRIPT, verdaccioMain, configFile], {
    cwd: dir,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => children.delete(child));

  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('did not report its port within 60 s')), 60_000);
    function fail(error: Error) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`local registry: Verdaccio ${error.message}\n${output}`));
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /md2wx-registry-listening (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code, signal) => fail(new Error(`exited (${signal ?? code}) before listening`)));
  });

  const url = `http://127.0.0.1:${port}/`;
  const userconfig = path.join(dir, 'npmrc');
  // Anonymous publish is allowed for @md2wx/*, but npm refuses to publish without some credential.
  await writeFile(
    userconfig,
    [
      `registry=${url}`,
      `//127.0.0.1:${port}/:_authToken=md2wx-local-registry-throwaway`,
      'fund=false',
      'audit=false',
      'update-notifier=false',
      '',
    ].join('\n'),
  );
  const env: Record<string, string> = {
    npm_config_registry: url,
    npm_config_userconfig: userconfig,
    npm_config_cache: path.join(dir, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };

  let closed: Promise<void> | undefined;
  return {
    url,
    env,
    async publishWorkspace() {
      await run(
        'npm',
        ['publish', '--workspaces', '--registry', url, '--tag', 'latest', '--access', 'public'],
        {
          cwd: repoRoot,
          env: npmEnv({ env }),
        },
      );
    },
    close() {
      closed ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }
        if (ownsDir) await rm(dir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}

/**
 * The public (non-private) workspace packages: `{ name, dir }` for each packages/* folder whose package.json
 * has no `"private": true`.
 */
export async function publicWorkspacePackages(): Promise<{ name: string; dir: string }[]> {
  const root = path.join(repoRoot, 'packages');
  const result: { name: string; dir: string }[] = [];
  for (const entry of (await readdir(root)).sort()) {
    const file = path.join(root, entry, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(await readFile(file, 'utf8')) as { name: string; private?: boolean };
    if (!manifest.private) result.push({ name: manifest.name, dir: path.join(root, entry) });
  }
  return result;
}

/**
 * A full environment for an npm subprocess against `registry`: process.env without the `npm_*` settings a
 * surrounding `npm test` injects (its prefix, cache and userconfig would override the registry's), then
 * `registry.env`, then `extra`.
 */
export function npmEnv(
  registry: Pick<LocalRegistry, 'env'>,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^npm_/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...registry.env, ...extra };
}

function run(command: string, args: string[], options: { cwd: string; env: Record<string, string> }) {
  return new Promise<string>((resolve, reject) => {
    execFile(
      command,
      args,
      { ...options, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`${command} ${args.join(' ')} failed in ${options.cwd}:\n${stdout}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}
