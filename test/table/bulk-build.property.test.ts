/**
 * The bulk build from sorted entries (PrefixTable.fromSorted, PrefixMap.fromSorted, fromBytes)
 * makes the same trie as inserting the same entries one by one in random order: same node
 * structure word for word (bitsets, rank words, child slots, leaves, values; only block offsets
 * and generations may differ), same walk, same toBytes bytes, same lookups, and the table then
 * takes writes and gives back every block when emptied.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Prefix, PrefixMap, PrefixTable, RibstoreError, parsePrefix } from '../../src/index.js';
import {
  CHILD_ARRAY,
  CHILD_BITS,
  CHILD_COUNT,
  CHILD_RANKS,
  LEAF_KEY,
  LEAF_META,
  LEAF_V6,
  LEAF_VALUE,
  NODE_WORDS,
  PREFIX_ARRAY,
  PREFIX_BITS,
  PREFIX_COUNT,
  PREFIX_RANKS,
} from '../../src/table/layout.js';
import { encodeTableEntries } from '../../src/table/serialise.js';
import { lcg } from './tables.js';

/** Prefixes near a few bases, so they nest: /0, stride and /16 boundaries, host routes. */
const V4_BASES = [0x00000000, 0x0a000000, 0x0a010000, 0x0a0102ff, 0xc0a80000, 0xffffffff];
const V6_BASES: [number, number, number, number][] = [
  [0, 0, 0, 0],
  [0x20010db8, 0, 0, 0],
  [0x20010db8, 0x00010000, 0, 1],
  [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
];
const word = fc.integer({ min: 0, max: 0xffffffff });
const v4 = fc
  .tuple(fc.constantFrom(...V4_BASES), word, fc.integer({ min: 0, max: 31 }), fc.boolean(), fc.oneof(fc.constantFrom(0, 8, 15, 16, 17, 24, 32), fc.integer({ min: 0, max: 32 })))
  .map(([base, noise, shift, quiet, length]) => new Prefix(4, quiet ? base : (base ^ (noise >>> shift)) >>> 0, 0, 0, 0, length));
const v6 = fc
  .tuple(fc.constantFrom(...V6_BASES), fc.integer({ min: 0, max: 3 }), word, fc.integer({ min: 0, max: 31 }), fc.oneof(fc.constantFrom(0, 16, 32, 64, 127, 128), fc.integer({ min: 0, max: 128 })))
  .map(([base, at, noise, shift, length]) => {
    const w = base.slice();
    w[at] = (w[at]! ^ (noise >>> shift)) >>> 0;
    return new Prefix(6, w[0]!, w[1]!, w[2]!, w[3]!, length);
  });
const prefixes = fc.array(fc.oneof({ weight: 3, arbitrary: v4 }, { weight: 2, arbitrary: v6 }), { maxLength: 300 });

interface Internals {
  words: Int32Array;
  rootV4: number;
  rootV6: number;
}

/** The trie below `node` as text, without block offsets or generations. */
function dump(a: Int32Array, node: number): string {
  const parts: number[] = [];
  for (let w = 0; w < 8; w++) parts.push(a[node + CHILD_BITS + w]!);
  for (let w = 0; w < 16; w++) parts.push(a[node + PREFIX_BITS + w]!);
  parts.push(a[node + CHILD_RANKS]!, a[node + CHILD_RANKS + 1]!, a[node + PREFIX_RANKS]!);
  const prefixCount = a[node + PREFIX_COUNT]!;
  const values = Array.from(a.subarray(a[node + PREFIX_ARRAY]!, a[node + PREFIX_ARRAY]! + prefixCount));
  const children: string[] = [];
  for (let i = 0; i < a[node + CHILD_COUNT]!; i++) {
    const slot = a[a[node + CHILD_ARRAY]! + i]!;
    if (slot > 0) children.push(dump(a, slot));
    else {
      const leaf = -slot;
      const keyWords = (a[leaf + LEAF_META]! & LEAF_V6) !== 0 ? 4 : 1;
      children.push(`leaf(${a[leaf + LEAF_META]}:${a[leaf + LEAF_VALUE]}:${Array.from(a.subarray(leaf + LEAF_KEY, leaf + LEAF_KEY + keyWords))})`);
    }
  }
  return `node(${parts}|${values}|${children.join(',')})`;
}

function structure(table: PrefixTable): string {
  const t = table as unknown as Internals;
  return `${dump(t.words, t.rootV4)} ${dump(t.words, t.rootV6)}`;
}

/** The table's entries as a sorted source. */
function sortedSource(table: PrefixTable): Parameters<typeof PrefixTable.fromSorted>[0] {
  return (add) => table.forEachEntryWords(add);
}

function shuffled<T>(items: T[], seed: number): T[] {
  const random = lcg(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = random() % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

test('fromSorted builds the trie one-by-one inserts build, word for word; lookups, bytes and writes agree', () => {
  fc.assert(
    fc.property(prefixes, fc.nat(), fc.boolean(), (list, seed, firstLevel) => {
      const options = { firstLevelFrom: firstLevel ? 0 : 1_000_000 };
      const inserted = new PrefixTable(options);
      shuffled(list, seed).forEach((p, i) => inserted.set(p, i));
      const built = PrefixTable.fromSorted(sortedSource(inserted), options);
      assert.equal(structure(built), structure(inserted));
      assert.equal(built.size, inserted.size);
      assert.deepEqual([...built.entries()], [...inserted.entries()]);
      assert.deepEqual(built.toBytes(), inserted.toBytes());
      assert.equal(built.stats().liveWords, inserted.stats().liveWords);
      const random = lcg(seed);
      for (const p of list) {
        const a = p.w0 | (random() >>> Math.min(31, p.length));
        assert.equal(built.lookupV4(a | 0), inserted.lookupV4(a | 0));
        assert.equal(built.lookupV6(p.w0, p.w1, p.w2, p.w3 | 1), inserted.lookupV6(p.w0, p.w1, p.w2, p.w3 | 1));
      }
      // fromBytes takes the same path and gets the same trie.
      assert.equal(structure(PrefixTable.fromBytes(inserted.toBytes(), 'test', options)), structure(inserted));
      // The built table takes writes like any other and returns every block when emptied.
      for (const p of shuffled(list, seed + 1)) {
        built.delete(p);
        inserted.delete(p);
        assert.equal(structure(built), structure(inserted));
      }
      assert.equal(built.size, 0);
      assert.equal(built.stats().liveWords, 2 * NODE_WORDS);
    }),
    { numRuns: 150 },
  );
});

test('PrefixMap.fromSorted and fromBytes give the map one-by-one sets give', () => {
  fc.assert(
    fc.property(prefixes, fc.nat(), (list, seed) => {
      const map = new PrefixMap<string>();
      shuffled(list, seed).forEach((p, i) => map.set(p, `v${i}`));
      const entries = [...map.entries()];
      const built = PrefixMap.fromSorted<string>((add) => {
        for (const [text, value] of entries) {
          const p = parsePrefix(text);
          add(p.family, p.w0, p.w1, p.w2, p.w3, p.length, value);
        }
      });
      assert.deepEqual([...built.entries()], entries);
      assert.deepEqual([...PrefixMap.fromBytes<string>(map.toBytes()).entries()], entries);
      built.set('10.0.0.0/8', 'late');
      assert.equal(built.get('10.0.0.0/8'), 'late');
    }),
    { numRuns: 60 },
  );
});

test('fromSorted refuses entries out of order, repeated or invalid with typed errors', () => {
  const errorCode = (code: string, text: RegExp) => (error: unknown) =>
    error instanceof RibstoreError && error.code === code && text.test(error.message);
  assert.throws(
    () => PrefixTable.fromSorted((add) => { add(4, 0x0b000000, 0, 0, 0, 8, 1); add(4, 0x0a000000, 0, 0, 0, 8, 2); }),
    errorCode('INVALID_ARGUMENT', /entry 1 comes before/),
  );
  assert.throws(
    () => PrefixTable.fromSorted((add) => { add(4, 0x0a000000, 0, 0, 0, 16, 1); add(4, 0x0a000000, 0, 0, 0, 8, 2); }),
    errorCode('INVALID_ARGUMENT', /entry 1 comes before/),
  );
  // Host bits are masked, so these two are the same prefix.
  assert.throws(
    () => PrefixTable.fromSorted((add) => { add(4, 0x0a000000, 0, 0, 0, 8, 1); add(4, 0x0a000001, 0, 0, 0, 8, 2); }),
    errorCode('INVALID_ARGUMENT', /entry 1 repeats/),
  );
  assert.throws(() => PrefixTable.fromSorted((add) => add(4, 0, 0, 0, 0, 33, 1)), errorCode('INVALID_PREFIX', /length 33/));
  assert.throws(() => PrefixTable.fromSorted((add) => add(5 as 4, 0, 0, 0, 0, 8, 1)), errorCode('INVALID_PREFIX', /IPv5/));
  assert.throws(() => PrefixTable.fromSorted((add) => add(6, 0, 0, 0, 0, 8, -1)), errorCode('INVALID_ARGUMENT', /value -1/));
  assert.throws(() => PrefixMap.fromSorted<number>((add) => { add(6, 1, 0, 0, 0, 32, 1); add(6, 0, 0, 0, 0, 32, 2); }), errorCode('INVALID_ARGUMENT', /fromSorted: entry 1/));
  // Families may come in either order; each is sorted on its own.
  const mixed = PrefixTable.fromSorted((add) => { add(6, 0x20010db8, 0, 0, 0, 32, 1); add(4, 0x0a000000, 0, 0, 0, 8, 2); });
  assert.deepEqual([...mixed.entries()], [['10.0.0.0/8', 2], ['2001:db8::/32', 1]]);
});

test('fromBytes still loads a file whose entries are not sorted, and still refuses duplicates in one', () => {
  const unsorted = encodeTableEntries((sink) => {
    sink(4, 0x0b000000, 0, 0, 0, 8, 1);
    sink(4, 0x0a000000, 0, 0, 0, 8, 2);
  });
  assert.deepEqual([...PrefixTable.fromBytes(unsorted).entries()], [['10.0.0.0/8', 2], ['11.0.0.0/8', 1]]);
  const repeated = encodeTableEntries((sink) => {
    sink(4, 0x0a000000, 0, 0, 0, 8, 1);
    sink(4, 0x0a000000, 0, 0, 0, 8, 2);
  });
  assert.throws(() => PrefixTable.fromBytes(repeated, 'f'), (e: unknown) => e instanceof RibstoreError && e.code === 'FILE_ERROR' && /duplicate/.test(e.message));
});
