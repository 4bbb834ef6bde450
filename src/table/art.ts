/**
 * ART indices: the prefixes of one 8-bit stride numbered as a complete binary tree.
 *
 * Inside a trie node at depth `d` (covering address bits `8d .. 8d+7`), a prefix whose length
 * is `8d + r` (r = 0..8) and whose stride bits are `b` (the top `r` bits of the node's octet)
 * gets the index `(1 << r) | b`. The indices form a heap-ordered binary tree:
 *
 * ```
 *                          1                    r = 0   (only /0, at the root)
 *                2                   3          r = 1
 *           4        5         6         7      r = 2
 *          ...                                  ...
 *   256 257 ...                       ... 511   r = 8   (the "fringe": one per octet)
 * ```
 *
 * The parent of index `i` is `i >> 1`; the ancestors of the fringe index `256 | octet` are
 * exactly the prefixes in this node that contain an address whose byte here is `octet`.
 * A longer prefix has a larger index than any of its ancestors, so the longest match in a
 * node is the highest set bit of (node prefix bitset AND ancestor mask of the octet).
 *
 * {@link ANCESTOR_MASKS} is that table, generated here at module load from the definition
 * above (never pasted): 256 masks of 512 bits (16 words each). Each mask has set bits in
 * only five words, which the lookup reads directly: words `8 + (octet >> 5)`,
 * `4 + (octet >> 6)`, `2 + (octet >> 7)`, `1` and `0`.
 */

/** Number of words in a node's prefix bitset (512 ART indices). */
export const PREFIX_BITSET_WORDS = 16;
/** Number of words in a node's child bitset (256 octets). */
export const CHILD_BITSET_WORDS = 8;

/** ART index of a prefix of relative length `r` (0..8) whose stride byte is `octet`. */
export function artIndex(octet: number, r: number): number {
  return (1 << r) | (octet >> (8 - r));
}

/** Relative length (0..8) of ART index `index` (1..511). */
export function artLength(index: number): number {
  return 31 - Math.clz32(index);
}

/** First octet covered by ART index `index` (its stride bits shifted to the top of the byte). */
export function artOctet(index: number): number {
  const r = 31 - Math.clz32(index);
  return (index ^ (1 << r)) << (8 - r);
}

/** Build the ancestor-mask table: for each octet, the bits of all ART indices containing it. */
export function generateAncestorMasks(): Int32Array {
  const masks = new Int32Array(256 * PREFIX_BITSET_WORDS);
  for (let octet = 0; octet < 256; octet++) {
    for (let index = 256 | octet; index >= 1; index >>= 1) {
      masks[octet * PREFIX_BITSET_WORDS + (index >> 5)]! |= 1 << (index & 31);
    }
  }
  return masks;
}

/** For each octet, a 512-bit mask of the ART indices that contain it (see the module doc). */
export const ANCESTOR_MASKS: Int32Array = generateAncestorMasks();
