/**
 * Word layout of trie nodes and leaves inside the {@link Arena}.
 *
 * A node covers one 8-bit stride at depth `d` (address bits `8d .. 8d+7`). It holds the
 * prefixes whose length is `8d+1 .. 8d+8` (and `/0` at the root) as ART indices in a
 * 512-bit bitset, and its children keyed by the octet at depth `d` in a 256-bit bitset.
 * Values and children live in two compact arrays elsewhere in the arena, one item per set
 * bit, in bit order: item of bit `i` = array[rank(i)].
 *
 * ```
 *  node (32 words, 64-byte aligned: the first cache line is all a lookup needs to descend)
 *   0 ..  7  child bitset    octet o (0..255)     -> child  = words[CHILD_ARRAY  + rank(o)]
 *   8        CHILD_ARRAY     offset of the child array   (0 when empty)
 *   9        PREFIX_ARRAY    offset of the value array   (0 when empty)
 *  10        PREFIX_COUNT    number of set prefix bits   (array capacity = capacityFor(count))
 *  11        CHILD_COUNT     number of set child bits
 *  12        GEN             write generation that created this node (copy-on-write)
 *  13 .. 14  CHILD_RANKS     set child bits before each child-bitset word, one byte each,
 *                            so rank(o) = byte + popcount of one masked word
 *  15        PREFIX_RANKS    set prefix bits before prefix-bitset words 4, 8 and 12 (10 bits
 *                            each), so rank(i) = base + at most 3 whole-word popcounts + 1
 *  16 .. 31  prefix bitset   ART index i (1..511) -> value  = words[PREFIX_ARRAY + rank(i)]
 *
 *  child slot (one int32):  > 0  offset of a child node (depth d+1)
 *                           < 0  minus the offset of a leaf
 *
 *  leaf (4 words for IPv4, 7 for IPv6): a single prefix stored where its path would start
 *   0  META   length | (256 if IPv6)
 *   1  VALUE
 *   2  GEN
 *   3  KEY    network words w0 (.. w3 for IPv6)
 * ```
 *
 * A leaf in the child slot for octet `o` of a node at depth `d` stands for a prefix longer
 * than `8d+8` that is alone below that slot: path compression, so a sparse tail costs one
 * leaf instead of a chain of nodes.
 *
 * Outside the arena, a live table with enough prefixes keeps a direct-indexed first level per
 * family (first-level.ts): for each /16, the depth-2 node (or a leaf) its lookup continues in
 * and the value of the longest covering prefix <= /16, so lookups skip depths 0 and 1. It is
 * derived from these nodes after every write; the nodes stay the authoritative structure.
 */

/** Largest value a PrefixTable stores (a value word is a non-negative int32). */
export const MAX_TABLE_VALUE = 0x7fffffff;

/** Offset of the 8-word child bitset. */
export const CHILD_BITS = 0;
/** Offset of the word holding the child array's offset. */
export const CHILD_ARRAY = 8;
/** Offset of the word holding the value array's offset. */
export const PREFIX_ARRAY = 9;
/** Offset of the number of prefixes in the node. */
export const PREFIX_COUNT = 10;
/** Offset of the number of children of the node. */
export const CHILD_COUNT = 11;
/** Offset of the node's generation. */
export const NODE_GEN = 12;
/** Offset of the two words of cumulative child counts (one byte per child-bitset word). */
export const CHILD_RANKS = 13;
/** Offset of the word of cumulative prefix counts (before words 4, 8, 12; 10 bits each). */
export const PREFIX_RANKS = 15;
/** Offset of the 16-word prefix bitset. */
export const PREFIX_BITS = 16;
/** Size of a node in words (one aligned 128-byte block: two cache lines). */
export const NODE_WORDS = 32;

/** Leaf word: length, plus {@link LEAF_V6} for IPv6. */
export const LEAF_META = 0;
/** Leaf word: the value. */
export const LEAF_VALUE = 1;
/** Leaf word: the generation that created the leaf. */
export const LEAF_GEN = 2;
/** Leaf words: the network address, 1 word (IPv4) or 4 (IPv6). */
export const LEAF_KEY = 3;
/** Flag in {@link LEAF_META} marking an IPv6 leaf. */
export const LEAF_V6 = 256;
/** Size of an IPv4 leaf in words. */
export const LEAF_WORDS_V4 = 4;
/** Size of an IPv6 leaf in words. */
export const LEAF_WORDS_V6 = 7;

/** Depth of the node whose bitset holds a prefix of `length` (lengths 8d+1..8d+8 live at depth d). */
export function homeDepth(length: number): number {
  return length === 0 ? 0 : (length - 1) >> 3;
}

/** The mask of the top `bits` bits of a word for any integer `bits` (<= 0: none, >= 32: all). */
export function topBits(bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? -1 : -1 << (32 - bits);
}
