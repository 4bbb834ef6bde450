/**
 * The trie's write internals under {@link PrefixTable}: node and leaf blocks, copy-on-write
 * by generation, insert (with leaf push-down) and delete (with collapse) of the scratch key.
 * The structure invariants and the generation rules are in prefix-table.ts's module doc;
 * PrefixTable adds the public API, snapshots, reclaim and the first level.
 */
import type { Family } from '../ip/address.js';
import { Arena, type ArenaOptions, capacityFor } from './arena.js';
import { artIndex, artLength, artOctet } from './art.js';
import { nextSetBit } from './bitset.js';
import { childSlot } from './first-level.js';
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
  NODE_GEN,
  NODE_WORDS,
  PREFIX_ARRAY,
  PREFIX_BITS,
  PREFIX_COUNT,
  homeDepth,
  topBits,
} from './layout.js';
import { childSlotAddress, insertChild, putPrefix, removeChild, removePrefix } from './node-edit.js';
import { PrefixTableReader } from './prefix-table-reader.js';

/** Words one write may bump-allocate at most: a copied path of 17 nodes with full arrays, plus a split. */
export const RESERVE_WORDS = 18 * (NODE_WORDS + 16 + 512 + 256) + 16;

/** Write internals of the trie (see the module doc). */
export abstract class TrieWriter extends PrefixTableReader {
  protected readonly arena: Arena;
  /** The generation writes happen in now. */
  protected gen = 1;
  /** Newest live snapshot's generation, 0 if none: blocks of a generation <= it are copied, not changed. */
  protected newestSnapshot = 0;
  /** Generations of the live snapshots, oldest first. */
  protected readonly liveSnapshots: number[] = [];
  /** Triples (block size or 0 for a node, offset, generation retired in). */
  protected retired: number[] = [];
  protected retiredHead = 0;
  private readonly path = new Int32Array(17);

  constructor(options: ArenaOptions) {
    super(new Int32Array(0), 0, 0, 0);
    this.arena = new Arena(options);
  }

  /** After a write of the scratch key that changed `delta` prefixes (first level upkeep). */
  protected abstract afterWrite(slotBefore: number, delta: number): void;

  /**
   * After a write of the scratch key (longer than /16) that started at the first level's
   * depth-2 node, changed `delta` prefixes and left that node in its slot: the root, the
   * depth-1 node and the first level's slots are as they were, so only the compiled block of
   * the key's /16 goes stale.
   */
  protected abstract afterWriteBelow(delta: number): void;

  /** Make the current roots visible to other threads. */
  protected abstract publish(): void;

  /** The root's child slot on the scratch key's path (what the first level's upkeep compares). */
  protected keyRootSlot(): number {
    return childSlot(this.words, this.keyFamily === 4 ? this.rootV4 : this.rootV6, this.keyOctet(0));
  }

  protected newNode(): number {
    const a = this.words;
    const node = this.arena.allocLine();
    a.fill(0, node, node + NODE_WORDS);
    a[node + NODE_GEN] = this.gen;
    return node;
  }

  /** The scratch key as a new leaf holding `value`. */
  private newLeaf(value: number): number {
    const a = this.words;
    const k = this.key;
    const v6 = this.keyFamily === 6;
    const leaf = this.arena.alloc(v6 ? LEAF_WORDS_V6 : LEAF_WORDS_V4);
    a[leaf + LEAF_META] = this.keyLength | (v6 ? LEAF_V6 : 0);
    a[leaf + LEAF_VALUE] = value;
    a[leaf + LEAF_GEN] = this.gen;
    a[leaf + LEAF_KEY] = k[0]!;
    if (v6) {
      a[leaf + LEAF_KEY + 1] = k[1]!;
      a[leaf + LEAF_KEY + 2] = k[2]!;
      a[leaf + LEAF_KEY + 3] = k[3]!;
    }
    return leaf;
  }

  /** `node` itself if no live snapshot can see it, else a private copy (the original is retired). */
  private writable(node: number): number {
    const a = this.words;
    if (a[node + NODE_GEN]! > this.newestSnapshot) return node;
    const copy = this.arena.allocLine();
    a.copyWithin(copy, node, node + NODE_WORDS);
    a[copy + NODE_GEN] = this.gen;
    const prefixes = a[node + PREFIX_COUNT]!;
    if (prefixes !== 0) {
      const array = this.arena.alloc(capacityFor(prefixes));
      a.copyWithin(array, a[node + PREFIX_ARRAY]!, a[node + PREFIX_ARRAY]! + prefixes);
      a[copy + PREFIX_ARRAY] = array;
    }
    const children = a[node + CHILD_COUNT]!;
    if (children !== 0) {
      const array = this.arena.alloc(capacityFor(children));
      a.copyWithin(array, a[node + CHILD_ARRAY]!, a[node + CHILD_ARRAY]! + children);
      a[copy + CHILD_ARRAY] = array;
    }
    this.retired.push(0, node, this.gen);
    return copy;
  }

