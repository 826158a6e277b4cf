import type { Element, Root, RootContent } from 'hast';
import { find, html } from 'property-information';

/** Any hast node css-select may be handed. */
export type AnyNode = Root | RootContent;

/**
 * Parent links for the tree being styled. css-select adapters are bound when a selector is compiled
 * (once per theme), so the links of the current tree are swapped in here before each inline pass.
 * Rendering is synchronous, so one slot is enough. A Map, not a WeakMap: a WeakMap entry per node
 * made every garbage collection of the render trace them as ephemerons, which cost more than the
 * whole inlining pass; the map is dropped by {@link unlinkParents} when the pass ends.
 */
let parents = new Map<AnyNode, Element | Root>();

/** Records the parent of every node under `root` for the selector engine. */
export function linkParents(root: Root): void {
  const map = new Map<AnyNode, Element | Root>();
  const walk = (node: Element | Root) => {
    for (const child of node.children) {
      map.set(child, node);
      // Theme rules never reach inside an <svg> (inlineTheme stops there), so neither do the links.
      if (child.type === 'element' && child.tagName !== 'svg') walk(child);
    }
  };
  walk(root);
  parents = map;
}

/** Forgets the links of the last {@link linkParents}, so the styled tree is not kept alive by them. */
export function unlinkParents(): void {
  parents = new Map();
}

/** The parent of `node` recorded by the last {@link linkParents}. */
export function parentOf(node: AnyNode): Element | Root | undefined {
  return parents.get(node);
}

/** Sets the parent link of a node inserted after {@link linkParents} ran. */
export function setParent(node: AnyNode, parent: Element | Root): void {
  parents.set(node, parent);
}

/** Reads an attribute of a hast element by its HTML name (`class`, `data-lang`, `colspan`). */
export function attributeValue(elem: Element, name: string): string | undefined {
  const prop = name === 'class' ? 'className' : find(html, name).property;
  const value = elem.properties[prop];
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true) return '';
  if (Array.isArray(value)) return value.join(' ');
  return String(value);
}

function textOf(node: AnyNode): string {
  if (node.type === 'text') return node.value;
  if ('children' in node) return node.children.map((c) => textOf(c)).join('');
  return '';
}

/** css-select adapter over hast, using the parent links above. */
export const hastAdapter = {
  isTag: (node: AnyNode): node is Element => node.type === 'element',
  getAttributeValue: attributeValue,
  getChildren: (node: AnyNode): AnyNode[] => ('children' in node ? node.children : []),
  getName: (elem: Element) => elem.tagName,
  getParent: (node: AnyNode): AnyNode | null => parents.get(node) ?? null,
  getSiblings: (node: AnyNode): AnyNode[] => {
    const parent = parents.get(node);
    return parent ? parent.children : [node];
  },
  getText: textOf,
  hasAttrib: (elem: Element, name: string) => attributeValue(elem, name) !== undefined,
  removeSubsets: (nodes: AnyNode[]) => {
    const set = new Set(nodes);
    return nodes.filter((node) => {
      let p: AnyNode | undefined = parents.get(node);
      while (p) {
        if (set.has(p)) return false;
        p = parents.get(p);
      }
      return true;
    });
  },
};
