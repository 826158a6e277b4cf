/**
 * Two fast paths for MathJax 3 (mathjax-full 3.2.2, the last 3.x release), installed when MathJax is
 * loaded and only for 3.x. Each keeps MathJax's contract; the SVG of every corpus formula and of the
 * feature set in `test/mathjax-speedups.test.ts` is byte-identical with and without them.
 * `bench/render/math.ts` measures them against MathJax's own code in the same process.
 *
 * 1. {@link FlatAttributes}, for `Attributes` (core/MmlTree/Attributes.js), the attribute store of
 *    every MathML node. MathJax's class chains four objects per node — explicit → inherited →
 *    defaults → global — with `Object.create`, and copies the node class's defaults into a fresh
 *    object each time. Every node thus turns two new objects into prototypes, which V8 handles on a
 *    slow path (prototype maps, user registration the garbage collector has to walk). This store was
 *    the top of MathJax's profile; typesetting the corpus formulas takes about a third less time
 *    without it. The same lookups are done in flat objects: `attributes` and `inherited` hold only
 *    their own entries and a read falls through them by hand; the class defaults (with `global` as
 *    their prototype, as before) are one object per node class, built once, since MathJax never
 *    writes to a node's defaults. What `getAllAttributes()` and `getAllInherited()` return keeps its
 *    meaning: objects whose own entries are the explicit (resp. inherited) attributes, which is all
 *    their callers read (copy, serialisation, `delete` of an attribute, `Object.keys`).
 * 2. {@link directNodeConstructors}, for `AbstractFactory.setNodeClass` (core/Tree/Factory.js): the
 *    per-kind constructor it registers builds each node through `KIND.bind.apply(...)`, a new bound
 *    function per node; calling `new KIND(factory, ...args)` directly is the same construction
 *    without it (about a tenth of the remaining typesetting time).
 */

const hasOwn = Object.prototype.hasOwnProperty;

/** The module object of mathjax-full/js/core/MmlTree/Attributes.js (CommonJS: its exports are writable). */
export interface MathJaxAttributesModule {
  Attributes: unknown;
  INHERIT: string;
}

type Dict = Record<string, unknown>;

/** Per node-class defaults and per `global`: MathJax passes the same two objects for every node of a kind. */
const sharedDefaults = new Map<Dict, Map<Dict, Dict>>();

function defaultsFor(defaults: Dict, global: Dict): Dict {
  let byGlobal = sharedDefaults.get(defaults);
  if (!byGlobal) {
    byGlobal = new Map();
    sharedDefaults.set(defaults, byGlobal);
  }
  let merged = byGlobal.get(global);
  if (!merged) {
    merged = Object.assign(Object.create(global) as Dict, defaults);
    byGlobal.set(global, merged);
  }
  return merged;
}

/** MathJax's `INHERIT` marker (`'_inherit_'`), read from the module when the class is installed. */
let inheritMarker = '_inherit_';

/** Same interface and results as MathJax 3.2's `Attributes`; see the module comment (1) for the why. */
export class FlatAttributes {
  /** The class this one replaced, kept by {@link installFlatAttributes} (tests compare the two). */
  static original: unknown;

  protected global: Dict;
  protected defaults: Dict;
  protected inherited: Dict = {};
  protected attributes: Dict = {};

  constructor(defaults: Dict, global: Dict) {
    this.global = global;
    this.defaults = defaultsFor(defaults, global);
  }

  set(name: string, value: unknown): void {
    this.attributes[name] = value;
  }

  setList(list: Dict): void {
    Object.assign(this.attributes, list);
  }

  get(name: string): unknown {
    let value = hasOwn.call(this.attributes, name)
      ? this.attributes[name]
      : hasOwn.call(this.inherited, name)
        ? this.inherited[name]
        : this.defaults[name];
    if (value === inheritMarker) value = this.global[name];
    return value;
  }

  getExplicit(name: string): unknown {
    return hasOwn.call(this.attributes, name) ? this.attributes[name] : undefined;
  }

  getList(...names: string[]): Dict {
    const values: Dict = {};
    for (const name of names) values[name] = this.get(name);
    return values;
  }

  setInherited(name: string, value: unknown): void {
    this.inherited[name] = value;
  }

  getInherited(name: string): unknown {
    return hasOwn.call(this.inherited, name) ? this.inherited[name] : this.defaults[name];
  }

  getDefault(name: string): unknown {
    return this.defaults[name];
  }

  isSet(name: string): boolean {
    return hasOwn.call(this.attributes, name) || hasOwn.call(this.inherited, name);
  }

  hasDefault(name: string): boolean {
    return name in this.defaults;
  }

  getExplicitNames(): string[] {
    return Object.keys(this.attributes);
  }

  getInheritedNames(): string[] {
    return Object.keys(this.inherited);
  }

  getDefaultNames(): string[] {
    return Object.keys(this.defaults);
  }

  getGlobalNames(): string[] {
    return Object.keys(this.global);
  }

  getAllAttributes(): Dict {
    return this.attributes;
  }

  getAllInherited(): Dict {
    return this.inherited;
  }

  getAllDefaults(): Dict {
    return this.defaults;
  }

  getAllGlobals(): Dict {
    return this.global;
  }
}

/** The module object of mathjax-full/js/core/Tree/Factory.js. */
export interface MathJaxFactoryModule {
  AbstractFactory: { prototype: { setNodeClass: unknown } };
}

interface NodeFactory {
  nodeMap: Map<string, new (...args: unknown[]) => unknown>;
  node: Record<string, (...args: unknown[]) => unknown>;
}

/**
 * `AbstractFactory.prototype.setNodeClass` with the node built by `new` directly (module comment, 2).
 * Same registration as MathJax's: the class goes into `nodeMap`, and `node[kind](...args)` returns
 * `new nodeClass(factory, ...args)`.
 */
export function directNodeConstructors(
  this: NodeFactory,
  kind: string,
  nodeClass: new (...args: unknown[]) => unknown,
): void {
  this.nodeMap.set(kind, nodeClass);
  const KIND = this.nodeMap.get(kind) as new (...args: unknown[]) => unknown;
  this.node[kind] = (...args: unknown[]) => new KIND(this, ...args);
}

/**
 * Installs both fast paths (module comment) for what MathJax creates from now on: call it after
 * requiring MathJax and before creating a document (factories register their node classes when
 * they are built; MmlNode reads the Attributes export at each `new`). Only for MathJax 3.x, the line
 * they were checked against; any other version keeps MathJax's own code.
 *
 * @param modules the Attributes and Factory module objects, as `require` returns them
 * @param version MathJax's version string (`mathjax.version`)
 * @returns true when the fast paths are in place
 */
export function installMathJaxSpeedups(
  modules: { attributes: MathJaxAttributesModule; factory: MathJaxFactoryModule },
  version: string,
): boolean {
  const { attributes, factory } = modules;
  if (attributes.Attributes === FlatAttributes) return true;
  if (!/^3\./.test(version) || typeof attributes.Attributes !== 'function') return false;
  if (typeof factory.AbstractFactory?.prototype?.setNodeClass !== 'function') return false;
  FlatAttributes.original = attributes.Attributes;
  inheritMarker = attributes.INHERIT;
  attributes.Attributes = FlatAttributes;
  factory.AbstractFactory.prototype.setNodeClass = directNodeConstructors;
  return true;
}