  private writableRoot(family: Family): number {
    const root = family === 4 ? this.rootV4 : this.rootV6;
    const node = this.writable(root);
    if (family === 4) this.rootV4 = node;
    else this.rootV6 = node;
    return node;
  }

  /** Free a node and its arrays now, or retire it if a live snapshot can see it. */
  private releaseNode(node: number): void {
    if (this.words[node + NODE_GEN]! <= this.newestSnapshot) this.retired.push(0, node, this.gen);
    else this.freeNode(node);
  }

  protected freeNode(node: number): void {
    const a = this.words;
    const prefixes = a[node + PREFIX_COUNT]!;
    if (prefixes !== 0) this.arena.free(a[node + PREFIX_ARRAY]!, capacityFor(prefixes));
    const children = a[node + CHILD_COUNT]!;
    if (children !== 0) this.arena.free(a[node + CHILD_ARRAY]!, capacityFor(children));
    this.arena.freeLine(node);
  }

  private releaseLeaf(leaf: number): void {
    const a = this.words;
    const size = (a[leaf + LEAF_META]! & LEAF_V6) !== 0 ? LEAF_WORDS_V6 : LEAF_WORDS_V4;
    if (a[leaf + LEAF_GEN]! <= this.newestSnapshot) this.retired.push(size, leaf, this.gen);
    else this.arena.free(leaf, size);
  }

  protected releaseSubtree(node: number): void {
    const a = this.words;
    const children = a[node + CHILD_COUNT]!;
    for (let i = 0; i < children; i++) {
      const slot = a[a[node + CHILD_ARRAY]! + i]!;
      if (slot > 0) this.releaseSubtree(slot);
      else this.releaseLeaf(-slot);
    }
    this.releaseNode(node);
  }

  /**
   * The depth-2 node a write of the scratch key can start at, or 0 to walk from the root: with
   * no live snapshot (so no node on the path is copied) and a first level whose slot for the
   * key's /16 names a node, for a key longer than /16 (so the root and the depth-1 node keep
   * their bitsets, arrays and offsets).
   */
  private startBelow(): number {
    if (this.newestSnapshot !== 0 || this.keyLength <= 16) return 0;
    const first = this.keyFamily === 4 ? this.firstV4 : this.firstV6;
    if (first === null) return 0;
    const subtree = first[2 * (this.key[0]! >>> 16)]!;
    return subtree > 0 ? subtree : 0;
  }

  /** Store `value` for the scratch key; returns the previous value or -1. */
  protected insertKey(value: number): number {
    this.arena.reserve(RESERVE_WORDS);
    const a = (this.words = this.arena.words);
    const length = this.keyLength;
    const home = homeDepth(length);
    const below = this.startBelow();
    const slotBefore = below === 0 ? this.keyRootSlot() : 0;
    let node = below === 0 ? this.writableRoot(this.keyFamily) : below;
    let previous = -1;
    for (let depth = below === 0 ? 0 : 2; ; depth++) {
      const o = this.keyOctet(depth);
      if (depth === home) {
        previous = putPrefix(this.arena, node, artIndex(o, length - 8 * depth), value);
        if (previous < 0) this.count++;
        break;
      }
      if (((a[node + CHILD_BITS + (o >> 5)]! >>> (o & 31)) & 1) === 0) {
        insertChild(this.arena, node, o, -this.newLeaf(value));
        this.count++;
        break;
      }
      const at = childSlotAddress(a, node, o);
      const slot = a[at]!;
      if (slot > 0) {
        const child = this.writable(slot);
        a[at] = child;
        node = child;
        continue;
      }
      const leaf = -slot;
      if (this.leafIsKey(leaf)) {
        previous = a[leaf + LEAF_VALUE]!;
        if (a[leaf + LEAF_GEN]! > this.newestSnapshot) {
          a[leaf + LEAF_VALUE] = value;
        } else {
          a[at] = -this.newLeaf(value);
          this.releaseLeaf(leaf);
        }
        break;
      }
      // Another prefix shares this slot: push the leaf down into a new node and go on.
      const split = this.newNode();
      this.pushDownLeaf(split, depth + 1, leaf);
      a[at] = split;
      node = split;
    }
    if (below === 0) this.afterWrite(slotBefore, previous < 0 ? 1 : 0);
    else this.afterWriteBelow(previous < 0 ? 1 : 0);
    this.publish();
    return previous;
  }

  /** Place `leaf` into the fresh node `node` at `depth`: as a prefix if it is at home there, else as a child. */
  private pushDownLeaf(node: number, depth: number, leaf: number): void {
    const a = this.words;
    const length = a[leaf + LEAF_META]! & 255;
    const o = (a[leaf + LEAF_KEY + (depth >> 2)]! >>> (24 - ((depth & 3) << 3))) & 255;
    if (homeDepth(length) === depth) {
      putPrefix(this.arena, node, artIndex(o, length - 8 * depth), a[leaf + LEAF_VALUE]!);
      this.releaseLeaf(leaf);
    } else {
      insertChild(this.arena, node, o, -leaf);
    }
  }

