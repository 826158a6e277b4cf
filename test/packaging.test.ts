/**
 * Packaging (issue 14): every publishable package is named `@md2wx/…`, packs with what it needs and declares
 * exactly the dependencies its built code imports. Reads the built `dist/` (CI builds before `npm test`;
 * locally run `npx turbo run build` first) and `npm pack --dry-run --json`; builds nothing, so it can run
 * beside tests that use `dist/`.
 *
 * Decisions this test holds:
 * - Public packages: every packages/* except `@md2wx/testkit` (corpus location for this repository's tests).
 * - The `@md2wx/source` export condition stays in published manifests: it points at `src/`, which is not
 *   packed, but it is a private, namespaced condition that only this repository's vitest/tsc configs enable,
 *   so a consumer's Node, TypeScript or bundler never selects it. What must hold (and is checked here) is
 *   that every other condition of every export resolves to a packed file. `test/registry.e2e.test.ts`
 *   shows it in practice: installed from a registry, the packages load and type-check without `src/`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { repoRoot } from '@md2wx/testkit';
import { init, parse } from 'es-module-lexer';
import { beforeAll, describe, expect, it } from 'vitest';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  types?: string;
  bin?: string | Record<string, string>;
  files?: string[];
  exports?: Record<string, Record<string, string> | string>;
  publishConfig?: { access?: string };
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

interface Workspace {
  dir: string;
  manifest: Manifest;
}

const PRIVATE = new Set(['@md2wx/testkit']);
const SOURCE_CONDITION = '@md2wx/source';

async function workspaces(): Promise<Workspace[]> {
  const root = path.join(repoRoot, 'packages');
  const result: Workspace[] = [];
  for (const entry of (await readdir(root)).sort()) {
    const file = path.join(root, entry, 'package.json');
    if (!existsSync(file)) continue;
    result.push({
      dir: path.join(root, entry),
      manifest: JSON.parse(await readFile(file, 'utf8')) as Manifest,
    });
  }
  return result;
}

const all = await workspaces();
const publicPackages = all.filter((w) => !w.manifest.private);

describe('names', () => {
  it('every workspace package is @md2wx/…; only the test-support packages are private', () => {
    for (const { manifest } of all) {
      expect(
        manifest.name,
        `${manifest.name} must be scoped @md2wx/ (the unscoped md2wx is another project)`,
      ).toMatch(/^@md2wx\/[a-z0-9][a-z0-9-]*$/);
      expect(Boolean(manifest.private), `${manifest.name}: private`).toBe(PRIVATE.has(manifest.name));
    }
    expect(publicPackages.map((w) => w.manifest.name)).toEqual(
      expect.arrayContaining(['@md2wx/cli', '@md2wx/mcp']),
    );
  });

  it('no manifest depends on the unscoped `md2wx` or on a private package', () => {
    for (const { manifest } of all) {
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
        for (const dep of Object.keys(manifest[field] ?? {})) {
          expect(dep, `${manifest.name} ${field}`).not.toBe('md2wx');
          expect(PRIVATE.has(dep), `${manifest.name} ${field} has private ${dep}`).toBe(false);
        }
      }
    }
  });

  it('scoped packages publish publicly (npm publishes a scoped package as restricted by default)', () => {
    for (const { manifest } of publicPackages) {
      expect(manifest.publishConfig?.access, manifest.name).toBe('public');
      expect(manifest.engines?.node, manifest.name).toBeTruthy();
    }
  });
});

interface PackResult {
  name: string;
  files: { path: string; mode: number }[];
}

function npmPackDryRun(dir: string): Promise<PackResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'npm',
      ['pack', '--dry-run', '--json', '--ignore-scripts'],
      { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`npm pack --dry-run in ${dir} failed: ${stderr}`));
        else resolve((JSON.parse(stdout) as PackResult[])[0] as PackResult);
      },
    );
  });
}

/** Every file path a manifest points consumers at, with where it was declared. */
function declaredEntryPoints(manifest: Manifest): { where: string; file: string }[] {
  const points: { where: string; file: string }[] = [];
  if (manifest.main) points.push({ where: 'main', file: manifest.main });
  if (manifest.types) points.push({ where: 'types', file: manifest.types });
  const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const [name, file] of Object.entries(bins)) points.push({ where: `bin.${name}`, file });
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (typeof target === 'string') points.push({ where: `exports["${subpath}"]`, file: target });
    else
      for (const [condition, file] of Object.entries(target)) {
        if (condition !== SOURCE_CONDITION)
          points.push({ where: `exports["${subpath}"].${condition}`, file });
      }
  }
  return points.map((p) => ({ ...p, file: path.posix.normalize(p.file) }));
}

