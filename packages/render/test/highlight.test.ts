/**
 * Code highlighting loads highlight.js grammars on demand (src/transforms/code.ts). What must hold: the
 * generated table of grammars, aliases and embedded grammars is what highlight.js declares, and a code block
 * highlights exactly as it did with all of lowlight's common grammars registered up front.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { toHtml } from 'hast-util-to-html';
import { common, createLowlight } from 'lowlight';
import { describe, expect, it } from 'vitest';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { renderSync } from '../src/index.js';
import { highlight } from '../src/transforms/code.js';
import { HIGHLIGHT_LANGUAGES } from '../src/transforms/highlight-languages.js';
import { corpusPosts } from './corpus-posts.js';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const eager = createLowlight(common);

/** The fenced blocks of a Markdown text, as the renderer's parser sees them: language and body. */
function fences(markdown: string): { lang: string; body: string }[] {
  const blocks: { lang: string; body: string }[] = [];
  visit(unified().use(remarkParse).parse(markdown), 'code', (node) => {
    if (node.lang) blocks.push({ lang: node.lang.toLowerCase(), body: node.value });
  });
  return blocks;
}

describe('highlight.js grammars on demand', () => {
  it('the checked-in table is what scripts/highlight-languages.mjs finds in the installed highlight.js', async () => {
    const { languageTable } = (await import(path.join(pkg, 'scripts/highlight-languages.mjs'))) as {
      languageTable(): typeof HIGHLIGHT_LANGUAGES;
    };
    expect(HIGHLIGHT_LANGUAGES).toEqual(languageTable());
    expect(Object.keys(HIGHLIGHT_LANGUAGES).sort()).toEqual(Object.keys(common).sort());
  });

  it('an alias selects its grammar, and an embedded grammar is loaded with its host', () => {
    const html = renderSync(
      '```html\n<style>a { color: red }</style><script>let x = 1;</script>\n```\n',
    ).html;
    // css inside <style> and javascript inside <script> are highlighted: their tokens carry colours.
    expect(html).toMatch(/<span style="[^"]*color[^"]*">let<\/span>/);
    expect(html).toMatch(/<span style="[^"]*color[^"]*">color<\/span>/);
    expect(renderSync('```no-such-language\nlet x = 1;\n```\n').html).not.toMatch(
      /<span style="[^"]*">let<\/span>/,
    );
  });

  describe.skipIf(!requireCorpus())(
    'every fenced block of the corpus highlights as with all grammars loaded',
    () => {
      const blocks = requireCorpus()
        ? corpusPosts().flatMap((post) =>
            fences(readFileSync(corpusPath(post), 'utf8'))
              .filter((b) => eager.registered(b.lang))
              .map((b) => ({ post, ...b })),
          )
        : [];
      it('finds code blocks in languages md2wx highlights', () => {
        expect(blocks.length).toBeGreaterThan(20);
        expect(new Set(blocks.map((b) => b.lang)).size).toBeGreaterThan(5);
      });
      it.each(blocks.map((b, i) => [`${b.post} #${i} (${b.lang})`, b] as const))('%s', (_name, block) => {
        const lazy = highlight(block.lang, block.body);
        expect(lazy).toBeDefined();
        expect(toHtml({ type: 'root', children: lazy ?? [] })).toBe(
          toHtml(eager.highlight(block.lang, block.body)),
        );
      });
    },
  );
});

describe('one highlight.js in an install', () => {
  it("declares highlight.js within lowlight's own range, so npm installs one copy for both", () => {
    const manifest = (file: string) =>
      JSON.parse(readFileSync(file, 'utf8')) as { dependencies: Record<string, string> };
    const ours = manifest(path.join(pkg, 'package.json')).dependencies['highlight.js'] ?? '';
    const lowlightDir = path.dirname(fileURLToPath(import.meta.resolve('lowlight')));
    const theirs = manifest(path.join(lowlightDir, 'package.json')).dependencies['highlight.js'] ?? '';
    // With `^11.11.2` a registry install took highlight.js 11.12.0 for us and nested 11.11.x under lowlight:
    // two copies (9.5 MB), and our grammars registered into the other copy's core. Both are `~major.minor`.
    // @md2wx/cli bundles this package's code and declares highlight.js for it: the same holds there.
    const cli = manifest(path.join(pkg, '../cli/package.json')).dependencies['highlight.js'] ?? '';
    const minor = (range: string) => /^~(\d+\.\d+)\./.exec(range)?.[1];
    expect(minor(ours), ours).toBeDefined();
    expect(minor(ours)).toBe(minor(theirs));
    expect(cli).toBe(ours);
  });
});
