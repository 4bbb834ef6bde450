/**
 * The AS path graph of a prefix as data: every route's AS path merged into one directed graph
 * from the routers that hold the routes to the origin AS, laid out in layers. Pure (no DOM),
 * so the looking glass draws it (as-path-graph.ts) and the tests check it under Node.
 *
 * - Nodes: one per router holding a route, one per distinct AS of the paths (an AS prepended
 *   several times in a row is one hop: the prepend count is kept on the node), one per
 *   distinct AS_SET (drawn as `{a b}`: the set is one hop of the path).
 * - Edges: router → first hop, hop → next hop; `routes` counts the routes that use it.
 * - Layers: origins (nodes nothing leaves) are layer 0; every other AS node sits one layer
 *   above the highest node it leads to (longest-path layering, so every edge points to a lower
 *   layer); routers all sit in the top layer. A path that loops (an AS twice, apart) keeps its
 *   loop edge; the layering ignores the edge that closes the loop.
 * - Order inside a layer: a few barycentre sweeps (the mean position of a node's neighbours in
 *   the layer before), the usual cheap way to keep edge crossings down.
 */
import type { RouteJson } from '../rib/route-json.js';

/** A node of the graph. `id` is unique: `r:NAME` for routers, `as:N` for ASes, `set:a,b` for AS_SETs. */
export interface GraphNode {
  readonly id: string;
  readonly kind: 'router' | 'as' | 'as-set';
  /** What the node shows: the router name, `AS3356`, `{64500 64501}`. */
  readonly label: string;
  /** The AS number of an `as` node, else null. */
  readonly asn: number | null;
  /** Routes passing through (or held by, for a router). */
  routes: number;
  /** Most times the AS appeared in a row in one path (1: never prepended). */
  prepend: number;
  /** Layer: 0 for origins, increasing towards the routers. */
  layer: number;
  /** Position inside its layer, from 0. */
  order: number;
}

/** An edge from `from` (router side) to `to` (origin side), used by `routes` routes. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  routes: number;
}

/** One distinct AS path with the routes and routers that carry it: the graph's text alternative. */
export interface PathSummary {
  /** Space-separated AS numbers, as shown (prepends kept). */
  readonly text: string;
  routes: number;
  readonly routers: string[];
}

/** The merged, laid-out graph. */
export interface AsPathGraph {
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
  /** Node ids per layer, in order; layers[0] holds the origins, the last the routers. */
  readonly layers: string[][];
  /** Distinct AS paths, most routes first. */
  readonly paths: PathSummary[];
  /** Routes whose AS path is empty (originated inside the router's own AS): no hop to draw. */
  readonly localRoutes: number;
}

type PathSegment = RouteJson['asPath'][number];

const segmentText = (segment: PathSegment): string => (Array.isArray(segment) ? `{${segment.join(' ')}}` : String(segment));

/** Node id and label of a path hop. */
function hop(segment: PathSegment): { id: string; kind: 'as' | 'as-set'; label: string; asn: number | null } {
  if (Array.isArray(segment)) {
    const members = [...segment].sort((a, b) => a - b);
    return { id: `set:${members.join(',')}`, kind: 'as-set', label: `{${members.join(' ')}}`, asn: null };
  }
  return { id: `as:${segment}`, kind: 'as', label: `AS${segment}`, asn: segment };
}

