/**
 * The direct-indexed first level (src/table/first-level.ts): after any sequence of writes,
 * with snapshots forcing copy-on-write, its slots equal a rebuild from the trie, and lookups
 * through it agree with the golden model. Prefixes are drawn around /8 and /16 boundaries,
 * where a slot's covering value and its subtree change.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Address, Prefix, PrefixTable, type PrefixTableSnapshot } from '../../src/index.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import { NODE_WORDS } from '../../src/table/layout.js';
import { assertFirstLevelsFresh, tableInternals } from '../support/first-level-check.js';
import { GoldenPrefixMap } from '../support/golden-prefix-map.js';

// Networks near boundaries: 10.0/16 and 10.1/16 (the /16 boundary), 10.255/16 and 11.0/16
// (the /8 boundary), 0/8 and 255.255/16 (the ends).
const V4_BASES = [0x0a000000, 0x0a00ffff, 0x0a010000, 0x0affffff, 0x0b000000, 0x00000000, 0xffffffff];
const V6_BASES = [0x20010db8, 0x2001ffff, 0x20020000, 0x00000000, 0xffffffff];
const v4Length = fc.constantFrom(0, 1, 7, 8, 9, 12, 15, 16, 17, 20, 24, 25, 31, 32);
const v6Length = fc.constantFrom(0, 8, 15, 16, 17, 24, 32, 33, 48, 64, 127, 128);
const noise = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 31 }));

const v4Prefix = fc
  .tuple(fc.constantFrom(...V4_BASES), noise, fc.boolean(), v4Length)
  .map(([base, [n, shift], quiet, length]) => new Prefix(4, quiet ? base : (base ^ (n >>> shift)) >>> 0, 0, 0, 0, length));
const v6Prefix = fc
  .tuple(fc.constantFrom(...V6_BASES), noise, fc.boolean(), fc.integer({ min: 0, max: 0xffffffff }), v6Length)
  .map(([base, [n, shift], quiet, tail, length]) => new Prefix(6, quiet ? base : (base ^ (n >>> shift)) >>> 0, tail, 0, 1, length));
const anyPrefix = fc.oneof(v4Prefix, v6Prefix);

/** Addresses inside a prefix (random host bits) and right at the edges of its /16. */
function addressesOf(p: Prefix, random: number): Address[] {
  const fill = (w: number, bits: number) => (bits >= 32 ? w : (w | (random >>> Math.max(0, bits))) >>> 0);
  const inside = new Address(p.family, fill(p.w0, p.length), p.w1, p.w2, p.w3);
  const low = new Address(p.family, (p.w0 & 0xffff0000) >>> 0, p.w1, p.w2, p.w3);
  const high = new Address(p.family, (p.w0 | 0xffff) >>> 0, 0xffffffff, 0xffffffff, 0xffffffff);
  const next = new Address(p.family, ((p.w0 | 0xffff) + 1) >>> 0, 0, 0, 0);
  return [inside, low, high, next];
}

function checkLookups(table: PrefixTable | PrefixTableSnapshot, golden: GoldenPrefixMap<number>, addresses: Address[]): void {
  for (const a of addresses) {
    const expected = golden.lookup(a) ?? -1;
    if (a.family === 4) {
      assert.equal(table.lookupV4(a.w0), expected, `lookupV4 ${a}`);
      assert.equal(table.lookupBatchV4(Uint32Array.of(a.w0), new Int32Array(1))[0], expected, `lookupBatchV4 ${a}`);
    } else {
      assert.equal(table.lookupV6(a.w0, a.w1, a.w2, a.w3), expected, `lookupV6 ${a}`);
      assert.equal(table.lookupBatchV6(Uint32Array.of(a.w0, a.w1, a.w2, a.w3), new Int32Array(1))[0], expected, `lookupBatchV6 ${a}`);
    }
  }
}

type Op = { kind: 'set'; prefix: Prefix; value: number } | { kind: 'delete'; prefix: Prefix } | { kind: 'snapshot' } | { kind: 'release' };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('set' as const), prefix: anyPrefix, value: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('delete' as const), prefix: anyPrefix }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('snapshot' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const) }) },
);

