import { describe, expect, it } from 'vitest';
import { findHtmlImages, rewriteHtmlImages } from '../src/html-img.js';

describe('findHtmlImages', () => {
  it('finds src, data-src and the largest srcset candidate', () => {
    const html = [
      '<p align="center">',
      '<img src="a.png" alt="A">',
      '<img data-src=\'lazy.jpg\' src="placeholder.gif">',
      '<img src="small.png" srcset="small.png 480w, big.png 1600w, mid.png 800w">',
      '<img srcset="one.png, two.png 2x, three.png 1.5x">',
      '</p>',
    ].join('\n');
    const found = findHtmlImages(html);
    expect(found.map((img) => [img.src, img.from, img.line, img.column])).toEqual([
      ['a.png', 'src', 2, 1],
      ['lazy.jpg', 'data-src', 3, 1],
      ['big.png', 'srcset', 4, 1],
      ['two.png', 'srcset', 5, 1],
    ]);
  });

  it('ignores images inside comments and img tags without any source', () => {
    const html = '<!-- <img src="commented.png"> --><img alt="no source"><IMG SRC="upper.png">';
    expect(findHtmlImages(html).map((img) => img.src)).toEqual(['upper.png']);
  });

  it('handles > inside attribute values and unquoted attributes', () => {
    const html = '<img title="a > b" src=plain.png>';
    const [img] = findHtmlImages(html);
    expect(img?.src).toBe('plain.png');
    expect(img?.column).toBe(1);
  });
});

describe('rewriteHtmlImages', () => {
  it('replaces src in place and keeps every other byte', () => {
    const html = '<p>before <img class="x" src="a.png" alt="A &amp; B" title=\'t\'> after</p>';
    const [img] = findHtmlImages(html);
    const out = rewriteHtmlImages(html, [
      { img: img!, url: 'https://mmbiz.qpic.cn/a/0?wx_fmt=png&from=appmsg' },
    ]);
    expect(out).toBe(
      '<p>before <img class="x" src="https://mmbiz.qpic.cn/a/0?wx_fmt=png&amp;from=appmsg" alt="A &amp; B" title=\'t\'> after</p>',
    );
  });

  it('adds src when only data-src / srcset exist and drops data-src, srcset and sizes', () => {
    const html =
      '<img data-src="lazy.png" alt="x"><img srcset="s.png 1x, l.png 2x" sizes="50vw" src="s.png">';
    const images = findHtmlImages(html);
    const out = rewriteHtmlImages(html, [
      { img: images[0]!, url: 'U1' },
      { img: images[1]!, url: 'U2' },
    ]);
    expect(out).toBe('<img src="U1" alt="x"><img src="U2">');
    expect(findHtmlImages(out).map((img) => img.src)).toEqual(['U1', 'U2']);
  });

  it('escapes quotes so a URL cannot break out of the attribute', () => {
    const html = '<img src="a.png">';
    const [img] = findHtmlImages(html);
    expect(rewriteHtmlImages(html, [{ img: img!, url: 'x"onerror="y' }])).toBe(
      '<img src="x&quot;onerror=&quot;y">',
    );
  });
});
