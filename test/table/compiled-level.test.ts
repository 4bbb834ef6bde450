/**
 * The compiled IPv4 blocks (src/table/compiled-level.ts): after any sequence of writes, with
 * snapshots forcing copy-on-write and lookups compiling stale slots lazily in between, every
 * compiled block equals a fresh compile from the trie, lookups and batch lookups agree with the
 * golden model and with a table without blocks, and deleting everything returns every block.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Prefix, PrefixTable, type PrefixTableSnapshot } from '../../src/index.js';
import { CompiledLevel, DEEPER, DIRECT_RUNS, RUNS_AT, STALE } from '../../src/table/compiled-level.js';
import { FIRST_LEVEL_SLOTS } from '../../src/table/first-level.js';
import { GoldenPrefixMap } from '../support/golden-prefix-map.js';

interface Internals {
  words: Int32Array;
  firstV4: Int32Array | null;
  compiledV4: CompiledLevel | null;
}

function internals(table: PrefixTable): Internals {
  return table as unknown as Internals;
}

/** Slots stale or fresh; a fresh block holds exactly what compiling the slot now gives. */
function assertBlocksFresh(table: PrefixTable, context: string): { fresh: number; stale: number } {
  const t = internals(table);
  const compiled = t.compiledV4!;
  const first = t.firstV4!;
  const check = new CompiledLevel();
  let fresh = 0;
  let stale = 0;
  for (let h = 0; h < FIRST_LEVEL_SLOTS; h++) {
    const block = compiled.words[h]!;
    if (block === STALE) {
      stale++;
      continue;
    }
    fresh++;
    const expected = check.compile(t.words, h, first[2 * h]!, first[2 * h + 1]!);
    if (block <= 0 || expected <= 0) {
      // A CONSTANT slot: the answer of the whole /16 in the slot word.
      assert.equal(block, expected, `slot ${h}: ${block} vs ${expected} (${context})`);
      continue;
    }
    assert.equal(block & 1, expected & 1, `slot ${h}: a DIRECT block exactly where a fresh compile makes one (${context})`);
    for (let i = 0; i < 8 && (block & 1) === 0; i++) {
      if (compiled.words[block + i] !== check.words[expected + i]) assert.fail(`slot ${h} bitmap word ${i} (${context})`);
    }
    for (let o = 0; o < 256; o++) {
      assert.equal(valueAt(compiled, block, o), valueAt(check, expected, o), `slot ${h} octet ${o} (${context})`);
    }
  }
  return { fresh, stale };
}

function valueAt(level: CompiledLevel, block: number, o: number): number {
  if ((block & 1) !== 0) return level.words[block - 1 + o]!; // a DIRECT block: one word per octet
  let rank = 0;
  for (let i = 0; i <= o; i++) if (((level.words[block + (i >> 5)]! >>> i) & 1) !== 0) rank++;
  return level.words[block + RUNS_AT - 1 + rank]!;
}

// Around 10.1/16 and its neighbours (the /16 and /24 boundaries) and the ends of the space.
const BASES = [0x0a010000, 0x0a0100ff, 0x0a010100, 0x0a01ffff, 0x0a020000, 0x00000000, 0xffffffff];
const length = fc.constantFrom(0, 8, 15, 16, 17, 20, 23, 24, 25, 28, 31, 32);
const prefix = fc
  .tuple(fc.constantFrom(...BASES), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 31 }), fc.boolean(), length)
  .map(([base, n, shift, quiet, len]) => new Prefix(4, quiet ? base : (base ^ (n >>> shift)) >>> 0, 0, 0, 0, len));

type Op =
  | { kind: 'set'; prefix: Prefix; value: number }
  | { kind: 'delete'; prefix: Prefix }
  | { kind: 'lookup'; address: number }
  | { kind: 'snapshot' }
  | { kind: 'trim' };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('set' as const), prefix, value: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('delete' as const), prefix }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('lookup' as const), address: fc.constantFrom(...BASES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('snapshot' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('trim' as const) }) },
);

