/**
 * A throwaway npm registry for tests: Verdaccio on 127.0.0.1 (the first free one of a few fixed ports, else any
 * free port), storage in a temp dir, the
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
import cacache from 'cacache';

/** The repository root (test/support → two levels up). */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Where every registry of this repository keeps what outlives one test file (issue 17: a developer's second
 * `npm test` should not download the same 300 MiB again): the npm cache its `env` points npm at, and Verdaccio's
 * copies of the packages it proxied from the uplink. Under node_modules/.cache, so a clean clone (CI) starts
 * empty and pays the cold downloads once per run; `@md2wx/*` never lands here (see `dir`).
 */
export const SHARED_CACHE_DIR = path.join(repoRoot, 'node_modules/.cache/md2wx-local-registry');

export interface LocalRegistryOptions {
  /**
   * Folder for the registry's config, npmrc and the `@md2wx/*` packages it holds (its own, so two registries
   * never see each other's publishes). Default: a new temp dir, removed by `close()`. A given folder is kept;
   * publishing the same versions into it twice fails (EPUBLISHCONFLICT).
   */
  dir?: string;
  /**
   * Folder for the npm cache and the proxied uplink packages, shared by every registry that names it. Default:
   * {@link SHARED_CACHE_DIR}. The npm cache is safe under concurrent npm processes (cacache); Verdaccio writes
   * each proxied packument whole, so two registries may share it too.
   */
  cacheDir?: string;
  /** Uplink for everything outside `@md2wx/*`. Default: https://registry.npmjs.org/. */
  uplink?: string;
}

export interface LocalRegistry {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  /**
   * Environment for npm subprocesses that must use this registry and nothing of the user's npm setup:
   * `npm_config_registry`, `npm_config_userconfig` (a temp .npmrc holding a throwaway token for this
   * registry only) and `npm_config_cache` (the shared npm cache under `cacheDir`). Spread it over `process.env`.
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

// Runs in the child: start Verdaccio from a config file, listen on the first free port of a fixed list (else any
// free port), report it on stdout.
const SERVER_SCRIPT = `
const { runServer } = require(process.argv[1]);
const ports = process.argv[3].split(',').map(Number);
runServer(process.argv[2]).then((app) => {
  const listen = (i) => {
    const server = app.listen(ports[i] ?? 0, '127.0.0.1');
    server.once('listening', () => {
      process.stdout.write('md2wx-registry-listening ' + server.address().port + '\\n');
      const stop = () => server.close(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    server.once('error', (error) => {
      if (error.code === 'EADDRINUSE' && i < ports.length) listen(i + 1);
      else {
        console.error(error);
        process.exit(1);
      }
    });
  };
  listen(0);
  // The parent died without close(): do not outlive it.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}, (error) => {
  console.error(error);
  process.exit(1);
});
`;

/**
 * Ports a registry tries first. npm's cache keys a packument by its URL and stores its content by hash; the
 * packuments Verdaccio serves name their tarballs by the registry's URL, so on a new port every proxied
 * packument is new content (~130 MB a run, kept forever in the shared cache). On the same few ports they are
 * the same bytes as last time and the cache stays the size of one set.
 */
const PREFERRED_PORTS = Array.from({ length: 8 }, (_, i) => 48_730 + i);

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
  const cacheDir = options.cacheDir ?? SHARED_CACHE_DIR;
  await mkdir(path.join(cacheDir, 'uplink'), { recursive: true });
  const configFile = path.join(dir, 'config.json');
  // Verdaccio reads YAML; JSON is YAML. A package's `storage` is joined under the global one, so the global
  // storage is the shared uplink copy and `@md2wx/*` goes to a folder named for this registry (removed again
  // by close()). Verdaccio's .verdaccio-db.json (its list of local packages and a signing secret this setup
  // never uses: the token below is static) sits in the global storage; each registry starts it afresh, so a
  // half-written one from a killed run cannot lock the next.
  const ownStorage = `own-${path.basename(dir)}-${process.pid}`;
  await rm(path.join(cacheDir, 'uplink', '.verdaccio-db.json'), { force: true });
  await removeOrphanStorages(path.join(cacheDir, 'uplink'));
  const config = {
    storage: path.join(cacheDir, 'uplink'),
    auth: { htpasswd: { file: path.join(dir, 'htpasswd'), max_users: -1 } },
    uplinks: {
      npmjs: { url: options.uplink ?? 'https://registry.npmjs.org/', timeout: '60s', maxage: '30m' },
    },
    packages: {
      '@md2wx/*': { access: '$all', publish: '$all', unpublish: '$all', storage: ownStorage },
      '**': { access: '$all', publish: '$authenticated', proxy: 'npmjs' },
    },
    max_body_size: '200mb',
    web: { enable: false },
    log: { type: 'stdout', format: 'pretty', level: 'error' },
  };
  await writeFile(configFile, JSON.stringify(config, null, 2));

  const verdaccioMain = createRequire(path.join(repoRoot, 'package.json')).resolve('verdaccio');
  const child = spawn(
    process.execPath,
    ['-e', SERVER_SCRIPT, verdaccioMain, configFile, PREFERRED_PORTS.join(',')],
    {
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
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
  // npm's cache keys a packument by its URL. A registry of an earlier run on the same port left its @md2wx
  // packuments there, and with `--prefer-offline` (the Action's install) npm would take one, with the
  // integrity of an earlier build's tarball, which the cache also holds: an old CLI. Forget them.
  const npmCache = path.join(cacheDir, 'npm');
  for (const { name } of await publicWorkspacePackages()) {
    await cacache.rm.entry(
      path.join(npmCache, '_cacache'),
      `make-fetch-happen:request-cache:${url}${name.replace('/', '%2f')}`,
    );
  }
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
    npm_config_cache: npmCache,
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
        await rm(path.join(cacheDir, 'uplink', ownStorage), { recursive: true, force: true });
        if (ownsDir) await rm(dir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}

/**
 * Past {@link NPM_CACHE_LIMIT_KIB}, the shared npm cache starts over (one cold run). It grows by the
 * packuments that change between runs (each run's @md2wx ones, uplink ones refetched after `maxage`): about
 * 20 MB a run on the fixed ports, measured with `du -sm` over two runs. Called by the e2e and distribution
 * projects' global setup (test/support/bound-registry-cache.ts), before any npm of the run uses the cache.
 */
const NPM_CACHE_LIMIT_KIB = 2 * 1024 * 1024;

export async function boundSharedCache(cacheDir: string = SHARED_CACHE_DIR): Promise<void> {
  const npmCache = path.join(cacheDir, 'npm');
  const kib = await new Promise<number>((resolve) => {
    execFile('du', ['-sk', npmCache], (error, stdout) => resolve(error ? 0 : Number(stdout.split(/\s/)[0])));
  });
  if (kib > NPM_CACHE_LIMIT_KIB) await rm(npmCache, { recursive: true, force: true });
}

/** Removes the `own-…-<pid>` folders of registries whose process is gone (a run killed before close()). */
async function removeOrphanStorages(storage: string): Promise<void> {
  for (const entry of await readdir(storage)) {
    const pid = Number(/^own-.*-(\d+)$/.exec(entry)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      await rm(path.join(storage, entry), { recursive: true, force: true });
    }
  }
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
