/**
 * The AS path graph of a prefix, drawn as SVG in the browser: routers on the left, the origin
 * AS on the right, one box per AS (a link to the prefixes it originates), one arrow per hop,
 * as thick as the log of the routes using it and labelled with their number when above one
 * (every arrow's tooltip has it). The graph comes from as-path-graph-model.ts; this file only
 * places boxes and draws.
 *
 * It sits in a `<details>` under each prefix and is drawn when opened (a page of 200 prefixes
 * draws nothing it does not show); a page with a single prefix opens it ({@link openLoneGraph}).
 * Accessible: the SVG has a `<title>` and a `<desc>`, every box a name, and the list of distinct
 * AS paths under it is the text alternative.
 */
import type { PrefixRoutesJson } from '../rib/route-json.js';
import { type AsPathGraph, type GraphNode, buildAsPathGraph } from './as-path-graph-model.js';
import { h, queryHref } from './dom.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Box height, vertical step between boxes, gap between columns (room for the counts). */
const BOX_HEIGHT = 22;
const ROW_STEP = 32;
const COLUMN_GAP = 64;
/** Width of one character of the 12px monospace labels (CSS: svg.as-path-graph text). */
const CHAR_WIDTH = 7.3;
const MARGIN = 8;

/** An SVG element with attributes and children. */
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What a box says about itself, for its tooltip and its accessible name. */
function nodeDescription(node: GraphNode): string {
  if (node.kind === 'router') return `router ${node.label}: ${plural(node.routes, 'route')}`;
  return `${node.label}: ${plural(node.routes, 'route')}${node.prepend > 1 ? `, prepended up to ${node.prepend} times` : ''}`;
}

/** The text summary of the graph (the SVG's `<desc>`). */
export function graphDescription(graph: AsPathGraph, prefix: string): string {
  const count = (kind: GraphNode['kind']): number => graph.nodes.filter((n) => n.kind === kind).length;
  const origins = (graph.layers[0] ?? []).map((id) => graph.nodes.find((n) => n.id === id)!).filter((n) => n.kind !== 'router');
  const routes = graph.nodes.filter((n) => n.kind === 'router').reduce((sum, n) => sum + n.routes, 0);
  return (
    `${plural(routes, 'route')} towards ${prefix} from ${plural(count('router'), 'router')} through ${plural(count('as') + count('as-set'), 'AS')}` +
    (origins.length > 0 ? `, originated by ${origins.map((n) => n.label).join(', ')}` : '') +
    (graph.localRoutes > 0 ? `; ${plural(graph.localRoutes, 'route')} with an empty AS path` : '') +
    '.'
  );
}

