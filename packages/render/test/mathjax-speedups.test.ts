import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { toHtml } from 'hast-util-to-html';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearMathCache, texToSvg } from '../src/index.js';
import {
  directNodeConstructors,
  FlatAttributes,
  installMathJaxSpeedups,
  type MathJaxAttributesModule,
  type MathJaxFactoryModule,
} from '../src/transforms/mathjax-speedups.js';
import { corpusPosts } from './corpus-posts.js';

const require = createRequire(import.meta.url);
/** The same module instances math.ts loads (one CommonJS cache per process). */
const attributesModule = require('mathjax-full/js/core/MmlTree/Attributes.js') as MathJaxAttributesModule;
const factoryModule = require('mathjax-full/js/core/Tree/Factory.js') as MathJaxFactoryModule;

/** What each part of MathJax that reads attributes gets exercised by: inheritance, defaults, `mstyle`, tables, stretchy operators, labels, errors. */
const FEATURES: [string, boolean][] = [
  ['x', false],
  ['E = mc^2', false],
  ['\\frac{a}{b} + \\sqrt[3]{x^2} - \\sqrt{\\frac{1}{2}}', true],
  ['\\sum_{i=1}^{n} x_i \\prod_{j} y_j \\int_0^\\infty e^{-x}\\,dx', true],
  [
    '\\displaystyle\\sum_{k} a_k \\quad \\textstyle\\sum_k a_k \\quad \\scriptstyle x \\scriptscriptstyle y',
    false,
  ],
  ['\\left( \\frac{a}{b} \\right) \\left[ x \\middle| y \\right] \\left\\{ z \\right.', true],
  [
    '\\begin{pmatrix} 1 & a_1 \\\\ \\vdots & \\ddots \\end{pmatrix} \\begin{bmatrix} a & b \\end{bmatrix}',
    true,
  ],
  ['\\begin{aligned} a &= b + c \\\\ &\\leftarrow d \\end{aligned}', true],
  ['\\begin{cases} 1 & x > 0 \\\\ 0 & \\text{otherwise} \\end{cases}', true],
  ['\\begin{array}{c|l} a & b \\\\ \\hline c & d \\end{array}', true],
  ['\\begin{align} x &= 1 \\label{eq:a} \\\\ y &= 2 \\end{align}', true],
  ['a + b = c \\tag{1.2}', true],
  ['\\overbrace{a+b}^{n} \\underbrace{c+d}_{m} \\xrightarrow{abc} \\overset{!}{=} \\stackrel{def}{=}', true],
  ['\\hat{x} \\widehat{xyz} \\vec{v} \\bar{y} \\overline{AB} \\tilde{n}', false],
  ['\\mathbb{R} \\mathcal{L} \\mathrm{d}x \\mathbf{v} \\boldsymbol{\\alpha} \\operatorname{argmax}_x', false],
  ['\\color{red}{x} + \\cancel{y} + \\bcancel{z} \\neq \\not\\in', false],
  ['\\ce{Hg^2+ ->[I-] HgI2 ->[I-] [Hg^{II}I4]^2-}', false],
  ['\\ce{CO2 + C -> 2 CO} \\ce{H2O <=> H+ + OH-}', true],
  ['\\mathop{\\rm lim}\\limits_{x \\to 0} \\lim_{n\\to\\infty} \\max_{a \\in A}', true],
  ['\\newcommand{\\R}{\\mathbb{R}} f: \\R \\to \\R', false],
  ['\\frac{', false],
  ['\\undefinedmacro{x}', false],
];

function corpusFormulas(): [string, boolean][] {
  if (!requireCorpus()) return [];
  const parser = unified().use(remarkParse).use(remarkMath);
  const out: [string, boolean][] = [];
  for (const post of corpusPosts()) {
    visit(parser.parse(readFileSync(corpusPath(post), 'utf8')), (n) => {
      if (n.type === 'inlineMath' || n.type === 'math') out.push([n.value, n.type === 'math']);
    });
  }
  return out;
}

function svgWith(attributes: unknown, tex: string, display: boolean): string {
  attributesModule.Attributes = attributes;
  clearMathCache();
  const { svg, error } = texToSvg(tex, display);
  return `${toHtml(svg, { space: 'svg' })}|${error ?? ''}`;
}