/** Addresses inside a prefix, at its ends, and at the edges of its /24 and /16. */
function addressesOf(p: Prefix, random: number): number[] {
  const host = p.length === 32 ? 0 : 0xffffffff >>> p.length;
  const w = p.w0 >>> 0;
  return [(w | (random & host)) >>> 0, w, (w | host) >>> 0, ((w | host) + 1) >>> 0, (w & 0xffffff00) >>> 0, (w | 0xff) >>> 0, (w & 0xffff0000) >>> 0, (w | 0xffff) >>> 0];
}

function checkLookups(table: PrefixTable | PrefixTableSnapshot, plain: PrefixTable, golden: GoldenPrefixMap<number>, addresses: number[]): void {
  const batch = table.lookupBatchV4(Uint32Array.from(addresses), new Int32Array(addresses.length));
  for (const [i, a] of addresses.entries()) {
    const expected = golden.lookup(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`) ?? -1;
    assert.equal(table.lookupV4(a), expected, `lookupV4 ${a >>> 0}`);
    assert.equal(batch[i], expected, `lookupBatchV4 ${a >>> 0}`);
    assert.equal(plain.lookupV4(a), expected, `without blocks ${a >>> 0}`);
  }
}

test('compiled blocks stay equal to a fresh compile through writes, lazy compiles, snapshots and trim; lookups agree', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 100, size: 'max' }), fc.integer({ min: 0, max: 0xffffffff }), (ops, random) => {
      const table = new PrefixTable({ firstLevelFrom: 0 });
      const plain = new PrefixTable({ firstLevelFrom: 0, compiled: false });
      const golden = new GoldenPrefixMap<number>();
      const snapshots: PrefixTableSnapshot[] = [];
      const snapshotGolden: GoldenPrefixMap<number>[] = [];
      const seen: Prefix[] = [];
      for (const [i, o] of ops.entries()) {
        if (o.kind === 'set') {
          table.set(o.prefix, o.value);
          plain.set(o.prefix, o.value);
          golden.set(o.prefix, o.value);
          seen.push(o.prefix);
        } else if (o.kind === 'delete') {
          assert.equal(table.delete(o.prefix), golden.delete(o.prefix), `delete ${o.prefix}`);
          plain.delete(o.prefix);
          seen.push(o.prefix);
        } else if (o.kind === 'lookup') {
          checkLookups(table, plain, golden, [o.address, (o.address + 0x100) >>> 0, (o.address ^ 0xff) >>> 0]);
        } else if (o.kind === 'snapshot') {
          snapshots.push(table.snapshot());
          snapshotGolden.push(golden.snapshot());
        } else {
          table.trim();
          assert.equal(assertBlocksFresh(table, `after trim, op ${i}`).stale, 0, 'trim compiles every slot');
        }
        if (i % 5 === 4) assertBlocksFresh(table, `after op ${i}`);
      }
      const addresses = seen.flatMap((p, i) => addressesOf(p, random ^ i));
      checkLookups(table, plain, golden, addresses);
      assertBlocksFresh(table, 'end');
      // Snapshots taken between writes, lazy compiles and trims (they walk the trie, never the
      // blocks) still answer as the table did when they were taken.
      for (const [k, s] of snapshots.entries()) {
        for (const a of addresses) {
          const expected = snapshotGolden[k]!.lookup(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`) ?? -1;
          assert.equal(s.lookupV4(a), expected, `snapshot ${k} lookupV4 ${a >>> 0}`);
        }
      }
      for (const s of snapshots) s.release();
      for (const [key] of golden.entries()) assert.ok(table.delete(key) && plain.delete(key));
      checkLookups(table, plain, new GoldenPrefixMap<number>(), addresses);
      table.trim();
      assert.equal(table.stats().compiledLiveWords, 0, 'every compiled block returned');
    }),
    { numRuns: 100, verbose: 2 },
  );
});

