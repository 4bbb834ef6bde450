/**
 * The AS path graph model of the looking glass (src/web/as-path-graph-model.ts), under Node:
 * merged nodes and edges with route counts, prepends collapsed, AS_SETs as one hop, layers
 * that put origins at 0 and routers on top with every edge pointing down, loops survived.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AsPathGraph, buildAsPathGraph } from '../../src/web/as-path-graph-model.js';

const node = (graph: AsPathGraph, id: string) => {
  const found = graph.nodes.find((n) => n.id === id);
  assert.ok(found, `node ${id}`);
  return found;
};
const edge = (graph: AsPathGraph, from: string, to: string) => graph.edges.find((e) => e.from === from && e.to === to)?.routes ?? 0;

test('paths merge into one node per AS and one edge per hop, with route counts', () => {
  const graph = buildAsPathGraph([
    { router: 'r1', asPath: [3356, 1299, 64500] },
    { router: 'r1', asPath: [174, 1299, 64500] },
    { router: 'r2', asPath: [3356, 1299, 64500] },
    { router: 'r2', asPath: [3356, 64500] },
  ]);
  assert.deepEqual(graph.nodes.filter((n) => n.kind === 'as').map((n) => n.asn).sort((a, b) => a! - b!), [174, 1299, 3356, 64500]);
  assert.deepEqual(graph.nodes.filter((n) => n.kind === 'router').map((n) => n.label).sort(), ['r1', 'r2']);
  assert.equal(edge(graph, 'as:3356', 'as:1299'), 2);
  assert.equal(edge(graph, 'as:1299', 'as:64500'), 3);
  assert.equal(edge(graph, 'as:3356', 'as:64500'), 1);
  assert.equal(edge(graph, 'r:r2', 'as:3356'), 2);
  assert.equal(node(graph, 'as:64500').routes, 4);
  assert.equal(node(graph, 'r:r1').routes, 2);
  // Layers: origin 0; 1299 one above; 3356 above 1299 (longest path); routers on top.
  assert.equal(node(graph, 'as:64500').layer, 0);
  assert.equal(node(graph, 'as:1299').layer, 1);
  assert.equal(node(graph, 'as:3356').layer, 2);
  assert.equal(node(graph, 'r:r1').layer, 3);
  assert.equal(graph.layers.length, 4);
  for (const e of graph.edges) assert.ok(node(graph, e.from).layer > node(graph, e.to).layer, `${e.from} → ${e.to} points down`);
  // Orders are positions 0..n-1 inside each layer.
  for (const layer of graph.layers) assert.deepEqual(layer.map((id) => node(graph, id).order), layer.map((_, i) => i));
  assert.deepEqual(
    graph.paths.map((p) => [p.text, p.routes, p.routers]),
    [
      ['3356 1299 64500', 2, ['r1', 'r2']],
      ['174 1299 64500', 1, ['r1']],
      ['3356 64500', 1, ['r2']],
    ],
  );
});

test('prepends collapse into one hop that remembers its count; the text alternative keeps them', () => {
  const graph = buildAsPathGraph([
    { router: 'r', asPath: [65001, 65001, 65001, 3356, 64500, 64500] },
    { router: 'r', asPath: [65001, 3356, 64500] },
  ]);
  assert.equal(graph.nodes.filter((n) => n.kind === 'as').length, 3);
  assert.equal(node(graph, 'as:65001').prepend, 3);
  assert.equal(node(graph, 'as:64500').prepend, 2);
  assert.equal(node(graph, 'as:3356').prepend, 1);
  assert.equal(edge(graph, 'as:65001', 'as:3356'), 2);
  assert.equal(graph.edges.some((e) => e.from === e.to), false, 'no self-loop from a prepend');
  assert.ok(graph.paths.some((p) => p.text === '65001 65001 65001 3356 64500 64500'));
});

test('an AS_SET is one hop whatever the order of its members; empty paths are counted apart', () => {
  const graph = buildAsPathGraph([
    { router: 'r', asPath: [3356, [64501, 64500]] },
    { router: 'r', asPath: [3356, [64500, 64501]] },
    { router: 'r', asPath: [] },
  ]);
  const set = node(graph, 'set:64500,64501');
  assert.equal(set.kind, 'as-set');
  assert.equal(set.label, '{64500 64501}');
  assert.equal(set.layer, 0);
  assert.equal(edge(graph, 'as:3356', 'set:64500,64501'), 2);
  assert.equal(graph.localRoutes, 1);
  assert.equal(node(graph, 'r:r').routes, 3);
  assert.ok(graph.paths.some((p) => p.text === '' && p.routes === 1));
});

test('a looping path (an AS twice, apart) still lays out, every node in exactly one layer', () => {
  const graph = buildAsPathGraph([
    { router: 'r', asPath: [1, 2, 3, 1, 4] },
    { router: 'r', asPath: [2, 4] },
  ]);
  assert.equal(edge(graph, 'as:3', 'as:1'), 1, 'the loop edge is kept');
  assert.equal(node(graph, 'as:1').routes, 1, 'a route visiting an AS twice counts once there');
  const placed = graph.layers.flat();
  assert.equal(placed.length, graph.nodes.length);
  assert.equal(new Set(placed).size, placed.length);
  assert.equal(node(graph, 'as:4').layer, 0);
  assert.ok(node(graph, 'r:r').layer > Math.max(...graph.nodes.filter((n) => n.kind !== 'router').map((n) => n.layer)));
});

test('ordering keeps a fan-in uncrossed: children sit in their parents\' order', () => {
  // r1 → 10 → 100, r2 → 20 → 200, r3 → 30 → 300: three parallel chains must not cross.
  const graph = buildAsPathGraph([
    { router: 'r3', asPath: [30, 300] },
    { router: 'r1', asPath: [10, 100] },
    { router: 'r2', asPath: [20, 200] },
  ]);
  const order = (id: string) => node(graph, id).order;
  assert.ok(order('r:r1') < order('r:r2') && order('r:r2') < order('r:r3'));
  assert.ok(order('as:10') < order('as:20') && order('as:20') < order('as:30'));
  assert.ok(order('as:100') < order('as:200') && order('as:200') < order('as:300'));
});