/** Merge the AS paths of `routes` into one graph and lay it out. */
export function buildAsPathGraph(routes: readonly Pick<RouteJson, 'router' | 'asPath'>[]): AsPathGraph {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  const paths = new Map<string, PathSummary>();
  let localRoutes = 0;
  const node = (id: string, kind: GraphNode['kind'], label: string, asn: number | null): GraphNode => {
    let found = nodes.get(id);
    if (!found) nodes.set(id, (found = { id, kind, label, asn, routes: 0, prepend: 1, layer: 0, order: 0 }));
    return found;
  };
  for (const route of routes) {
    const text = route.asPath.map(segmentText).join(' ');
    const summary = paths.get(text) ?? { text, routes: 0, routers: [] };
    summary.routes++;
    if (!summary.routers.includes(route.router)) summary.routers.push(route.router);
    paths.set(text, summary);
    const router = node(`r:${route.router}`, 'router', route.router, null);
    router.routes++;
    if (route.asPath.length === 0) {
      localRoutes++;
      continue;
    }
    // Collapse prepends: consecutive equal hops are one node; the run length is kept.
    const hops: { id: string; run: number }[] = [];
    for (const segment of route.asPath) {
      const h = hop(segment);
      const last = hops[hops.length - 1];
      if (last && last.id === h.id) {
        last.run++;
        continue;
      }
      node(h.id, h.kind, h.label, h.asn);
      hops.push({ id: h.id, run: 1 });
    }
    const seen = new Set<string>();
    let previous = router.id;
    for (const { id, run } of hops) {
      const n = nodes.get(id)!;
      n.prepend = Math.max(n.prepend, run);
      // A node visited twice by one path (a loop) counts the route once.
      if (!seen.has(id)) n.routes++;
      seen.add(id);
      const key = `${previous}\n${id}`;
      const edge = edges.get(key) ?? { from: previous, to: id, routes: 0 };
      edge.routes++;
      edges.set(key, edge);
      previous = id;
    }
  }
  const edgeList = [...edges.values()];
  const layers = layOut(nodes, edgeList);
  return { nodes: [...nodes.values()], edges: edgeList, layers, paths: [...paths.values()].sort((a, b) => b.routes - a.routes || a.text.localeCompare(b.text)), localRoutes };
}

/** Assign layers (longest path to an origin; routers on top) and orders; returns the layers. */
function layOut(nodes: Map<string, GraphNode>, edges: GraphEdge[]): string[][] {
  const out = new Map<string, string[]>();
  for (const e of edges) {
    const list = out.get(e.from) ?? [];
    list.push(e.to);
    out.set(e.from, list);
  }
  // Longest path to a sink, iteratively (no recursion depth limit on long paths); an edge back
  // to a node still on the stack closes a loop and is ignored.
  const state = new Map<string, 'open' | 'done'>();
  for (const start of nodes.values()) {
    if (start.kind === 'router' || state.has(start.id)) continue;
    const stack: { id: string; next: number }[] = [{ id: start.id, next: 0 }];
    state.set(start.id, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const children = out.get(top.id) ?? [];
      if (top.next < children.length) {
        const child = children[top.next++]!;
        if (!state.has(child)) {
          state.set(child, 'open');
          stack.push({ id: child, next: 0 });
        }
        continue;
      }
      const n = nodes.get(top.id)!;
      n.layer = 0;
      for (const child of children) if (state.get(child) === 'done') n.layer = Math.max(n.layer, nodes.get(child)!.layer + 1);
      state.set(top.id, 'done');
      stack.pop();
    }
  }
  let top = 0;
  for (const n of nodes.values()) if (n.kind !== 'router') top = Math.max(top, n.layer);
  const routerLayer = top + 1;
  const layers: string[][] = Array.from({ length: routerLayer + 1 }, () => []);
  for (const n of nodes.values()) {
    if (n.kind === 'router') n.layer = routerLayer;
    layers[n.layer]!.push(n.id);
  }
  // Initial order: routers by name, others by label; then barycentre sweeps, top down and back.
  for (const layer of layers) layer.sort((a, b) => nodes.get(a)!.label.localeCompare(nodes.get(b)!.label, 'en', { numeric: true }));
  const setOrder = (layer: string[]): void => layer.forEach((id, i) => (nodes.get(id)!.order = i));
  layers.forEach(setOrder);
  const parents = new Map<string, string[]>();
  for (const e of edges) {
    const list = parents.get(e.to) ?? [];
    list.push(e.from);
    parents.set(e.to, list);
  }
  // Positions compared across layers of different sizes: each layer spans 0..1, centred as drawn.
  const position = (id: string): number => {
    const n = nodes.get(id)!;
    return (n.order + 0.5) / layers[n.layer]!.length;
  };
  const barycentre = (id: string, neighbours: Map<string, string[]>): number => {
    const list = neighbours.get(id) ?? [];
    return list.length === 0 ? position(id) : list.reduce((sum, n) => sum + position(n), 0) / list.length;
  };
  for (let sweep = 0; sweep < 4; sweep++) {
    const down = sweep % 2 === 0;
    for (let l = down ? routerLayer - 1 : 1; down ? l >= 0 : l <= routerLayer; l += down ? -1 : 1) {
      const layer = layers[l]!;
      const key = new Map(layer.map((id) => [id, barycentre(id, down ? parents : out)]));
      layer.sort((a, b) => key.get(a)! - key.get(b)! || nodes.get(a)!.order - nodes.get(b)!.order);
      setOrder(layer);
    }
  }
  return layers;
}