  /** Remove the scratch key; returns its value, or -1 if it was not stored. */
  protected deleteKey(): number {
    // With a live snapshot the walk below copies nodes, so only start it for a stored key.
    // Without one the walk changes nothing until it has found the key.
    if (this.liveSnapshots.length !== 0 && this.findKey() === 0) return -1;
    this.arena.reserve(RESERVE_WORDS);
    const a = (this.words = this.arena.words);
    const length = this.keyLength;
    const home = homeDepth(length);
    const path = this.path;
    const below = this.startBelow();
    let slotBefore: number;
    let node: number;
    let depth: number;
    if (below === 0) {
      slotBefore = this.keyRootSlot();
      node = this.writableRoot(this.keyFamily);
      path[0] = node;
      depth = 0;
    } else {
      // No live snapshot: the root and the depth-1 node are written in place, so the path
      // holds them as they are for the collapse.
      path[0] = this.keyFamily === 4 ? this.rootV4 : this.rootV6;
      path[1] = slotBefore = childSlot(a, path[0], this.keyOctet(0));
      path[2] = node = below;
      depth = 2;
    }
    let removed: number;
    for (; ; depth++) {
      const o = this.keyOctet(depth);
      if (depth === home) {
        const index = artIndex(o, length - 8 * depth);
        if (((a[node + PREFIX_BITS + (index >> 5)]! >>> (index & 31)) & 1) === 0) return -1;
        removed = removePrefix(this.arena, node, index);
        break;
      }
      if (((a[node + CHILD_BITS + (o >> 5)]! >>> (o & 31)) & 1) === 0) return -1;
      const at = childSlotAddress(a, node, o);
      const slot = a[at]!;
      if (slot > 0) {
        node = this.writable(slot);
        a[at] = node;
        path[depth + 1] = node;
        continue;
      }
      if (!this.leafIsKey(-slot)) return -1;
      removed = a[-slot + LEAF_VALUE]!;
      removeChild(this.arena, node, o);
      this.releaseLeaf(-slot);
      break;
    }
    this.count--;
    // Unless the collapse reached the depth-2 node's own slot, a write that started there
    // left the root, the depth-1 node and the first level's SUBTREE as they were.
    if (this.collapse(depth) > 2 && below !== 0) this.afterWriteBelow(-1);
    else this.afterWrite(slotBefore, -1);
    this.publish();
    return removed;
  }

  /**
   * Restore the structure invariants bottom up along the scratch key's path from `depth`.
   * Returns the depth of the shallowest node it removed or replaced (its parent's child slot
   * changed), or `depth + 1` if none.
   */
  private collapse(depth: number): number {
    const a = this.words;
    const path = this.path;
    let d = depth;
    for (; d >= 1; d--) {
      const node = path[d]!;
      const parent = path[d - 1]!;
      const o = this.keyOctet(d - 1);
      const prefixes = a[node + PREFIX_COUNT]!;
      const children = a[node + CHILD_COUNT]!;
      if (prefixes + children === 0) {
        removeChild(this.arena, parent, o);
        this.releaseNode(node);
        continue;
      }
      if (children === 0 && prefixes === 1) {
        const index = nextSetBit(a, node + PREFIX_BITS, 16, 0);
        const leaf = this.leafFromNodePrefix(node, d, index);
        a[childSlotAddress(a, parent, o)] = -leaf;
        this.releaseNode(node);
        continue;
      }
      if (prefixes === 0 && children === 1) {
        const only = a[a[node + CHILD_ARRAY]!]!;
        if (only < 0) {
          a[childSlotAddress(a, parent, o)] = only;
          this.releaseNode(node);
          continue;
        }
      }
      break;
    }
    return d + 1;
  }

  /** A new leaf for the prefix at ART `index` of `node` (depth `depth` on the scratch key's path). */
  private leafFromNodePrefix(node: number, depth: number, index: number): number {
    const a = this.words;
    const v6 = this.keyFamily === 6;
    const leaf = this.arena.alloc(v6 ? LEAF_WORDS_V6 : LEAF_WORDS_V4);
    const length = 8 * depth + artLength(index);
    const k = this.key;
    const wordIndex = depth >> 2;
    const octetBits = artOctet(index) << (24 - ((depth & 3) << 3));
    a[leaf + LEAF_META] = length | (v6 ? LEAF_V6 : 0);
    a[leaf + LEAF_VALUE] = a[a[node + PREFIX_ARRAY]!]!;
    a[leaf + LEAF_GEN] = this.gen;
    for (let i = 0; i < (v6 ? 4 : 1); i++) {
      let w = k[i]! & topBits(8 * depth - 32 * i);
      if (i === wordIndex) w |= octetBits;
      a[leaf + LEAF_KEY + i] = w;
    }
    return leaf;
  }
}
