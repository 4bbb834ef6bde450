/**
 * Per peer-view slot lists (rib/peer-routes.ts): after random scripts of announce, withdraw,
 * peer down, router flush/down/up and partial sweeps, every peer-view's list names exactly
 * the slots a full scan of the route arena finds it in, and after every flush (swept in random
 * steps) the RIB equals the golden model; churn keeps the lists compact; a
 * sweep visits only the flushed peer-view's slots; the sliced sweep runs again after a
 * sweep that needed a single slice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { emptySummary } from '../../src/rib/attribute-pool.js';
import { PV_FREE } from '../../src/rib/peer-registry.js';
import { Rib } from '../../src/rib/rib.js';
import { ENTRY_WORDS, PV_MASK } from '../../src/rib/route-sets.js';
import { PrefixTable } from '../../src/table/prefix-table.js';
import { Harness, KEEP, type Op, opArb } from './support/random-ops.js';
import { makeAttributes } from './support/test-attributes.js';

/** pv → the slots holding it, by scanning every slot of the arena. */
function fullScan(rib: Rib): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const sets = rib.sets;
  for (let s = 0; s < sets.slotBound; s++) {
    if (!sets.isLive(s)) continue;
    const seen = new Set<number>();
    for (let i = 0; i < sets.count[s]!; i++) seen.add(sets.entries[sets.offset[s]! + i * ENTRY_WORDS]! & PV_MASK);
    for (const pv of seen) {
      let list = out.get(pv);
      if (list === undefined) out.set(pv, (list = []));
      list.push(s);
    }
  }
  return out;
}

function assertListsAgree(rib: Rib): void {
  const scanned = fullScan(rib);
  for (let pv = 1; pv < rib.registry.pvBound; pv++) {
    const expected = scanned.get(pv) ?? [];
    if (rib.registry.pvState[pv] === PV_FREE) {
      assert.deepEqual(expected, [], `free peer-view ${pv} holds no route`);
      assert.equal(rib.peerRoutes.listLength(pv), 0, `free peer-view ${pv} keeps no list`);
      continue;
    }
    assert.deepEqual(rib.peerRoutes.liveSlots(pv), expected, `slots of peer-view ${pv}`);
  }
}

/**
 * Churn-heavy scripts: two peers of one router, eight prefixes, three path ids, mostly
 * announce and withdraw, so a peer-view gets hundreds of new entries and its list must compact.
 */
const churnArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 40,
    arbitrary: fc.record({
      kind: fc.constant('announce' as const),
      router: fc.constant(0),
      peer: fc.integer({ min: 0, max: 1 }),
      view: fc.constant(0),
      family: fc.constant(0),
      rd: fc.constant(0),
      prefix: fc.integer({ min: 0, max: 7 }),
      pathId: fc.integer({ min: 0, max: 2 }),
      attrs: fc.constantFrom(makeAttributes(64496, 1, null, null, 0), makeAttributes(64497, 2, 100, null, 1)),
    }),
  },
  {
    weight: 40,
    arbitrary: fc.record({
      kind: fc.constant('withdraw' as const),
      router: fc.constant(0),
      peer: fc.integer({ min: 0, max: 1 }),
      view: fc.constant(0),
      family: fc.constant(0),
      rd: fc.constant(0),
      prefix: fc.integer({ min: 0, max: 7 }),
      pathId: fc.integer({ min: 0, max: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('peerDown' as const), router: fc.constant(0), peer: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('routerDown' as const, 'routerUp' as const), router: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const), budget: fc.integer({ min: 1, max: 20 }) }) },
);

test('per-peer lists agree with a full scan after random announce / withdraw / peer down / flush / sweep scripts', () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 80 }), (ops) => {
      const h = new Harness(() => new PrefixTable());
      for (const op of ops) {
        h.apply(op);
        assertListsAgree(h.rib);
      }
      while (h.rib.sweepStep(3)) assertListsAgree(h.rib);
      h.check();
      assert.equal(h.rib.stats().pendingFlush, 0);
    }),
    { numRuns: 200 },
  );
});

