/**
 * The packages' dependency graph (package.json dependencies and the `@md2wx/*` imports in src/) puts
 * @md2wx/publish between the stages (remark-wechat-images, render) and the shells (cli, mcp), with no arrow
 * running back up (issue 18).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '@md2wx/testkit';
import { beforeAll, describe, expect, it } from 'vitest';

/** name → the @md2wx packages it depends on, from its manifest and from its sources. */
type Graph = Map<string, { manifest: Set<string>; imports: Set<string> }>;

const IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)['"](@md2wx\/[a-z0-9-]+)(?:\/[^'"]*)?['"]/g;

async function sourceFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(ts|mts|js|mjs)$/.test(e.name) && !e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

async function graph(): Promise<Graph> {
  const out: Graph = new Map();
  const root = path.join(repoRoot, 'packages');
  for (const entry of (await readdir(root)).sort()) {
    const file = path.join(root, entry, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(await readFile(file, 'utf8')) as {
      name: string;
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    const deps = new Set(
      Object.keys({
        ...manifest.dependencies,
        ...manifest.peerDependencies,
        ...manifest.optionalDependencies,
      }).filter((name) => name.startsWith('@md2wx/')),
    );
    const imports = new Set<string>();
    for (const source of await sourceFiles(path.join(root, entry, 'src'))) {
      for (const match of (await readFile(source, 'utf8')).matchAll(IMPORT)) {
        if (match[1] !== manifest.name) imports.add(match[1] as string);
      }
    }
    out.set(manifest.name, { manifest: deps, imports });
  }
  return out;
}

/** Every package reachable from `name` through manifest dependencies and imports. */
function reachable(g: Graph, name: string): Set<string> {
  const seen = new Set<string>();
  const stack = [name];
  while (stack.length) {
    const node = g.get(stack.pop() as string);
    for (const next of [...(node?.manifest ?? []), ...(node?.imports ?? [])]) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

let g: Graph;
beforeAll(async () => {
  g = await graph();
});

const STAGES = ['@md2wx/wechat', '@md2wx/images', '@md2wx/render', '@md2wx/remark-wechat-images'];
const SHELLS = ['@md2wx/cli', '@md2wx/mcp'];

describe('dependency graph', () => {
  it('reads every package, and every @md2wx import in src/ is a declared dependency', () => {
    expect([...g.keys()]).toEqual(expect.arrayContaining(['@md2wx/publish', '@md2wx/cli', ...STAGES]));
    for (const [name, { manifest, imports }] of g) {
      const undeclared = [...imports].filter((dep) => !manifest.has(dep) && dep !== '@md2wx/testkit');
      expect({ name, undeclared }).toEqual({ name, undeclared: [] });
    }
  });

  it('publish sits on the stages: it depends on render and remark-wechat-images', () => {
    const publish = g.get('@md2wx/publish');
    expect([...(publish?.manifest ?? [])]).toEqual(
      expect.arrayContaining(['@md2wx/render', '@md2wx/remark-wechat-images', '@md2wx/wechat']),
    );
  });

  it('the shells sit on publish', () => {
    for (const shell of SHELLS.filter((name) => g.has(name))) {
      expect({ shell, publish: g.get(shell)?.manifest.has('@md2wx/publish') }).toEqual({
        shell,
        publish: true,
      });
    }
  });

  it('no arrow runs back up: stages never reach publish or a shell, publish never reaches a shell', () => {
    for (const stage of STAGES) {
      const up = [...reachable(g, stage)].filter((dep) => dep === '@md2wx/publish' || SHELLS.includes(dep));
      expect({ stage, up }).toEqual({ stage, up: [] });
    }
    const fromPublish = [...reachable(g, '@md2wx/publish')].filter((dep) => SHELLS.includes(dep));
    expect(fromPublish).toEqual([]);
  });

  it('has no cycle', () => {
    for (const name of g.keys())
      expect({ name, cyclic: reachable(g, name).has(name) }).toEqual({ name, cyclic: false });
  });
});
