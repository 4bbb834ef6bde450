/**
 * The compiled IPv6 blocks (src/table/compiled-v6.ts): after any sequence of writes, with
 * snapshots forcing copy-on-write and lookups compiling and recompiling blocks lazily in between,
 * every clean block reachable from the slots describes the trie node at its place exactly, the
 * blocks in use are exactly those reachable (none leaked), single and batch lookups agree with the
 * golden model and with a table without blocks, snapshots taken across block rebuilds keep their
 * answers, and deleting everything returns every block.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Address, Prefix, PrefixTable, type PrefixTableSnapshot } from '../../src/index.js';
import { CompiledV6, V6_BITMAP, V6_DIRECT, V6_INFO, V6_NODE, V6_SPARSE, pairOf, sizeInLines } from '../../src/table/compiled-v6.js';
import { FIRST_LEVEL_SLOTS } from '../../src/table/first-level.js';
import { CHILD_ARRAY, CHILD_BITS, PREFIX_ARRAY, PREFIX_COUNT } from '../../src/table/layout.js';
import { childRank, longestInNode, prefixRank } from '../../src/table/node-rank.js';
import { GoldenPrefixMap } from '../support/golden-prefix-map.js';

interface Internals {
  words: Int32Array;
  firstV6: Int32Array | null;
  compiledV6: CompiledV6 | null;
}

function internals(table: PrefixTable): Internals {
  return table as unknown as Internals;
}

/** Words of the block of `link` (whole lines); checks its kind against its run count. */
function blockWords(f: Int32Array, link: number, kinds: Set<number>): number {
  const runs = f[(link & -16) + V6_INFO]! >>> 8;
  const kind = link & 15;
  // A DIRECT block is patched in place, so it may come to hold fewer runs than it was made for.
  if (kind !== V6_DIRECT) assert.equal(kind, runs <= 6 ? V6_SPARSE : V6_BITMAP, `kind of a block of ${runs} runs`);
  let counted = 0;
  for (let o = 0; o < 256; o++) if (o === 0 || pairOf(f, link, o) !== pairOf(f, link, o - 1)) counted++;
  if (kind !== V6_DIRECT) assert.equal(counted, runs, 'runs found by octet');
  kinds.add(kind);
  return sizeInLines(kind, runs) * 16;
}

/**
 * Check every block reachable from the slots: a clean block (it names the trie node at its place,
 * and that node's dirty word is 0) holds, per octet, that node's own longest match and a LINK to
 * what its child slot holds; below a clean block, a child block names the child node; with no
 * write pending, every block is clean. Returns the words of all reachable blocks (clean or not),
 * which must equal the live words.
 */
function assertBlocksTrue(table: PrefixTable, context: string, kinds = new Set<number>()): number {
  const t = internals(table);
  const c = t.compiledV6!;
  const first = t.firstV6!;
  const a = t.words;
  const f = c.words;
  let words = 0;
  const visit = (block: number, node: number, where: string, trusted: boolean): void => {
    words += blockWords(f, block, kinds);
    const clean = trusted && f[(block & -16) + V6_NODE] === node && c.dirty[node >> 4] === 0;
    // With no write pending, the lookups need every reachable block current (compiled-v6.ts, settle).
    if (c.pendingCount === 0) assert.ok(clean, `${where}: current with no write pending (${context})`);
    for (let o = 0; o < 256; o++) {
      const at = pairOf(f, block, o);
      const link = f[at + 1]!;
      if (clean) {
        const index = a[node + PREFIX_COUNT] === 0 ? 0 : longestInNode(a, node, o);
        const value = index === 0 ? -1 : a[a[node + PREFIX_ARRAY]! + prefixRank(a, node, index)]!;
        assert.equal(f[at], value, `${where} octet ${o}: value (${context})`);
        const hasChild = ((a[node + CHILD_BITS + (o >> 5)]! >>> o) & 1) !== 0;
        const slot = hasChild ? a[a[node + CHILD_ARRAY]! + childRank(a, node, o)]! : 0;
        if (slot === 0) assert.equal(link, 0, `${where} octet ${o}: no child (${context})`);
        else if (slot < 0) assert.equal(link, -(2 * -slot + 1), `${where} octet ${o}: leaf (${context})`);
        else if (link < 0) assert.equal(link, -2 * slot, `${where} octet ${o}: node not compiled (${context})`);
        else assert.equal(f[(link & -16) + V6_NODE], slot, `${where} octet ${o}: the child block names the child node (${context})`);
        if (link > 0) visit(link, slot, `${where}.${o}`, true);
      } else if (link > 0) visit(link, 0, `${where}.${o}`, false);
      // Runs of one child are one octet long: skip the octets of a run already visited.
      while (o < 255 && f[pairOf(f, block, o + 1)] === f[at] && f[pairOf(f, block, o + 1) + 1] === link) o++;
    }
  };
  for (let h = 0; h < FIRST_LEVEL_SLOTS; h++) {
    const block = f[h]!;
    if (block === 0) continue;
    assert.ok(block > 0 && first[2 * h]! > 0, `slot ${h}: a block only below a node (${context})`);
    visit(block, first[2 * h]!, `slot ${h.toString(16)}`, true);
  }
  assert.equal(words, c.liveWords, `blocks in use are the reachable ones (${context})`);
  return words;
}

