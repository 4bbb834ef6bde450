/**
 * Property tests: random mixed sequences of announcements, re-announcements, withdrawals,
 * ADD-PATH ids, several routers/peers/views/families/RDs, peer up/down, router
 * disconnect/reconnect, End-of-RIB, keep-time expiry and partial sweeps, applied to the
 * real Rib and to the golden model; every query must agree after every step.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { emptySummary } from '../../src/rib/attribute-pool.js';
import { MapIndex } from './support/map-index.js';
import { PrefixTable } from '../../src/table/prefix-table.js';
import type { PrefixIndex } from '../../src/rib/prefix-index.js';
import { makeAttributes, testBytes, testSummary } from './support/test-attributes.js';
import { Harness, ROUTERS, opArb } from './support/random-ops.js';

const INDEXES: [string, () => PrefixIndex][] = [
  ['PrefixTable', () => new PrefixTable()],
  ['a Map-backed index', () => new MapIndex()],
];

for (const [indexName, createIndex] of INDEXES) {
test(`Rib over ${indexName} agrees with the golden model on random operation sequences`, () => {
  let sawStale = 0;
  let sawFallback = 0;
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 80 }), (ops) => {
      const h = new Harness(createIndex);
      for (const op of ops) {
        h.apply(op);
        h.check();
        if (h.rib.peers('r1')?.some((p) => p.staleRoutes > 0)) sawStale++;
        if (h.rib.lookup('10.1.1.1', { router: 'r1' })?.fallback) sawFallback++;
      }
      // Sweeping to the end changes nothing visible, and leaves exact counts.
      while (h.rib.sweepStep(7));
      h.check();
      assert.equal(h.rib.stats().prefixes, h.golden.counts().prefixes, 'prefix count after sweep');
    }),
    { numRuns: 150 },
  );
  // The sequences must reach the interesting states, or the comparison proves little.
  assert.ok(sawStale > 10, `stale routes seen in ${sawStale} steps`);
  assert.ok(sawFallback > 10, `router fallback seen in ${sawFallback} steps`);
});

test(`Rib over ${indexName}: after everything is flushed, refcounts are zero, memory is on free lists and ids are reused`, () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 80 }), (ops) => {
      const h = new Harness(createIndex);
      for (const op of ops) h.apply(op);
      const highWater = h.rib.attributes.idBound;
      for (const r of ROUTERS) h.rib.flushRouter(r);
      while (h.rib.sweepStep(5));
      const { rib } = h;
      assert.equal(rib.attributes.size, 0, 'no live attribute set');
      for (let id = 1; id < rib.attributes.idBound; id++) assert.equal(rib.attributes.refCount(id), 0);
      assert.equal(rib.sets.routes, 0);
      assert.equal(rib.sets.slots, 0);
      assert.equal(rib.stats().pendingFlush, 0);
      assert.equal(rib.registry.pvLive, 0, 'every peer-view freed');
      // New sets reuse freed ids instead of growing the id space.
      const a = makeAttributes(1, 1, null, null, 9);
      const bytes = testBytes(a);
      const id = rib.internAttributes(bytes, 0, bytes.length, testSummary(a, emptySummary()));
      assert.ok(id < Math.max(highWater, 2), `id ${id} reused below ${highWater}`);
      rib.releaseAttributes(id);
    }),
    { numRuns: 100 },
  );
});
}
