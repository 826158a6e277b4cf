import { readFileSync } from 'node:fs';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { visibleText } from '@md2wx/wechat';
import { describe, expect, it } from 'vitest';
import { createRenderer, lint } from '../src/index.js';
import { corpusPosts, remarkFakeUpload } from './corpus-posts.js';
import { textOf, tree } from './helpers.js';

/**
 * Limits that describe the post itself rather than the renderer's output, and mermaid blocks, which this
 * package leaves to @md2wx/diagrams (the end-to-end test lints the corpus with diagrams drawn:
 * test/renderer-fields.e2e.test.ts).
 */
const ARTICLE_LIMITS = new Set([
  'size-text',
  'size-bytes',
  'title-length',
  'author-length',
  'digest-length',
  'no-diagram-code',
]);

describe.skipIf(!requireCorpus())('corpus posts', () => {
  const posts = requireCorpus() ? corpusPosts() : [];
  const renderer = createRenderer({ remarkPlugins: [remarkFakeUpload] });

  it('finds the corpus posts', () => {
    expect(posts.length).toBeGreaterThanOrEqual(29);
  });

  it.each(posts)('%s renders with 0 MUST violations of the §14 rules', (post) => {
    const md = readFileSync(corpusPath(post), 'utf8');
    const { html, meta } = renderer.renderSync(md, { filePath: post });
    const msgs = lint(html, { meta });
    const must = msgs.filter((m) => m.fatal === true && !ARTICLE_LIMITS.has(m.ruleId ?? ''));
    expect(must).toEqual([]);
    // Undrawn diagrams are MUST only for the post's mermaid code blocks.
    const mermaidBlocks = (html.match(/<pre\b[^>]*\bdata-lang="mermaid"/g) ?? []).length;
    expect(msgs.filter((m) => m.ruleId === 'no-diagram-code' && m.fatal === true)).toHaveLength(
      mermaidBlocks,
    );
    // The article limits may fire, but only when the post really exceeds them — counted the way
    // the draft check in @md2wx/wechat counts (rule 38: visible text, whitespace collapsed).
    const visible = Array.from(visibleText(html)).length;
    expect(visible).toBe(Array.from(textOf(tree(html)).replace(/\s+/g, ' ').trim()).length);
    const sizeText = msgs.find((m) => m.ruleId === 'size-text');
    expect(Boolean(sizeText)).toBe(visible >= 20_000);
    if (sizeText) expect(sizeText.message).toContain(`${visible} visible characters`);
    expect(msgs.some((m) => m.ruleId === 'size-bytes')).toBe(Buffer.byteLength(html) >= 1_000_000);
    expect(msgs.some((m) => m.ruleId === 'title-length')).toBe(
      !meta.title || Array.from(meta.title).length > 32,
    );
  });

  it('every post stays MUST-clean with the other built-in themes and the code window bar', () => {
    const found: string[] = [];
    for (const theme of ['tech', 'minimal']) {
      const r = createRenderer({ theme, codeWindowBar: true, remarkPlugins: [remarkFakeUpload] });
      for (const post of posts) {
        const { html } = r.renderSync(readFileSync(corpusPath(post), 'utf8'), { filePath: post });
        for (const m of lint(html))
          if (m.fatal === true && !ARTICLE_LIMITS.has(m.ruleId ?? ''))
            found.push(`${theme} ${post}: ${m.message}`);
      }
    }
    expect(found).toEqual([]);
  });
});

interface SpecExample {
  example: number;
  markdown: string;
  html: string;
}

function specExamples(file: string): SpecExample[] {
  const data = JSON.parse(readFileSync(corpusPath(file), 'utf8')) as
    | SpecExample[]
    | { testCases: SpecExample[] };
  return Array.isArray(data) ? data : data.testCases;
}

/** Words of the expected HTML's text (entities decoded, raw-HTML elements WeChat forbids left out). */
function expectedWords(html: string): string[] {
  const t = tree(html.replace(/<(script|style|textarea|iframe|title)\b[\s\S]*?<\/\1>/gi, ''));
  return textOf(t).match(/[\p{L}\p{N}]+/gu) ?? [];
}

function outputText(html: string): string {
  // Alt text moves into captions or stays on the img; formulas keep their TeX in data-formula.
  const extras = [...html.matchAll(/(?:alt|data-formula)="([^"]*)"/g)].map((m) => m[1]).join(' ');
  return `${textOf(tree(html))} ${tree(`<p>${extras}</p>`).children.map(textOf).join(' ')}`;
}

describe.skipIf(!requireCorpus())('CommonMark and GFM spec examples', () => {
  const renderer = createRenderer({ cacheSize: 0, stripTitleHeading: false });
  /**
   * Examples whose text is meant to go: a leading `---` block read as front matter (96/66), an
   * unclosed raw `<style>` (173/142) and GFM-tagfilter tags (657), all removed because WeChat forbids
   * them, and what HTML5 parses as a comment (649).
   */
  const dropped: Record<string, Set<number>> = {
    'spec/commonmark-0.31.2/spec.json': new Set([96, 173]),
    'spec/gfm-0.29/gfm-spec.json': new Set([66, 142, 649, 657]),
  };
  for (const file of ['spec/commonmark-0.31.2/spec.json', 'spec/gfm-0.29/gfm-spec.json']) {
    it(`${file}: every example renders without throwing and its text survives`, () => {
      const examples = requireCorpus() ? specExamples(file) : [];
      expect(examples.length).toBeGreaterThan(600);
      const lost: string[] = [];
      for (const ex of examples) {
        const { html } = renderer.renderSync(ex.markdown.replace(/→/g, '\t'));
        const have = outputText(html);
        const words = expectedWords(ex.html.replace(/→/g, '\t'));
        const missing = words.filter((w) => !have.includes(w));
        if (missing.length && !dropped[file]?.has(ex.example))
          lost.push(`#${ex.example}: ${missing.slice(0, 5).join(' ')}`);
      }
      expect(lost).toEqual([]);
    });
  }
});