/**
 * Flush-heavy scripts over every router, peer, view and family of the harness (uniform, not
 * skewed, so many peer-views hold routes at once): announcements with one of three attribute
 * sets (a re-announcement with another set is an attribute change), withdrawals, and the
 * operations that flush (Peer Down, a router flushed or gone past its keep time).
 */
const anyRoute = {
  router: fc.integer({ min: 0, max: 1 }),
  peer: fc.integer({ min: 0, max: 2 }),
  view: fc.integer({ min: 0, max: 2 }),
  family: fc.integer({ min: 0, max: 2 }),
  rd: fc.integer({ min: 0, max: 1 }),
  prefix: fc.integer({ min: 0, max: 7 }),
  pathId: fc.integer({ min: 0, max: 1 }),
};
const flushArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.record({
      kind: fc.constant('announce' as const),
      ...anyRoute,
      attrs: fc.constantFrom(makeAttributes(64496, 1, null, null, 0), makeAttributes(64497, 2, 100, null, 1), makeAttributes(64498, 3, 200, 10, 2)),
    }),
  },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), ...anyRoute }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('peerDown' as const, 'peerUp' as const), router: anyRoute.router, peer: anyRoute.peer }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('flushRouter' as const, 'routerDown' as const, 'routerUp' as const), router: anyRoute.router }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), advance: fc.constant(KEEP + 1) }) },
);
const FLUSHING = new Set<Op['kind']>(['peerDown', 'flushRouter', 'tick']);

test('after every flush, swept in random steps, the RIB equals the golden model and every list equals a full scan', () => {
  let flushed = 0;
  fc.assert(
    fc.property(fc.array(flushArb, { minLength: 20, maxLength: 150 }), fc.integer({ min: 1, max: 40 }), (ops, budget) => {
      const h = new Harness(() => new PrefixTable());
      for (const op of ops) {
        h.apply(op);
        if (!FLUSHING.has(op.kind)) continue;
        if (h.rib.sweepPending) flushed++;
        // Part-way through the sweep the lists still agree with the arena.
        while (h.rib.sweepStep(budget)) assertListsAgree(h.rib);
        assert.equal(h.rib.stats().pendingFlush, 0, 'nothing left to sweep');
        assertListsAgree(h.rib);
        h.check();
      }
    }),
    { numRuns: 120 },
  );
  // The scripts must flush peer-views that hold routes, or the comparison proves little.
  assert.ok(flushed > 100, `${flushed} flushes with routes to sweep`);
});

test('per-peer lists agree with a full scan and stay compact under churn; answers equal the golden model', () => {
  let compactions = 0;
  fc.assert(
    fc.property(fc.array(churnArb, { minLength: 200, maxLength: 600 }), (ops) => {
      const h = new Harness(() => new PrefixTable());
      let longest = 0;
      for (const op of ops) {
        const before = h.rib.registry.pvBound;
        const lengths = Array.from({ length: before }, (_, pv) => h.rib.peerRoutes.listLength(pv));
        h.apply(op);
        for (let pv = 1; pv < before; pv++) if (h.rib.peerRoutes.listLength(pv) < lengths[pv]! && op.kind === 'announce') compactions++;
        for (let pv = 1; pv < h.rib.registry.pvBound; pv++) {
          const n = h.rib.peerRoutes.listLength(pv);
          longest = Math.max(longest, n);
          // 8 prefixes × 3 path ids: at most 24 routes, so 2 × 24 + 64 slack, ×1.5 growth.
          assert.ok(n <= 180, `list of peer-view ${pv} is ${n} long`);
        }
        assertListsAgree(h.rib);
      }
      while (h.rib.sweepStep(5)) assertListsAgree(h.rib);
      h.check();
      return longest > 0;
    }),
    { numRuns: 40 },
  );
  // About 20 in 40 runs: the scripts must reach compaction, or the bound above proves little.
  assert.ok(compactions > 3, `lists compacted ${compactions} times`);
});