/** Draw `graph` as an SVG; `id` makes its title, description and marker ids unique in the page. */
export function asPathGraphSvg(graph: AsPathGraph, prefix: string, id: string): SVGSVGElement {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const columns = graph.layers.length;
  // Column c (0 = routers, on the left) holds layer columns-1-c.
  const widths = graph.layers.map((layer) => Math.max(40, ...layer.map((nid) => byId.get(nid)!.label.length * CHAR_WIDTH + 16)));
  const x: number[] = [];
  let left = MARGIN;
  for (let c = 0; c < columns; c++) {
    x[columns - 1 - c] = left;
    left += widths[columns - 1 - c]! + COLUMN_GAP;
  }
  const tallest = Math.max(...graph.layers.map((l) => l.length));
  const height = MARGIN * 2 + tallest * ROW_STEP;
  const width = left - COLUMN_GAP + MARGIN;
  const centre = (node: GraphNode): { x: number; y: number; w: number } => ({
    x: x[node.layer]!,
    y: MARGIN + (tallest - graph.layers[node.layer]!.length) * (ROW_STEP / 2) + node.order * ROW_STEP + ROW_STEP / 2,
    w: widths[node.layer]!,
  });

  const edges = graph.edges.map((edge) => {
    const a = centre(byId.get(edge.from)!);
    const b = centre(byId.get(edge.to)!);
    const x1 = a.x + a.w;
    const x2 = b.x - 3;
    const bend = Math.max(24, (x2 - x1) / 2);
    return svg(
      'g',
      { class: 'edge' },
      svg('path', { d: `M${x1} ${a.y}C${x1 + bend} ${a.y} ${x2 - bend} ${b.y} ${x2} ${b.y}`, 'stroke-width': (1 + Math.log2(edge.routes)).toFixed(1), 'marker-end': `url(#${id}-arrow)` }),
      // A count on every edge of a wide fan-out would pile up: single-route edges show theirs in the tooltip only.
      edge.routes > 1 ? svg('text', { x: ((x1 + x2) / 2).toFixed(1), y: ((a.y + b.y) / 2 - 3).toFixed(1), 'text-anchor': 'middle' }, String(edge.routes)) : '',
      svg('title', {}, `${byId.get(edge.from)!.label} → ${byId.get(edge.to)!.label}: ${plural(edge.routes, 'route')}`),
    );
  });
  const boxes = graph.nodes.map((node) => {
    const { x: bx, y, w } = centre(node);
    const box = svg(
      'g',
      { class: `${node.kind}-node${node.layer === 0 ? ' origin' : ''}`, ...(node.asn !== null ? { 'data-asn': node.asn } : {}) },
      svg('rect', { x: bx, y: y - BOX_HEIGHT / 2, width: w.toFixed(1), height: BOX_HEIGHT, rx: node.kind === 'router' ? 2 : 10 }),
      svg('text', { x: (bx + w / 2).toFixed(1), y: y + 4, 'text-anchor': 'middle' }, node.label),
      node.prepend > 1 ? svg('text', { class: 'prepend', x: (bx + w - 2).toFixed(1), y: y - BOX_HEIGHT / 2 - 2, 'text-anchor': 'end' }, `×${node.prepend}`) : '',
      svg('title', {}, nodeDescription(node)),
    );
    if (node.asn === null) return box;
    return svg('a', { href: queryHref(`AS${node.asn}`), 'aria-label': `${nodeDescription(node)}; show the prefixes it originates` }, box);
  });
  return svg(
    'svg',
    { class: 'as-path-graph', width: width.toFixed(0), height, viewBox: `0 0 ${width.toFixed(0)} ${height}`, 'aria-labelledby': `${id}-title ${id}-desc` },
    svg('title', { id: `${id}-title` }, `AS path graph of ${prefix}`),
    svg('desc', { id: `${id}-desc` }, graphDescription(graph, prefix)),
    svg('defs', {}, svg('marker', { id: `${id}-arrow`, viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 6, markerHeight: 6, orient: 'auto' }, svg('path', { d: 'M0 0L8 4L0 8z' }))),
    ...edges,
    ...boxes,
  );
}

/** The distinct AS paths with their route counts and routers: the graph's text alternative. */
function pathList(graph: AsPathGraph, prefix: string): HTMLElement {
  return h(
    'ol',
    { class: 'as-paths', 'aria-label': `Distinct AS paths towards ${prefix}` },
    graph.paths.map((p) => h('li', {}, h('span', { class: 'aspath' }, p.text === '' ? '(empty AS path)' : p.text), ` — ${plural(p.routes, 'route')} via ${p.routers.join(', ')}`)),
  );
}

let graphCount = 0;

/** A `<details>` holding the AS path graph of `entry`, drawn the first time it is opened. */
export function asPathGraphDetails(entry: PrefixRoutesJson): HTMLDetailsElement {
  const id = `as-graph-${++graphCount}`;
  const details = h('details', { class: 'as-path-graph' }, h('summary', {}, `AS path graph (${plural(entry.routes.length, 'route')})`));
  const draw = (): void => {
    if (!details.open || details.childElementCount > 1) return;
    const graph = buildAsPathGraph(entry.routes);
    details.append(h('div', { class: 'graph-scroll' }, asPathGraphSvg(graph, entry.prefix, id)), pathList(graph, entry.prefix));
  };
  details.addEventListener('toggle', draw);
  return details;
}

/** Open the AS path graph when `root` shows exactly one prefix (a lookup or an exact prefix). */
export function openLoneGraph(root: ParentNode): void {
  const all = root.querySelectorAll<HTMLDetailsElement>('details.as-path-graph');
  if (all.length !== 1) return;
  all[0]!.open = true;
  // Draw now rather than on the (asynchronous) toggle event, so the page is complete when ready.
  all[0]!.dispatchEvent(new Event('toggle'));
}
