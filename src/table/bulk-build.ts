/**
 * Bulk build of the trie from entries in sorted order (the order `entries()` yields and
 * `toBytes` writes): each node is made once, with its bitsets, rank words and arrays written
 * in one go, instead of growing arrays and shifting them one insert at a time.
 *
 * The result is the structure one-by-one inserts make (the structure does not depend on
 * history, prefix-table.ts): a prefix of length `8d+1 .. 8d+8` is a bit of the node at depth
 * `d` on its path; below a child slot a single prefix is a leaf, two or more are a node.
 *
 * In sorted order the entries below one child slot of a node are contiguous, and inside that
 * run the prefixes at home in the node come first (their network has zeros past the node's
 * stride and shorter sorts first), so one recursive pass over the sorted arrays builds the
 * trie bottom up: children before their parent.
 */
import { RibstoreError } from '../errors.js';
import type { Family } from '../ip/address.js';
import { type Arena, capacityFor } from './arena.js';
import { artIndex } from './art.js';
import {
  CHILD_ARRAY,
  CHILD_BITS,
  CHILD_COUNT,
  LEAF_GEN,
  LEAF_KEY,
  LEAF_META,
  LEAF_V6,
  LEAF_VALUE,
  LEAF_WORDS_V4,
  LEAF_WORDS_V6,
  MAX_TABLE_VALUE,
  NODE_GEN,
  NODE_WORDS,
  PREFIX_ARRAY,
  PREFIX_BITS,
  PREFIX_COUNT,
  topBits,
} from './layout.js';
import { updateChildRanks, updatePrefixRanks } from './node-rank.js';
import type { EntrySink } from './serialise.js';

/** The entries of one family, columnar, as collected. */
class FamilyColumns {
  /** Network words: one per entry for IPv4, four for IPv6 (host bits zero). */
  net: Uint32Array<ArrayBuffer>;
  lengths: Uint8Array<ArrayBuffer>;
  values: Int32Array<ArrayBuffer>;
  count = 0;

  constructor(readonly stride: number) {
    this.net = new Uint32Array(1024 * stride);
    this.lengths = new Uint8Array(1024);
    this.values = new Int32Array(1024);
  }

  grow(): void {
    const size = this.lengths.length * 2;
    const net = new Uint32Array(size * this.stride);
    net.set(this.net);
    const lengths = new Uint8Array(size);
    lengths.set(this.lengths);
    const values = new Int32Array(size);
    values.set(this.values);
    this.net = net;
    this.lengths = lengths;
    this.values = values;
  }
}

/**
 * Entries collected for a bulk build, with integer values 0..2^31-1. `add` validates each
 * entry (typed errors) and notes whether the order is strictly ascending within each family
 * (by network, then length); the two families may come in either order.
 */
export class SortedEntries {
  readonly v4 = new FamilyColumns(1);
  readonly v6 = new FamilyColumns(4);
  /** Index (in the order added) of the first entry not after its family's previous one, or -1. */
  firstDisorder = -1;
  /** Whether that entry repeats the previous prefix (rather than coming before it). */
  disorderIsDuplicate = false;
  private added = 0;

  /** Total entries collected. */
  get size(): number {
    return this.v4.count + this.v6.count;
  }

  /** Collect one entry (an {@link EntrySink}; bound, so it can be passed around). */
  readonly add = (family: Family, w0: number, w1: number, w2: number, w3: number, length: number, value: number): void => {
    if ((value | 0) !== value || value < 0) {
      throw new RibstoreError('INVALID_ARGUMENT', `prefix table value ${value} is not an integer from 0 to ${MAX_TABLE_VALUE}`);
    }
    const max = family === 4 ? 32 : 128;
    if ((family !== 4 && family !== 6) || (length | 0) !== length || length < 0 || length > max) {
      throw new RibstoreError('INVALID_PREFIX', `invalid IPv${family} prefix length ${length}: expected 0 to ${max}`);
    }
    if (family === 4) this.addV4(w0 & topBits(length), length, value);
    else this.addV6(w0 & topBits(length), w1 & topBits(length - 32), w2 & topBits(length - 64), w3 & topBits(length - 96), length, value);
    this.added++;
  };

