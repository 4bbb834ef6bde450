/**
 * The sorted walk of a trie (entries, keys, values, subnets, serialisation): prefixes in
 * numeric form, in the order IPv4/IPv6 by network, shorter first.
 */
import { RibstoreError } from '../errors.js';
import type { Family } from '../ip/address.js';
import { Prefix } from '../ip/prefix.js';
import { artIndex } from './art.js';
import { CHILD_ARRAY, CHILD_BITS, LEAF_KEY, LEAF_META, LEAF_VALUE, PREFIX_ARRAY, PREFIX_BITS, PREFIX_COUNT } from './layout.js';
import { leafCovers } from './leaf-match.js';
import { childRank, prefixRank } from './node-rank.js';

/** Lengths and values of the stored supernets of `p` (including itself), shortest first. */
export function* supernetLengths(a: Int32Array, root: number, p: Prefix): Generator<[number, number]> {
  const k = [p.w0 | 0, p.w1 | 0, p.w2 | 0, p.w3 | 0];
  const length = p.length;
  let node = root;
  for (let depth = 0; depth < 16; depth++) {
    const o = (k[depth >> 2]! >>> (24 - ((depth & 3) << 3))) & 255;
    const maxR = Math.min(8, length - 8 * depth);
    for (let r = depth === 0 ? 0 : 1; r <= maxR; r++) {
      const index = artIndex(o, r);
      if (((a[node + PREFIX_BITS + (index >> 5)]! >>> (index & 31)) & 1) !== 0) {
        yield [8 * depth + r, a[a[node + PREFIX_ARRAY]! + prefixRank(a, node, index)]!];
      }
    }
    if (length <= 8 * depth + 8) return;
    if (((a[node + CHILD_BITS + (o >> 5)]! >>> (o & 31)) & 1) === 0) return;
    const slot = a[a[node + CHILD_ARRAY]! + childRank(a, node, o)]!;
    if (slot > 0) {
      node = slot;
      continue;
    }
    const leaf = -slot;
    const leafLength = a[leaf + LEAF_META]! & 255;
    if (leafLength <= length && leafCovers(a, leaf, k, leafLength)) yield [leafLength, a[leaf + LEAF_VALUE]!];
    return;
  }
}

/** The current item of a {@link walk}: a prefix in numeric form and its value. */
export class WalkItem {
  /** Nodes the walk may still enter (bounds a walk over recycled nodes: PrefixTableReader.fromLive). */
  budget = Infinity;
  family: Family = 4;
  readonly words = [0, 0, 0, 0];
  length = 0;
  value = 0;

  toString(): string {
    const w = this.words;
    return new Prefix(this.family, w[0]!, w[1]!, w[2]!, w[3]!, this.length).toString();
  }
}

/**
 * Visit, in sorted order, every entry of the subtree at `node` (depth `depth`, address bits
 * above it in `path`) that lies inside the filter prefix `filter`/`filterLength`. Each visit
 * fills `item` and yields.
 *
 * Order inside a node: for each octet o ascending, first the node's prefixes whose first
 * octet is o (shorter first), then the child at o: everything below the child is longer and
 * starts at o, so it sorts after them and before any prefix starting at o + 1.
 */
export function* walk(
  a: Int32Array,
  node: number,
  depth: number,
  family: Family,
  path: number[],
  filter: number[],
  filterLength: number,
  item: WalkItem,
): Generator<void> {
  // A valid trie is at most 4 (IPv4) or 16 (IPv6) levels deep and has no more nodes than its
  // arena holds: the bounds keep a reader racing a writer (PrefixTableReader.fromLive) from
  // walking a cycle of recycled nodes.
  if (depth >= (family === 4 ? 4 : 16)) return;
  if (--item.budget < 0) throw new RibstoreError('LIMIT_EXCEEDED', 'prefix table walk entered more nodes than the arena holds: the table changed under a live view');
  const wordIndex = depth >> 2;
  const shift = 24 - ((depth & 3) << 3);
  const relative = filterLength - 8 * depth; // filter's bits within this stride
  let lo = 0;
  let hi = 255;
  if (relative >= 8) {
    lo = hi = (filter[wordIndex]! >>> shift) & 255;
  } else if (relative > 0) {
    lo = (filter[wordIndex]! >>> shift) & 255 & (0xff00 >> relative);
    hi = lo + (1 << (8 - relative)) - 1;
  }
  const minR = Math.max(depth === 0 ? 0 : 1, relative);
  const hasPrefixes = a[node + PREFIX_COUNT] !== 0;
  for (let o = lo; o <= hi; o++) {
    if (hasPrefixes) {
      // Prefixes starting exactly at o: r from (8 - trailing zeros of o) to 8.
      const trailing = o === 0 ? 8 : 31 - Math.clz32(o & -o);
      for (let r = Math.max(minR, 8 - trailing); r <= 8; r++) {
        const index = artIndex(o, r);
        if (((a[node + PREFIX_BITS + (index >> 5)]! >>> (index & 31)) & 1) === 0) continue;
        item.family = family;
        for (let i = 0; i < 4; i++) item.words[i] = path[i]!;
        item.words[wordIndex] = (path[wordIndex]! | (o << shift)) >>> 0;
        item.length = 8 * depth + r;
        item.value = a[a[node + PREFIX_ARRAY]! + prefixRank(a, node, index)]!;
        yield;
      }
    }
    if (((a[node + CHILD_BITS + (o >> 5)]! >>> (o & 31)) & 1) === 0) continue;
    const slot = a[a[node + CHILD_ARRAY]! + childRank(a, node, o)]!;
    if (slot > 0) {
      const childPath = path.slice();
      childPath[wordIndex] = path[wordIndex]! | (o << shift);
      yield* walk(a, slot, depth + 1, family, childPath, filter, filterLength, item);
      continue;
    }
    const leaf = -slot;
    const leafLength = a[leaf + LEAF_META]! & 255;
    if (leafLength < filterLength || !leafCovers(a, leaf, filter, filterLength)) continue;
    item.family = family;
    const words = family === 4 ? 1 : 4;
    for (let i = 0; i < 4; i++) item.words[i] = i < words ? a[leaf + LEAF_KEY + i]! >>> 0 : 0;
    item.length = leafLength;
    item.value = a[leaf + LEAF_VALUE]!;
    yield;
  }
}