describe('MathJax fast paths: FlatAttributes (attribute store), direct node constructors', () => {
  let original: unknown;

  beforeAll(() => {
    texToSvg('x', false); // loads MathJax, which installs the fast paths
    expect(attributesModule.Attributes).toBe(FlatAttributes);
    expect(factoryModule.AbstractFactory.prototype.setNodeClass).toBe(directNodeConstructors);
    original = FlatAttributes.original;
    expect(typeof original).toBe('function');
    expect(original).not.toBe(FlatAttributes);
  });

  afterAll(() => {
    attributesModule.Attributes = FlatAttributes;
    clearMathCache();
  });

  it.each(FEATURES)('typesets %s exactly as MathJax’s own class does', (tex, display) => {
    const expected = svgWith(original, tex, display);
    expect(expected).toContain('<svg');
    expect(svgWith(FlatAttributes, tex, display)).toBe(expected);
  });

  it.skipIf(!requireCorpus())('typesets every corpus formula exactly as MathJax’s own class does', () => {
    const formulas = corpusFormulas();
    expect(formulas.length).toBeGreaterThanOrEqual(100);
    const differ = formulas.filter(
      ([tex, display]) => svgWith(FlatAttributes, tex, display) !== svgWith(original, tex, display),
    );
    expect(differ).toEqual([]);
  });

  it('answers every Attributes method like the original on the same calls', () => {
    const global = { mathsize: 'normal', dir: 'ltr' };
    const defaults = { mathvariant: 'normal', mathsize: '_inherit_', fence: false };
    const make = (C: unknown) => new (C as new (d: object, g: object) => FlatAttributes)(defaults, global);
    const a = make(original);
    const b = make(FlatAttributes);
    for (const x of [a, b]) {
      x.set('fence', true);
      x.setList({ id: 'n1', stretchy: false });
      x.setInherited('mathvariant', 'bold');
      x.setInherited('scriptlevel', 1);
    }
    const probe = (x: FlatAttributes) => ({
      get: ['fence', 'mathvariant', 'mathsize', 'dir', 'scriptlevel', 'nothing'].map((n) => x.get(n)),
      explicit: ['fence', 'mathvariant', 'nothing'].map((n) => x.getExplicit(n)),
      inherited: ['mathvariant', 'fence', 'mathsize', 'nothing'].map((n) => x.getInherited(n)),
      defaults: ['mathvariant', 'dir', 'nothing'].map((n) => x.getDefault(n)),
      isSet: ['fence', 'scriptlevel', 'mathvariant', 'dir'].map((n) => x.isSet(n)),
      hasDefault: ['fence', 'dir', 'nothing'].map((n) => x.hasDefault(n)),
      list: x.getList('fence', 'mathsize'),
      names: [x.getExplicitNames(), x.getInheritedNames(), x.getDefaultNames(), x.getGlobalNames()],
      all: [{ ...x.getAllAttributes() }, { ...x.getAllInherited() }],
    });
    expect(probe(b)).toEqual(probe(a));
    delete b.getAllAttributes().id;
    delete (a.getAllAttributes() as Record<string, unknown>).id;
    expect(b.getExplicitNames()).toEqual(a.getExplicitNames());
  });

  it('registers node constructors that build what MathJax’s own registration builds', () => {
    class Node {
      args: unknown[];
      constructor(...args: unknown[]) {
        this.args = args;
      }
    }
    const factory = { nodeMap: new Map(), node: {} as Record<string, (...a: unknown[]) => unknown> };
    directNodeConstructors.call(factory, 'mi', Node as never);
    expect(factory.nodeMap.get('mi')).toBe(Node);
    const made = factory.node.mi?.('a', { b: 1 }, [2]) as Node;
    expect(made).toBeInstanceOf(Node);
    expect(made.args).toEqual([factory, 'a', { b: 1 }, [2]]);
    // Installed where MathJax's factories (MathML nodes, SVG wrappers) inherit it from.
    const { MmlFactory } = require('mathjax-full/js/core/MmlTree/MmlFactory.js');
    expect(MmlFactory.prototype.setNodeClass).toBe(directNodeConstructors);
  });

  it('leaves MathJax alone for a version it was not checked against', () => {
    const attributes = { Attributes: original, INHERIT: '_inherit_' };
    const factory = { AbstractFactory: { prototype: { setNodeClass: () => {} } } };
    const own = factory.AbstractFactory.prototype.setNodeClass;
    expect(installMathJaxSpeedups({ attributes, factory }, '4.0.0')).toBe(false);
    expect(attributes.Attributes).toBe(original);
    expect(factory.AbstractFactory.prototype.setNodeClass).toBe(own);
  });
});
