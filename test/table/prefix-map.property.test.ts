/**
 * Property tests: random mixed operation sequences on PrefixMap against GoldenPrefixMap.
 * Prefixes are drawn near a few base addresses so they nest and overlap deeply; lengths
 * favour /0, stride boundaries and host routes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Address, Prefix, PrefixMap, type PrefixMapSnapshot } from '../../src/index.js';
import { NODE_WORDS } from '../../src/table/layout.js';
import { GoldenPrefixMap } from '../support/golden-prefix-map.js';

const V4_BASES = [0x00000000, 0x0a000000, 0x0a010000, 0x0a010280, 0xc0a80000, 0x80000000, 0xffffffff];
const V6_BASES: [number, number, number, number][] = [
  [0, 0, 0, 0],
  [0x20010db8, 0, 0, 0],
  [0x20010db8, 0x00010000, 0, 1],
  [0, 0, 0xffff, 0x0a000001],
  [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
  [0x2a000000, 0x12345678, 0x9abcdef0, 0x0fedcba9],
];

const word = fc.integer({ min: 0, max: 0xffffffff });
const noiseShift = fc.integer({ min: 0, max: 31 });

const v4Length = fc.oneof(fc.constantFrom(0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32), fc.integer({ min: 0, max: 32 }));
const v6Length = fc.oneof(
  fc.constantFrom(0, 1, 8, 16, 31, 32, 33, 48, 63, 64, 65, 96, 120, 127, 128),
  fc.integer({ min: 0, max: 128 }),
);

const v4Prefix = fc
  .tuple(fc.constantFrom(...V4_BASES), word, noiseShift, fc.boolean(), v4Length)
  .map(([base, noise, shift, quiet, length]) => new Prefix(4, quiet ? base : base ^ (noise >>> shift), 0, 0, 0, length));

const v6Prefix = fc
  .tuple(fc.constantFrom(...V6_BASES), fc.integer({ min: 0, max: 3 }), word, noiseShift, fc.boolean(), v6Length)
  .map(([base, at, noise, shift, quiet, length]) => {
    const w = base.slice();
    if (!quiet) w[at] = (w[at]! ^ (noise >>> shift)) >>> 0;
    return new Prefix(6, w[0]!, w[1]!, w[2]!, w[3]!, length);
  });

const anyPrefix = fc.oneof({ weight: 3, arbitrary: v4Prefix }, { weight: 2, arbitrary: v6Prefix });

/** An address inside (or near) a generated prefix: its network with random host bits. */
const anyAddress = fc.tuple(anyPrefix, word, word, word, word).map(([p, a, b, c, d]) => {
  const host = new Prefix(p.family, p.w0, p.w1, p.w2, p.w3, p.length);
  const fill = (w: number, bits: number, r: number) => (bits >= 32 ? w : (w | (r >>> Math.max(0, bits))) >>> 0);
  const n = p.length;
  return new Address(
    p.family,
    fill(host.w0, n, a),
    fill(host.w1, n - 32, b),
    fill(host.w2, n - 64, c),
    fill(host.w3, n - 96, d),
  );
});

