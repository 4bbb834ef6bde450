/**
 * Rank helpers of a trie node (layout.ts): where a child or a value sits in the node's child or
 * value array, from the node's bitsets and the cumulative counts it keeps beside them, and the
 * upkeep of those counts; and the longest match inside a node. The reader's lookup loops, the
 * first level (first-level.ts) and the writer all use them, so they live here rather than in any
 * of those.
 */
import { ANCESTOR_MASKS as M } from './art.js';
import { popcount32 } from './bitset.js';
import { CHILD_BITS, CHILD_RANKS, PREFIX_BITS, PREFIX_RANKS } from './layout.js';

/** Rank of `octet` in the child bitset of `node`: the position of its child in the child array. */
export function childRank(a: Int32Array, node: number, octet: number): number {
  return childRankIn(a, node, octet, a[node + CHILD_BITS + (octet >> 5)]!);
}

/**
 * {@link childRank} for a caller that already loaded `bits`, the child-bitset word holding
 * `octet` (the lookup loops test the octet's bit in it first): cumulative count + popcount.
 */
export function childRankIn(a: Int32Array, node: number, octet: number, bits: number): number {
  return ((a[node + CHILD_RANKS + (octet >> 7)]! >>> ((octet >> 2) & 24)) & 255) + popcount32(bits & ((1 << octet) - 1));
}

/**
 * Adjust the cumulative child counts of `node` after child `octet` was added (`delta` 1) or
 * removed (-1): every count for a later bitset word moves by one. Bytes never carry: a count
 * before word 7 is at most 224.
 */
export function adjustChildRanks(a: Int32Array, node: number, octet: number, delta: number): void {
  const w = octet >> 5;
  a[node + CHILD_RANKS] = a[node + CHILD_RANKS]! + delta * CHILD_RANK_STEP_LOW[w]!;
  a[node + CHILD_RANKS + 1] = a[node + CHILD_RANKS + 1]! + delta * CHILD_RANK_STEP_HIGH[w]!;
}

/** Adjust the cumulative prefix counts of `node` after ART `index` was added (+1) or removed (-1). */
export function adjustPrefixRanks(a: Int32Array, node: number, index: number, delta: number): void {
  a[node + PREFIX_RANKS] = a[node + PREFIX_RANKS]! + delta * PREFIX_RANK_STEP[index >> 7]!;
}

/** For a bit in child-bitset word w: the amount added to each rank word (one per later word's byte). */
const CHILD_RANK_STEP_LOW = Int32Array.from({ length: 8 }, (_, w) => {
  let step = 0;
  for (let k = w + 1; k < 4; k++) step += 1 << (8 * k);
  return step;
});
const CHILD_RANK_STEP_HIGH = Int32Array.from({ length: 8 }, (_, w) => {
  let step = 0;
  for (let k = Math.max(w + 1, 4); k < 8; k++) step += 1 << (8 * (k - 4));
  return step;
});
/** For a bit in prefix-bitset words 4g..4g+3: the amount added to the packed 10-bit counts. */
const PREFIX_RANK_STEP = Int32Array.from({ length: 4 }, (_, g) => {
  let step = 0;
  for (let k = g; k < 3; k++) step += 1 << (10 * k);
  return step;
});

/** Recompute the per-word cumulative child counts of `node` (after its child bitset changed). */
export function updateChildRanks(a: Int32Array, node: number): void {
  let total = 0;
  let low = 0;
  let high = 0;
  for (let w = 0; w < 8; w++) {
    if (w < 4) low |= total << (w << 3);
    else high |= total << ((w - 4) << 3);
    total += popcount32(a[node + CHILD_BITS + w]!);
  }
  a[node + CHILD_RANKS] = low;
  a[node + CHILD_RANKS + 1] = high;
}

/** Rank of ART `index` in the prefix bitset of `node`: the position of its value in the value array. */
export function prefixRank(a: Int32Array, node: number, index: number): number {
  const w = index >> 5;
  const group = w >> 2;
  let n = group === 0 ? 0 : (a[node + PREFIX_RANKS]! >>> (10 * (group - 1))) & 1023;
  const p = node + PREFIX_BITS;
  for (let k = group << 2; k < w; k++) n += popcount32(a[p + k]!);
  return n + popcount32(a[p + w]! & ((1 << index) - 1));
}

/** Recompute the cumulative prefix counts of `node` (after its prefix bitset changed). */
export function updatePrefixRanks(a: Int32Array, node: number): void {
  let total = 0;
  let packed = 0;
  for (let w = 0; w < 12; w++) {
    total += popcount32(a[node + PREFIX_BITS + w]!);
    if ((w & 3) === 3) packed |= total << (10 * (w >> 2));
  }
  a[node + PREFIX_RANKS] = packed;
}

/** Highest ART index set in `node` among the ancestors of `octet`, or 0. */
export function longestInNode(a: Int32Array, node: number, octet: number): number {
  const m = octet << 4;
  const p = node + PREFIX_BITS;
  let w = 8 + (octet >> 5);
  let x = a[p + w]! & M[m + w]!;
  if (x !== 0) return (w << 5) + 31 - Math.clz32(x);
  w = 4 + (octet >> 6);
  x = a[p + w]! & M[m + w]!;
  if (x !== 0) return (w << 5) + 31 - Math.clz32(x);
  w = 2 + (octet >> 7);
  x = a[p + w]! & M[m + w]!;
  if (x !== 0) return (w << 5) + 31 - Math.clz32(x);
  x = a[p + 1]! & M[m + 1]!;
  if (x !== 0) return 32 + 31 - Math.clz32(x);
  x = a[p]! & M[m]!;
  if (x !== 0) return 31 - Math.clz32(x);
  return 0;
}
