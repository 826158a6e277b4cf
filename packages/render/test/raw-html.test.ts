import { readFileSync } from 'node:fs';
import path from 'node:path';
import { corpusDir } from '@md2wx/testkit';
import rehypeRaw from 'rehype-raw';
import rehypeStringify from 'rehype-stringify';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { isSelfContained, rehypeRawFast } from '../src/raw-html.js';
import { corpusPosts } from './corpus-posts.js';

const via = (plugin: unknown, md: string) =>
  String(
    unified()
      .use(remarkParse)
      .use(remarkGfm)
      .use(remarkRehype, { allowDangerousHtml: true })
      .use(plugin as never)
      .use(rehypeStringify)
      .processSync(md),
  );

describe('raw HTML fast path', () => {
  it('recognises self-contained chunks', () => {
    expect(isSelfContained('<div class="x"><img src="a.png"><br></div>')).toBe(true);
    expect(isSelfContained('<!-- more -->')).toBe(true);
    expect(isSelfContained('<kbd>')).toBe(false);
    expect(isSelfContained('</center>')).toBe(false);
    expect(isSelfContained('<tr><td>x</td></tr>')).toBe(false);
    expect(isSelfContained('<table><tr><td>x</td></tr></table>')).toBe(true);
    expect(isSelfContained('<!-- open')).toBe(false);
  });

  const inputs = [
    '<div class="caption">A <b>b</b></div>\n\ntext <!-- c --> more\n',
    'Press <kbd>Ctrl</kbd> now\n\n<center>x</center>\n',
    '<table>\n<tr><td>1</td></tr>\n</table>\n',
    'a <img src="x.png" alt="y"> b<br/>c\n',
    // Opening and closing chunks with Markdown between them (paired without rehype-raw).
    'Press <kbd>Ctrl</kbd>+<kbd>*C*</kbd>, <span style="color:red">**red** `x`</span>\n',
    '<center>\n\n![a](a.png)\n\n*caption*\n\n</center>\n\ntext\n',
    '<center>\n    <img src="a.png">\n\n![b](b.png)\n\n</center>\n',
    '| a | b |\n| - | - |\n| <center>![x](x.png)</center> | <u>y</u> |\n',
    '- <div>item *one*</div>\n- <sup>2</sup> and <sub>*i*</sub>\n',
    'nested <span>a <span>b</span> c</span> <b>x</b>\n',
    '<abbr title="Avenue">Ave</abbr>.</p>\n',
    // Cases the pairing must leave to rehype-raw (its tree is different from a plain wrap).
    'a <center>b</center> c\n',
    'a <a href="x">[link](y) b</a>\n',
    '<dl>\n<dt>t</dt>\n\n*d*\n\n</dl>\n',
    '<span>a\n\nb</span>\n',
    'x <kbd>open only\n',
    'x </kbd> close only\n',
    '<div>\n\n- a\n\n</span>\n',
  ];
  for (const md of inputs) {
    it(`gives the same tree as rehype-raw for ${JSON.stringify(md.slice(0, 30))}`, () => {
      expect(via(rehypeRawFast, md)).toBe(via(rehypeRaw, md));
    });
  }
});

describe('raw HTML fast path over the corpus', () => {
  it('gives the same tree as rehype-raw for every corpus post', () => {
    const posts = corpusPosts();
    expect(posts.length).toBeGreaterThan(20);
    for (const p of posts) {
      const md = readFileSync(path.join(corpusDir(), p), 'utf8');
      // rehype-raw writes GFM's boolean footnote markers as `=""`; md2wx's footnote pass replaces
      // those elements either way, so that spelling is the one difference allowed.
      const full = via(rehypeRaw, md).replace(/(data-footnotes?(?:-ref)?)=""/g, '$1');
      expect(via(rehypeRawFast, md), p).toBe(full);
    }
  });
});