// Around 2001:db8::/32 (its /16 and /32 neighbours) and the ends of the space.
const BASES: [number, number][] = [
  [0x20010db8, 0],
  [0x20010db8, 0x00010000],
  [0x20010db9, 0xffffffff],
  [0x2001ffff, 0],
  [0x20020000, 0],
  [0x00000000, 0],
  [0xffffffff, 0xffffffff],
];
const length = fc.constantFrom(0, 8, 16, 17, 24, 31, 32, 33, 40, 47, 48, 49, 56, 64, 65, 96, 127, 128);
const prefix = fc
  .tuple(fc.constantFrom(...BASES), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 3 }), length)
  .map(([[b0, b1], n, shift, where, len]) => {
    const bits = n >>> shift;
    const w = [b0, b1, 0x12345678, 0x9abcdef0];
    if (where === 0) w[0] = (w[0]! ^ (bits >>> 16)) >>> 0;
    else w[where] = (w[where]! ^ bits) >>> 0;
    return new Prefix(6, w[0]!, w[1]!, w[2]!, w[3]!, len);
  });

type Op =
  | { kind: 'set'; prefix: Prefix; value: number }
  | { kind: 'delete'; prefix: Prefix }
  | { kind: 'lookup'; at: number }
  | { kind: 'snapshot' };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('set' as const), prefix, value: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('delete' as const), prefix }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('lookup' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('snapshot' as const) }) },
);

/** Addresses inside a prefix, at its ends and just past them. */
function addressesOf(p: Prefix, random: number): number[][] {
  const w = [p.w0 >>> 0, p.w1 >>> 0, p.w2 >>> 0, p.w3 >>> 0];
  const last = w.map((x, i) => (x | (p.length >= 32 * (i + 1) ? 0 : 0xffffffff >>> Math.max(0, p.length - 32 * i))) >>> 0);
  const inside = w.map((x, i) => (x | ((random * (i + 7)) & ~0 & (last[i]! ^ x))) >>> 0);
  const past = [...last];
  for (let i = 3; i >= 0; i--) {
    past[i] = (past[i]! + 1) >>> 0;
    if (past[i] !== 0) break;
  }
  return [w, last, inside, past];
}

function checkLookups(
  table: PrefixTable | PrefixTableSnapshot,
  plain: PrefixTable | null,
  golden: GoldenPrefixMap<number>,
  addresses: number[][],
  context: string,
): void {
  const flat = Uint32Array.from(addresses.flat());
  const batch = table.lookupBatchV6(flat, new Int32Array(addresses.length));
  for (const [i, [w0, w1, w2, w3]] of addresses.entries()) {
    const expected = golden.lookup(new Address(6, w0!, w1!, w2!, w3!)) ?? -1;
    const where = `${new Address(6, w0!, w1!, w2!, w3!)} (${context})`;
    assert.equal(table.lookupV6(w0!, w1!, w2!, w3!), expected, `lookupV6 ${where}`);
    assert.equal(batch[i], expected, `lookupBatchV6 ${where}`);
    if (plain !== null) assert.equal(plain.lookupV6(w0!, w1!, w2!, w3!), expected, `without blocks ${where}`);
  }
}