describe.each(publicPackages.map((w) => [w.manifest.name, w] as const))(
  '%s packs',
  (_name, { dir, manifest }) => {
    let packed: PackResult;
    let paths: Set<string>;
    beforeAll(async () => {
      if (!existsSync(path.join(dir, 'dist'))) {
        throw new Error(
          `${dir}/dist is missing: build first (npx turbo run build --output-logs=errors-only)`,
        );
      }
      packed = await npmPackDryRun(dir);
      paths = new Set(packed.files.map((f) => f.path));
    });

    it('with package.json, README.md, LICENSE and dist, and nothing of src/ or tests', () => {
      expect(manifest.files).toEqual(['dist']);
      expect(paths.has('package.json')).toBe(true);
      expect(paths.has('README.md')).toBe(true);
      // The manifest says MIT; the licence text must travel with the code.
      expect(paths.has('LICENSE')).toBe(true);
      // Declaration maps would point editors at src/, which is not packed.
      expect([...paths].filter((p) => p.endsWith('.d.ts.map'))).toEqual([]);
      const stray = [...paths].filter((p) => /^(src|test|bench)\//.test(p) || /\.test\.(js|d\.ts)$/.test(p));
      expect(stray).toEqual([]);
    });

    it('with source maps that carry their sources (src/ is not packed)', async () => {
      const maps = [...paths].filter((p) => p.endsWith('.js.map'));
      expect(maps.length).toBeGreaterThan(0);
      for (const map of maps) {
        const { sources, sourcesContent } = JSON.parse(await readFile(path.join(dir, map), 'utf8')) as {
          sources: string[];
          sourcesContent?: (string | null)[];
        };
        expect(sourcesContent?.length, `${map}: sourcesContent (tsconfig.build.json inlineSources)`).toBe(
          sources.length,
        );
        expect(
          sourcesContent?.every((c) => typeof c === 'string' && c.length > 0),
          map,
        ).toBe(true);
      }
    });

    it('main and types repeat the "." export, for resolvers that do not read exports (TypeScript moduleResolution node10)', () => {
      const dot = manifest.exports?.['.'];
      expect(typeof dot === 'object' ? [dot.default, dot.types] : []).toEqual([
        manifest.main,
        manifest.types,
      ]);
    });

    it('with every file its main/types/exports/bin name (the @md2wx/source condition excepted)', () => {
      const points = declaredEntryPoints(manifest);
      expect(points.some((p) => p.where.endsWith('.types') || p.where === 'types')).toBe(true);
      for (const { where, file } of points)
        expect(paths.has(file), `${where} → ${file} is not packed`).toBe(true);
      for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
        if (typeof target === 'string') continue;
        const conditions = Object.keys(target);
        // Node and TypeScript take the first matching condition: the private one first (only our configs
        // enable it), `types` before `default`, `default` last.
        if (conditions.includes(SOURCE_CONDITION)) {
          expect(conditions[0], subpath).toBe(SOURCE_CONDITION);
          expect(target[SOURCE_CONDITION], subpath).toMatch(/^\.\/src\//);
        }
        expect(conditions.at(-1), subpath).toBe('default');
        expect(conditions.indexOf('types'), subpath).toBeLessThan(conditions.indexOf('default'));
      }
    });

    it.runIf(manifest.bin !== undefined)(
      'with an executable bin that starts with #!/usr/bin/env node',
      async () => {
        const bins =
          typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
        for (const [name, file] of Object.entries(bins)) {
          const text = await readFile(path.join(dir, file), 'utf8');
          expect(text.startsWith('#!/usr/bin/env node\n'), `bin ${name}`).toBe(true);
          const entry = packed.files.find((f) => f.path === path.posix.normalize(file));
          // npm packs the file's mode; a 0644 bin breaks `npm link` after a rebuild (see scripts/mark-bins-executable.mjs).
          expect((entry?.mode ?? 0) & 0o111, `bin ${name} (${file}) is not executable in the tarball`).toBe(
            0o111,
          );
        }
      },
    );
  },
);

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** `lodash/fp` → `lodash`, `@scope/pkg/sub` → `@scope/pkg`; undefined for relative, absolute and built-in specifiers. */
function packageOf(specifier: string): string | undefined {
  if (/^[./]/.test(specifier) || specifier.startsWith('node:') || builtins.has(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

async function filesUnder(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Bare packages a built JS file loads: static/dynamic imports and re-exports (es-module-lexer), and `require()`. */
async function jsImports(file: string): Promise<Set<string>> {
  await init;
  const code = await readFile(file, 'utf8');
  const found = new Set<string>();
  const [imports] = parse(code, file);
  for (const entry of imports) {
    const pkg = entry.n === undefined ? undefined : packageOf(entry.n);
    if (pkg) found.add(pkg);
  }
  // createRequire(import.meta.url) loads (e.g. mathjax-full's CommonJS tree), including template literals.
  // …and the call of a fresh one, `createRequire(import.meta.url)('cacache')` (a lazily loaded dependency).
  // A bundle (the CLI's bin) renames a local `require` that would shadow its own to `require2`, `require3`…,
  // and a lazily made one has a name of its own (render's `requireGrammar`).
  for (const match of code.matchAll(
    /(?:\brequire(?:\d+|[A-Z]\w*)?(?:\.resolve)?|\bcreateRequire\([^()]*\))\(\s*['"`]([^'"`$]+)/g,
  )) {
    const pkg = packageOf(match[1] as string);
    if (pkg) found.add(pkg);
  }
  return found;
}

/** Bare packages a declaration file refers to (consumers' type-checking needs them). */
async function dtsImports(file: string): Promise<Set<string>> {
  const code = (await readFile(file, 'utf8')).replace(/\/\*[\s\S]*?\*\//g, '');
  const found = new Set<string>();
  for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
    const pkg = packageOf(match[1] as string);
    if (pkg) found.add(pkg);
  }
  for (const match of code.matchAll(/\/\/\/\s*<reference\s+types="([^"]+)"/g)) {
    const pkg = packageOf(match[1] as string);
    if (pkg) found.add(pkg);
  }
  return found;
}

/** `mdast` → `@types/mdast`, `@scope/pkg` → `@types/scope__pkg`. */
function typesPackageOf(pkg: string): string {
  return `@types/${pkg.startsWith('@') ? pkg.slice(1).replace('/', '__') : pkg}`;
}

describe.each(publicPackages.map((w) => [w.manifest.name, w] as const))(
  '%s declares the dependencies its dist imports',
  (_name, { dir, manifest }) => {
    it('none missing, none unused', async () => {
      const declared = new Set([
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
        ...Object.keys(manifest.optionalDependencies ?? {}),
      ]);
      const runtime = new Set<string>();
      for (const file of await filesUnder(path.join(dir, 'dist'), '.js'))
        for (const p of await jsImports(file)) runtime.add(p);
      const types = new Set<string>();
      for (const file of await filesUnder(path.join(dir, 'dist'), '.d.ts'))
        for (const p of await dtsImports(file)) types.add(p);
      runtime.delete(manifest.name);
      types.delete(manifest.name);

      const missing = [...runtime].filter((p) => !declared.has(p));
      // A type-only import is satisfied by the package itself (it ships types) or its @types package.
      const missingTypes = [...types].filter((p) => !declared.has(p) && !declared.has(typesPackageOf(p)));
      const used = new Set([...runtime, ...types, ...[...types].map(typesPackageOf)]);
      const unused = [...declared].filter((d) => !used.has(d));
      expect({ missing, missingTypes, unused }).toEqual({ missing: [], missingTypes: [], unused: [] });
    });
  },
);
