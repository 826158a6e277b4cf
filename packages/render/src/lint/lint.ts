import type { Element, ElementContent, Root, RootContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { find, html as htmlSchema, svg as svgSchema } from 'property-information';
import { parseStyle } from '../css/declarations.js';
import { ALLOWED_SVG, ALLOWED_TAGS, FORBIDDEN_TAGS } from '../transforms/sanitize.js';
import { VFile } from 'vfile';
import { MESSAGE_SOURCE } from '../transforms/element.js';
import type { RenderMessage, Severity } from '../types.js';
import { RULE_BY_ID } from './rules.js';

/** Options of {@link lint}. */
export interface LintOptions {
  /** Article fields to check against WeChat's limits (title ≤ 32, author ≤ 16, digest ≤ 128 characters). */
  meta?: { title?: string; author?: string; digest?: string };
  /** Extra accepted image URL prefixes besides `https://mmbiz.qpic.cn/` (e.g. a sandbox's `imageHost`). */
  imageHosts?: string[];
}

const SMIL_WHITELIST = new Set([
  'x',
  'y',
  'width',
  'height',
  'cx',
  'cy',
  'opacity',
  'd',
  'points',
  'stroke-width',
  'stroke-linecap',
  'stroke-dashoffset',
  'fill',
  'visibility',
  'translate',
  'scale',
  'rotate',
  'skewx',
  'skewy',
  'path',
]);
const SMIL = new Set(['animate', 'animatetransform', 'animatemotion', 'set']);
const TEXT_BLOCKS = new Set(['p', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'td', 'th', 'figcaption']);
const STRUCTURE = new Set(['ul', 'ol', 'table', 'thead', 'tbody', 'tr']);
const MATH_MARKUP = new Set(['mjx-container', 'mjx-assistive-mml', 'math', 'annotation', 'semantics']);
const NBSP = '\u00a0';
const REF = /^\[(\d+)\]$/;
const ENTRY = /^\s*\[(\d+)\]/;

interface Ctx {
  file: VFile;
  messages: RenderMessage[];
  options: LintOptions;
}

/**
 * Records one finding on the file. The documented severity mapping: a MUST rule gives `fatal: true`
 * (vfile-reporter's "error": WeChat rejects or mangles the article), a SHOULD rule `fatal: false` (a warning).
 */
function add(
  ctx: Ctx,
  id: string,
  reason: string,
  node?: { position?: RootContent['position'] },
  fix?: string,
  severity?: Severity,
): void {
  const message = ctx.file.message(reason, {
    ...(node?.position ? { place: node.position } : {}),
    ruleId: id,
    source: MESSAGE_SOURCE,
  });
  message.fatal = (severity ?? RULE_BY_ID.get(id)?.severity ?? 'must') === 'must';
  if (fix) message.note = fix;
  ctx.messages.push(message);
}

function attr(node: Element, name: string, space: 'html' | 'svg' = 'html'): string | undefined {
  const prop = name === 'class' ? 'className' : find(space === 'svg' ? svgSchema : htmlSchema, name).property;
  const v = node.properties[prop];
  if (v === undefined || v === null || v === false) return undefined;
  if (Array.isArray(v)) return v.join(' ');
  return v === true ? '' : String(v);
}

function text(node: Root | RootContent): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element' || node.type === 'root') return node.children.map(text).join('');
  return '';
}

function styleOf(node: Element): string {
  const s = node.properties.style;
  return typeof s === 'string' ? s : '';
}

function hasDecl(style: string, prop: RegExp, value: RegExp): boolean {
  return parseStyle(style).some((d) => prop.test(d.prop) && value.test(d.value));
}

