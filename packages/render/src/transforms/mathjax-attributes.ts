/**
 * A drop-in for MathJax 3's `Attributes` (mathjax-full/js/core/MmlTree/Attributes.js), the attribute
 * store of every MathML node MathJax builds while typesetting.
 *
 * Why: MathJax's class chains four objects per node — explicit → inherited → defaults → global — with
 * `Object.create`, and copies the node class's defaults into a fresh object each time. Every node thus
 * turns two new objects into prototypes, which V8 handles on a slow path (prototype maps, user
 * registration the garbage collector has to walk). Over the corpus's 103 formulas this store was the
 * top of MathJax's profile, and typesetting ran ~40 % faster with the class below
 * (`bench/render/math.ts`), with byte-identical SVG for every corpus formula and the feature set of
 * `test/mathjax-attributes.test.ts`.
 *
 * How: the same lookups in flat objects. `attributes` and `inherited` hold only their own entries and
 * a read falls through them by hand; the class defaults (with `global` as their prototype, as before)
 * are one object per node class, built once, since MathJax never writes to a node's defaults.
 * Every method keeps MathJax's contract, including what `getAllAttributes()` and `getAllInherited()`
 * return: objects whose own entries are the explicit (resp. inherited) attributes, which is all their
 * callers read (copy, serialisation, `delete` of an attribute, `Object.keys`).
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

/** Same interface and results as MathJax 3.2's `Attributes`; see the module comment for the why. */
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

/**
 * Puts {@link FlatAttributes} in place of MathJax's class, for the nodes MathJax creates from now on
 * (MmlNode reads the module's export at each `new`). Only for MathJax 3.x, the line this was checked
 * against (mathjax-full 3.2.2 is the last 3.x release); any other version keeps MathJax's own class.
 *
 * @param module  the Attributes module object, as `require` returns it
 * @param version MathJax's version string (`mathjax.version`)
 * @returns true when the class is in place
 */
export function installFlatAttributes(module: MathJaxAttributesModule, version: string): boolean {
  if (module.Attributes === FlatAttributes) return true;
  if (!/^3\./.test(version) || typeof module.Attributes !== 'function') return false;
  FlatAttributes.original = module.Attributes;
  inheritMarker = module.INHERIT;
  module.Attributes = FlatAttributes;
  return true;
}