test('a list stays short when one route is announced and withdrawn 100 000 times', () => {
  const { rib, peer } = ribWithTwoPeers(10);
  const pv = rib.peerView({ router: 'r1', peer, view: 'adj-rib-in-pre', afi: 1, safi: 1 });
  const attr = rib.internAttributes(new Uint8Array([7]), 0, 1, emptySummary());
  let longest = 0;
  for (let i = 0; i < 100_000; i++) {
    rib.announceWords(pv, 0, 4, 0x0b000000, 0, 0, 0, 24, i % 4, attr);
    rib.withdrawWords(pv, 0, 4, 0x0b000000, 0, 0, 0, 24, (i + 2) % 4);
    longest = Math.max(longest, rib.peerRoutes.listLength(pv));
  }
  rib.releaseAttributes(attr);
  // One slot, up to 3 routes in it: 2 × 3 + 64 slack, grown ×1.5 at most once past it.
  assert.ok(longest <= 110, `list grew to ${longest}`);
  assertListsAgree(rib);
  rib.peerDown('r1', peer);
  while (rib.sweepStep(4));
  assert.equal(rib.stats().routes, 10);
});

function ribWithTwoPeers(routes: number): { rib: Rib; peer: { type: number; distinguisher: string; address: string; asn: number; bgpId: number } } {
  const rib = new Rib({ sliceMs: 1 });
  const peer = { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 1 };
  const pv = rib.peerView({ router: 'r1', peer, view: 'adj-rib-in-pre', afi: 1, safi: 1 });
  const other = rib.peerView({ router: 'r1', peer: { ...peer, address: '192.0.2.2', bgpId: 2 }, view: 'adj-rib-in-pre', afi: 1, safi: 1 });
  const attr = rib.internAttributes(new Uint8Array([1, 2, 3]), 0, 3, emptySummary());
  for (let i = 0; i < routes; i++) {
    const w0 = (0x0a000000 + i * 256) >>> 0;
    rib.announceWords(other, 0, 4, w0, 0, 0, 0, 24, 0, attr);
    if (i % 100 === 0) rib.announceWords(pv, 0, 4, w0, 0, 0, 0, 24, 0, attr);
  }
  rib.releaseAttributes(attr);
  return { rib, peer };
}

test('a sweep visits only the flushed peer-view\'s slots, not the whole arena', () => {
  const { rib, peer } = ribWithTwoPeers(100_000);
  rib.peerDown('r1', peer);
  // 1 000 routes of the flushed peer among 101 000: one step with a budget for ~2 entries per
  // slot of the flushed peer finishes the job; a scan of the arena would need 100 times more.
  const more = rib.sweepStep(1_000 * 3 + 10);
  assert.equal(more, false, 'swept in one step');
  assert.equal(rib.stats().routes, 100_000);
  assert.equal(rib.registry.pvLive, 1);
});

test('the sliced sweep runs again after a sweep that took a single slice', async () => {
  const { rib, peer } = ribWithTwoPeers(1_000);
  rib.peerDown('r1', peer);
  const first = await rib.sweep();
  assert.equal(first.slices, 1);
  assert.equal(rib.sweepPending, false);
  const pv = rib.peerView({ router: 'r1', peer, view: 'adj-rib-in-pre', afi: 1, safi: 1 });
  const attr = rib.internAttributes(new Uint8Array([4]), 0, 1, emptySummary());
  rib.announceWords(pv, 0, 4, 0x0b000000, 0, 0, 0, 24, 0, attr);
  rib.releaseAttributes(attr);
  rib.peerDown('r1', peer);
  assert.equal(rib.sweepPending, true);
  const second = await rib.sweep();
  assert.notEqual(second, first, 'a new sweep, not the finished one');
  assert.equal(rib.sweepPending, false);
  assert.equal(rib.stats().routes, 1_000);
  const idle = await rib.sweep();
  assert.equal(idle.slices, 0, 'nothing to sweep: no slice');
});
