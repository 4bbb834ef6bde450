/**
 * The async sweep: flushed routes disappear from queries at once, the sweep removes them in
 * slices that yield to the event loop (other callbacks run in between), and concurrent
 * callers share one sweep; a slice stops before a step that could overrun its budget.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rib } from '../../src/rib/rib.js';
import { emptySummary } from '../../src/rib/attribute-pool.js';
import { sweepInSlices } from '../../src/rib/rib-sweep.js';

test('sweep() removes a flushed peer in slices that let other callbacks run', async () => {
  const rib = new Rib({ sliceMs: 0 });
  const peer = { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 1 };
  const pv = rib.peerView({ router: 'r1', peer, view: 'loc-rib', afi: 1, safi: 1 });
  const other = rib.peerView({ router: 'r1', peer: { ...peer, address: '192.0.2.2', bgpId: 2 }, view: 'loc-rib', afi: 1, safi: 1 });
  const bytes = new Uint8Array([1, 2, 3, 4]);
  const attr = rib.internAttributes(bytes, 0, 4, emptySummary());
  for (let i = 0; i < 50_000; i++) {
    rib.announceWords(pv, 0, 4, (0x0a000000 + i * 256) >>> 0, 0, 0, 0, 24, 0, attr);
    if (i % 2 === 0) rib.announceWords(other, 0, 4, (0x0a000000 + i * 256) >>> 0, 0, 0, 0, 24, 0, attr);
  }
  rib.releaseAttributes(attr);
  rib.peerDown('r1', peer);
  assert.equal(rib.lookup('10.0.1.1'), undefined, 'hidden at once');
  assert.equal(rib.lookup('10.0.2.1')?.routes.length, 1, 'the other peer stays');
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 0);
  const [a, b] = await Promise.all([rib.sweep(), rib.sweep()]);
  clearInterval(ticker);
  assert.equal(a, b, 'one shared sweep');
  assert.ok(a.slices > 1, `${a.slices} slices`);
  assert.ok(ticks > 0, 'timers ran while sweeping');
  assert.equal(rib.stats().routes, 25_000);
  assert.equal(rib.stats().prefixes, 25_000);
  assert.equal(rib.stats().pendingFlush, 0);
  assert.equal(rib.sweepPending, false);
});

test('a router kept after disconnect is flushed by tick() at the keep time, not before', () => {
  let now = 1_000;
  const rib = new Rib({ keepMs: 60_000, now: () => now });
  const peer = { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 1 };
  const pv = rib.peerView({ router: 'r1', peer, view: 'adj-rib-in-pre', afi: 1, safi: 1 });
  const attr = rib.internAttributes(new Uint8Array([9]), 0, 1, emptySummary());
  rib.announceWords(pv, 0, 4, 0xc0000200, 0, 0, 0, 24, 0, attr);
  rib.releaseAttributes(attr);
  rib.routerDown('r1');
  assert.deepEqual(rib.routers()[0], { name: 'r1', state: 'down', downSince: new Date(1_000).toISOString(), flushAt: new Date(61_000).toISOString(), peers: 1, routes: 1 });
  now = 60_999;
  rib.tick();
  assert.equal(rib.lookup('192.0.2.7')?.routes[0]?.stale, true);
  now = 61_000;
  rib.tick();
  assert.equal(rib.lookup('192.0.2.7'), undefined);
  while (rib.sweepStep());
  assert.equal(rib.attributes.size, 0);
});

test('a slice ends before a step that could take it past its budget', async () => {
  // A clock that advances 2 ms per step, 5 ms slices: two steps (4 ms) fit, a third could
  // reach 6 ms, so twelve steps take six slices of 4 ms (stopping at the budget would take four of 6 ms).
  let left = 12;
  let now = 0;
  const step = (max: number): boolean => {
    if (max === 0) return left > 0;
    now += 2;
    return --left > 0;
  };
  const report = await sweepInSlices(step, 5, () => now);
  assert.equal(left, 0);
  assert.equal(report.slices, 6);
  assert.equal(report.longestSliceMs, 4);
  assert.equal(report.workMs, 24);
});

test('a sweep in small steps keeps every attribute set count exact after each step and frees a set with its last route', () => {
  const rib = new Rib();
  const peer = { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 1 };
  const pv = rib.peerView({ router: 'r1', peer, view: 'loc-rib', afi: 1, safi: 1 });
  const other = rib.peerView({ router: 'r1', peer: { ...peer, address: '192.0.2.2', bgpId: 2 }, view: 'loc-rib', afi: 1, safi: 1 });
  const ids = [1, 2, 3, 4].map((b) => rib.internAttributes(new Uint8Array([b]), 0, 1, emptySummary()));
  // Runs of 1..9 routes with one set, in turn (runs straddle step boundaries); the other
  // peer shares sets 0 and 1 on every third prefix, sets 2 and 3 are the flushed peer's only.
  let set = 0;
  let left = 1;
  for (let i = 0; i < 2_000; i++) {
    if (--left === 0) {
      set = (set + 1) % ids.length;
      left = 1 + (i % 9);
    }
    const w0 = (0x0a000000 + i * 256) >>> 0;
    rib.announceWords(pv, 0, 4, w0, 0, 0, 0, 24, 0, ids[set]!);
    if (i % 3 === 0) rib.announceWords(other, 0, 4, w0, 0, 0, 0, 24, 0, ids[i % 2]!);
  }
  for (const id of ids) rib.releaseAttributes(id);
  const sets = rib.sets;
  const expected = (id: number): number => {
    let n = 0;
    for (let s = 0; s < sets.slotBound; s++) {
      if (!sets.isLive(s)) continue;
      for (let k = 0; k < sets.count[s]!; k++) if (sets.entries[sets.offset[s]! + k * 5 + 2] === id) n++;
    }
    return n;
  };
  rib.peerDown('r1', peer);
  let steps = 0;
  for (let more = true; more; steps++) {
    more = rib.sweepStep(37);
    for (const id of ids) assert.equal(rib.attributes.refCount(id), expected(id), `set ${id} after step ${steps}`);
  }
  assert.ok(steps > 20, `${steps} steps`);
  assert.equal(rib.stats().routes, 667);
  assert.ok(rib.attributes.has(ids[0]!) && rib.attributes.has(ids[1]!), 'the other peer keeps its sets');
  assert.ok(!rib.attributes.has(ids[2]!) && !rib.attributes.has(ids[3]!), 'the flushed peer only sets are freed');
  assert.equal(rib.attributes.size, 2);
});
