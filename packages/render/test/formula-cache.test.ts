import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CacheWarning } from '@md2wx/cache';
import { corpusPath } from '@md2wx/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMathCache, createFormulaCache, type FormulaCache, render } from '../src/index.js';

/** Posts with inline and display math, a macro, a tagged equation and a TeX error. */
const OWN = `# Formulas

Inline $E = mc^2$ and $\\frac{a}{b}$, then $x^2$。

$$
\\newcommand{\\R}{\\mathbb{R}}
f: \\R \\to \\R
$$

$$
\\int_0^1 x^2\\,dx = \\frac13 \\tag{1}
$$

$$
\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}
$$

Broken: $\\frac{1}{$.
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'md2wx-formulas-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Counts what the persistent cache served. */
function counting(store: FormulaCache) {
  const counts = { hits: 0, misses: 0 };
  const counted: FormulaCache = {
    get(key) {
      const v = store.get(key);
      if (v) counts.hits++;
      else counts.misses++;
      return v;
    },
    set: (key, value) => store.set(key, value),
    save: () => store.save?.() ?? Promise.resolve(),
  };
  return { counted, counts };
}

async function posts(): Promise<string[]> {
  const corpus = await readFile(
    corpusPath('markdown/doocs-md/apps/web/src/assets/example/markdown.en-US.md'),
    'utf8',
  ).catch(() => undefined);
  return corpus ? [OWN, corpus] : [OWN];
}

describe('createFormulaCache', () => {
  it('gives byte-identical HTML to a cold typeset and serves every formula of a re-run from disk', async () => {
    for (const [i, markdown] of (await posts()).entries()) {
      const own = join(dir, String(i));
      clearMathCache();
      const cold = await render(markdown, { cacheSize: 0 });
      clearMathCache();
      const first = counting(await createFormulaCache({ dir: own }));
      const filled = await render(markdown, { cacheSize: 0, formulaCache: first.counted });
      expect(filled.html).toBe(cold.html);
      expect(first.counts.hits).toBe(0);
      // A new process: nothing in memory, a fresh table read from disk.
      clearMathCache();
      const second = counting(await createFormulaCache({ dir: own }));
      const warm = await render(markdown, { cacheSize: 0, formulaCache: second.counted });
      expect(warm.html).toBe(cold.html);
      expect(warm.file.messages.map(String)).toEqual(cold.file.messages.map(String));
      // Every lookup hit: MathJax typeset nothing (the macro definition is never looked up).
      expect(second.counts.misses).toBe(0);
      expect(second.counts.hits).toBeGreaterThan(0);
    }
  });

  it('serves a second post the formulas a first post typeset', async () => {
    clearMathCache();
    await render(OWN, { cacheSize: 0, formulaCache: await createFormulaCache({ dir }) });
    clearMathCache();
    const other = 'Energy: $E = mc^2$, new: $y = ax + b$.\n';
    const cold = await render(other, { cacheSize: 0 });
    clearMathCache();
    const second = counting(await createFormulaCache({ dir }));
    expect((await render(other, { cacheSize: 0, formulaCache: second.counted })).html).toBe(cold.html);
    expect(second.counts).toEqual({ hits: 1, misses: 1 });
  });

  it('ignores a corrupt table with a warning, typesets again and rewrites it', async () => {
    clearMathCache();
    const cold = await render(OWN, { cacheSize: 0 });
    clearMathCache();
    await render(OWN, { cacheSize: 0, formulaCache: await createFormulaCache({ dir }) });
    // cacache keeps each content blob as one file under content-v2/ (the table is the only entry).
    const files = (await readdir(join(dir, 'content-v2'), { recursive: true, withFileTypes: true })).filter(
      (e) => e.isFile(),
    );
    expect(files).toHaveLength(1);
    await writeFile(join(files[0]?.parentPath as string, files[0]?.name as string), '[]');
    clearMathCache();
    const warnings: CacheWarning[] = [];
    const reopened = counting(await createFormulaCache({ dir, onWarning: (w) => warnings.push(w) }));
    expect(warnings.map((w) => w.code)).toEqual(['cache/corrupt']);
    const rebuilt = await render(OWN, { cacheSize: 0, formulaCache: reopened.counted });
    expect(rebuilt.html).toBe(cold.html);
    expect(reopened.counts.hits).toBe(0);
    clearMathCache();
    const third = counting(await createFormulaCache({ dir }));
    expect((await render(OWN, { cacheSize: 0, formulaCache: third.counted })).html).toBe(cold.html);
    expect(third.counts.misses).toBe(0);
  });

  it('keys a formula by the macros defined before it in the article', async () => {
    const a = '$$\n\\newcommand{\\V}{\\mathbf{v}}\n$$\n\n$\\V$\n';
    const b = '$$\n\\newcommand{\\V}{\\vec{v}}\n$$\n\n$\\V$\n';
    clearMathCache();
    const coldB = await render(b, { cacheSize: 0 });
    clearMathCache();
    const store = await createFormulaCache({ dir });
    await render(a, { cacheSize: 0, formulaCache: store });
    clearMathCache();
    expect((await render(b, { cacheSize: 0, formulaCache: await createFormulaCache({ dir }) })).html).toBe(
      coldB.html,
    );
  });
});
