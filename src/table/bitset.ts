/**
 * Bit operations on fixed-width bitsets stored inline in an Int32Array.
 *
 * A bitset of `n` bits occupies `n / 32` consecutive words at some `base`; bit `i` is bit
 * `i & 31` (least significant first) of word `base + (i >> 5)`:
 *
 * ```
 *   word:   base+0           base+1           ...
 *   bits:   31 .......... 0  63 ......... 32  ...
 * ```
 *
 * Rank (the number of set bits below `i`) is what makes a popcount-compressed array work:
 * the item for bit `i` lives at position `rank(i)` of a compact array holding one item per
 * set bit. Everything here is int32 arithmetic and allocates nothing.
 */

/** Number of set bits in a 32-bit word (SWAR bit tricks; no table, no loop). */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Whether bit `i` of the bitset at `base` is set. */
export function testBit(words: Int32Array, base: number, i: number): boolean {
  return ((words[base + (i >> 5)]! >>> (i & 31)) & 1) !== 0;
}

/** Set bit `i` of the bitset at `base`. */
export function setBit(words: Int32Array, base: number, i: number): void {
  words[base + (i >> 5)]! |= 1 << (i & 31);
}

/** Clear bit `i` of the bitset at `base`. */
export function clearBit(words: Int32Array, base: number, i: number): void {
  words[base + (i >> 5)]! &= ~(1 << (i & 31));
}

/** Number of set bits strictly below bit `i` in the bitset at `base`. */
export function rank(words: Int32Array, base: number, i: number): number {
  const w = i >> 5;
  let n = popcount32(words[base + w]! & ((1 << (i & 31)) - 1));
  for (let k = 0; k < w; k++) n += popcount32(words[base + k]!);
  return n;
}

/** Index of the lowest set bit at or above `from` in a bitset of `wordCount` words, or -1. */
export function nextSetBit(words: Int32Array, base: number, wordCount: number, from: number): number {
  let w = from >> 5;
  if (w >= wordCount) return -1;
  let x = words[base + w]! & (-1 << (from & 31));
  for (;;) {
    if (x !== 0) return (w << 5) + (31 - Math.clz32(x & -x));
    if (++w >= wordCount) return -1;
    x = words[base + w]!;
  }
}
