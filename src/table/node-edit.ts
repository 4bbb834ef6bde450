/**
 * Edits of one node's compact arrays (values by prefix rank, children by child rank) and the
 * bitsets and rank words that index them. Callers reserve arena room first, so `arena.words`
 * stays the same array through one edit (arena.ts).
 */
import { type Arena, capacityFor } from './arena.js';
import { CHILD_ARRAY, CHILD_BITS, CHILD_COUNT, PREFIX_ARRAY, PREFIX_BITS, PREFIX_COUNT } from './layout.js';
import { adjustChildRanks, adjustPrefixRanks, childRank, prefixRank } from './node-rank.js';

/** Insert `value` at position `pos` of the compact array of `node` at (arrayField, countField). */
export function arrayInsert(arena: Arena, node: number, arrayField: number, countField: number, pos: number, value: number): void {
  const a = arena.words;
  const n = a[node + countField]!;
  const old = a[node + arrayField]!;
  const oldCapacity = capacityFor(n);
  const newCapacity = capacityFor(n + 1);
  if (oldCapacity === newCapacity) {
    for (let i = n; i > pos; i--) a[old + i] = a[old + i - 1]!;
    a[old + pos] = value;
  } else {
    const array = arena.alloc(newCapacity);
    for (let i = 0; i < pos; i++) a[array + i] = a[old + i]!;
    a[array + pos] = value;
    for (let i = pos; i < n; i++) a[array + i + 1] = a[old + i]!;
    if (oldCapacity !== 0) arena.free(old, oldCapacity);
    a[node + arrayField] = array;
  }
  a[node + countField] = n + 1;
}

/** Remove position `pos` of the compact array of `node`, moving to a smaller block at a class boundary. */
export function arrayRemove(arena: Arena, node: number, arrayField: number, countField: number, pos: number): void {
  const a = arena.words;
  const n = a[node + countField]!;
  const old = a[node + arrayField]!;
  const oldCapacity = capacityFor(n);
  const newCapacity = capacityFor(n - 1);
  if (oldCapacity === newCapacity) {
    for (let i = pos; i < n - 1; i++) a[old + i] = a[old + i + 1]!;
  } else {
    let array = 0;
    if (newCapacity !== 0) {
      array = arena.alloc(newCapacity);
      for (let i = 0; i < pos; i++) a[array + i] = a[old + i]!;
      for (let i = pos + 1; i < n; i++) a[array + i - 1] = a[old + i]!;
    }
    arena.free(old, oldCapacity);
    a[node + arrayField] = array;
  }
  a[node + countField] = n - 1;
}

/** Set ART `index` of `node` to `value`; returns the value it replaced, or -1 if it is new. */
export function putPrefix(arena: Arena, node: number, index: number, value: number): number {
  const a = arena.words;
  const w = node + PREFIX_BITS + (index >> 5);
  const bit = 1 << (index & 31);
  if ((a[w]! & bit) !== 0) {
    const at = a[node + PREFIX_ARRAY]! + prefixRank(a, node, index);
    const previous = a[at]!;
    a[at] = value;
    return previous;
  }
  arrayInsert(arena, node, PREFIX_ARRAY, PREFIX_COUNT, prefixRank(a, node, index), value);
  a[w]! |= bit;
  adjustPrefixRanks(a, node, index, 1);
  return -1;
}

/** Remove ART `index` (which must be set) from `node`; returns its value. */
export function removePrefix(arena: Arena, node: number, index: number): number {
  const a = arena.words;
  const at = prefixRank(a, node, index);
  const removed = a[a[node + PREFIX_ARRAY]! + at]!;
  arrayRemove(arena, node, PREFIX_ARRAY, PREFIX_COUNT, at);
  a[node + PREFIX_BITS + (index >> 5)]! &= ~(1 << (index & 31));
  adjustPrefixRanks(a, node, index, -1);
  return removed;
}

/** Add child slot `octet` (which must be clear) holding `ref` (a node, or minus a leaf). */
export function insertChild(arena: Arena, node: number, octet: number, ref: number): void {
  const a = arena.words;
  arrayInsert(arena, node, CHILD_ARRAY, CHILD_COUNT, childRank(a, node, octet), ref);
  a[node + CHILD_BITS + (octet >> 5)]! |= 1 << (octet & 31);
  adjustChildRanks(a, node, octet, 1);
}

/** Remove child slot `octet` (which must be set). */
export function removeChild(arena: Arena, node: number, octet: number): void {
  const a = arena.words;
  arrayRemove(arena, node, CHILD_ARRAY, CHILD_COUNT, childRank(a, node, octet));
  a[node + CHILD_BITS + (octet >> 5)]! &= ~(1 << (octet & 31));
  adjustChildRanks(a, node, octet, -1);
}

/** Arena offset of the child slot `octet` (which must be set) of `node`. */
export function childSlotAddress(a: Int32Array, node: number, octet: number): number {
  return a[node + CHILD_ARRAY]! + childRank(a, node, octet);
}
