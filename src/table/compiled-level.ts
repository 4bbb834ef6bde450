/**
 * Compiled, leaf-pushed lookup blocks over the IPv4 first level (poptrie / bart's leaf pushing):
 * for each /16, either the one answer of all its addresses in the slot word itself, or one
 * contiguous block that answers every /24 inside the /16 with one value read.
 *
 * ```
 *   words[h]  (h = 0 .. 65535, the /16)   > 1, even: offset of the slot's compiled (run) block
 *                                         > 1, odd: offset + 1 of its DIRECT block
 *                                            1  STALE: compile on the next lookup that reaches it
 *                                         <= 0  CONSTANT: every address of the /16 gets ~word
 *                                               (0 = no match, -1 = value 0, ... -2^31 = 2^31 - 1)
 *   block (16-word aligned, RUNS_AT + runs words, rounded up to whole 64-byte lines)
 *    0 .. 7   run bitmap: bit o set where the answer for octet o (address bits 16..23) differs
 *             from the answer for octet o - 1 (bit 0 always set)
 *    8 .. 9   run ranks: set bits before each bitmap word, one byte each
 *    10 ..    run values, one per set bit: the longest-match value of the /24 (leaf-pushed from
 *             the node's /17../24 prefixes and the slot's COVERING), -1 for none, or
 *             {@link DEEPER} where the octet has a child (a prefix longer than /24 below it)
 *   DIRECT block (16 lines): the 256 answers, one word per octet, for a /16 of more than
 *             {@link DIRECT_RUNS} runs
 * ```
 *
 * So a lookup reads the slot word (a 256 KiB table, mostly cache resident); a CONSTANT slot (a
 * /16 with no depth-2 node, or whose /24s all get the same answer: most misses and short
 * prefixes) ends there, otherwise it reads the block's first line (bitmap and rank words) and
 * one value a popcount away, usually in the same or the next line: two dependent lines. A /16
 * with many runs (a dense one, where most lookups inside prefixes land) gets a DIRECT block
 * instead, whose answer is one line away (see {@link DIRECT_RUNS}). A DEEPER run sends it down
 * the trie from SUBTREE as before. The blocks
 * are derived data: the first level marks a slot stale ({@link CompiledLevel.invalidate})
 * whenever it refreshes it after a write, and the slot is rebuilt from the trie when next needed.
 * They live in their own Int32Array rather than the trie's arena: the blocks stay dense (a few
 * MiB together), the trie arena (possibly shared with worker threads, which do not use the
 * blocks) and its accounting are untouched, and snapshots need not know about them.
 */
import { popcount32 } from './bitset.js';
import { BlockBuffer, LINE, SLOTS } from './block-buffer.js';
import { CHILD_BITS, LEAF_KEY, LEAF_META, LEAF_VALUE, PREFIX_ARRAY, PREFIX_COUNT, topBits } from './layout.js';
import { longestInNode, prefixRank } from './node-rank.js';

/** Run value of an octet that has a child: the answer needs the trie walk below it. */
export const DEEPER = -2;
/** Slot word of a stale slot (block offsets are > 1, constant answers <= 0). */
export const STALE = 1;
/** Offset of the two rank words in a block. */
export const RUN_RANKS = 8;
/** Offset of the first run value in a block. */
export const RUNS_AT = 10;
/**
 * A /16 of more runs than this gets a DIRECT block (1 KiB, the answer read straight at the
 * octet) instead of a run block (40 B + 4 B per run, the answer a rank and usually a second line
 * away). Census of the tier1 table (901,899 IPv4 prefixes; 1 M random addresses inside them):
 * 5,707 of 25,398 blocks have more than 64 runs and take 66 % of the lookups; as DIRECT blocks
 * they cost 2.7 MiB more than as run blocks, 3.2 B per prefix (bench:table: 18.0 -> 21.8 B/prefix
 * with the buffer's growth slack; target <= 24 B). A threshold of 48 (76 % of lookups) measured
 * no faster; 22 (89 %) would cost ~8.4 B/prefix more (src/table/DESIGN.md).
 */
export const DIRECT_RUNS = 64;
/** Lines of a DIRECT block: 256 words. */
const DIRECT_LINES = 256 / LINE;

/** The compiled blocks of one family's first level (see the module doc). */
export class CompiledLevel extends BlockBuffer {
  /** Answer per octet while compiling one block. */
  private readonly answers = new Int32Array(256);

  constructor() {
    // Grown by half: the IPv4 blocks are a few MiB at most.
    super(new Int32Array(SLOTS + 64 * LINE).fill(STALE, 0, SLOTS), 1);
  }

  /** Mark slot `h` stale and return its block, if any. */
  invalidate(h: number): void {
    const block = this.words[h]!;
    if (block > STALE) this.release(block);
    this.words[h] = STALE;
  }

