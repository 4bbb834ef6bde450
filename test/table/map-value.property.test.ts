/**
 * Property tests of PrefixMap's value words (src/table/map-value.ts): small non-negative
 * integers inline in the table word, every other value through a handle. Sequences mix both
 * kinds on the same prefixes (replace inline <-> object), take snapshots while replacing, round
 * trip through toBytes, and delete to empty (every block and every handle given back).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parsePrefix, Prefix, PrefixMap, type PrefixMapSnapshot } from '../../src/index.js';
import type { ValueCodec } from '../../src/table/serialise.js';
import { NODE_WORDS } from '../../src/table/layout.js';
import { INLINE_LIMIT, isInlineValue } from '../../src/table/map-value.js';
import { GoldenPrefixMap } from '../support/golden-prefix-map.js';

type Value = number | string | { n: number } | null;

/** Values on both sides of the inline boundary, and numbers that must not go inline. */
const anyValue: fc.Arbitrary<Value> = fc.oneof(
  fc.integer({ min: 0, max: 20 }),
  fc.constantFrom(0, INLINE_LIMIT - 1, INLINE_LIMIT, INLINE_LIMIT + 1, 2 ** 31, -0, -1, 1.5, Number.NaN, 2 ** 53),
  fc.integer({ min: 0, max: 20 }).map((n) => `s${n}`),
  fc.integer({ min: 0, max: 20 }).map((n) => ({ n })),
  fc.constant(null),
);

const v4 = fc
  .tuple(fc.constantFrom(0x0a000000, 0x0a010000, 0xc0a80000), fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0, 8, 15, 16, 17, 24, 32))
  .map(([base, noise, length]) => new Prefix(4, (base | noise) >>> 0, 0, 0, 0, length));
const v6 = fc
  .tuple(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0, 16, 32, 48, 64, 127, 128))
  .map(([noise, length]) => new Prefix(6, 0x20010db8, noise << 16, 0, 1, length));
const anyPrefix = fc.oneof(v4, v6);

type Op = { kind: 'set'; prefix: Prefix; value: Value } | { kind: 'delete'; prefix: Prefix } | { kind: 'snapshot' } | { kind: 'release' };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('set' as const), prefix: anyPrefix, value: anyValue }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete' as const), prefix: anyPrefix }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('snapshot' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const) }) },
);

/** A canonical codec that keeps -0 and NaN (JSON would not): numbers as text, the rest as JSON. */
const exactCodec: ValueCodec<Value> = {
  encode: (v) => new TextEncoder().encode(typeof v === 'number' ? `n${Object.is(v, -0) ? '-0' : String(v)}` : `j${JSON.stringify(v)}`),
  decode: (b) => {
    const text = new TextDecoder().decode(b);
    return text[0] === 'n' ? Number(text.slice(1)) : (JSON.parse(text.slice(1)) as Value);
  },
};

/** Same value: identical for primitives (-0 and NaN included), equal shape for objects (decoded copies). */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return Object.is(a, b);
}

function check(view: PrefixMap<Value> | PrefixMapSnapshot<Value>, golden: GoldenPrefixMap<Value>): void {
  const entries = golden.entries();
  const actual = [...view.entries()];
  assert.deepEqual(actual.map(([k]) => k), entries.map(([k]) => k));
  actual.forEach(([key, v], i) => assert.ok(same(v, entries[i]![1]), `entries ${key}`));
  for (const [key, value] of entries) {
    assert.ok(same(view.get(key), value), `get ${key}: ${String(view.get(key))} vs ${String(value)}`);
    const p = parsePrefix(key);
    if (p.family === 4) {
      assert.ok(same(view.lookupV4(p.w0), golden.lookup(p.address)), `lookupV4 ${key}`);
      const out = view.lookupBatchV4(Uint32Array.of(p.w0), new Int32Array(1));
      assert.ok(same(view.valueOf(out[0]!), golden.lookup(p.address)), `lookupBatchV4 ${key}`);
    } else {
      assert.ok(same(view.lookupV6(p.w0, p.w1, p.w2, p.w3), golden.lookup(p.address)), `lookupV6 ${key}`);
    }
  }
  const values = [...view.values()];
  values.forEach((v, i) => assert.ok(same(v, entries[i]![1]), `values[${i}]`));
}