type Op =
  | { kind: 'set'; prefix: Prefix; value: number }
  | { kind: 'delete'; prefix: Prefix }
  | { kind: 'lookup'; address: Address }
  | { kind: 'query'; prefix: Prefix }
  | { kind: 'snapshot' }
  | { kind: 'release'; which: number }
  | { kind: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 50, arbitrary: fc.record({ kind: fc.constant('set' as const), prefix: anyPrefix, value: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 20, arbitrary: fc.record({ kind: fc.constant('delete' as const), prefix: anyPrefix }) },
  { weight: 15, arbitrary: fc.record({ kind: fc.constant('lookup' as const), address: anyAddress }) },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('query' as const), prefix: anyPrefix }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('snapshot' as const) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('release' as const), which: fc.nat(10) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

type View = Pick<
  PrefixMap<number>,
  | 'get'
  | 'has'
  | 'lookup'
  | 'lookupEntry'
  | 'lookupPrefix'
  | 'supernets'
  | 'subnets'
  | 'overlaps'
  | 'entries'
  | 'size'
  | 'lookupV4'
  | 'lookupV6'
  | 'lookupBatchV4'
  | 'lookupBatchV6'
  | 'valueOf'
>;

function checkLookup(actual: View, golden: GoldenPrefixMap<number>, address: Address): void {
  assert.deepEqual(actual.lookupEntry(address), golden.lookupEntry(address), `lookupEntry ${address}`);
  const expected = golden.lookup(address);
  assert.equal(actual.lookup(address.toString()), expected, `lookup ${address}`);
  if (address.family === 4) {
    assert.equal(actual.lookupV4(address.w0), expected, `lookupV4 ${address}`);
    const out = actual.lookupBatchV4(Uint32Array.of(address.w0, address.w0 ^ 0x80000000), new Int32Array(2));
    assert.equal(actual.valueOf(out[0]!), expected, `lookupBatchV4 ${address}`);
  } else {
    const { w0, w1, w2, w3 } = address;
    assert.equal(actual.lookupV6(w0, w1, w2, w3), expected, `lookupV6 ${address}`);
    const out = actual.lookupBatchV6(Uint32Array.of(w0, w1, w2, w3, ~w0 >>> 0, w1, w2, w3), new Int32Array(2));
    assert.equal(actual.valueOf(out[0]!), expected, `lookupBatchV6 ${address}`);
  }
}

function checkQuery(actual: View, golden: GoldenPrefixMap<number>, prefix: Prefix): void {
  const text = prefix.toString();
  assert.equal(actual.get(prefix), golden.get(prefix), `get ${text}`);
  assert.equal(actual.has(text), golden.has(prefix), `has ${text}`);
  assert.deepEqual([...actual.supernets(prefix)], golden.supernets(prefix), `supernets ${text}`);
  assert.deepEqual([...actual.subnets(text)], golden.subnets(prefix), `subnets ${text}`);
  assert.deepEqual(actual.lookupPrefix(prefix), golden.lookupPrefix(prefix), `lookupPrefix ${text}`);
  assert.equal(actual.overlaps(prefix), golden.overlaps(prefix), `overlaps ${text}`);
}

function checkAll(actual: View, golden: GoldenPrefixMap<number>): void {
  assert.equal(actual.size, golden.size, 'size');
  assert.deepEqual([...actual.entries()], golden.entries(), 'entries in sorted order');
}

test('random operation sequences agree with the golden model, snapshots included', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 250, size: 'max' }), (ops) => {
      const map = new PrefixMap<number>();
      const golden = new GoldenPrefixMap<number>();
      const snapshots: [PrefixMapSnapshot<number>, GoldenPrefixMap<number>][] = [];
      for (const o of ops) {
        switch (o.kind) {
          case 'set':
            map.set(o.value % 2 === 0 ? o.prefix : o.prefix.toString(), o.value);
            golden.set(o.prefix, o.value);
            break;
          case 'delete':
            assert.equal(map.delete(o.prefix), golden.delete(o.prefix), `delete ${o.prefix}`);
            break;
          case 'lookup':
            checkLookup(map, golden, o.address);
            for (const [snap, gold] of snapshots) checkLookup(snap, gold, o.address);
            break;
          case 'query':
            checkQuery(map, golden, o.prefix);
            for (const [snap, gold] of snapshots) checkQuery(snap, gold, o.prefix);
            break;
          case 'snapshot':
            snapshots.push([map.snapshot(), golden.snapshot()]);
            break;
          case 'release':
            if (snapshots.length > 0) {
              const [[snap, gold]] = snapshots.splice(o.which % snapshots.length, 1) as [[PrefixMapSnapshot<number>, GoldenPrefixMap<number>]];
              checkAll(snap, gold);
              snap.release();
            }
            break;
          case 'clear':
            map.clear();
            golden.clear();
            break;
        }
        assert.equal(map.size, golden.size, `size after ${o.kind}`);
      }
      checkAll(map, golden);
      for (const [snap, gold] of snapshots) {
        checkAll(snap, gold);
        snap.release();
      }
      // Delete to empty: every block back on the free lists, every value handle free.
      for (const [key] of golden.entries()) assert.ok(map.delete(key));
      assert.equal(map.size, 0);
      assert.deepEqual([...map.entries()], []);
      const stats = map.stats();
      assert.equal(stats.retiredBlocks, 0);
      assert.equal(stats.liveWords, 2 * NODE_WORDS, 'only the two empty roots stay allocated');
      assert.equal(stats.freeValueSlots, stats.valueSlots, 'every value handle is free');
    }),
    { numRuns: 300 },
  );
});

test('snapshots taken mid-sequence keep their contents through later writes', () => {
  fc.assert(
    fc.property(fc.array(anyPrefix, { minLength: 1, maxLength: 60, size: 'max' }), fc.array(anyPrefix, { maxLength: 60, size: 'max' }), (first, later) => {
      const map = new PrefixMap<string>();
      const golden = new GoldenPrefixMap<string>();
      for (const p of first) {
        map.set(p, `a${p}`);
        golden.set(p, `a${p}`);
      }
      const snap = map.snapshot();
      const frozen = golden.snapshot();
      for (const [i, p] of later.entries()) {
        if (i % 3 === 0) map.delete(first[i % first.length]!);
        else map.set(p, `b${p}`);
      }
      map.clear();
      assert.deepEqual([...snap.entries()], frozen.entries());
      for (const p of first) assert.equal(snap.get(p), frozen.get(p));
      snap.release();
      assert.throws(() => snap.get(first[0]!), /released/);
      assert.equal(map.stats().retiredBlocks, 0, 'releasing the last snapshot reclaims everything');
    }),
    { numRuns: 200 },
  );
});