  private addV4(w0: number, length: number, value: number): void {
    const c = this.v4;
    if (c.count === c.lengths.length) c.grow();
    const n = c.count;
    c.net[n] = w0;
    c.lengths[n] = length;
    c.values[n] = value;
    c.count = n + 1;
    if (n !== 0 && this.firstDisorder < 0) {
      const previous = c.net[n - 1]!;
      const order = previous !== w0 >>> 0 ? (previous < w0 >>> 0 ? -1 : 1) : c.lengths[n - 1]! - length;
      if (order >= 0) this.disorder(order);
    }
  }

  private addV6(w0: number, w1: number, w2: number, w3: number, length: number, value: number): void {
    const c = this.v6;
    if (c.count === c.lengths.length) c.grow();
    const n = c.count;
    const net = c.net;
    const at = 4 * n;
    net[at] = w0;
    net[at + 1] = w1;
    net[at + 2] = w2;
    net[at + 3] = w3;
    c.lengths[n] = length;
    c.values[n] = value;
    c.count = n + 1;
    if (n !== 0 && this.firstDisorder < 0) {
      let order = 0;
      for (let k = 0; k < 4 && order === 0; k++) {
        const x = net[at - 4 + k]!;
        const y = net[at + k]!;
        if (x !== y) order = x < y ? -1 : 1;
      }
      if (order === 0) order = c.lengths[n - 1]! - length;
      if (order >= 0) this.disorder(order);
    }
  }

  private disorder(order: number): void {
    this.firstDisorder = this.added;
    this.disorderIsDuplicate = order === 0;
  }

  /** Visit every collected entry, IPv4 first, each family in the order added. */
  forEach(visit: EntrySink<number>): void {
    for (const c of [this.v4, this.v6]) {
      const family: Family = c.stride === 1 ? 4 : 6;
      const net = c.net;
      for (let i = 0; i < c.count; i++) {
        const at = i * c.stride;
        if (family === 4) visit(4, net[at]!, 0, 0, 0, c.lengths[i]!, c.values[i]!);
        else visit(6, net[at]!, net[at + 1]!, net[at + 2]!, net[at + 3]!, c.lengths[i]!, c.values[i]!);
      }
    }
  }
}

/** Builds one family's trie from sorted columns into an arena (see the module doc). */
export class TrieBuilder {
  /** Per depth: values by ART index, the prefix bitset, children and their octets. */
  private readonly values: Int32Array[] = [];
  private readonly bits: Int32Array[] = [];
  private readonly kids: Int32Array[] = [];
  private readonly kidOctets: Uint8Array[] = [];
  private net: Uint32Array = new Uint32Array(0);
  private lengths: Uint8Array = new Uint8Array(0);
  private entryValues: Int32Array = new Int32Array(0);
  private stride = 1;

  constructor(
    private readonly arena: Arena,
    private readonly gen: number,
  ) {
    for (let d = 0; d < 16; d++) {
      this.values.push(new Int32Array(512));
      this.bits.push(new Int32Array(16));
      this.kids.push(new Int32Array(256));
      this.kidOctets.push(new Uint8Array(256));
    }
  }

  /**
   * Build the trie of the entries in `c` (sorted, no duplicates: the caller checked) and return
   * its root node (always a node, empty when there are no entries).
   */
  build(c: FamilyColumns): number {
    this.net = c.net;
    this.lengths = c.lengths;
    this.entryValues = c.values;
    this.stride = c.stride;
    // About what the trie takes (measured: ~3 words per IPv4 prefix, ~7 per IPv6), so the
    // arena grows once rather than by halves.
    this.arena.reserve(c.count * (c.stride === 1 ? 3 : 7) + NODE_WORDS);
    return this.node(0, 0, c.count);
  }

