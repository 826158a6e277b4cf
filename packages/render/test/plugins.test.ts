import rehypeRaw from 'rehype-raw';
import rehypeStringify from 'rehype-stringify';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { type Pluggable, unified } from 'unified';
import { VFile } from 'vfile';
import { describe, expect, it } from 'vitest';
import { createRenderer, lint, rehypeWechat } from '../src/index.js';
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

describe('rehypeWechat: the whole WeChat half as one rehype plugin', () => {
  const ssg = (theme?: string) =>
    unified()
      .use(remarkParse)
      .use(remarkGfm)
      .use(remarkMath)
      .use(remarkRehype)
      .use(rehypeWechat, theme ? { theme } : {})
      // The renderer's serialiser settings: `'` unescaped in font stacks.
      .use(rehypeStringify, {
        allowDangerousCharacters: true,
        characterReferences: { useNamedReferences: false },
      });
  const md = '## Title\n\nSee [docs](https://example.com) and $x^2$.\n\n![chart](chart.svg)\n';

  it('gives one styled root section with links as references and math as SVG, and lints MUST-clean', () => {
    const file = ssg('tech').processSync(new VFile({ path: 'post.md', value: md }));
    const html = String(file);
    expect(html).toMatch(/^<section style="[^"]+">/);
    expect(html).not.toMatch(/class=|var\(/);
    expect(html).toMatch(/<sup[^>]*>\[1\]<\/sup>/);
    expect(html).toMatch(/<svg[^>]*viewBox/);
    expect(lint(html).filter((m) => m.fatal && m.ruleId !== 'img-on-mmbiz')).toEqual([]);
    // Same theme, same output as the renderer's own pipeline.
    expect(html).toBe(createRenderer({ theme: 'tech', cacheSize: 0 }).renderSync(md).html);
  });

  it('reports on the file as vfile messages, where vfile-reporter reads them', () => {
    const file = ssg().processSync(new VFile({ path: 'post.md', value: md }));
    const svg = file.messages.find((m) => m.ruleId === 'render/svg-image');
    expect(svg).toMatchObject({ source: 'md2wx', fatal: false, file: 'post.md', line: 5, column: 1 });
    expect(svg?.reason).toContain('chart.svg');
    expect(svg?.note).toMatch(/PNG/);
    expect(String(svg)).toMatch(/^post\.md:5:1-5:20: SVG image chart\.svg/);
  });

  it('throws on an unknown theme when attached', () => {
    expect(() => ssg('nope').freeze()).toThrow(/unknown theme "nope"/);
  });
});

describe('messages: one shape for renderer, plugins and linter', () => {
  it("the renderer's and a remark plugin's messages are on result.file, in the order they were made", () => {
    const plugin = () => (_tree: unknown, file: VFile) => {
      file.message('from a plugin', { source: 'my-plugin', ruleId: 'x' });
    };
    const r = createRenderer({ cacheSize: 0, remarkPlugins: [plugin] }).renderSync(
      '---\ntitle: [\n---\n\n![a](a.svg)\n',
      { filePath: 'p.md' },
    );
    expect(r.file.path).toBe('p.md');
    expect(r.file.messages.map((m) => `${m.source}:${m.ruleId}@${m.line}`)).toEqual([
      'md2wx:render/frontmatter@2',
      'my-plugin:x@undefined',
      'md2wx:render/svg-image@5',
    ]);
    expect(r.file.messages.every((m) => m.file === 'p.md')).toBe(true);
  });

  it('lint records on a vfile of the HTML: MUST is fatal, SHOULD a warning', () => {
    const file = new VFile({ path: 'post.html', value: '<section><div class="a">x</div></section>' });
    const found = lint(file);
    expect(file.messages).toEqual(found);
    expect(found.map((m) => [m.ruleId, m.fatal, m.file])).toEqual([
      ['no-div', true, 'post.html'],
      ['no-class', false, 'post.html'],
    ]);
    expect(lint('<section><div>x</div></section>')[0]?.file).toBe('');
  });
});
