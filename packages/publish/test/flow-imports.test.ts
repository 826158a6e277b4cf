/**
 * Issue 17: an unchanged post's re-run must start without the renderer, the image tools or cacache. The CLI
 * imports `@md2wx/publish/flow`; this follows every static (value) import from it through the workspace's
 * sources and checks none of those packages is reached before a post needs them (they load by `import()`).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const packages = path.resolve(import.meta.dirname, '../..');
const HEAVY = [
  '@md2wx/render',
  '@md2wx/images',
  '@md2wx/remark-wechat-images',
  'cacache',
  'sharp',
  'unified',
];

/** Static value imports and re-exports of a TypeScript file (not `import type`, not `import()`). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?'([^']+)';/gms)) {
    const statement = m[0];
    // `export type { … } from` and `import { type A, type B } from` bring in no value.
    if (/^export\s+type\b/.test(statement)) continue;
    const names = /\{([^}]*)\}/.exec(statement)?.[1];
    if (names && /^\s*import\s*\{/.test(statement) && names.split(',').every((n) => /^\s*(type\s|$)/.test(n)))
      continue;
    found.push(m[1] as string);
  }
  return found;
}

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const reached = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) {
        visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
        continue;
      }
      if (spec.startsWith('node:')) continue;
      reached.add(spec);
      const workspace = /^@md2wx\/([^/]+)(?:\/(.+))?$/.exec(spec);
      if (workspace) {
        const src = path.join(packages, workspace[1] as string, 'src', `${workspace[2] ?? 'index'}.ts`);
        if (existsSync(src)) visit(src);
      }
    }
  };
  visit(entry);
  return reached;
}

describe('@md2wx/publish/flow', () => {
  it('reaches neither the renderer, the image tools nor cacache by static imports', () => {
    const reached = reachable(path.join(packages, 'publish/src/flow.ts'));
    // It does reach what a re-run needs (the WeChat client): the walk follows workspace packages.
    expect(reached).toContain('@md2wx/wechat');
    expect(reached).toContain('got');
    expect(HEAVY.filter((name) => reached.has(name))).toEqual([]);
  });

  it('opens @md2wx/cache (loaded by the result cache) without cacache: reads go through pointers', () => {
    const reached = reachable(path.join(packages, 'cache/src/index.ts'));
    expect(reached).toContain('safe-stable-stringify');
    expect(reached).not.toContain('cacache');
  });

  it('is what the main entry reaches the renderer through (so the walk can see it)', () => {
    expect(reachable(path.join(packages, 'publish/src/index.ts'))).toContain('@md2wx/render');
  });
});
