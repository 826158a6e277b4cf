import type { Root } from 'mdast';
import remarkParse from 'remark-parse';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { collectImages } from '../src/collect.js';

const parse = (markdown: string) => unified().use(remarkParse).parse(markdown) as Root;
const stringify = (tree: Root) => unified().use(remarkStringify).stringify(tree);

const point = (place: unknown) => {
  const p = place as { start?: { line: number; column: number }; line?: number; column?: number };
  return p.start ? `${p.start.line}:${p.start.column}` : `${p.line}:${p.column}`;
};

describe('collectImages', () => {
  const markdown = [
    '# Title', // 1
    '', // 2
    'Text ![alt one](./a.png "Title A") and ![](b.jpg).', // 3
    '', // 4
    '![ref image][logo] and again ![logo]', // 5
    '', // 6
    '[link only][site] ![no definition][missing]', // 7
    '', // 8
    '<div><img src="c.png" alt="C"> <img data-src="d.png"></div>', // 9
    '', // 10
    '[logo]: ./logo.png "Logo title"', // 11
    '[site]: https://example.com', // 12
  ].join('\n');

  it('finds image, imageReference (through its definition) and html <img> with positions', () => {
    const sites = collectImages(parse(markdown));
    expect(sites.occurrences.map((o) => [o.syntax, o.src, point(o.place)])).toEqual([
      ['image', './a.png', '3:6'],
      ['image', 'b.jpg', '3:40'],
      ['html', 'c.png', '9:6'],
      ['html', 'd.png', '9:32'],
      ['imageReference', './logo.png', '5:1'],
      ['imageReference', './logo.png', '5:30'],
    ]);
  });

  it('rewrites only on commit, keeping alt text and titles, and leaves links alone', () => {
    const tree = parse(markdown);
    const sites = collectImages(tree);
    for (const o of sites.occurrences) o.rewrite(`https://mmbiz.qpic.cn/${o.src.replace(/\W/g, '')}/0`);
    expect(stringify(tree)).toContain('![alt one](./a.png "Title A")');
    sites.commit();
    const out = stringify(tree);
    expect(out).toContain('![alt one](https://mmbiz.qpic.cn/apng/0 "Title A")');
    expect(out).toContain('![](https://mmbiz.qpic.cn/bjpg/0)');
    expect(out).toContain('[logo]: https://mmbiz.qpic.cn/logopng/0 "Logo title"');
    expect(out).toContain('[site]: https://example.com');
    expect(out).toContain('<img src="https://mmbiz.qpic.cn/cpng/0" alt="C">');
    expect(out).toContain('<img src="https://mmbiz.qpic.cn/dpng/0">');
    expect(out).toContain('![ref image][logo]');
  });

  it('leaves occurrences without a rewrite untouched', () => {
    const tree = parse('![a](a.png) ![b](b.png)');
    const sites = collectImages(tree);
    sites.occurrences[1]!.rewrite('B');
    sites.commit();
    expect(stringify(tree).trim()).toBe('![a](a.png) ![b](B)');
  });

  it('reports html images on later lines of a multi-line html node at their own line', () => {
    const tree = parse('Intro\n\n<p>\n  <img src="x.png">\n</p>\n');
    const [occurrence] = collectImages(tree).occurrences;
    expect(point(occurrence?.place)).toBe('4:3');
  });

  it('handles inline html <img> inside a paragraph, at its own column', () => {
    const tree = parse('Some text <img src="inline.png" alt="i"> and more.\n');
    const sites = collectImages(tree);
    expect(sites.occurrences.map((o) => [o.syntax, o.src, point(o.place)])).toEqual([
      ['html', 'inline.png', '1:11'],
    ]);
    sites.occurrences[0]!.rewrite('U');
    sites.commit();
    expect(stringify(tree).trim()).toBe('Some text <img src="U" alt="i"> and more.');
  });

  it('uses the first of duplicate definitions, as CommonMark does', () => {
    const tree = parse('![x][a]\n\n[a]: first.png\n[a]: second.png\n');
    expect(collectImages(tree).occurrences.map((o) => o.src)).toEqual(['first.png']);
  });

  it('maps html <img> positions inside blockquotes and lists onto the file', () => {
    const markdown =
      '> <div>\n>   <img src="quoted.png">\n> </div>\n\n- item\n\n  <p>\n    <img src="listed.png">\n  </p>\n';
    const tree = parse(markdown);
    expect(collectImages(tree, markdown).occurrences.map((o) => [o.src, point(o.place)])).toEqual([
      ['quoted.png', '2:5'],
      ['listed.png', '8:5'],
    ]);
  });
});
