/**
 * Compiled IPv6 blocks below the first level: one block per trie node from depth 2 down, each
 * answering all 256 octets of its stride with one pair read, and linking straight to the
 * blocks of its child nodes, so an IPv6 lookup reads one block per level instead of a node's
 * first line, its child array, and at the end a prefix bitset line and a value array.
 *
 * ```
 *   words[h]  (h = 0 .. 65535, the /16)   > 0  LINK to the block of the slot's SUBTREE node
 *                                           0  none yet: compile on the next lookup that reaches it
 *   LINK to a block: its offset (16-word aligned) | its kind (low 4 bits), so the reader knows
 *   where the pair of an octet sits before the block's first line arrives
 *   block, every kind:
 *    0        NODE: the trie node compiled here
 *    1        INFO: runs << 8 | KEEP (transient flag, during a recompile of the parent)
 *   SPARSE (1 line, at most 6 runs)
 *    2 .. 3   start octet of each run after the first, one byte each (byte 0 and unused bytes 0)
 *    4 ..     the pairs: the pair of octet o is pair number runs - 1 - (starts > o)
 *   BITMAP (7 .. 63 runs)
 *    2 .. 9   run bitmap: bit o set where the pair of octet o differs from that of octet o - 1
 *    10 .. 11 run ranks: set bits before each bitmap word, one byte each
 *    12 ..    the pairs, one per run
 *   DIRECT (33 lines, 64 runs or more: the nodes many lookups go through)
 *    2 ..     the pair of every octet: octet o at 2 + 2o, so the read needs nothing else
 *   pair: VALUE, the value of the node's own longest prefix covering the octet (-1 for none:
 *         the lookup keeps what the levels above matched), and LINK:
 *           0         no child: the lookup ends
 *         > 0         the compiled block of the child node
 *         < 0 odd     -(2 leaf + 1): the child slot holds a leaf; the lookup checks it and ends
 *         < 0 even    -(2 node): a child node not compiled yet (compiled and linked on first use)
 * ```
 *
 * Values are not pushed down across blocks: a block depends only on its own node's prefixes and
 * child slots, so a write changes only the blocks of the nodes it changes, and those all lie on
 * the written prefix's path from depth 2 to its home depth (an insert sets a bit at its home
 * node, or puts a leaf into, or pushes one down from, a child slot on the way; a delete clears it
 * and collapses nodes on the way back up; a copy-on-write copies that path). Staleness is kept
 * per trie node, beside the blocks: `dirty[node >> 4]` (nodes are 16-word aligned) is 0 when the
 * node's block is current, else `1 | lo << 8 | hi << 16`, the first and last octet the writes
 * since its compile can have changed. After a write, {@link CompiledV6.touch} walks the new
 * trie path (the nodes the write has just read, so cache hits) and widens each node's range: the
 * path's octet above the home depth (a child slot), the prefix's octet range at it. A lookup
 * reads the word of each block's node and, if it is not 0, recompiles that block first: only the
 * octets in the range are recomputed from the trie, the rest are copied, and child blocks whose
 * node is unchanged are kept (a child block of the same node offset at the same octet describes
 * that node: a write that changed it marked it). A node freed by the trie (a collapse, a
 * reclaimed copy) gets the full range ({@link CompiledV6.forget}), so a block kept for a node
 * offset that was freed and reused is recompiled whole. A top block is recompiled whole when
 * the first level's SUBTREE is no longer its node, and freed with everything below it when
 * SUBTREE is no longer a node. The trie stays the one authoritative structure; like the IPv4
 * blocks (compiled-level.ts) these describe the live table only.
 *
 * Leaf offsets must stay below 2^30 words (4 GiB of arena) for the LINK encoding.
 */
import { popcount32 } from './bitset.js';
import { BlockBuffer, LINE, SLOTS } from './block-buffer.js';
import { CHILD_ARRAY, CHILD_BITS, LEAF_VALUE, PREFIX_ARRAY, PREFIX_COUNT } from './layout.js';
import { leafContainsV6 } from './leaf-match.js';
import { childSlot } from './first-level.js';
import { childRankIn, longestInNode, prefixRank } from './node-rank.js';