function checkStyle(ctx: Ctx, node: Element, isRoot: boolean, mathSvg: boolean): void {
  const style = styleOf(node);
  if (!style) return;
  const decls = parseStyle(style);
  const tag = `<${node.tagName}>`;
  if (/var\(/i.test(style) || decls.some((d) => d.prop.startsWith('--'))) {
    add(
      ctx,
      'no-css-variables',
      `${tag} style uses a CSS variable: ${style.slice(0, 80)}`,
      node,
      'Resolve variables to literal values.',
    );
  }
  const fn = /\b(color-mix|oklch|oklab|lab|lch|light-dark|env|attr)\(/i.exec(style);
  if (fn) add(ctx, 'no-unresolved-colors', `${tag} style uses ${fn[1]}()`, node, 'Use hex or rgb() colours.');
  for (const d of decls) {
    if (/^(position|top|left|right|bottom|z-index)$/.test(d.prop)) {
      add(
        ctx,
        'no-positioning',
        `${tag} style declares \`${d.prop}\`, which WeChat strips`,
        node,
        'Use margins or transform.',
      );
    }
    if (/^(float|animation.*|transition.*)$/.test(d.prop)) {
      add(ctx, 'plain-declarations', `${tag} style declares \`${d.prop}\``, node);
    }
    if (d.important && !(mathSvg && d.prop === 'max-width')) {
      add(
        ctx,
        'no-important',
        `${tag} style uses !important on \`${d.prop}\``,
        node,
        'Drop !important: it defeats dark mode.',
      );
    }
    if (/\d(\.\d+)?rem\b/.test(d.value) || /calc\(/i.test(d.value)) {
      add(ctx, 'safe-units', `${tag} \`${d.prop}: ${d.value}\` uses rem or calc()`, node, 'Use px, em or %.');
    }
    if (isRoot && /^(padding|background)/.test(d.prop)) {
      add(
        ctx,
        'root-no-padding-background',
        `outermost ${tag} declares \`${d.prop}\`; the editor strips it`,
        node,
        'Move it onto the children.',
      );
    }
  }
  const chunks = style.split(';').filter((c) => c.trim());
  if (style.includes('@') || chunks.some((c) => !c.includes(':') && !/\(/.test(c))) {
    add(ctx, 'plain-declarations', `${tag} style is not a plain declaration list`, node);
  }
  for (const m of style.matchAll(/url\(\s*['"]?([^'")\s]*)/gi)) {
    const url = m[1] ?? '';
    if (!url.startsWith('https://mmbiz.qpic.cn/')) {
      add(
        ctx,
        'url-on-mmbiz',
        `${tag} style has url(${url.slice(0, 60)}) outside mmbiz.qpic.cn`,
        node,
        'Upload the image to WeChat or drop it.',
      );
    } else {
      add(ctx, 'url-on-mmbiz', `${tag} style uses url(); avoid background images`, node, undefined, 'should');
    }
  }
}

/**
 * Lints an article HTML fragment against the 38 rules of docs/wechat-html-rules.md (see {@link RULES}) and the
 * article limits of `draft/add` (https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Add_draft.html).
 *
 * `input` is the HTML, or a vfile whose `value` is the HTML (its `path` names the file in messages);
 * with a vfile the findings are also recorded on `file.messages`, so `vfile-reporter` prints them.
 * Returns the findings of this call as vfile messages (see `RenderMessage`): `ruleId` the rule id,
 * `source` `'md2wx'`, `fatal: true` for a MUST rule (publishing must refuse) and `false` for a SHOULD
 * rule, `place` the 1-based line/column in the HTML, `note` the fix when one is known. Never throws on
 * bad HTML.
 *
 * @example lint('<div>x</div>')[0] // → { ruleId: 'no-div', source: 'md2wx', fatal: true, line: 1, column: 1, … }
 */
export function lint(input: string | VFile, options: LintOptions = {}): RenderMessage[] {
  const file = typeof input === 'string' ? new VFile({ value: input }) : input;
  const html = file.toString();
  const ctx: Ctx = { file, messages: [], options };
  const tree = fromHtml(html, { fragment: true });
  const hosts = ['https://mmbiz.qpic.cn/', ...(options.imageHosts ?? [])];
  const firstElement = tree.children.find((c): c is Element => c.type === 'element');
  const bodyRefs: { n: number; node: Element; order: number }[] = [];
  const entries: { n: number; node: Element; order: number }[] = [];
  let order = 0;

  const visit = (node: Element, ancestors: Element[]) => {
    order++;
    const tag = node.tagName.toLowerCase();
    const parent = ancestors[ancestors.length - 1];
    const inSvg = ancestors.some((a) => a.tagName.toLowerCase() === 'svg') || tag === 'svg';
    const inPre = ancestors.some((a) => a.tagName === 'pre');
    // Tags
    if (FORBIDDEN_TAGS.has(tag))
      add(ctx, 'no-forbidden-tags', `<${tag}> is not allowed in a WeChat article`, node, 'Remove it.');
    else if (tag === 'div') add(ctx, 'no-div', '<div> found; the editor mangles it', node, 'Use <section>.');
    else if (MATH_MARKUP.has(tag))
      add(ctx, 'math-as-svg', `<${tag}> math markup found`, node, 'Render math to SVG.');
    else if (inSvg) {
      if (!ALLOWED_SVG.has(tag))
        add(
          ctx,
          'svg-elements',
          `<${node.tagName}> inside SVG is dropped by WeChat`,
          node,
          'Flatten it into paths.',
        );
    } else if (!ALLOWED_TAGS.has(tag))
      add(ctx, 'allowed-tags', `<${tag}> is not in WeChat's tag allow-list`, node, 'Use section/span.');
    // Attributes
    for (const key of Object.keys(node.properties)) {
      const name = find(inSvg ? svgSchema : htmlSchema, key).attribute.toLowerCase();
      if (name === 'id' || name.startsWith('on'))
        add(ctx, 'no-id-or-handlers', `<${tag}> has a \`${name}\` attribute`, node, 'Remove it.');
      if (name === 'class' && !inSvg)
        add(
          ctx,
          'no-class',
          `<${tag}> has a class; WeChat strips it`,
          node,
          'Inline the styles and remove the class.',
        );
      if (inSvg) {
        const value = String(node.properties[key]);
        if (
          value.includes('url(#') ||
          /^(marker-start|marker-mid|marker-end|clip-path|mask|filter|href|xlink:href)$/.test(name)
        ) {
          add(
            ctx,
            'svg-no-references',
            `<${node.tagName}> uses \`${name}\`, which WeChat drops`,
            node,
            'Bake it into plain shapes.',
          );
        }
      }
    }
    const cls = attr(node, 'class') ?? '';
    if (/katex-mathml/.test(cls)) add(ctx, 'math-as-svg', 'KaTeX MathML found', node, 'Render math to SVG.');
    const mathSvg =
      tag === 'svg' &&
      (ancestors.some((a) => attr(a, 'data-formula') !== undefined) || /:\s*-?[\d.]+ex/.test(styleOf(node)));
    checkStyle(ctx, node, node === firstElement, mathSvg);
    // Structure
    if (STRUCTURE.has(tag)) {
      for (const c of node.children) {
        if (c.type === 'text' && c.value.trim() === '' && c.value) {
          add(
            ctx,
            'no-whitespace-in-structure',
            `whitespace text directly inside <${tag}>`,
            c,
            'Remove whitespace between items/rows/cells.',
          );
        }
      }
    }
    if (tag === 'ul' || tag === 'ol') {
      if (ancestors.some((a) => a.tagName === 'li'))
        add(ctx, 'list-nesting', `<${tag}> inside <li>`, node, 'Make the sub-list a sibling of its item.');
      const depth = ancestors.filter((a) => a.tagName === 'ul' || a.tagName === 'ol').length + 1;
      if (depth > 2)
        add(
          ctx,
          'list-nesting',
          `list nested ${depth} levels deep (WeChat keeps 2)`,
          node,
          'Flatten to two levels.',
        );
    }
    if (tag === 'p' && parent?.tagName === 'li')
      add(ctx, 'no-p-in-li', '<p> directly inside <li>', node, 'Unwrap the paragraph.');
    if (tag === 'table') {
      const wrap = [...ancestors].reverse().find((a) => a.tagName === 'section');
      const s = wrap ? styleOf(wrap) : '';
      if (!wrap || !hasDecl(s, /^overflow(-x)?$/, /auto|scroll/) || !hasDecl(s, /^max-width$/, /^100%$/)) {
        add(
          ctx,
          'table-scroll',
          '<table> is not inside a scrolling section',
          node,
          'Wrap it in <section style="max-width:100%;overflow-x:auto">.',
        );
      }
    }
    // Links
    if (tag === 'a') {
      const href = attr(node, 'href');
      if (href === undefined || !/^https?:\/\/mp\.weixin\.qq\.com(\/|$|\?)/i.test(href)) {
        add(
          ctx,
          'links-mp-only',
          `link to ${href ?? '(no href)'} will be refused by WeChat`,
          node,
          'Turn it into text with a [n] reference.',
        );
      }
      if (href && /^#(user-content-)?fn/.test(href))
        add(ctx, 'no-footnote-backrefs', `footnote link ${href}`, node, 'Use plain <sup> notes.');
    }
    if (attr(node, 'data-footnote-backref') !== undefined || (tag === 'a' && text(node).trim() === '↩')) {
      add(ctx, 'no-footnote-backrefs', 'footnote back-reference found', node, 'Remove it.');
    }
    if (tag === 'sup') {
      const m = REF.exec(text(node).trim());
      if (m) bodyRefs.push({ n: Number(m[1]), node, order });
    }
    if (
      (tag === 'p' || tag === 'li') &&
      !node.children.some((c) => c.type === 'element' && c.tagName === 'sup')
    ) {
      const m = ENTRY.exec(text(node));
      if (m) entries.push({ n: Number(m[1]), node, order });
    }
    // SVG
    const nestedSvg = tag === 'svg' && ancestors.some((a) => a.tagName.toLowerCase() === 'svg');
    if (nestedSvg && /%/.test(`${attr(node, 'width', 'svg') ?? ''}${attr(node, 'height', 'svg') ?? ''}`)) {
      add(ctx, 'svg-size', 'nested <svg> sized in %', node, 'Use user units.');
    }
    // A nested <svg> (MathJax tags, tables) lives in its parent's user units; rule 22 is about the outermost.
    if (tag === 'svg' && !nestedSvg) {
      if (attr(node, 'xmlns') !== 'http://www.w3.org/2000/svg')
        add(ctx, 'svg-size', '<svg> lacks xmlns="http://www.w3.org/2000/svg"', node);
      if (attr(node, 'viewBox', 'svg') === undefined) add(ctx, 'svg-size', '<svg> lacks a viewBox', node);
      const style = styleOf(node);
      const w = attr(node, 'width', 'svg');
      const h = attr(node, 'height', 'svg');
      const styled = hasDecl(style, /^width$/, /./) && hasDecl(style, /^height$/, /./);
      const px = (v: string | undefined) =>
        v !== undefined && /^\d+(\.\d+)?(px)?$/.test(v) && Number.parseFloat(v) <= 677;
      if (!styled && !(px(w) && px(h))) {
        add(
          ctx,
          'svg-size',
          `<svg> size is not explicit (width=${w ?? '-'}, height=${h ?? '-'})`,
          node,
          'Give style width/height (ex for math) or px attributes ≤ 677.',
        );
      }
      if (mathSvg) {
        const g = node.children.find((c): c is Element => c.type === 'element' && c.tagName === 'g');
        const ink = [node, g].some(
          (e) =>
            e && (attr(e, 'fill', 'svg') === 'currentColor' || attr(e, 'stroke', 'svg') === 'currentColor'),
        );
        if (!ink)
          add(
            ctx,
            'math-current-color',
            'math SVG ink is not currentColor',
            node,
            'Set fill/stroke="currentColor" on the root <g>.',
          );
        checkMathSpacing(ctx, node, parent);
      }
    }
    if (SMIL.has(tag)) {
      const key = tag === 'animatetransform' ? attr(node, 'type', 'svg') : attr(node, 'attributeName', 'svg');
      if (!key || !SMIL_WHITELIST.has(key.toLowerCase()))
        add(
          ctx,
          'smil-whitelist',
          `<${node.tagName}> animates \`${key ?? ''}\`, not in WeChat's whitelist`,
          node,
        );
    }
    // Images
    if (tag === 'img') {
      const src = attr(node, 'src') ?? '';
      if (!hosts.some((h) => src.startsWith(h)))
        add(
          ctx,
          'img-on-mmbiz',
          `image ${src.slice(0, 100)} is not on WeChat's servers`,
          node,
          'Upload it with media/uploadimg (md2wx does this when publishing).',
        );
      if (attr(node, 'srcset') !== undefined)
        add(ctx, 'img-on-mmbiz', '<img> has srcset', node, 'Remove srcset.');
      if (attr(node, 'width') !== undefined || attr(node, 'height') !== undefined)
        add(
          ctx,
          'img-max-width',
          '<img> has width/height attributes',
          node,
          'Move the size into style in px.',
        );
      if (!hasDecl(styleOf(node), /^max-width$/, /^100%$/))
        add(ctx, 'img-max-width', '<img> lacks max-width:100%', node);
      if (/\.svg(\?|#|$)|wx_fmt=svg/i.test(src))
        add(ctx, 'no-svg-img', `SVG image ${src.slice(0, 80)}`, node, 'Rasterise it or inline the SVG.');
    }
    // Code
    if (tag === 'pre') checkPre(ctx, node);
    if (
      (tag === 'pre' || tag === 'code') &&
      /(^|\s)(language-)?(mermaid|plantuml)(\s|$)/.test(`${cls} ${attr(node, 'data-lang') ?? ''}`)
    ) {
      // Mermaid is drawn by @md2wx/diagrams (the CLI always uses it): a mermaid block still here means it
      // could not be drawn (no browser, a syntax error). PlantUML has no renderer yet: a warning.
      const mermaid = /mermaid/.test(`${cls} ${attr(node, 'data-lang') ?? ''}`);
      add(
        ctx,
        'no-diagram-code',
        mermaid ? 'mermaid diagram left as a code block' : 'PlantUML diagram left as a code block',
        node,
        mermaid
          ? 'Install Chromium (apt-get install chromium) or set MD2WX_CHROMIUM, and fix any syntax error the renderer reported, so md2wx draws it; or export it as an image.'
          : 'Export the diagram as an image (md2wx does not draw PlantUML).',
        mermaid ? 'must' : 'should',
      );
    }
    if (
      tag === 'span' &&
      inPre &&
      /(^|\s)(hljs-|shiki|token)/.test(cls) &&
      !hasDecl(styleOf(node), /^color$/, /./)
    ) {
      add(ctx, 'code-token-colors', 'token colour only given by a class', node, 'Inline the colour.');
    }
    for (const c of node.children) if (c.type === 'element') visit(c, [...ancestors, node]);
    if (!inPre && !inSvg) checkNewlines(ctx, node);
  };

  for (const c of tree.children) if (c.type === 'element') visit(c, []);
  checkReferences(ctx, bodyRefs, entries);
  checkSizes(ctx, html, tree);
  checkMeta(ctx, options.meta);
  return ctx.messages;
}

function checkNewlines(ctx: Ctx, node: Element): void {
  if (!TEXT_BLOCKS.has(node.tagName)) return;
  const walk = (n: Element) => {
    for (const c of n.children) {
      if (c.type === 'text' && /[\n\r]/.test(c.value)) {
        add(
          ctx,
          'no-newline-in-text',
          `line break in the text of <${node.tagName}>`,
          c,
          'Join soft breaks with a space; use <br> for hard breaks.',
        );
      } else if (
        c.type === 'element' &&
        c.tagName !== 'pre' &&
        c.tagName !== 'svg' &&
        !TEXT_BLOCKS.has(c.tagName)
      )
        walk(c);
    }
  };
  walk(node);
}

function checkPre(ctx: Ctx, pre: Element): void {
  let lineStart = true;
  let reported = false;
  const walk = (n: Element) => {
    for (const c of n.children as ElementContent[]) {
      if (reported) return;
      if (c.type === 'element') {
        if (c.tagName === 'br') lineStart = true;
        else if (c.tagName !== 'svg') walk(c);
        continue;
      }
      if (c.type !== 'text' || !c.value) continue;
      if (/[\n\r]/.test(c.value)) {
        add(
          ctx,
          'code-no-newlines',
          'newline character inside <pre>; WeChat drops it',
          c,
          'Use <br> for line breaks.',
        );
        reported = true;
        return;
      }
      if (c.value.includes('\t') || c.value.includes('  ') || (lineStart && c.value.startsWith(' '))) {
        add(
          ctx,
          'code-no-collapsible-spaces',
          'tab or collapsible spaces inside <pre>',
          c,
          'Use U+00A0 for indentation and space runs.',
        );
        reported = true;
        return;
      }
      lineStart = false;
    }
  };
  walk(pre);
  const code = pre.children.filter((c): c is Element => c.type === 'element' && c.tagName === 'code');
  const scroll = (e: Element) => hasDecl(styleOf(e), /^overflow(-x)?$/, /auto|scroll/);
  const single = code.length === 1 ? code[0] : undefined;
  if (!scroll(pre) && !(single && scroll(single))) {
    add(ctx, 'code-scrolls', '<pre> does not scroll horizontally', pre, 'Add overflow-x:auto.');
  }
  const target = single ?? pre;
  const s = styleOf(target);
  if (!hasDecl(s, /^display$/, /-webkit-box/) && !hasDecl(s, /^white-space$/, /^(nowrap|pre)$/)) {
    add(
      ctx,
      'code-scrolls',
      'code lines can wrap',
      target,
      'Add display:-webkit-box or white-space:nowrap to pre > code.',
    );
  }
}

function checkMathSpacing(ctx: Ctx, svg: Element, parent: Element | undefined): void {
  if (!parent || parent.tagName === 'section') return;
  const siblings = parent.children;
  const i = siblings.indexOf(svg);
  const prev = siblings[i - 1];
  const next = siblings[i + 1];
  if (
    (prev?.type === 'text' && !prev.value.endsWith(NBSP)) ||
    (next?.type === 'text' && !next.value.startsWith(NBSP))
  ) {
    add(
      ctx,
      'math-as-svg',
      'inline math SVG next to text without U+00A0',
      svg,
      'Put U+00A0 before and after the formula.',
    );
  }
}

function checkReferences(
  ctx: Ctx,
  refs: { n: number; node: Element; order: number }[],
  entries: { n: number; node: Element; order: number }[],
): void {
  let max = 0;
  const seen = new Set<number>();
  for (const r of refs) {
    if (seen.has(r.n)) continue;
    if (r.n !== max + 1)
      add(
        ctx,
        'reference-numbering',
        `reference [${r.n}] out of order (expected [${max + 1}])`,
        r.node,
        'Number references 1, 2, 3… in order of first use.',
      );
    seen.add(r.n);
    max = Math.max(max, r.n);
  }
  const lastRef = refs.reduce((m, r) => Math.max(m, r.order), 0);
  const byN = new Map<number, number>();
  for (const e of entries) byN.set(e.n, (byN.get(e.n) ?? 0) + 1);
  for (const n of seen) {
    const count = byN.get(n) ?? 0;
    if (count !== 1)
      add(
        ctx,
        'references-list',
        `reference [${n}] has ${count} entries in the reference list (needs 1)`,
        undefined,
        'List each reference once at the end.',
      );
  }
  for (const e of entries) {
    if (!seen.has(e.n)) add(ctx, 'references-list', `reference entry [${e.n}] is never cited`, e.node);
    if (e.order < lastRef)
      add(ctx, 'references-list', `reference entry [${e.n}] is not in the trailing list`, e.node);
    const plain = plainText(e.node);
    if (!/(https?:\/\/|mailto:|tel:|ftp:)\S+/i.test(plain))
      add(
        ctx,
        'references-list',
        `reference entry [${e.n}] has no plain-text URL`,
        e.node,
        'Write the URL as text, not as a link.',
      );
  }
}

function plainText(node: Element): string {
  return node.children
    .map((c) => (c.type === 'text' ? c.value : c.type === 'element' && c.tagName !== 'a' ? plainText(c) : ''))
    .join('');
}

/**
 * `textContent` as rule 38 reads it, without `script`/`style` (WeChat drops them): the same text
 * `visibleText` in @md2wx/wechat extracts, so the linter and the draft check agree on the count.
 */
function visible(node: Root | RootContent): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element' && (node.tagName === 'script' || node.tagName === 'style')) return '';
  if (node.type === 'element' || node.type === 'root') return node.children.map(visible).join('');
  return '';
}

function checkSizes(ctx: Ctx, html: string, tree: Root): void {
  const bytes = Buffer.byteLength(html, 'utf8');
  if (bytes >= 1_000_000)
    add(
      ctx,
      'size-bytes',
      `content is ${bytes} bytes; WeChat takes < 1,000,000`,
      undefined,
      'Split the article or shrink styles/formulas.',
    );
  const chars = Array.from(visible(tree).replace(/\s+/g, ' ').trim()).length;
  if (chars >= 20_000)
    add(
      ctx,
      'size-text',
      `content has ${chars} visible characters; WeChat takes < 20,000`,
      undefined,
      'Split the article.',
    );
}

function checkMeta(ctx: Ctx, meta: LintOptions['meta']): void {
  if (!meta) return;
  const len = (s: string) => Array.from(s).length;
  if (!meta.title?.trim())
    add(
      ctx,
      'title-length',
      'the article has no title',
      undefined,
      'Add `title:` to the front matter or a leading # heading.',
    );
  else if (len(meta.title) > 32)
    add(
      ctx,
      'title-length',
      `title has ${len(meta.title)} characters (max 32)`,
      undefined,
      'Shorten the title.',
    );
  if (meta.author && len(meta.author) > 16)
    add(
      ctx,
      'author-length',
      `author has ${len(meta.author)} characters (max 16)`,
      undefined,
      'Shorten the author.',
    );
  if (meta.digest && len(meta.digest) > 128)
    add(
      ctx,
      'digest-length',
      `digest has ${len(meta.digest)} characters (max 128)`,
      undefined,
      'Shorten the digest.',
    );
}
