import { createRequire } from 'node:module';
import type { CacheWarning } from '@md2wx/cache';
import { TEX_PACKAGES } from './transforms/math.js';

/**
 * A store of typeset formulas that outlives the process, looked up synchronously while MathJax
 * runs (so `renderSync` can use it). Keys hold the TeX, inline/display and the macros defined
 * before the formula in its article; values are the formula's SVG as hast JSON and MathJax's error.
 * Anything with this shape works (a plain `Map` for tests); {@link createFormulaCache} gives the
 * disk-backed one.
 */
export interface FormulaCache {
  get(key: string): StoredFormula | undefined;
  set(key: string, value: StoredFormula): void;
  /** Writes new entries back; `render()` awaits it after each article, `renderSync` callers call it. */
  save?(): Promise<void>;
}

/** One typeset formula: the `<svg>` as `JSON.stringify` of its hast element (before sizing), and MathJax's error. */
export interface StoredFormula {
  svg?: string;
  error?: string;
}

/** Options of {@link createFormulaCache}. */
export interface FormulaCacheOptions {
  /** Cache directory (shared with md2wx's other caches). Default `.md2wx-cache` under `cwd`. */
  dir?: string;
  /** Base for a relative `dir`. Default `process.cwd()`. */
  cwd?: string;
  /** Bound on the cache directory's bytes. Default 64 MiB. */
  maxSize?: number;
  /** Formulas kept (least recently used go first). Default 5000. */
  maxEntries?: number;
  /** Called when a stored table was corrupt (it is dropped and formulas are typeset again). */
  onWarning?: (warning: CacheWarning) => void;
}

/**
 * Bumped when the stored SVG changes for the same TeX (the hast conversion in math.ts): entries of
 * an older layout are then never read, even within one package version.
 */
const FORMAT = 1;

/** The MathJax set-up of transforms/math.ts the output depends on. */
const OUTPUT_OPTIONS = { format: FORMAT, fontCache: 'none', packages: TEX_PACKAGES };

/**
 * Opens the persistent formula cache (TeX + display/inline + macros → SVG) in `.md2wx-cache/`, keyed
 * by the @md2wx/render version, the MathJax version and the output options, so a re-run or another
 * post with the same formula never typesets it again. Pass it as `render(markdown, { formulaCache })`.
 *
 * Reads one table at open (~1 ms per 100 formulas) and writes it back on `save()` when it grew.
 * Never throws for cache trouble: a corrupt table is reported to `onWarning` and starts empty.
 */
export async function createFormulaCache(options: FormulaCacheOptions = {}): Promise<Required<FormulaCache>> {
  // Loaded here: cacache and its fs stack are ~30 ms that a render without the option never pays.
  const { openCache, openTable } = await import('@md2wx/cache');
  const require = createRequire(import.meta.url);
  const { VERSION: mathjax } = require('mathjax-full/js/components/version.js') as { VERSION: string };
  const { version } = require('../package.json') as { version: string };
  const cache = openCache({
    namespace: 'formula',
    version,
    options: { ...OUTPUT_OPTIONS, mathjax },
    ...(options.dir ? { dir: options.dir } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.maxSize ? { maxSize: options.maxSize } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  return openTable<StoredFormula>(cache, 'svg', {
    ...(options.maxEntries ? { maxEntries: options.maxEntries } : {}),
  });
}