/** Offset of the word naming the trie node a block compiles. */
export const V6_NODE = 0;
/** Offset of the word holding the run count (<< 8) and the KEEP flag. */
export const V6_INFO = 1;
/** Block kind (low bits of a LINK): at most {@link SPARSE_RUNS} runs, starts as bytes, one line. */
export const V6_SPARSE = 1;
/** Block kind: a run bitmap with rank bytes, then the pairs. */
export const V6_BITMAP = 2;
/** Block kind: the pair of every octet, directly indexed. */
export const V6_DIRECT = 3;
/** Most runs a SPARSE block holds. */
const SPARSE_RUNS = 6;
/** Fewest runs a DIRECT block is used for. */
const DIRECT_RUNS = 64;
/** Flag in INFO: kept by the recompile of its parent (cleared before that recompile returns). */
const KEEP = 2;
/** A dirty word for every octet of a node. */
const ALL = 1 | (255 << 16);
/** Writes kept for the next lookup to bring their paths up to date; one more drops every block. */
const PENDING_MAX = 4096;

/** The compiled IPv6 blocks of one first level (see the module doc). */
export class CompiledV6 extends BlockBuffer {
  /** VALUE and LINK per octet while compiling one block. */
  private readonly values = new Int32Array(256);
  private readonly links = new Int32Array(256);
  /** Per trie node (offset >> 4): 0 if its block is current, else the octet range to recompile. */
  dirty = new Int32Array(1024);
  /** Networks (four words each) of the prefixes written since the last lookup, in /16s with blocks. */
  private readonly pending = new Int32Array(4 * PENDING_MAX);
  /** Number of {@link pending} networks; while it is 0 every block reachable from the slots is current. */
  pendingCount = 0;

  /** @param first the first level's entries (first-level.ts): SUBTREE of /16 h is `first[2h]`. */
  constructor(private readonly first: Int32Array) {
    // Grown by an eighth: the IPv6 blocks are megabytes.
    super(new Int32Array(SLOTS + 64 * LINE), 3);
  }

  /**
   * First-level hook, called after slot `h` was refreshed: if SUBTREE is no longer a node, the
   * slot's blocks are freed. (A new SUBTREE node is noticed by the lookup: the top block names
   * another node.)
   */
  invalidate(h: number): void {
    const link = this.words[h]!;
    if (link <= 0 || this.first[2 * h]! > 0) return;
    this.releaseTree(link);
    this.words[h] = 0;
  }

  /**
   * After a write of the prefix `key` (four masked network words) of `length` > 16 into the
   * trie `a`: widen the dirty range of each node on its path from depth 2 to its home depth
   * (see the module doc). Nothing to do for a /16 without blocks.
   */
  touch(a: Int32Array, key: Int32Array, length: number): void {
    const h = key[0]! >>> 16;
    if (this.words[h] === 0) return;
    if (this.pendingCount === PENDING_MAX) {
      // A long run of writes without lookups (a bulk load): start over, compiling lazily again.
      this.dropAll();
      return;
    }
    this.pending.set(key, 4 * this.pendingCount++);
    let node = this.first[2 * h]!;
    const home = (length - 1) >> 3;
    for (let depth = 2; node > 0; depth++) {
      const o = (key[depth >> 2]! >>> (24 - ((depth & 3) << 3))) & 255;
      if (depth === home) {
        this.mark(node, o, o | (255 >>> (length - 8 * depth)));
        return;
      }
      this.mark(node, o, o);
      node = childSlot(a, node, o);
    }
  }

  /** The trie freed `node` (or a block at its offset): a block still naming it is recompiled whole. */
  forget(node: number): void {
    const i = node >> 4;
    if (i < this.dirty.length) this.dirty[i] = ALL;
  }

  /** Widen the dirty range of `node` to include octets `lo .. hi`. */
  private mark(node: number, lo: number, hi: number): void {
    const i = node >> 4;
    if (i >= this.dirty.length) return; // no block names a node past the array (recompile grows it)
    const d = this.dirty[i]!;
    if (d !== 0) {
      lo = Math.min(lo, (d >>> 8) & 255);
      hi = Math.max(hi, (d >>> 16) & 255);
    }
    this.dirty[i] = 1 | (lo << 8) | (hi << 16);
  }

