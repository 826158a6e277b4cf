/**
 * Makes mermaid's SVG WeChat-safe (docs/wechat-html-rules.md#diagrams, rules 20–22), inside the page that
 * drew it, where computed styles and path geometry are known: every CSS rule becomes presentation attributes,
 * markers (arrow heads) become real shapes at the ends of their paths, and what WeChat drops (`style`,
 * `defs`, `marker`, `foreignObject`, ids, classes, `url(#…)` references) is removed.
 *
 * This function is sent into the page as text (`toString()`): it must not use anything from its module.
 */
export function sanitiseSvgInPage(root: object): string {
  const svg = root as SVGSVGElement;
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const KEEP = new Set([
    'svg',
    'g',
    'path',
    'rect',
    'circle',
    'ellipse',
    'line',
    'polyline',
    'polygon',
    'text',
    'tspan',
  ]);
  const PAINT = [
    'fill',
    'fill-opacity',
    'stroke',
    'stroke-width',
    'stroke-opacity',
    'stroke-dasharray',
    'stroke-linecap',
    'stroke-linejoin',
    'opacity',
  ];
  const TEXT = ['font-family', 'font-size', 'font-weight', 'font-style', 'text-anchor'];
  // SVG's initial values: writing them out would only cost bytes of the 1 MB budget.
  const DEFAULTS: Record<string, string[]> = {
    'fill-opacity': ['1'],
    'stroke-opacity': ['1'],
    opacity: ['1'],
    'stroke-dasharray': ['none', '0px', '0'],
    'stroke-linecap': ['butt'],
    'stroke-linejoin': ['miter'],
    'font-weight': ['400', 'normal'],
    'font-style': ['normal'],
    'text-anchor': ['start'],
  };
  const isDefault = (p: string, v: string) => DEFAULTS[p]?.includes(v.trim()) ?? false;

  // 1. Computed styles → attributes, before the stylesheet goes.
  const all = [svg, ...Array.from(svg.querySelectorAll('*'))] as SVGElement[];
  const computed = new Map<Element, CSSStyleDeclaration>();
  for (const el of all) computed.set(el, getComputedStyle(el));
  for (const el of all) {
    const tag = el.tagName.toLowerCase();
    if (!KEEP.has(tag) || tag === 'svg') continue;
    const style = computed.get(el) as CSSStyleDeclaration;
    const props = tag === 'text' || tag === 'tspan' ? [...PAINT, ...TEXT] : tag === 'g' ? [] : PAINT;
    for (const p of props) {
      const v = style.getPropertyValue(p);
      if (!v || v.includes('url(') || isDefault(p, v)) continue;
      if (p === 'stroke-width' && style.getPropertyValue('stroke') === 'none') continue;
      el.setAttribute(p, v);
    }
    if (tag === 'text') {
      const baseline = style.getPropertyValue('dominant-baseline') || el.getAttribute('dominant-baseline');
      if (baseline === 'central' || baseline === 'middle') el.setAttribute('dy', '0.35em');
    }
  }

  // 2. Markers → shapes at the path ends, turned along the path.
  const markers = new Map<string, SVGMarkerElement>();
  for (const m of Array.from(svg.querySelectorAll('marker'))) markers.set(m.id, m);
  for (const el of all) {
    if (!(el instanceof SVGGeometryElement)) continue;
    const style = computed.get(el) as CSSStyleDeclaration;
    for (const [prop, atEnd] of [
      ['marker-end', true],
      ['marker-start', false],
    ] as const) {
      const ref = style.getPropertyValue(prop) || el.getAttribute(prop) || '';
      const id = /url\(["']?#([^"')]+)["']?\)/.exec(ref)?.[1];
      const marker = id ? markers.get(id) : undefined;
      if (!marker) continue;
      const total = el.getTotalLength();
      if (!total) continue;
      const at = el.getPointAtLength(atEnd ? total : 0);
      const near = el.getPointAtLength(atEnd ? Math.max(0, total - 1) : Math.min(total, 1));
      let angle = (Math.atan2(at.y - near.y, at.x - near.x) * 180) / Math.PI;
      if (!atEnd) angle += 180;
      const orient = marker.getAttribute('orient');
      if (orient && orient !== 'auto' && orient !== 'auto-start-reverse')
        angle = Number.parseFloat(orient) || 0;
      const vb = marker.viewBox.baseVal;
      const mw = marker.markerWidth.baseVal.value || 3;
      const sx = vb?.width ? mw / vb.width : 1;
      const strokeScale =
        marker.getAttribute('markerUnits') === 'userSpaceOnUse'
          ? 1
          : Number.parseFloat(style.getPropertyValue('stroke-width')) || 1;
      const g = document.createElementNS(SVG_NS, 'g');
      g.setAttribute(
        'transform',
        `translate(${at.x},${at.y}) rotate(${angle}) scale(${sx * strokeScale}) translate(${-marker.refX.baseVal.value + (vb?.x ?? 0)},${-marker.refY.baseVal.value + (vb?.y ?? 0)})`,
      );
      for (const child of Array.from(marker.children)) {
        const copy = child.cloneNode(true) as SVGElement;
        const cs = getComputedStyle(child);
        for (const p of PAINT) {
          const v = cs.getPropertyValue(p);
          if (v && !v.includes('url(') && !isDefault(p, v)) copy.setAttribute(p, v);
        }
        g.appendChild(copy);
      }
      el.parentNode?.insertBefore(g, el.nextSibling);
    }
  }

  // 3. Drop what WeChat refuses; unwrap links and switches.
  for (const el of Array.from(svg.querySelectorAll('*')).reverse()) {
    const tag = el.tagName.toLowerCase();
    // Label backgrounds mermaid leaves without a size draw nothing.
    if (tag === 'rect' && !el.getAttribute('width')) {
      el.remove();
      continue;
    }
    if (KEEP.has(tag)) continue;
    if (tag === 'a' || tag === 'switch') el.replaceWith(...Array.from(el.childNodes));
    else el.remove();
  }
  for (const el of [svg, ...Array.from(svg.querySelectorAll('*'))]) {
    for (const attr of Array.from(el.attributes)) {
      const n = attr.name.toLowerCase();
      if (
        n === 'id' ||
        n === 'class' ||
        n === 'style' ||
        n.startsWith('marker') ||
        n.startsWith('data-') ||
        n.startsWith('aria-') ||
        n === 'role' ||
        n === 'clip-path' ||
        n === 'mask' ||
        n === 'filter' ||
        n === 'dominant-baseline' ||
        n === 'alignment-baseline' ||
        n.endsWith('href') ||
        attr.value.includes('url(')
      )
        el.removeAttribute(attr.name);
    }
  }
  svg.setAttribute('xmlns', SVG_NS);
  return svg.outerHTML;
}
