/** Whether a leaf (a path-compressed prefix, layout.ts) contains an address or prefix. */
import { LEAF_KEY, LEAF_META, LEAF_V6, topBits } from './layout.js';

/** Whether the IPv6 leaf at `leaf` contains the address w0..w3. */
export function leafContainsV6(a: Int32Array, leaf: number, w0: number, w1: number, w2: number, w3: number): boolean {
  const length = a[leaf + LEAF_META]! & 255;
  return (
    ((w0 ^ a[leaf + LEAF_KEY]!) & topBits(length)) === 0 &&
    ((w1 ^ a[leaf + LEAF_KEY + 1]!) & topBits(length - 32)) === 0 &&
    ((w2 ^ a[leaf + LEAF_KEY + 2]!) & topBits(length - 64)) === 0 &&
    ((w3 ^ a[leaf + LEAF_KEY + 3]!) & topBits(length - 96)) === 0
  );
}

/** Whether the first `length` bits of the leaf's key equal those of `k` (either family). */
export function leafCovers(a: Int32Array, leaf: number, k: ArrayLike<number>, length: number): boolean {
  const words = (a[leaf + LEAF_META]! & LEAF_V6) !== 0 ? 4 : 1;
  for (let i = 0; i < words; i++) {
    if (((k[i]! ^ a[leaf + LEAF_KEY + i]!) & topBits(length - 32 * i)) !== 0) return false;
  }
  return true;
}
