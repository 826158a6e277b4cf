import rehypeRaw from 'rehype-raw';
import rehypeStringify from 'rehype-stringify';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { type Pluggable, unified } from 'unified';
import { describe, expect, it } from 'vitest';
import {
  rehypeWechatCode,
  rehypeWechatFootnotes,
  rehypeWechatFigures,
  rehypeWechatLinks,
  rehypeWechatLists,
  rehypeWechatMath,
  rehypeWechatSanitize,
  rehypeWechatTables,
  rehypeWechatWhitespace,
} from '../src/transforms.js';

/** Runs one transform alone in a plain unified pipeline, as a user composing their own would. */
function run(plugin: Pluggable, md: string): string {
  return String(
    unified()
      .use(remarkParse)
      .use(remarkGfm)
      .use(remarkMath)
      .use(remarkRehype, { allowDangerousHtml: false })
      .use(plugin as never)
      .use(rehypeStringify)
      .processSync(md),
  );
}

describe('each transform works as a standalone rehype plugin', () => {
  it('rehypeWechatLinks', () => {
    expect(run(rehypeWechatLinks, '[a](https://a.com)')).toMatch(
      /<span class="link">a<\/span><sup class="link-ref" data-ref="1">\[1\]<\/sup>/,
    );
  });
  it('rehypeWechatFootnotes', () => {
    const out = run(rehypeWechatFootnotes, 'x[^1]\n\n[^1]: n');
    expect(out).toContain('(1)');
    expect(out).not.toContain('↩');
  });
  it('rehypeWechatLists', () => {
    expect(run(rehypeWechatLists, '- a\n  - b')).toMatch(/<ul><li>a<\/li><ul><li>b<\/li><\/ul><\/ul>/);
  });
  it('rehypeWechatCode', () => {
    expect(run(rehypeWechatCode, '```\na  b\nc\n```')).toContain('a\u00a0\u00a0b<br>c');
  });
  it('rehypeWechatTables', () => {
    expect(run(rehypeWechatTables, '| a |\n|---|\n| b |')).toMatch(
      /<section class="table-wrap" style="max-width:100%;overflow-x:auto/,
    );
  });
  it('rehypeWechatFigures', () => {
    expect(run(rehypeWechatFigures, '![cap](https://mmbiz.qpic.cn/a.png)')).toMatch(
      /<figure class="image"><img[^>]*><figcaption class="caption">cap<\/figcaption><\/figure>/,
    );
  });
  it('rehypeWechatMath', () => {
    expect(run(rehypeWechatMath, '$x$')).toMatch(/<span class="inline-equation" data-formula="x"><svg/);
  });
  it('rehypeWechatSanitize', () => {
    const out = String(
      unified()
        .use(remarkParse)
        .use(remarkRehype, { allowDangerousHtml: true })
        .use(rehypeRaw)
        .use(rehypeWechatSanitize)
        .use(rehypeStringify)
        .processSync('<div id="x" onclick="y()">a</div>\n\n<script>b()</script>\n'),
    );
    expect(out.replace(/\n/g, '')).toBe('<section>a</section>');
  });
  it('rehypeWechatWhitespace', () => {
    expect(run(rehypeWechatWhitespace, 'a\nb\n\n中\n文')).toBe('<p>a b</p><p>中文</p>');
  });
});
