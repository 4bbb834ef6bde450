/**
 * The value word of a {@link PrefixMap}: how a map value sits in the table's int32 value slot.
 *
 * ```
 *   word in [0, INLINE_LIMIT)            the value itself: an integer 0 .. 2^30 - 1 (no handle)
 *   word in [INLINE_LIMIT, 2^31 - 1]     a handle: store[word - INLINE_LIMIT] holds the value
 *   word -1                              no value (a lookup that matched nothing)
 * ```
 *
 * Small non-negative integers (the common value of a route table: a next-hop index, an AS
 * number, a slot) need no array slot, no free-handle upkeep and no retire on replace, and a
 * lookup that ends in one reads no side array. One compare tells the two apart. This file is
 * the one home of that encoding: every read path of a map decodes through {@link mapValue}.
 */

/** Map values below this (non-negative integers) are stored inline in the table word. */
export const INLINE_LIMIT = 0x40000000;

/** Largest handle a map can hold (its word is `INLINE_LIMIT + handle` <= 2^31 - 1). */
export const MAX_HANDLE = 0x7fffffff - INLINE_LIMIT;

/** Whether `value` is stored inline: an integer in [0, INLINE_LIMIT), not -0. */
export function isInlineValue(value: unknown): value is number {
  return typeof value === 'number' && (value | 0) === value && value >= 0 && value < INLINE_LIMIT && (value !== 0 || 1 / value > 0);
}

/** The table word of handle `handle`. */
export function handleWord(handle: number): number {
  return INLINE_LIMIT + handle;
}

/** The handle in a table word that is not inline (word >= INLINE_LIMIT). */
export function wordHandle(word: number): number {
  return word - INLINE_LIMIT;
}

/** The value a table word stands for: inline, from `store`, or undefined for a word < 0. */
export function mapValue<V>(word: number, store: readonly (V | undefined)[]): V | undefined {
  if (word < INLINE_LIMIT) return word < 0 ? undefined : (word as unknown as V);
  return store[word - INLINE_LIMIT];
}