test('after every write the first level equals a rebuild, and lookups through it agree with the golden model', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 120, size: 'max' }), fc.integer({ min: 0, max: 0xffffffff }), (ops, random) => {
      const table = new PrefixTable({ firstLevelFrom: 0 });
      const golden = new GoldenPrefixMap<number>();
      const snapshots: [PrefixTableSnapshot, GoldenPrefixMap<number>][] = [];
      const seen: Prefix[] = [];
      for (const [i, o] of ops.entries()) {
        if (o.kind === 'set') {
          table.set(o.prefix, o.value);
          golden.set(o.prefix, o.value);
          seen.push(o.prefix);
        } else if (o.kind === 'delete') {
          assert.equal(table.delete(o.prefix), golden.delete(o.prefix), `delete ${o.prefix}`);
          seen.push(o.prefix);
        } else if (o.kind === 'snapshot') {
          snapshots.push([table.snapshot(), golden.snapshot()]);
          continue;
        } else {
          snapshots.shift()?.[0].release();
          continue;
        }
        // A rebuild costs a few ms, so compare every few writes (a stale slot stays stale until rewritten).
        if (i % 6 === 5 || i === ops.length - 1) assertFirstLevelsFresh(table, `after op ${i}: ${o.kind} ${o.prefix}`);
        checkLookups(table, golden, addressesOf(o.prefix, random + i));
      }
      const addresses = seen.flatMap((p, i) => addressesOf(p, random ^ i));
      checkLookups(table, golden, addresses);
      for (const [snapshot, frozen] of snapshots) {
        checkLookups(snapshot, frozen, addresses);
        snapshot.release();
      }
      // Delete back to empty: no subtree and no covering value left in any slot.
      for (const [key] of golden.entries()) assert.ok(table.delete(key));
      assertFirstLevelsFresh(table, 'empty');
      const t = tableInternals(table);
      assert.ok(t.firstV4!.every((word, i) => word === ((i & 1) === 0 ? 0 : -1)), 'IPv4 slots empty');
      assert.ok(t.firstV6!.every((word, i) => word === ((i & 1) === 0 ? 0 : -1)), 'IPv6 slots empty');
      assert.equal(table.stats().liveWords, 2 * NODE_WORDS, 'only the two empty roots stay allocated');
    }),
    { numRuns: 100 },
  );
});

test('a slot with a short covering prefix and a long one below it; /0, /16 edges, /32 and /128', () => {
  const table = new PrefixTable({ firstLevelFrom: 0 });
  table.set('0.0.0.0/0', 1).set('10.0.0.0/8', 2).set('10.1.0.0/16', 3).set('10.1.2.0/24', 4).set('10.1.2.3/32', 5);
  assert.equal(table.lookupV4(0x0a010203), 5, '/32 below the slot');
  assert.equal(table.lookupV4(0x0a010204), 4, '/24 below the slot');
  assert.equal(table.lookupV4(0x0a010300), 3, 'the slot covering /16');
  assert.equal(table.lookupV4(0x0a01ffff), 3, 'last address of the /16');
  assert.equal(table.lookupV4(0x0a020000), 2, 'first address after the /16: the /8');
  assert.equal(table.lookupV4(0x0b000000), 1, 'outside the /8: the /0');
  table.delete('0.0.0.0/0');
  assert.equal(table.lookupV4(0x0b000000), -1, 'the /0 gone');
  // A leaf alone below the root's slot answers for the whole /8 through every one of its 256 slots.
  table.set('11.22.33.0/24', 6);
  assert.equal(table.lookupV4(0x0b162122), 6);
  assert.equal(table.lookupV4(0x0b162221), -1);
  assert.equal(table.lookupV4(0x0b000000), -1);
  table.set('11.0.0.0/12', 7);
  assert.equal(table.lookupV4(0x0b000000), 7, 'the leaf pushed down; the /12 covers');
  assert.equal(table.lookupV4(0x0b162122), 6);
  table.set('::/0', 8).set('2001:db8::1/128', 9).set('2001:db8::/32', 10);
  assert.equal(table.lookupV6(0x20010db8, 0, 0, 1), 9, '/128');
  assert.equal(table.lookupV6(0x20010db8, 0, 0, 2), 10);
  assert.equal(table.lookupV6(0x20010db9, 0, 0, 1), 8);
  assertFirstLevelsFresh(table, 'edge cases');
});

test('the first level is built at the threshold and dropped below half of it; lookups agree throughout', () => {
  const table = new PrefixTable({ firstLevelFrom: 4 });
  const golden = new GoldenPrefixMap<number>();
  const prefixes = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '192.168.0.0/16', '192.168.1.128/25'].map(parsePrefix);
  const addresses = prefixes.flatMap((p, i) => addressesOf(p, 0x9e3779b1 * (i + 1)));
  const built = (): boolean => tableInternals(table).firstV4 !== null;
  prefixes.forEach((p, i) => {
    table.set(p, i);
    golden.set(p, i);
    assert.equal(built(), i + 1 >= 4, `built with ${i + 1} prefixes`);
    checkLookups(table, golden, addresses);
  });
  for (const [i, p] of prefixes.entries()) {
    table.delete(p);
    golden.delete(p);
    assert.equal(built(), 5 - (i + 1) >= 2, `kept with ${5 - (i + 1)} prefixes`);
    checkLookups(table, golden, addresses);
  }
  assert.throws(() => new PrefixTable({ firstLevelFrom: -1 }), /firstLevelFrom/);
});
