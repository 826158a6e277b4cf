import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusDir, corpusPath, hasCorpus, requireCorpus } from '../src/index.js';

describe('corpus location', () => {
  it('honours MD2WX_CORPUS relative to the repository root', () => {
    const saved = process.env.MD2WX_CORPUS;
    try {
      process.env.MD2WX_CORPUS = '../somewhere/else';
      expect(corpusDir()).toMatch(/somewhere[/\\]else$/);
      expect(hasCorpus()).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.MD2WX_CORPUS;
      else process.env.MD2WX_CORPUS = saved;
    }
  });

  it('fails instead of skipping when MD2WX_REQUIRE_CORPUS=1 and the corpus is missing', () => {
    const saved = { ...process.env };
    try {
      process.env.MD2WX_CORPUS = '/nonexistent/corpus';
      process.env.MD2WX_REQUIRE_CORPUS = '1';
      expect(() => requireCorpus()).toThrow(/SKIPPED.*MD2WX_REQUIRE_CORPUS=1/s);
      process.env.MD2WX_REQUIRE_CORPUS = '0';
      expect(requireCorpus()).toBe(false);
    } finally {
      process.env = saved;
    }
  });

  describe.skipIf(!requireCorpus())('with the corpus', () => {
    it('finds the manifest and real files', () => {
      expect(readFileSync(corpusPath('MANIFEST.md'), 'utf8')).toContain('Markdown posts');
      expect(() => corpusPath('images/does-not-exist.png')).toThrow(/corpus file not found/);
    });
  });
});
