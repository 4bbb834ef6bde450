/**
 * The direct-indexed first level of a live {@link PrefixTable}: for each of the 65 536 values
 * of an address's top 16 bits, what a lookup would find after descending the trie's top two
 * levels (the root and the depth-1 node, 8-bit strides), precomputed in one typed array.
 *
 * ```
 *   entries[2h]      SUBTREE  > 0  the depth-2 node on the path of /16 h: the lookup goes on there
 *                             < 0  minus a leaf met in a child slot at depth 0 or 1: the lookup
 *                                  checks the leaf and ends
 *                               0  no deeper entry: the lookup ends
 *   entries[2h + 1]  COVERING  value of the longest prefix of length <= 16 held in the bitsets of
 *                              the root and the depth-1 node and covering /16 h, or -1
 * ```
 *
 * A lookup reads both words from one cache line, then at most the depth-2 subtree; whatever the
 * subtree does not match falls back to COVERING. The root and the depth-1 nodes stay the
 * authoritative structure (writes, snapshots, walks and worker readers use them); this index
 * is derived from them and rebuilt entry by entry after each write, for the /16s the write can
 * have changed (see {@link FirstLevel.refreshAfterWrite}). It describes the live trie only: a
 * snapshot or a worker reader walks from its roots as before.
 *
 * Cost: 512 KiB per family, so a table builds it only once the family holds
 * {@link DEFAULT_FIRST_LEVEL_FROM} prefixes (0.5 B/prefix at the full table; smaller tables
 * fit the cache without it).
 */
import { CHILD_ARRAY, CHILD_BITS, PREFIX_ARRAY, PREFIX_COUNT } from './layout.js';
import { childRankIn, longestInNode, prefixRank } from './node-rank.js';

/** Prefixes a family needs before its table builds a first level (see the module doc). */
export const DEFAULT_FIRST_LEVEL_FROM = 16_384;

/** Number of first-level slots: one per value of the top 16 address bits. */
export const FIRST_LEVEL_SLOTS = 65_536;

/** The first level of one family (see the module doc). */
export class FirstLevel {
  /** SUBTREE and COVERING words of each slot, interleaved so one slot is one cache line. */
  readonly entries = new Int32Array(2 * FIRST_LEVEL_SLOTS);
  /** Compiled blocks over these slots (compiled-level.ts, compiled-v6.ts), told of each slot refreshed. */
  compiled: { invalidate(h: number): void } | null = null;

  /** Build every slot from the trie at `root` ({@link FirstLevel.refresh} for all, the root read once per /8). */
  constructor(a: Int32Array, root: number) {
    const e = this.entries;
    for (let o0 = 0; o0 < 256; o0++) {
      const covering = nodeBest(a, root, o0, -1);
      const slot0 = childSlot(a, root, o0);
      for (let h = o0 << 8; h < (o0 + 1) << 8; h++) {
        e[2 * h] = slot0 > 0 ? childSlot(a, slot0, h & 255) : slot0;
        e[2 * h + 1] = slot0 > 0 ? nodeBest(a, slot0, h & 255, covering) : covering;
      }
    }
  }

  /** Recompute slots `from .. from + count - 1` from the trie at `root`. */
  refreshRange(a: Int32Array, root: number, from: number, count: number): void {
    for (let h = from; h < from + count; h++) this.refresh(a, root, h);
  }

  /** Recompute slot `h` by descending the root and the depth-1 node of its path. */
  refresh(a: Int32Array, root: number, h: number): void {
    const e = this.entries;
    const o0 = h >>> 8;
    const o1 = h & 255;
    let covering = -1;
    let subtree = 0;
    covering = nodeBest(a, root, o0, covering);
    const slot0 = childSlot(a, root, o0);
    if (slot0 < 0) subtree = slot0;
    else if (slot0 > 0) {
      covering = nodeBest(a, slot0, o1, covering);
      subtree = childSlot(a, slot0, o1);
    }
    e[2 * h] = subtree;
    e[2 * h + 1] = covering;
    if (this.compiled !== null) this.compiled.invalidate(h);
  }

  /**
   * Bring the slots up to date after a write of a prefix of `length` whose network starts
   * with the 16 bits `h`, given the root's child slot for the prefix's first octet before the
   * write (`slotBefore`). What a write changes:
   *  - a prefix of length <= 16 changes COVERING of every /16 inside it;
   *  - the path below the root's slot changes SUBTREE of the prefix's own /16 (a new,
   *    copied, split or collapsed node or leaf at depth 1 or 2);
   *  - if the root's slot was or becomes a leaf or empty, SUBTREE of all 256 /16s below it
   *    changes (one leaf there answers for the whole /8).
   */
  refreshAfterWrite(a: Int32Array, root: number, h: number, length: number, slotBefore: number): void {
    const slotAfter = childSlot(a, root, h >>> 8);
    if (length <= 8 || slotBefore <= 0 || slotAfter <= 0) {
      const span = Math.max(256, length >= 16 ? 1 : 1 << (16 - length));
      this.refreshRange(a, root, h & ~(span - 1) & 0xffff, span);
    } else if (length <= 16) {
      const span = 1 << (16 - length);
      this.refreshRange(a, root, h & ~(span - 1), span);
    } else {
      // A prefix longer than /16 below a depth-1 node: COVERING (prefixes <= /16 in the root
      // and the depth-1 node) cannot have changed, only which node or leaf SUBTREE names.
      this.entries[2 * h] = childSlot(a, slotAfter, h & 255);
      if (this.compiled !== null) this.compiled.invalidate(h);
    }
  }
}

/** The child slot of `octet` in `node` (> 0 node, < 0 minus a leaf), or 0 if there is none. */
export function childSlot(a: Int32Array, node: number, octet: number): number {
  const bits = a[node + CHILD_BITS + (octet >> 5)]!;
  if (((bits >>> octet) & 1) === 0) return 0;
  return a[a[node + CHILD_ARRAY]! + childRankIn(a, node, octet, bits)]!;
}

/** Value of the longest prefix of `node` covering `octet`, else `otherwise`. */
function nodeBest(a: Int32Array, node: number, octet: number, otherwise: number): number {
  if (a[node + PREFIX_COUNT] === 0) return otherwise;
  const index = longestInNode(a, node, octet);
  return index === 0 ? otherwise : a[a[node + PREFIX_ARRAY]! + prefixRank(a, node, index)]!;
}