test('compiled blocks: a /16 slot with a short covering prefix and longer ones below; /0, /24 edges, /32; back to empty', () => {
  const table = new PrefixTable({ firstLevelFrom: 0 });
  table.set('0.0.0.0/0', 1).set('10.1.0.0/16', 2).set('10.1.2.0/24', 3).set('10.1.2.128/25', 4).set('10.1.2.7/32', 5).set('10.1.128.0/17', 6);
  const expect: [number, number][] = [
    [0x0a010000, 2],
    [0x0a0101ff, 2],
    [0x0a010200, 3],
    [0x0a010207, 5],
    [0x0a010280, 4],
    [0x0a0102ff, 4],
    [0x0a010300, 2],
    [0x0a017fff, 2],
    [0x0a018000, 6],
    [0x0a01ffff, 6],
    [0x0a020000, 1],
    [0x0a00ffff, 1],
  ];
  for (const [a, v] of expect) assert.equal(table.lookupV4(a), v, `lookupV4 ${a.toString(16)}`);
  const t = internals(table);
  const block = t.compiledV4!.words[0x0a01]!;
  assert.ok(block > STALE, 'the slot was compiled into a block by the lookups');
  // Runs: 0..1 -> 2, 2 -> DEEPER (a child below the /24), 3..127 -> 2, 128..255 -> 6.
  assert.equal(valueAt(t.compiledV4!, block, 2), DEEPER);
  assert.deepEqual([0, 1, 3, 127, 128, 255].map((o) => valueAt(t.compiledV4!, block, o)), [2, 2, 2, 2, 6, 6]);
  table.set('10.1.2.0/24', 7);
  assert.equal(t.compiledV4!.words[0x0a01], STALE, 'a write marks its slot stale');
  assert.equal(table.lookupV4(0x0a010201), 7);
  for (const p of ['0.0.0.0/0', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.128/25', '10.1.2.7/32', '10.1.128.0/17']) assert.ok(table.delete(p));
  for (const [a] of expect) assert.equal(table.lookupV4(a), -1);
  assert.equal(table.stats().compiledLiveWords, 0, 'every compiled block returned');
});

test('compiled slots: CONSTANT answers (none, 0, the largest value) and /16s under a leaf (a /24, a /28, a /16 alone in their /8)', () => {
  const table = new PrefixTable({ firstLevelFrom: 0 });
  const plain = new PrefixTable({ firstLevelFrom: 0, compiled: false });
  const t = internals(table);
  const slot = (h: number): number => t.compiledV4!.words[h]!;
  const both = (p: string, v: number): void => void (table.set(p, v), plain.set(p, v));
  both('10.1.2.0/24', 7); // alone in 10/8: the root's slot for 10 is a leaf, so every /16 of it is a leaf slot
  both('11.1.2.16/28', 8); // a leaf longer than /24: DEEPER at 11.1.2/24
  both('12.1.0.0/16', 9); // a leaf of exactly the /16: one answer for all of it
  both('13.0.0.0/8', 0x7fffffff); // the largest value, and 0, as CONSTANT slot words
  both('14.0.0.0/8', 0);
  const probes: [number, number][] = [
    [0x0a010203, 7],
    [0x0a0101ff, -1],
    [0x0a010300, -1],
    [0x0a020203, -1],
    [0x0b010211, 8],
    [0x0b01021f, 8],
    [0x0b010220, -1],
    [0x0b010200, -1],
    [0x0b010311, -1],
    [0x0c01ffff, 9],
    [0x0c020000, -1],
    [0x0d7f0000, 0x7fffffff],
    [0x0e000001, 0],
    [0x0f000000, -1],
  ];
  for (const [a, v] of probes) {
    assert.equal(table.lookupV4(a), v, `lookupV4 ${a.toString(16)}`);
    assert.equal(plain.lookupV4(a), v, `without blocks ${a.toString(16)}`);
  }
  const batch = table.lookupBatchV4(Uint32Array.from(probes.map(([a]) => a)), new Int32Array(probes.length));
  assert.deepEqual(Array.from(batch), probes.map(([, v]) => v), 'lookupBatchV4');
  assert.ok(slot(0x0a01) > STALE, '10.1/16 (under the leaf 10.1.2.0/24) has a block');
  assert.equal(slot(0x0a02), ~-1, '10.2/16 (no route) is CONSTANT -1');
  assert.ok(slot(0x0b01) > STALE, '11.1/16 has a block');
  assert.equal(valueAt(t.compiledV4!, slot(0x0b01), 2), DEEPER, '11.1.2/24 walks to the /28');
  assert.equal(slot(0x0c01), ~9, '12.1/16 is CONSTANT 9');
  assert.equal(slot(0x0d7f), ~0x7fffffff, '13.127/16 is CONSTANT 2^31 - 1');
  assert.equal(slot(0x0e00), ~0, '14.0/16 is CONSTANT 0');
  assertBlocksFresh(table, 'after the probes');
  // A write under a CONSTANT slot makes it stale, then a block.
  both('13.127.5.0/24', 3);
  assert.equal(slot(0x0d7f), STALE, 'a write marks its slot stale');
  assert.equal(table.lookupV4(0x0d7f0501), 3);
  assert.equal(table.lookupV4(0x0d7f0601), 0x7fffffff);
  assert.ok(slot(0x0d7f) > STALE, 'now a block');
  for (const p of ['10.1.2.0/24', '11.1.2.16/28', '12.1.0.0/16', '13.0.0.0/8', '14.0.0.0/8', '13.127.5.0/24']) assert.ok(table.delete(p));
  for (const [a] of probes) assert.equal(table.lookupV4(a), -1, `empty: ${a.toString(16)}`);
  table.trim();
  assert.equal(table.stats().compiledLiveWords, 0, 'every compiled block returned');
  for (let h = 0; h < FIRST_LEVEL_SLOTS; h++) assert.equal(slot(h), ~-1, `slot ${h} is CONSTANT -1 once empty`);
});

test('DIRECT blocks: a dense /16 (more than DIRECT_RUNS runs) answers every /24 from its own word, through writes, deeper prefixes, deletes back to a run block and to empty', () => {
  fc.assert(
    fc.property(
      // Room for the up to 8 deeper prefixes to merge runs (adjacent DEEPER octets) and stay DIRECT.
      fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: DIRECT_RUNS + 9, maxLength: 256 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 25, max: 32 }), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 0xffffffff }),
      (octets, deeper, covering, seed) => {
        const table = new PrefixTable({ firstLevelFrom: 0 });
        const plain = new PrefixTable({ firstLevelFrom: 0, compiled: false });
        const golden = new GoldenPrefixMap<number>();
        const set = (p: Prefix, v: number): void => void (table.set(p, v), plain.set(p, v), golden.set(p, v));
        if (covering) set(new Prefix(4, 0x0a010000, 0, 0, 0, 16), 1_000_000);
        // Distinct values per /24, so that every stored /24 is a run of its own.
        for (const [i, o] of octets.entries()) set(new Prefix(4, (0x0a010000 | (o << 8)) >>> 0, 0, 0, 0, 24), i);
        for (const [o, len, host] of deeper) set(new Prefix(4, (0x0a010000 | (o << 8) | host) >>> 0, 0, 0, 0, len), 500_000 + o);
        const addresses: number[] = [];
        for (let o = 0; o < 256; o++) addresses.push((0x0a010000 | (o << 8) | ((seed >>> (o & 15)) & 255)) >>> 0, (0x0a010000 | (o << 8)) >>> 0, (0x0a0100ff | (o << 8)) >>> 0);
        addresses.push(0x0a00ffff, 0x0a020000);
        checkLookups(table, plain, golden, addresses);
        const slot = internals(table).compiledV4!.words[0x0a01]!;
        assert.equal(slot & 1, 1, `10.1/16 with ${octets.length} /24s of distinct values has a DIRECT block`);
        assertBlocksFresh(table, 'dense');
        // Delete /24s in the drawn order: the block turns stale at each write and is rebuilt as
        // a run block once few runs are left.
        for (const [i, o] of octets.entries()) {
          const p = new Prefix(4, (0x0a010000 | (o << 8)) >>> 0, 0, 0, 0, 24);
          assert.ok(table.delete(p) && plain.delete(p) && golden.delete(p));
          if (i % 16 === 15) {
            checkLookups(table, plain, golden, addresses);
            assertBlocksFresh(table, `after ${i + 1} deletes`);
          }
        }
        for (const [key] of golden.entries()) assert.ok(table.delete(key) && plain.delete(key));
        checkLookups(table, plain, new GoldenPrefixMap<number>(), addresses);
        table.trim();
        assert.equal(table.stats().compiledLiveWords, 0, 'every compiled block returned, DIRECT ones too');
      },
    ),
    { numRuns: 40 },
  );
});
