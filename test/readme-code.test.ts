/**
 * Every ```ts / ```js code block of every README.md (the root, packages/*, examples/*) compiles as written.
 *
 * Each block becomes a module in a temp folder inside the repository (so `@md2wx/*` and their dependencies
 * resolve from the workspace, through the `@md2wx/source` condition), then one `tsc` run type-checks them all
 * with the repository's strict settings; an error is reported at its README file:line.
 *
 * A block that is deliberately a fragment (a signature, a shape) is skipped when the line right before its
 * fence is `<!-- md2wx:no-check -->`. Use it sparingly: a runnable block is worth more to a reader.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The marker that exempts the next code block. */
const NO_CHECK = '<!-- md2wx:no-check -->';

const LANGS: Record<string, 'ts' | 'js'> = {
  ts: 'ts',
  typescript: 'ts',
  mts: 'ts',
  js: 'js',
  javascript: 'js',
  mjs: 'js',
};

interface Block {
  readme: string;
  /** 1-based line of the block's first code line in the README. */
  line: number;
  lang: 'ts' | 'js';
  code: string;
  skipped: boolean;
}

/** The ```ts/```js blocks of a Markdown text, with their first code line. */
function codeBlocks(readme: string, markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i] as string);
    if (!open) continue;
    const fence = open[2] as string;
    let end = i + 1;
    while (end < lines.length && !(lines[end] as string).trimStart().startsWith(fence)) end++;
    const lang = LANGS[(open[3] as string).toLowerCase()];
    if (lang) {
      let before = i - 1;
      while (before >= 0 && (lines[before] as string).trim() === '') before--;
      blocks.push({
        readme,
        line: i + 2,
        lang,
        code: lines.slice(i + 1, end).join('\n'),
        skipped: before >= 0 && (lines[before] as string).trim() === NO_CHECK,
      });
    }
    i = end;
  }
  return blocks;
}

async function readmes(): Promise<string[]> {
  const found = [path.join(repoRoot, 'README.md')];
  for (const parent of ['packages', 'examples']) {
    for (const entry of (await readdir(path.join(repoRoot, parent))).sort()) {
      const file = path.join(repoRoot, parent, entry, 'README.md');
      if (existsSync(file)) found.push(file);
    }
  }
  return found;
}

describe('codeBlocks', () => {
  it('finds ts/js blocks with their line, and honours the no-check marker', () => {
    const md = [
      '# x',
      '```ts',
      'const a = 1;',
      '```',
      '',
      NO_CHECK,
      '',
      '```js',
      'b',
      '```',
      '```sh',
      'ls',
      '```',
    ].join('\n');
    expect(codeBlocks('x.md', md)).toEqual([
      { readme: 'x.md', line: 3, lang: 'ts', code: 'const a = 1;', skipped: false },
      { readme: 'x.md', line: 9, lang: 'js', code: 'b', skipped: true },
    ]);
  });
});

describe('README code blocks compile', () => {
  let dir: string;
  const blocks: (Block & { file: string })[] = [];
  let errors: string[] = [];

  beforeAll(async () => {
    // Inside the repository so workspace packages resolve; removed afterwards (git-ignored meanwhile).
    await mkdir(path.join(repoRoot, 'test/.tmp'), { recursive: true });
    dir = await mkdtemp(path.join(repoRoot, 'test/.tmp/readme-blocks-'));
    for (const readme of await readmes()) {
      const relative = path.relative(repoRoot, readme);
      for (const block of codeBlocks(relative, await readFile(readme, 'utf8'))) {
        if (block.skipped) continue;
        const slug = relative.replace(/[/.]/g, '_');
        const file = path.join(dir, `${slug}_L${block.line}.${block.lang === 'ts' ? 'mts' : 'mjs'}`);
        // `export {}` keeps each block its own module even when it imports nothing.
        await writeFile(file, `${block.code}\nexport {};\n`);
        blocks.push({ ...block, file });
      }
    }
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: path.join(repoRoot, 'tsconfig.base.json'),
        compilerOptions: {
          noEmit: true,
          allowJs: true,
          checkJs: true,
          allowImportingTsExtensions: true,
          declaration: false,
          declarationMap: false,
          sourceMap: false,
          // Blocks show APIs; a name they declare and do not use is fine.
          noUnusedLocals: false,
        },
        include: ['*.mts', '*.mjs'],
      }),
    );
    errors = await new Promise<string[]>((resolve) => {
      execFile(
        process.execPath,
        [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir, '--pretty', 'false'],
        { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
        (_error, stdout) => resolve(stdout.split('\n').filter((l) => /error TS\d+/.test(l))),
      );
    });
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('every README has its blocks found (the extraction is not silently empty)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    expect(blocks.some((b) => b.readme === 'README.md')).toBe(true);
  });

  it('tsc reports no error in any block', () => {
    // `<file>(<line>,<col>): error TS…` → `<README>:<line>:<col> error TS…`
    const located = errors.map((error) => {
      const match = /^(.*?)\((\d+),(\d+)\): (.*)$/.exec(error);
      const block = match && blocks.find((b) => path.resolve(dir, match[1] as string) === b.file);
      if (!match || !block) return error;
      return `${block.readme}:${block.line + Number(match[2]) - 1}:${match[3]} ${match[4]}`;
    });
    expect(located).toEqual([]);
  });
});