test('compiled IPv6 blocks stay true to the trie through writes, lazy recompiles and snapshots; lookups agree; back to empty', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 120, size: 'max' }), fc.integer({ min: 0, max: 0xffffffff }), (ops, random) => {
      const table = new PrefixTable({ firstLevelFrom: 0 });
      const plain = new PrefixTable({ firstLevelFrom: 0, compiled: false });
      const golden = new GoldenPrefixMap<number>();
      const snapshots: [PrefixTableSnapshot, GoldenPrefixMap<number>][] = [];
      const seen: Prefix[] = [];
      const probe = (): number[][] => seen.flatMap((p, i) => addressesOf(p, random ^ i));
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
          // Lookups around a few prefixes seen so far compile and recompile blocks lazily.
          const some = seen.length === 0 ? [] : [seen[o.at % seen.length]!, seen[(o.at >>> 3) % seen.length]!];
          checkLookups(table, plain, golden, some.flatMap((p, k) => addressesOf(p, random ^ k)), `op ${i}`);
        } else {
          snapshots.push([table.snapshot(), new GoldenPrefixMap(golden)]);
        }
        if (i % 4 === 3) assertBlocksTrue(table, `after op ${i}`);
      }
      checkLookups(table, plain, golden, probe(), 'end');
      assertBlocksTrue(table, 'end');
      for (const [s, g] of snapshots) checkLookups(s, null, g, probe(), 'snapshot');
      for (const [s] of snapshots) s.release();
      for (const [key] of golden.entries()) {
        assert.ok(table.delete(key) && plain.delete(key));
        if (random % 3 === 0) checkLookups(table, plain, golden.delete(key) ? golden : golden, probe().slice(0, 8), `deleting ${key}`);
      }
      checkLookups(table, plain, new GoldenPrefixMap<number>(), probe(), 'empty');
      assertBlocksTrue(table, 'empty');
      assert.equal(table.stats().compiledV6LiveWords, 0, 'every compiled block returned');
    }),
    { numRuns: 150 },
  );
});

test('compiled IPv6 blocks: /0, /16, /32 boundaries, /48, /128, a write marks its path dirty; back to empty', () => {
  const table = new PrefixTable({ firstLevelFrom: 0 });
  table.set('::/0', 1).set('2001::/16', 2).set('2001:db8::/32', 3).set('2001:db8:1::/48', 4).set('2001:db8:1::1/128', 5).set('2001:db8:ffff::/48', 6);
  const expect: [string, number][] = [
    ['2001:db8:1::1', 5],
    ['2001:db8:1::2', 4],
    ['2001:db8:1:ffff::', 4],
    ['2001:db8:2::', 3],
    ['2001:db8:ffff:1::', 6],
    ['2001:db9::', 2],
    ['2001:ffff::', 2],
    ['2002::', 1],
    ['2000:ffff::', 1],
  ];
  for (const [a, v] of expect) assert.equal(table.lookup(a), v, `lookup ${a}`);
  const t = internals(table);
  const top = t.compiledV6!.words[0x2001]!;
  assert.ok(top > 0, 'the lookups compiled the /16');
  table.set('2001:db8:1::/48', 7);
  const c = t.compiledV6!;
  assert.equal(c.dirty[c.words[(top & -16) + V6_NODE]! >> 4], 1 | (0x0d << 8) | (0x0d << 16), 'a write below marks the /16 node dirty at its octet (0x0d of 2001:0db8)');
  assert.equal(table.lookup('2001:db8:1::2'), 7);
  assert.equal(table.lookup('2001:db8:1::1'), 5);
  assertBlocksTrue(table, 'after the rewrite');
  for (const p of ['::/0', '2001::/16', '2001:db8::/32', '2001:db8:1::/48', '2001:db8:1::1/128', '2001:db8:ffff::/48']) assert.ok(table.delete(p));
  for (const [a] of expect) assert.equal(table.lookup(a), undefined);
  assert.equal(table.stats().compiledV6LiveWords, 0, 'every compiled block returned');
});

test('compiled IPv6 blocks: a node freed by a collapse and its offset reused at the same place is recompiled whole', () => {
  const table = new PrefixTable({ firstLevelFrom: 0 });
  // A node at depth 5 (bits 40..47 under 2001:db8:100::/40) holding A and B, with nodes above it.
  table.set('2001:100::/24', 1).set('2001:d00::/32', 2).set('2001:db8:ff00::/40', 3);
  table.set('2001:db8:105::/48', 10).set('2001:db8:109::/48', 11);
  assert.equal(table.lookup('2001:db8:105::1'), 10);
  assert.equal(table.lookup('2001:db8:109::1'), 11);
  const a = internals(table).words;
  const first = internals(table).firstV6!;
  const nodeAt = (depth: number, octets: number[]): number => {
    let node = first[2 * 0x2001]!;
    for (let d = 2; d < depth; d++) node = a[a[node + CHILD_ARRAY]! + childRank(a, node, octets[d - 2]!)]!;
    return node;
  };
  const before = nodeAt(5, [0x0d, 0xb8, 0x01]);
  // B out: the node collapses to a leaf (freed); A out; D in as a leaf; E in pushes D down into a
  // new node, which takes the freed offset back.
  assert.ok(table.delete('2001:db8:109::/48'));
  assert.ok(table.delete('2001:db8:105::/48'));
  table.set('2001:db8:1c8::/48', 12).set('2001:db8:107::/48', 13);
  const after = nodeAt(5, [0x0d, 0xb8, 0x01]);
  assert.ok(after > 0, 'D and E share a node at depth 5');
  assert.equal(table.lookup('2001:db8:1c8::1'), 12);
  assert.equal(table.lookup('2001:db8:107::1'), 13);
  assert.equal(table.lookup('2001:db8:105::1'), undefined, 'A is gone');
  assert.equal(table.lookup('2001:db8:109::1'), undefined, 'B is gone');
  assertBlocksTrue(table, `node offset ${before} ${after === before ? 'reused' : 'not reused'}`);
});

