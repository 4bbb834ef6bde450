/**
 * Property tests of the stored route order (route-rank.ts): after random scripts of
 * announce, withdraw, attribute change, stale (router down, peer up), flush and partial
 * sweeps, every prefix's entries are exactly its routes sorted by the stored order
 * (compareStoredRoutes), and the best route read from them is the one the documented order
 * (compareRoutes, stale step included) puts first among the visible routes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parsePrefix } from '../../src/ip/prefix.js';
import { emptySummary } from '../../src/rib/attribute-pool.js';
import { PV_ACTIVE, PV_DOOMED, PV_STALE } from '../../src/rib/peer-registry.js';
import { Rib } from '../../src/rib/rib.js';
import { compareRoutes, compareStoredRoutes } from '../../src/rib/route-order.js';
import { RouteRank } from '../../src/rib/route-rank.js';
import { ENTRY_WORDS, PV_MASK } from '../../src/rib/route-sets.js';
import { PrefixTable } from '../../src/table/prefix-table.js';
import { Harness, opArb } from './support/random-ops.js';
import { decodeTestAttributes, makeAttributes, testBytes, testSummary } from './support/test-attributes.js';

interface Entry {
  pv: number;
  path: number;
  attr: number;
}

function entriesOf(rib: Rib, s: number): Entry[] {
  const { sets } = rib;
  const out: Entry[] = [];
  for (let i = 0; i < sets.count[s]!; i++) {
    const at = sets.offset[s]! + i * ENTRY_WORDS;
    out.push({ pv: sets.entries[at]! & PV_MASK, path: sets.entries[at + 1]!, attr: sets.entries[at + 2]! });
  }
  return out;
}

/** Every live slot holds its routes in stored order, and the best one read equals the reference. */
function checkOrder(rib: Rib): void {
  const rank = new RouteRank(rib.sets, rib.registry, rib.attributes);
  const { registry, attributes } = rib;
  for (let s = 0; s < rib.sets.slotBound; s++) {
    if (!rib.sets.isLive(s)) continue;
    const stored = entriesOf(rib, s);
    const sorted = [...stored].sort((a, b) => compareStoredRoutes(registry, attributes, a.pv, a.attr, a.path, b.pv, b.attr, b.path));
    assert.deepEqual(stored, sorted, `slot ${s} in stored order`);
    assert.ok(rank.inOrder(s), `slot ${s}: inOrder agrees`);
    const visible = stored.filter((x) => registry.pvState[x.pv] === PV_ACTIVE || registry.pvState[x.pv] === PV_STALE);
    visible.sort((a, b) => compareRoutes(registry, attributes, a.pv, a.attr, a.path, b.pv, b.attr, b.path));
    const best = rank.best(s);
    const expected = visible[0];
    if (expected === undefined) {
      assert.equal(best, -1, `slot ${s}: no visible route`);
    } else {
      assert.deepEqual(entriesOf(rib, s)[(best - rib.sets.offset[s]!) / ENTRY_WORDS], expected, `slot ${s}: best route`);
    }
    assert.equal(rank.sawLive, visible.some((x) => registry.pvState[x.pv] === PV_ACTIVE), `slot ${s}: live route seen`);
    // While no peer-view is retired, the first stored entry is the best route (what
    // bestRouteV4 answers without reading an entry).
    if (registry.retiredViews === 0) assert.equal(best, rib.sets.offset[s], `slot ${s}: first entry is the best`);
  }
  let retired = 0;
  for (let pv = 1; pv < registry.pvBound; pv++) if (registry.pvState[pv] === PV_STALE || registry.pvState[pv] === PV_DOOMED) retired++;
  assert.equal(registry.retiredViews, retired, 'retiredViews counts the STALE and DOOMED peer-views');
}

/**
 * The golden test's operations, crowded onto two prefixes per family, with peers, views and
 * path ids drawn evenly, so blocks hold many routes.
 */
const crowdedOpArb = fc
  .tuple(opArb, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }))
  .map(([op, peer, view, pathId]) => ('prefix' in op ? { ...op, prefix: op.prefix % 2, peer, view, pathId } : op));

test('after random scripts (announce, withdraw, attribute change, stale, flush, sweep) every prefix is in stored order', () => {
  let ordered = 0;
  fc.assert(
    fc.property(fc.array(crowdedOpArb, { minLength: 30, maxLength: 120 }), (ops) => {
      const h = new Harness(() => new PrefixTable());
      for (const op of ops) {
        h.apply(op);
        checkOrder(h.rib);
        for (let s = 0; s < h.rib.sets.slotBound; s++) if (h.rib.sets.isLive(s) && h.rib.sets.count[s]! > 2) ordered++;
      }
    }),
    { numRuns: 200 },
  );
  // The scripts must put several routes on one prefix, or order proves little.
  assert.ok(ordered > 1000, `prefixes with 3 or more routes checked ${ordered} times`);
});

const PEERS = 14;
const PREFIX = parsePrefix('198.51.100.0/24');

/** One prefix, many peers and views: attribute changes move entries across long blocks. */
const crowdOp = fc.record({
  peer: fc.integer({ min: 0, max: PEERS - 1 }),
  view: fc.constantFrom('adj-rib-in-pre' as const, 'adj-rib-in-post' as const, 'loc-rib' as const),
  pathId: fc.integer({ min: 0, max: 2 }),
  withdraw: fc.boolean(),
  attrs: fc
    .tuple(fc.constantFrom(null, 90, 100, 200), fc.integer({ min: 1, max: 5 }), fc.constantFrom(null, 0, 5, 50), fc.integer({ min: 0, max: 2 }))
    .map(([lp, len, med, c]) => makeAttributes(64500, len, lp, med, c)),
});

test('one prefix with many routes: attribute changes re-rank in place, identical re-announcements change nothing', () => {
  fc.assert(
    fc.property(fc.array(crowdOp, { minLength: 30, maxLength: 200 }), (ops) => {
      const rib = new Rib({ decodeAttributes: decodeTestAttributes });
      const summary = emptySummary();
      for (const op of ops) {
        const pv = rib.peerView({
          router: 'r1',
          peer: { type: 0, distinguisher: '0:0', address: `192.0.2.${op.peer + 1}`, asn: 64600 + op.peer, bgpId: (op.peer * 7) % 5 },
          view: op.view,
          afi: 1,
          safi: 1,
        });
        if (op.withdraw) {
          rib.withdraw(pv, 0, PREFIX, op.pathId);
        } else {
          const bytes = testBytes(op.attrs);
          const attr = rib.internAttributes(bytes, 0, bytes.length, testSummary(op.attrs, summary));
          rib.announce(pv, 0, PREFIX, op.pathId, attr);
          // The prefix's slot: the first allocated, reused when the prefix comes back.
          const before = entriesOf(rib, 0);
          const routes = rib.sets.routes;
          rib.announce(pv, 0, PREFIX, op.pathId, attr);
          assert.deepEqual(entriesOf(rib, 0), before, 'an identical re-announcement changes nothing');
          assert.equal(rib.sets.routes, routes);
          rib.releaseAttributes(attr);
        }
        checkOrder(rib);
      }
    }),
    { numRuns: 150 },
  );
});