  /** Octet at `depth` of entry `i`. */
  private octet(i: number, depth: number): number {
    return (this.net[i * this.stride + (depth >> 2)]! >>> (24 - ((depth & 3) << 3))) & 255;
  }

  /** The node at `depth` holding entries lo..hi-1 (which share the octets above `depth`). */
  private node(depth: number, lo: number, hi: number): number {
    const values = this.values[depth]!;
    const bits = this.bits[depth]!;
    const kids = this.kids[depth]!;
    const kidOctets = this.kidOctets[depth]!;
    const lengths = this.lengths;
    const top = 8 * depth + 8;
    let prefixes = 0;
    let children = 0;
    let i = lo;
    while (i < hi) {
      const o = this.octet(i, depth);
      // Prefixes at home here come first among the entries with this octet.
      while (i < hi && lengths[i]! <= top && this.octet(i, depth) === o) {
        const index = artIndex(o, lengths[i]! - 8 * depth);
        bits[index >> 5]! |= 1 << (index & 31);
        values[index] = this.entryValues[i]!;
        prefixes++;
        i++;
      }
      let j = i;
      while (j < hi && this.octet(j, depth) === o) j++;
      if (j === i) continue;
      kids[children] = j - i === 1 ? -this.leaf(i) : this.node(depth + 1, i, j);
      kidOctets[children++] = o;
      i = j;
    }
    return this.writeNode(depth, prefixes, children);
  }

  /** Allocate and fill the node from the scratch of `depth`, then clear that scratch. */
  private writeNode(depth: number, prefixes: number, children: number): number {
    const arena = this.arena;
    const bits = this.bits[depth]!;
    const node = arena.allocLine();
    let prefixArray = 0;
    if (prefixes !== 0) prefixArray = arena.alloc(capacityFor(prefixes));
    let childArray = 0;
    if (children !== 0) childArray = arena.alloc(capacityFor(children));
    const a = arena.words;
    a.fill(0, node, node + NODE_WORDS);
    a[node + NODE_GEN] = this.gen;
    if (prefixes !== 0) {
      const values = this.values[depth]!;
      let k = prefixArray;
      for (let w = 0; w < 16; w++) {
        let x = bits[w]!;
        a[node + PREFIX_BITS + w] = x;
        while (x !== 0) {
          const low = x & -x;
          a[k++] = values[(w << 5) + 31 - Math.clz32(low)]!;
          x ^= low;
        }
        bits[w] = 0;
      }
      a[node + PREFIX_ARRAY] = prefixArray;
      a[node + PREFIX_COUNT] = prefixes;
      updatePrefixRanks(a, node);
    }
    if (children !== 0) {
      const kids = this.kids[depth]!;
      const kidOctets = this.kidOctets[depth]!;
      for (let k = 0; k < children; k++) {
        const o = kidOctets[k]!;
        a[childArray + k] = kids[k]!;
        a[node + CHILD_BITS + (o >> 5)]! |= 1 << (o & 31);
      }
      a[node + CHILD_ARRAY] = childArray;
      a[node + CHILD_COUNT] = children;
      updateChildRanks(a, node);
    }
    return node;
  }

  /** A leaf holding entry `i`. */
  private leaf(i: number): number {
    const v6 = this.stride === 4;
    const leaf = this.arena.alloc(v6 ? LEAF_WORDS_V6 : LEAF_WORDS_V4);
    const a = this.arena.words;
    const at = i * this.stride;
    a[leaf + LEAF_META] = this.lengths[i]! | (v6 ? LEAF_V6 : 0);
    a[leaf + LEAF_VALUE] = this.entryValues[i]!;
    a[leaf + LEAF_GEN] = this.gen;
    a[leaf + LEAF_KEY] = this.net[at]!;
    if (v6) {
      a[leaf + LEAF_KEY + 1] = this.net[at + 1]!;
      a[leaf + LEAF_KEY + 2] = this.net[at + 2]!;
      a[leaf + LEAF_KEY + 3] = this.net[at + 3]!;
    }
    return leaf;
  }
}