  /**
   * Longest match of the address `w0..w3` below the first-level slot `h`, whose SUBTREE is the
   * node `subtree` (> 0) and whose COVERING value is `best`.
   *
   * Writes since the last lookup are brought in first ({@link settle}), so that the walk then
   * needs no staleness check per level: only the top block is compared with SUBTREE, and a LINK
   * to a child not compiled yet compiles it.
   */
  lookup(a: Int32Array, h: number, subtree: number, best: number, w0: number, w1: number, w2: number, w3: number): number {
    if (this.pendingCount !== 0) this.settle(a);
    let f = this.words;
    let link = f[h]!;
    if (link === 0 || f[(link & -16) + V6_NODE] !== subtree) {
      link = this.recompile(a, h, link, subtree);
      f = this.words;
    }
    let word = w0;
    // Bounded by the depth, like the trie walks.
    for (let depth = 2; depth < 16; ) {
      const at = pairOf(f, link, (word >>> (24 - ((depth & 3) << 3))) & 255);
      const v = f[at]!;
      if (v >= 0) best = v;
      link = f[at + 1]!;
      if (link === 0) return best;
      if (link < 0) {
        if ((link & 1) !== 0) {
          const leaf = (-link - 1) >>> 1;
          return leafContainsV6(a, leaf, w0, w1, w2, w3) ? a[leaf + LEAF_VALUE]! : best;
        }
        link = this.recompile(a, at + 1, 0, -link >>> 1);
        f = this.words;
      }
      depth++;
      if ((depth & 3) === 0) word = depth === 4 ? w1 : depth === 8 ? w2 : w3;
    }
    return best;
  }

  /**
   * Recompile the dirty blocks on the paths of the pending writes: every node a write changed is
   * on its path (touch), and a block kept for a freed and reused node offset sits on the path of
   * the write that reused it; so afterwards every block reachable from the slots is current.
   */
  private settle(a: Int32Array): void {
    const pending = this.pending;
    const n = this.pendingCount;
    this.pendingCount = 0;
    for (let i = 0; i < 4 * n; i += 4) {
      const h = pending[i]! >>> 16;
      const subtree = this.first[2 * h]!;
      let link = this.words[h]!;
      if (link === 0 || subtree <= 0) continue;
      if (this.words[(link & -16) + V6_NODE] !== subtree || this.dirty[subtree >> 4] !== 0) link = this.recompile(a, h, link, subtree);
      for (let depth = 2; depth < 16; depth++) {
        const f = this.words;
        const at = pairOf(f, link, (pending[i + (depth >> 2)]! >>> (24 - ((depth & 3) << 3))) & 255);
        link = f[at + 1]!;
        if (link <= 0) break;
        const node = f[(link & -16) + V6_NODE]!;
        if (this.dirty[node >> 4] !== 0) link = this.recompile(a, at + 1, link, node);
      }
    }
  }

  /** Free every block (slots back to 0): a lookup compiles again what it reaches. */
  private dropAll(): void {
    this.words.fill(0, 0, SLOTS);
    this.freeAll();
    this.dirty.fill(0);
    this.pendingCount = 0;
  }

