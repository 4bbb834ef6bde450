/**
 * Property tests: the batch lookups (`lookupBatchV4`/`lookupBatchV6`, which walk groups of
 * BATCH_LANES addresses through the trie in lockstep) give exactly what the single lookups
 * give, on random tables, for every batch size 0 .. 4 × BATCH_LANES - 1 (so every group
 * remainder, including empty and partial last groups), on live tables, on snapshots that
 * outlive later writes, and through PrefixMap's value handles.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PrefixMap, PrefixTable, type PrefixTableReader } from '../../src/index.js';
import { BATCH_LANES } from '../../src/table/prefix-table-reader.js';

const word = fc.integer({ min: 0, max: 0xffffffff });
/** Prefix words near a few bases, so prefixes nest deeply and share trie paths. */
const V4_BASES = [0x00000000, 0x0a000000, 0x0a010280, 0xc0a80000, 0xffffffff];
const V6_BASES = [0x00000000, 0x20010db8, 0x2a000000, 0xffffffff];

interface Entry {
  family: 4 | 6;
  w: [number, number, number, number];
  length: number;
}

const v4Entry = fc
  .tuple(fc.constantFrom(...V4_BASES), word, fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 32 }))
  .map(([base, noise, shift, length]): Entry => ({ family: 4, w: [(base ^ (noise >>> shift)) >>> 0, 0, 0, 0], length }));
const v6Entry = fc
  .tuple(fc.constantFrom(...V6_BASES), word, word, fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 128 }))
  .map(([base, w1, noise, shift, length]): Entry => ({
    family: 6,
    w: [(base ^ (noise >>> shift)) >>> 0, w1 >>> shift, noise, w1],
    length,
  }));
const entries = fc.array(fc.oneof(v4Entry, v6Entry), { minLength: 0, maxLength: 60 });

/** Deterministic addresses: inside stored prefixes (random host bits) mixed with uniform ones. */
function addresses(stored: Entry[], family: 4 | 6, count: number, seed: number): Uint32Array {
  let s = seed >>> 0 || 1;
  const random = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s;
  };
  const pool = stored.filter((e) => e.family === family);
  const words = family === 4 ? 1 : 4;
  const out = new Uint32Array(count * words);
  for (let i = 0; i < count; i++) {
    const e = pool.length > 0 && random() % 4 !== 0 ? pool[random() % pool.length]! : undefined;
    for (let k = 0; k < words; k++) {
      const bits = e === undefined ? 0 : Math.max(0, Math.min(32, e.length - 32 * k));
      const host = bits === 32 ? 0 : random() >>> bits;
      out[i * words + k] = e === undefined ? random() : ((e.w[k]! & (bits === 0 ? 0 : -1 << (32 - bits))) | host) >>> 0;
    }
  }
  return out;
}

const MAX_BATCH = 4 * BATCH_LANES;

/** Batch results of every size 0..MAX_BATCH-1 equal the single lookups; slots past n are untouched. */
function checkAllSizes(reader: PrefixTableReader, v4: Uint32Array, v6: Uint32Array): void {
  const single4 = Int32Array.from(v4, (a) => reader.lookupV4(a));
  const single6 = Int32Array.from({ length: MAX_BATCH }, (_, i) =>
    reader.lookupV6(v6[4 * i]!, v6[4 * i + 1]!, v6[4 * i + 2]!, v6[4 * i + 3]!),
  );
  for (let n = 0; n < MAX_BATCH; n++) {
    const out4 = new Int32Array(n + 1).fill(-7);
    reader.lookupBatchV4(v4.subarray(0, n), out4);
    assert.deepEqual(Array.from(out4.subarray(0, n)), Array.from(single4.subarray(0, n)), `IPv4 batch of ${n}`);
    assert.equal(out4[n], -7, `IPv4 batch of ${n} wrote past its end`);
    const out6 = new Int32Array(n + 1).fill(-7);
    reader.lookupBatchV6(v6.subarray(0, 4 * n), out6);
    assert.deepEqual(Array.from(out6.subarray(0, n)), Array.from(single6.subarray(0, n)), `IPv6 batch of ${n}`);
    assert.equal(out6[n], -7, `IPv6 batch of ${n} wrote past its end`);
  }
}

function load(table: PrefixTable, list: Entry[], offset: number): void {
  list.forEach((e, i) => table.setWords(e.family, e.w[0], e.w[1], e.w[2], e.w[3], e.length, offset + i));
}

test('batch lookups equal single lookups for every batch size on random tables', () => {
  fc.assert(
    fc.property(entries, fc.integer(), (list, seed) => {
      const table = new PrefixTable();
      load(table, list, 0);
      checkAllSizes(table, addresses(list, 4, MAX_BATCH, seed), addresses(list, 6, MAX_BATCH, seed ^ 0x5bd1e995));
    }),
    { numRuns: 60 },
  );
});

test('batch lookups on a snapshot equal its single lookups after the live table changed', () => {
  fc.assert(
    fc.property(entries, entries, fc.integer(), (first, second, seed) => {
      const table = new PrefixTable();
      load(table, first, 0);
      const snapshot = table.snapshot();
      const all = first.concat(second);
      const v4 = addresses(all, 4, MAX_BATCH, seed);
      const v6 = addresses(all, 6, MAX_BATCH, seed ^ 0x5bd1e995);
      const before4 = Int32Array.from(v4, (a) => snapshot.lookupV4(a));
      load(table, second, 1000);
      first.slice(0, first.length >> 1).forEach((e) => table.deleteWords(e.family, e.w[0], e.w[1], e.w[2], e.w[3], e.length));
      // The snapshot still answers as before the writes, batch and single alike.
      assert.deepEqual(Array.from(snapshot.lookupBatchV4(v4, new Int32Array(MAX_BATCH))), Array.from(before4));
      checkAllSizes(snapshot, v4, v6);
      checkAllSizes(table, v4, v6);
      snapshot.release();
    }),
    { numRuns: 30 },
  );
});

test('PrefixMap batch lookups return the same value handles as single lookups', () => {
  fc.assert(
    fc.property(entries, fc.integer(), (list, seed) => {
      const map = new PrefixMap<string>();
      list.forEach((e, i) => map.setWords(e.family, e.w[0], e.w[1], e.w[2], e.w[3], e.length, `v${i}`));
      const v4 = addresses(list, 4, MAX_BATCH, seed);
      const v6 = addresses(list, 6, MAX_BATCH, seed + 1);
      const out4 = map.lookupBatchV4(v4, new Int32Array(MAX_BATCH));
      const out6 = map.lookupBatchV6(v6, new Int32Array(MAX_BATCH));
      for (let i = 0; i < MAX_BATCH; i++) {
        assert.equal(out4[i], map.lookupHandleV4(v4[i]!));
        assert.equal(map.valueOf(out4[i]!), map.lookupV4(v4[i]!));
        assert.equal(out6[i], map.lookupHandleV6(v6[4 * i]!, v6[4 * i + 1]!, v6[4 * i + 2]!, v6[4 * i + 3]!));
      }
    }),
    { numRuns: 40 },
  );
});