  /**
   * Compile slot `h` from the first level's SUBTREE and COVERING words and the trie words `a`;
   * returns the new slot word (a block offset, or a CONSTANT answer ~value).
   */
  compile(a: Int32Array, h: number, subtree: number, covering: number): number {
    const old = this.words[h]!;
    if (old > STALE) this.release(old);
    if (subtree === 0) return (this.words[h] = ~covering);
    const answers = this.answers;
    if (subtree < 0) leafAnswers(a, -subtree, h, covering, answers);
    else nodeAnswers(a, subtree, covering, answers);
    let runs = 1;
    for (let o = 1; o < 256; o++) if (answers[o] !== answers[o - 1]) runs++;
    if (runs === 1 && answers[0] !== DEEPER) return (this.words[h] = ~answers[0]!);
    if (runs > DIRECT_RUNS) {
      const direct = this.allocate(DIRECT_LINES);
      this.words.set(answers, direct);
      return (this.words[h] = direct + 1);
    }
    const block = this.allocate(sizeInLines(runs));
    const f = this.words;
    f.fill(0, block, block + RUNS_AT);
    let at = block + RUNS_AT;
    for (let o = 0; o < 256; o++) {
      if ((o & 31) === 0) f[block + RUN_RANKS + (o >> 7)] |= (at - block - RUNS_AT) << ((o >> 2) & 24);
      const v = answers[o]!;
      if (o === 0 || v !== answers[o - 1]) {
        f[block + (o >> 5)] |= 1 << o;
        f[at++] = v;
      }
    }
    return (f[h] = block);
  }

  /** Compile every stale slot (from `trim()`; a bulk build leaves them to the lookups). */
  compileAll(a: Int32Array, first: Int32Array): void {
    for (let h = 0; h < SLOTS; h++) if (this.words[h] === STALE) this.compile(a, h, first[2 * h]!, first[2 * h + 1]!);
  }

  private release(block: number): void {
    if ((block & 1) !== 0) {
      this.freeBlock(block - 1, DIRECT_LINES);
      return;
    }
    const f = this.words;
    const runs = ((f[block + RUN_RANKS + 1]! >>> 24) & 255) + popcount32(f[block + 7]!);
    this.freeBlock(block, sizeInLines(runs));
  }
}

/** The answer of each /24 of a /16 whose SUBTREE is a depth-2 node. */
function nodeAnswers(a: Int32Array, node: number, covering: number, answers: Int32Array): void {
  const hasPrefixes = a[node + PREFIX_COUNT] !== 0;
  const values = a[node + PREFIX_ARRAY]!;
  for (let o = 0; o < 256; o++) {
    let v = covering;
    if (((a[node + CHILD_BITS + (o >> 5)]! >>> o) & 1) !== 0) v = DEEPER;
    else if (hasPrefixes) {
      const index = longestInNode(a, node, o);
      if (index !== 0) v = a[values + prefixRank(a, node, index)]!;
    }
    answers[o] = v;
  }
}

/**
 * The answer of each /24 of /16 `h` whose SUBTREE is a leaf (met at depth 0 or 1): its value
 * where it contains the /24, DEEPER for the /24 holding a leaf longer than /24, else COVERING.
 */
function leafAnswers(a: Int32Array, leaf: number, h: number, covering: number, answers: Int32Array): void {
  const key = a[leaf + LEAF_KEY]!;
  const length = a[leaf + LEAF_META]! & 255;
  const value = a[leaf + LEAF_VALUE]!;
  for (let o = 0; o < 256; o++) {
    const slash24 = (h << 16) | (o << 8);
    if (((slash24 ^ key) & topBits(Math.min(length, 24))) !== 0) answers[o] = covering;
    else answers[o] = length <= 24 ? value : DEEPER;
  }
}

/** Lines a block of `runs` run values takes. */
function sizeInLines(runs: number): number {
  return (RUNS_AT + runs + LINE - 1) >> 4;
}

/**
 * Where the value a compiled block (a slot word > STALE) gives for octet `o` (address bits
 * 16..23) sits: in a DIRECT block the octet's own word; in a run block one bitmap word, one rank
 * byte (the same line), one popcount away.
 */
export function runAt(f: Int32Array, block: number, o: number): number {
  if ((block & 1) !== 0) return block - 1 + o;
  const w = o >> 5;
  const before = (f[block + RUN_RANKS + (w >> 2)]! >>> ((w & 3) << 3)) & 255;
  return block + RUNS_AT - 1 + before + popcount32(f[block + w]! & ((2 << (o & 31)) - 1));
}

/** The value a compiled block gives for octet `o`: the run value at {@link runAt}. */
export function blockValue(f: Int32Array, block: number, o: number): number {
  return f[runAt(f, block, o)]!;
}
