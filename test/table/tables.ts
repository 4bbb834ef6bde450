/**
 * Shared checks for big tables (the real full table and generated ones): load a PrefixMap
 * and the golden model, compare exact gets and sampled lookups, delete everything, and check
 * that every block went back to the free lists.
 */
import assert from 'node:assert/strict';
import { Address, type Prefix, PrefixMap } from '../../src/index.js';
import { NODE_WORDS } from '../../src/table/layout.js';
import { GoldenPrefixMap } from '../support/golden-prefix-map.js';

/** A small deterministic PRNG (LCG) so failures reproduce. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return ((s >>> 16) | (Math.imul(s, 2654435761) << 16)) >>> 0;
  };
}

/** Random addresses: half inside stored prefixes (random host bits), half uniform. */
export function sampleAddresses(prefixes: Prefix[], count: number, random: () => number): Address[] {
  const out: Address[] = [];
  const v4 = prefixes.some((p) => p.family === 4);
  const v6 = prefixes.some((p) => p.family === 6);
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      const p = prefixes[random() % prefixes.length]!;
      const host = (w: number, bits: number) => (bits >= 32 ? w : (w | (random() >>> Math.max(0, bits))) >>> 0);
      out.push(new Address(p.family, host(p.w0, p.length), host(p.w1, p.length - 32), host(p.w2, p.length - 64), host(p.w3, p.length - 96)));
    } else if (v4 && (!v6 || i % 4 === 1)) {
      out.push(new Address(4, random()));
    } else {
      out.push(new Address(6, random() & 0x3fffffff | 0x20000000, random(), random(), random()));
    }
  }
  return out;
}

/** Load, compare with the golden model, delete all, check the memory came back. */
export function checkBigTable(prefixes: Prefix[], lookups: number, seed: number): void {
  const map = new PrefixMap<number>();
  const golden = new GoldenPrefixMap<number>();
  prefixes.forEach((p, i) => {
    map.set(p, i);
    golden.set(p, i);
  });
  assert.equal(map.size, golden.size);
  for (const p of prefixes) assert.equal(map.get(p), golden.get(p), `get ${p}`);
  const random = lcg(seed);
  const addresses = sampleAddresses(prefixes, lookups, random);
  const snapshot = map.snapshot();
  for (const a of addresses) assert.deepEqual(map.lookupEntry(a), golden.lookupEntry(a), `lookup ${a}`);
  // Batch lookups agree with the golden model too.
  const v4 = addresses.filter((a) => a.family === 4);
  const handles = map.lookupBatchV4(Uint32Array.from(v4, (a) => a.w0), new Int32Array(v4.length));
  v4.forEach((a, i) => assert.equal(map.valueOf(handles[i]!), golden.lookup(a), `batch lookup ${a}`));
  const v6 = addresses.filter((a) => a.family === 6);
  const words6 = new Uint32Array(4 * v6.length);
  v6.forEach((a, i) => words6.set([a.w0, a.w1, a.w2, a.w3], 4 * i));
  const handles6 = map.lookupBatchV6(words6, new Int32Array(v6.length));
  v6.forEach((a, i) => assert.equal(map.valueOf(handles6[i]!), golden.lookup(a), `batch lookup ${a}`));
  // Trimming the growth slack changes nothing visible.
  map.trim();
  // Numeric paths agree with the text path.
  for (const a of addresses.slice(0, 2000)) {
    const expected = golden.lookup(a);
    const actual = a.family === 4 ? map.lookupV4(a.w0) : map.lookupV6(a.w0, a.w1, a.w2, a.w3);
    assert.equal(actual, expected, `numeric lookup ${a}`);
  }
  // Delete everything in another order while a snapshot holds the old table.
  const order = prefixes.slice();
  for (let i = order.length - 1; i > 0; i--) {
    const j = random() % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const p of order) map.delete(p);
  assert.equal(map.size, 0);
  for (const a of addresses.slice(0, 2000)) assert.equal(snapshot.lookup(a), golden.lookup(a), `snapshot lookup ${a}`);
  assert.equal(snapshot.size, golden.size);
  snapshot.release();
  const stats = map.stats();
  assert.equal(stats.retiredBlocks, 0);
  assert.equal(stats.liveWords, 2 * NODE_WORDS, 'only the two empty roots stay allocated');
  assert.equal(stats.freeValueSlots, stats.valueSlots, 'every value handle is free');
  assert.deepEqual([...map.entries()], []);
}