  /**
   * Compile trie node `node` into a new block, store its LINK at `words[at]` (a slot word or a
   * parent's LINK) and return it. `old` (0 if none) is the LINK of the block it replaces: if that
   * compiles the same node, only the octets in the node's dirty range are recomputed from the
   * trie, the others copied; children whose node is unchanged are kept, the rest are freed with
   * their subtrees, then the old block itself. The node's dirty word is cleared.
   */
  recompile(a: Int32Array, at: number, old: number, node: number): number {
    const values = this.values;
    const links = this.links;
    const f0 = this.words;
    let lo = 0;
    let hi = 255;
    if (old > 0) {
      const d = node >> 4 < this.dirty.length ? this.dirty[node >> 4]! : ALL;
      if (f0[(old & -16) + V6_NODE] === node && d !== 0) {
        lo = (d >>> 8) & 255;
        hi = (d >>> 16) & 255;
        // Most writes change one octet of their home node and nothing above it; a DIRECT block
        // takes any change in place. Otherwise the block is made again below.
        if (this.patch(a, old, node, lo, hi)) {
          this.dirty[node >> 4] = 0;
          return old;
        }
      }
      decode(f0, old, values, links);
    } else links.fill(0);
    const hasPrefixes = a[node + PREFIX_COUNT] !== 0;
    const valueArray = a[node + PREFIX_ARRAY]!;
    const childArray = a[node + CHILD_ARRAY]!;
    for (let o = lo; o <= hi; o++) {
      let v = -1;
      if (hasPrefixes) {
        const index = longestInNode(a, node, o);
        if (index !== 0) v = a[valueArray + prefixRank(a, node, index)]!;
      }
      let link = 0;
      const bits = a[node + CHILD_BITS + (o >> 5)]!;
      if (((bits >>> o) & 1) !== 0) {
        const slot = a[childArray + childRankIn(a, node, o, bits)]!;
        if (slot < 0) link = -(2 * -slot + 1);
        else {
          const was = links[o]!;
          link = was > 0 && f0[(was & -16) + V6_NODE] === slot ? was : -2 * slot;
        }
      }
      values[o] = v;
      links[o] = link;
    }
    let runs = 0;
    for (let o = 0; o < 256; o++) {
      const link = links[o]!;
      if (link > 0) f0[(link & -16) + V6_INFO] |= KEEP;
      if (o === 0 || values[o] !== values[o - 1] || link !== links[o - 1]) runs++;
    }
    // Everything needed from the old block is read: free it (and the children not kept) before
    // allocating, so a block of the same size comes straight back.
    if (old > 0) this.releaseTree(old);
    const kind = runs <= SPARSE_RUNS ? V6_SPARSE : runs < DIRECT_RUNS ? V6_BITMAP : V6_DIRECT;
    const block = this.allocate(sizeInLines(kind, runs));
    const f = this.words;
    f[block + V6_NODE] = node;
    f[block + V6_INFO] = runs << 8;
    if (kind === V6_DIRECT) {
      for (let o = 0; o < 256; o++) {
        f[block + 2 + 2 * o] = values[o]!;
        f[block + 3 + 2 * o] = links[o]!;
      }
    } else if (kind === V6_SPARSE) {
      let starts0 = 0;
      let starts1 = 0;
      let r = 0;
      for (let o = 0; o < 256; o++) {
        if (o !== 0 && values[o] === values[o - 1] && links[o] === links[o - 1]) continue;
        if (r < 4) starts0 |= o << (r << 3);
        else starts1 |= o << ((r - 4) << 3);
        f[block + 4 + 2 * r] = values[o]!;
        f[block + 5 + 2 * r] = links[o]!;
        r++;
      }
      f[block + 2] = starts0;
      f[block + 3] = starts1;
    } else {
      f.fill(0, block + 2, block + 12);
      let p = block + 12;
      let ranks0 = 0;
      let ranks1 = 0;
      let count = 0;
      for (let o = 0; o < 256; o++) {
        if ((o & 31) === 0) {
          const w = o >> 5;
          if (w < 4) ranks0 |= count << (w << 3);
          else ranks1 |= count << ((w - 4) << 3);
        }
        if (o !== 0 && values[o] === values[o - 1] && links[o] === links[o - 1]) continue;
        f[block + 2 + (o >> 5)] |= 1 << o;
        f[p++] = values[o]!;
        f[p++] = links[o]!;
        count++;
      }
      f[block + 10] = ranks0;
      f[block + 11] = ranks1;
    }
    const link = block | kind;
    f[at] = link;
    if (node >> 4 >= this.dirty.length) {
      const grown = new Int32Array(Math.max((node >> 4) + 1, this.dirty.length * 2));
      grown.set(this.dirty);
      this.dirty = grown;
    }
    this.dirty[node >> 4] = 0;
    return link;
  }

  /**
   * Bring octets `lo .. hi` of the block of `old` (compiling `node`) up to date in place, if
   * that is possible: always for a DIRECT block (a child block replaced there is freed with its
   * subtree), else only if none of those octets' pairs changed. Returns whether it did.
   */
  private patch(a: Int32Array, old: number, node: number, lo: number, hi: number): boolean {
    const f = this.words;
    const direct = (old & 15) === V6_DIRECT;
    const hasPrefixes = a[node + PREFIX_COUNT] !== 0;
    for (let o = lo; o <= hi; o++) {
      let v = -1;
      if (hasPrefixes) {
        const index = longestInNode(a, node, o);
        if (index !== 0) v = a[a[node + PREFIX_ARRAY]! + prefixRank(a, node, index)]!;
      }
      const p = pairOf(f, old, o);
      const was = f[p + 1]!;
      let link = 0;
      const bits = a[node + CHILD_BITS + (o >> 5)]!;
      if (((bits >>> o) & 1) !== 0) {
        const slot = a[a[node + CHILD_ARRAY]! + childRankIn(a, node, o, bits)]!;
        link = slot < 0 ? -(2 * -slot + 1) : was > 0 && f[(was & -16) + V6_NODE] === slot ? was : -2 * slot;
      }
      if (v === f[p] && link === was) continue;
      if (!direct) return false;
      f[p] = v;
      f[p + 1] = link;
      if (was > 0) this.releaseTree(was);
    }
    return true;
  }

