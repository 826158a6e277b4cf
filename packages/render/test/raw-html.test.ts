import rehypeRaw from 'rehype-raw';
import rehypeStringify from 'rehype-stringify';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { isSelfContained, rehypeRawFast } from '../src/raw-html.js';

const via = (plugin: unknown, md: string) =>
  String(
    unified()
      .use(remarkParse)
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
  ];
  for (const md of inputs) {
    it(`gives the same tree as rehype-raw for ${JSON.stringify(md.slice(0, 30))}`, () => {
      expect(via(rehypeRawFast, md)).toBe(via(rehypeRaw, md));
    });
  }
});
