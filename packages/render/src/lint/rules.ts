import type { Severity } from '../types.js';

/** One linter rule: its number in docs/wechat-html-rules.md (0 for article checks), id and severity. */
export interface LintRule {
  number: number;
  id: string;
  severity: Severity;
  description: string;
}

/** Every rule the linter checks: the 38 rules of docs/wechat-html-rules.md and the article checks. */
export const RULES: readonly LintRule[] = [
  {
    number: 1,
    id: 'no-forbidden-tags',
    severity: 'must',
    description: 'no style/script/iframe/input/… elements',
  },
  { number: 2, id: 'allowed-tags', severity: 'must', description: 'every tag is in the WeChat allow-list' },
  { number: 3, id: 'no-div', severity: 'must', description: 'no div (use section)' },
  { number: 4, id: 'no-id-or-handlers', severity: 'must', description: 'no id attribute, no on* attribute' },
  { number: 5, id: 'no-class', severity: 'should', description: 'no class attribute' },
  {
    number: 6,
    id: 'no-whitespace-in-structure',
    severity: 'must',
    description: 'no whitespace text directly in ul/ol/table/thead/tbody/tr',
  },
  {
    number: 7,
    id: 'no-newline-in-text',
    severity: 'must',
    description: 'no \\n in text of p/li/h*/td/th/figcaption',
  },
  {
    number: 8,
    id: 'no-css-variables',
    severity: 'must',
    description: 'no var( and no --custom properties in style',
  },
  {
    number: 9,
    id: 'no-unresolved-colors',
    severity: 'must',
    description: 'no color-mix/oklch/oklab/lab/lch/light-dark/env/attr in style',
  },
  {
    number: 10,
    id: 'no-positioning',
    severity: 'must',
    description: 'no position/top/left/right/bottom/z-index',
  },
  {
    number: 11,
    id: 'plain-declarations',
    severity: 'should',
    description: 'no float/animation/transition/@; style parses as declarations',
  },
  {
    number: 12,
    id: 'url-on-mmbiz',
    severity: 'must',
    description: 'url( only to https://mmbiz.qpic.cn/ (SHOULD: none at all)',
  },
  {
    number: 13,
    id: 'no-important',
    severity: 'should',
    description: 'no !important (except math SVG max-width)',
  },
  { number: 14, id: 'safe-units', severity: 'should', description: 'no rem, no calc(' },
  {
    number: 15,
    id: 'root-no-padding-background',
    severity: 'must',
    description: 'outermost element has no padding/background',
  },
  { number: 16, id: 'links-mp-only', severity: 'must', description: 'every <a href> is on mp.weixin.qq.com' },
  {
    number: 17,
    id: 'reference-numbering',
    severity: 'must',
    description: 'link references [n] start at 1, increase, reuse n per URL',
  },
  {
    number: 18,
    id: 'references-list',
    severity: 'must',
    description: 'one trailing plain-text entry [n] … URL per reference',
  },
  {
    number: 19,
    id: 'no-footnote-backrefs',
    severity: 'must',
    description: 'no ↩ back-references and no #fn links',
  },
  { number: 20, id: 'svg-elements', severity: 'must', description: 'SVG elements within the WeChat set' },
  {
    number: 21,
    id: 'svg-no-references',
    severity: 'must',
    description: 'no url(#…), markers, clip-path, mask, filter, href in SVG',
  },
  {
    number: 22,
    id: 'svg-size',
    severity: 'must',
    description: 'svg has xmlns, viewBox and an explicit size',
  },
  { number: 23, id: 'math-current-color', severity: 'should', description: 'math SVG ink is currentColor' },
  {
    number: 24,
    id: 'smil-whitelist',
    severity: 'must',
    description: 'SMIL attributeName/type in the whitelist',
  },
  {
    number: 25,
    id: 'img-on-mmbiz',
    severity: 'must',
    description: 'img src on https://mmbiz.qpic.cn/, no srcset',
  },
  {
    number: 26,
    id: 'img-max-width',
    severity: 'should',
    description: 'img without width/height attributes, with max-width:100%',
  },
  { number: 27, id: 'no-svg-img', severity: 'should', description: 'no SVG file as <img>' },
  { number: 28, id: 'code-no-newlines', severity: 'must', description: 'no \\n or \\r in text inside pre' },
  {
    number: 29,
    id: 'code-no-collapsible-spaces',
    severity: 'must',
    description: 'no tab, leading space or double space inside pre',
  },
  {
    number: 30,
    id: 'code-scrolls',
    severity: 'must',
    description: 'pre scrolls horizontally, code does not wrap',
  },
  {
    number: 31,
    id: 'code-token-colors',
    severity: 'should',
    description: 'token spans carry color in style',
  },
  { number: 32, id: 'list-nesting', severity: 'must', description: 'no list inside li, list depth ≤ 2' },
  { number: 33, id: 'no-p-in-li', severity: 'must', description: 'no p directly inside li' },
  {
    number: 34,
    id: 'table-scroll',
    severity: 'must',
    description: 'table inside a section with overflow-x:auto and max-width:100%',
  },
  {
    number: 35,
    id: 'math-as-svg',
    severity: 'must',
    description: 'no MathJax/KaTeX/MathML markup; inline math SVG padded with NBSP',
  },
  {
    number: 36,
    id: 'no-diagram-code',
    severity: 'must',
    description: 'no mermaid code blocks (MUST: @md2wx/diagrams draws them); PlantUML blocks are a SHOULD',
  },
  { number: 37, id: 'size-bytes', severity: 'must', description: 'HTML < 1,000,000 UTF-8 bytes' },
  { number: 38, id: 'size-text', severity: 'must', description: 'visible text < 20,000 characters' },
  { number: 0, id: 'title-length', severity: 'must', description: 'title present and ≤ 32 characters' },
  { number: 0, id: 'author-length', severity: 'must', description: 'author ≤ 16 characters' },
  { number: 0, id: 'digest-length', severity: 'must', description: 'digest ≤ 128 characters' },
];

/** Rules by id. */
export const RULE_BY_ID: ReadonlyMap<string, LintRule> = new Map(RULES.map((r) => [r.id, r]));