  /** Free the block of `link` and the blocks below it, except children flagged KEEP (whose flag is cleared). */
  private releaseTree(link: number): void {
    const f = this.words;
    const block = link & -16;
    const kind = link & 15;
    const runs = f[block + V6_INFO]! >>> 8;
    // Each child is a run of its own (a DIRECT block holds it at its one octet).
    const from = block + (kind === V6_SPARSE ? 4 : kind === V6_BITMAP ? 12 : 2);
    const to = from + 2 * (kind === V6_DIRECT ? 256 : runs);
    for (let p = from + 1; p < to; p += 2) {
      const child = f[p]!;
      if (child <= 0) continue;
      const info = f[(child & -16) + V6_INFO]!;
      if ((info & KEEP) !== 0) f[(child & -16) + V6_INFO] = info & ~KEEP;
      else this.releaseTree(child);
    }
    this.freeBlock(block, sizeInLines(kind, runs));
  }

}

/** The pair of every octet of the block of `link` into `values` and `links`. */
function decode(f: Int32Array, link: number, values: Int32Array, links: Int32Array): void {
  const block = link & -16;
  const kind = link & 15;
  if (kind === V6_DIRECT) {
    for (let o = 0, p = block + 2; o < 256; o++, p += 2) {
      values[o] = f[p]!;
      links[o] = f[p + 1]!;
    }
    return;
  }
  const runs = f[block + V6_INFO]! >>> 8;
  let p = block + (kind === V6_SPARSE ? 4 : 12) - 2;
  let next = 0; // first octet of the next run
  let r = 0;
  for (let o = 0; o < 256; o++) {
    if (o === next) {
      p += 2;
      r++;
      if (r >= runs) next = 256;
      else if (kind === V6_SPARSE) next = (f[block + 2 + (r >> 2)]! >>> ((r & 3) << 3)) & 255;
      else {
        next = o + 1;
        while (((f[block + 2 + (next >> 5)]! >>> next) & 1) === 0) next++;
      }
    }
    values[o] = f[p]!;
    links[o] = f[p + 1]!;
  }
}

/** Lines a block of `kind` with `runs` pairs takes. */
export function sizeInLines(kind: number, runs: number): number {
  return kind === V6_SPARSE ? 1 : kind === V6_DIRECT ? 33 : (12 + 2 * runs + LINE - 1) >> 4;
}

/** Where the pair (VALUE, LINK) of octet `o` sits in the block of `link` (see the module doc). */
export function pairOf(f: Int32Array, link: number, o: number): number {
  const block = link & -16;
  const kind = link & 15;
  if (kind === V6_DIRECT) return block + 2 + 2 * o;
  if (kind === V6_SPARSE) {
    const s0 = f[block + 2]!;
    const s1 = f[block + 3]!;
    // Starts above o, each (o - start) >>> 31; byte 0 and unused bytes are 0, never above o.
    const above =
      ((o - ((s0 >>> 8) & 255)) >>> 31) +
      ((o - ((s0 >>> 16) & 255)) >>> 31) +
      ((o - (s0 >>> 24)) >>> 31) +
      ((o - (s1 & 255)) >>> 31) +
      ((o - ((s1 >>> 8) & 255)) >>> 31);
    return block + 2 + 2 * ((f[block + V6_INFO]! >>> 8) - above);
  }
  const w = o >> 5;
  const before = (f[block + 10 + (w >> 2)]! >>> ((w & 3) << 3)) & 255;
  return block + 10 + 2 * (before + popcount32(f[block + 2 + w]! & ((2 << (o & 31)) - 1)));
}