test('compiled IPv6 blocks of every kind (sparse, bitmap, direct) answer like the golden model through rewrites, back to empty', () => {
  const table = new PrefixTable({ firstLevelFrom: 0 });
  const golden = new GoldenPrefixMap<number>();
  const put = (p: string, v: number): void => {
    table.set(p, v);
    golden.set(p, v);
  };
  // Under 2001:db8:100::/40: every third /48 (85 runs: direct); under 2001:db8:200::/40: five /48s
  // and a /44 (bitmap); under 2001:db8:300::/40: one /44 and one /48 (sparse); above: a /32.
  put('2001:db8::/32', 1);
  for (let o = 0; o < 256; o += 3) put(`2001:db8:1${o.toString(16).padStart(2, '0')}::/48`, 100 + o);
  for (const o of [0x10, 0x30, 0x50, 0x70, 0x90]) put(`2001:db8:2${o.toString(16)}::/48`, 400 + o);
  put('2001:db8:2a0::/44', 7);
  put('2001:db8:3f0::/44', 8);
  put('2001:db8:301::/48', 9);
  const addresses: number[][] = [];
  for (let x = 0; x < 0x400; x += 1) addresses.push([0x20010db8, ((x << 16) | 0x1234) >>> 0, 5, 6]);
  checkLookups(table, null, golden, addresses, 'built');
  const kinds = new Set<number>();
  assertBlocksTrue(table, 'built', kinds);
  assert.deepEqual([...kinds].sort(), [V6_SPARSE, V6_BITMAP, V6_DIRECT], 'all three kinds compiled');
  for (let o = 1; o < 256; o += 7) {
    put(`2001:db8:1${o.toString(16).padStart(2, '0')}::/48`, 700 + o);
    if (o % 3 === 0) assert.ok(table.delete(`2001:db8:2${(o & 0xf0).toString(16).padStart(2, '0')}::/48`) === golden.delete(`2001:db8:2${(o & 0xf0).toString(16).padStart(2, '0')}::/48`));
    checkLookups(table, null, golden, addresses.slice(0x100, 0x300), `rewrite ${o}`);
  }
  assertBlocksTrue(table, 'rewritten');
  for (const [key] of golden.entries()) assert.ok(table.delete(key));
  checkLookups(table, null, new GoldenPrefixMap<number>(), addresses, 'empty');
  assert.equal(table.stats().compiledV6LiveWords, 0, 'every compiled block returned');
});

test('compiled IPv6 blocks: more writes between two lookups than are kept pending drop every block; lookups compile again', () => {
  const table = new PrefixTable({ firstLevelFrom: 0 });
  const golden = new GoldenPrefixMap<number>();
  const put = (w1: number, w2: number, length: number, value: number): void => {
    const p = new Prefix(6, 0x20010db8, w1, w2, 0, length);
    table.set(p, value);
    golden.set(p, value);
  };
  for (let i = 0; i < 64; i++) put(i << 16, 0, 48, i);
  const probe = Array.from({ length: 64 }, (_, i) => [0x20010db8, ((i << 16) | 1) >>> 0, i, 9]);
  checkLookups(table, null, golden, probe, 'before');
  assert.ok(table.stats().compiledV6LiveWords > 0);
  for (let i = 0; i < 5000; i++) put(((i % 64) << 16) | 1, i << 8, 56, 1000 + i);
  assert.equal(table.stats().compiledV6LiveWords, 0, 'the 4097th pending write dropped every block');
  const after = [...probe, ...Array.from({ length: 500 }, (_, i) => [0x20010db8, (((i * 10) % 64) << 16) | 1, ((i * 10) << 8) | 5, 0])];
  checkLookups(table, null, golden, after, 'after');
  assertBlocksTrue(table, 'after');
});
