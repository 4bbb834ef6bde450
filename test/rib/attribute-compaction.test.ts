/**
 * Incremental compaction of the attribute pool's arena (attribute-compaction.ts) against a
 * model (a Map of byte strings to refcounts): random interns, releases, holds and explicit
 * compaction steps, with a compaction starting at any garbage and paced 0 (explicit steps
 * only), one or two sets, or 4 KiB per intern or free, so it runs interleaved with the rest. After every operation every
 * live or held set reads its own bytes; a compaction with no release meanwhile leaves no garbage.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AttributePool, emptySummary } from '../../src/rib/attribute-pool.js';

function bytesOf(seed: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = (seed * 31 + i * 7 + (i >> 8)) & 255;
  return b;
}

type Op = { kind: 'intern'; seed: number; length: number } | { kind: 'release'; pick: number } | { kind: 'hold' | 'unhold' } | { kind: 'step'; budget: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('intern' as const), seed: fc.integer({ min: 0, max: 60 }), length: fc.constantFrom(0, 2, 5, 17, 40, 300, 5000) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('hold' as const, 'unhold' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('step' as const), budget: fc.constantFrom(0, 1, 100, 10_000) }) },
);

test('compaction interleaved with interns, releases and holds keeps every set its bytes', () => {
  let compactions = 0;
  let stepsWhileRunning = 0;
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 300 }), fc.constantFrom(0, 1, 24, 4096), (ops, pace) => {
      const pool = new AttributePool({ initialSets: 16, initialBytes: 64, compactAfterBytes: 0, compactPace: pace });
      const model = new Map<number, { refs: number; bytes: Uint8Array }>();
      const held = new Map<number, Uint8Array>(); // refs 0 while a hold is on: bytes still valid
      let holds = 0;
      const summary = emptySummary();
      for (const op of ops) {
        if (op.kind === 'intern') {
          const b = bytesOf(op.seed, op.length);
          const id = pool.intern(b, 0, b.length, summary);
          const e = model.get(id);
          if (e) {
            assert.deepEqual(e.bytes, b, 'an id interned again names the same bytes');
            e.refs++;
          } else {
            model.set(id, { refs: 1, bytes: b });
            held.delete(id);
          }
        } else if (op.kind === 'release') {
          if (model.size === 0) continue;
          const id = [...model.keys()][op.pick % model.size]!;
          const e = model.get(id)!;
          pool.release(id);
          if (--e.refs === 0) {
            model.delete(id);
            if (holds > 0) held.set(id, e.bytes);
          }
        } else if (op.kind === 'hold') {
          pool.hold();
          holds++;
        } else if (op.kind === 'unhold') {
          if (holds === 0) continue;
          pool.unhold(() => {});
          if (--holds === 0) held.clear();
        } else if (op.kind === 'step') {
          if (pool.compacting) stepsWhileRunning++;
          pool.compactStep(op.budget);
        }
        for (const [id, e] of model) {
          assert.equal(pool.refCount(id), e.refs);
          assert.deepEqual(pool.bytes(id), e.bytes, `set ${id} keeps its bytes`);
        }
        for (const [id, b] of held) {
          assert.ok(pool.isKept(id), `held set ${id} is kept`);
          assert.deepEqual(pool.bytes(id), b, `held set ${id} keeps its bytes`);
        }
      }
      pool.finishCompaction();
      compactions += pool.compactions;
      assert.equal(pool.compacting, false);
      for (const [id, e] of model) assert.deepEqual(pool.bytes(id), e.bytes);
      while (holds-- > 0) pool.unhold(() => {});
      for (const [id, e] of model) for (let i = 0; i < e.refs; i++) pool.release(id);
      assert.equal(pool.size, 0);
    }),
    { numRuns: 500 },
  );
  // The scripts must reach compaction and step it while it runs, or the checks above prove little.
  assert.ok(compactions > 100, `${compactions} compactions finished`);
  assert.ok(stepsWhileRunning > 10, `${stepsWhileRunning} explicit steps while one ran`);
  console.log(`# ${compactions} compactions finished, ${stepsWhileRunning} explicit steps while one ran`);
});

test('a compaction moves bytes in bounded steps: many paced steps, arena garbage gone at the end', () => {
  const pool = new AttributePool({ initialSets: 16, initialBytes: 64, compactAfterBytes: 1 << 16, compactPace: 0 });
  const summary = emptySummary();
  const ids: number[] = [];
  for (let i = 0; i < 4000; i++) {
    const b = bytesOf(i, 40 + (i % 50));
    ids.push(pool.intern(b, 0, b.length, summary));
  }
  // Free 7 of every 8 sets: garbage passes 3/4 of the arena and a compaction starts.
  for (let i = 0; i < ids.length; i++) if (i % 8 !== 0) pool.release(ids[i]!);
  assert.equal(pool.compacting, true);
  assert.ok(pool.garbageBytes > 1 << 16);
  let steps = 0;
  // 40 000 sets interned while it runs (more placements than one chunk of its log holds).
  const more: number[] = [];
  for (let i = 0; i < 40_000; i++) {
    const b = bytesOf(100_000 + i, 4 + (i % 30));
    more.push(pool.intern(b, 0, b.length, summary));
    if (i % 2000 === 0 && pool.compactStep(1024)) steps++;
  }
  assert.equal(pool.compacting, true);
  while (pool.compactStep(1024)) steps++;
  assert.ok(steps > 10, `${steps} steps of 1 KiB`);
  assert.equal(pool.garbageBytes, 0);
  for (let i = 0; i < ids.length; i += 8) assert.deepEqual(pool.bytes(ids[i]!), bytesOf(i, 40 + (i % 50)));
  for (let i = 0; i < more.length; i++) assert.deepEqual(pool.bytes(more[i]!), bytesOf(100_000 + i, 4 + (i % 30)));
});