test('inline and handle values mixed, replaced both ways, under snapshots; toBytes round trip; delete to empty', () => {
  fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 120 }), runOps), { numRuns: 200 });
});

/** Apply `ops` to a map and the golden model, then check views, slots, bytes and delete to empty. */
function runOps(ops: Op[]): void {

      const map = new PrefixMap<Value>();
      const golden = new GoldenPrefixMap<Value>();
      const snapshots: [PrefixMapSnapshot<Value>, GoldenPrefixMap<Value>][] = [];
      for (const o of ops) {
        if (o.kind === 'set') {
          map.set(o.prefix, o.value);
          golden.set(o.prefix, o.value);
        } else if (o.kind === 'delete') {
          assert.equal(map.delete(o.prefix), golden.delete(o.prefix));
        } else if (o.kind === 'snapshot') {
          snapshots.push([map.snapshot(), golden.snapshot()]);
        } else if (snapshots.length > 0) {
          const [snap, gold] = snapshots.shift()!;
          check(snap, gold);
          snap.release();
        }
      }
      check(map, golden);
      for (const [snap, gold] of snapshots) check(snap, gold);
      // Only values that are not inline take a value slot.
      const handles = golden.entries().filter(([, v]) => !isInlineValue(v)).length;
      const stats = map.stats();
      assert.ok(stats.valueSlots - stats.freeValueSlots >= handles);
      for (const [snap] of snapshots) snap.release();
      assert.equal(map.stats().valueSlots - map.stats().freeValueSlots, handles, 'after release: one slot per non-inline value');
      // toBytes round trip (bulk build from the sorted bytes): same entries, same bytes again.
      const bytes = map.toBytes(exactCodec);
      const copy = PrefixMap.fromBytes<Value>(bytes, 'test', exactCodec);
      check(copy, golden);
  assert.deepEqual(copy.toBytes(exactCodec), bytes);
      // Delete to empty returns every block and every handle.
      for (const [key] of golden.entries()) assert.ok(map.delete(key));
      const end = map.stats();
      assert.equal(end.retiredBlocks, 0);
      assert.equal(end.liveWords, 2 * NODE_WORDS, 'only the two empty roots stay allocated');
      assert.equal(end.freeValueSlots, end.valueSlots, 'every value handle is free');
}

test('integers below 2^30 are stored inline; other numbers, -0 and objects take a handle', () => {
  const map = new PrefixMap<unknown>();
  map.set('10.0.0.0/8', 7).set('10.1.0.0/16', INLINE_LIMIT - 1).set('2001:db8::/32', 0);
  assert.deepEqual(map.stats().valueSlots, 0, 'three inline values, no slot');
  assert.equal(map.lookupHandleV4(0x0a020304), 7, 'the value word of an inline value is the value');
  map.set('10.2.0.0/16', INLINE_LIMIT).set('10.3.0.0/16', -0).set('10.4.0.0/16', 1.5).set('10.5.0.0/16', 'x');
  assert.equal(map.stats().valueSlots, 4);
  assert.ok(Object.is(map.get('10.3.0.0/16'), -0));
  assert.equal(map.get('10.2.0.0/16'), INLINE_LIMIT);
  assert.ok(map.lookupHandleV4(0x0a020304) >= INLINE_LIMIT, 'a handle word');
  assert.equal(map.valueOf(map.lookupHandleV4(0x0a050000)), 'x');
  // Replace a handle by an inline value: the slot is free again at once (no snapshot).
  map.set('10.5.0.0/16', 5);
  assert.equal(map.stats().freeValueSlots, 1);
  assert.equal(map.get('10.5.0.0/16'), 5);
});
