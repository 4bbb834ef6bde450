/**
 * Test check of the table's direct-indexed first level (src/table/first-level.ts): every slot
 * of both families equals what a fresh build from the trie gives. Reads the table's private
 * fields through {@link tableInternals}; used by the first-level and write-below tests.
 */
import assert from 'node:assert/strict';
import type { PrefixTable } from '../../src/index.js';
import { FIRST_LEVEL_SLOTS, FirstLevel } from '../../src/table/first-level.js';

/** The private fields of a PrefixTable these checks read. */
export interface TableInternals {
  words: Int32Array;
  rootV4: number;
  rootV6: number;
  firstV4: Int32Array | null;
  firstV6: Int32Array | null;
}

export function tableInternals(table: PrefixTable): TableInternals {
  return table as unknown as TableInternals;
}

/** Every slot of both families equals what a fresh build from the trie gives. */
export function assertFirstLevelsFresh(table: PrefixTable, context: string): void {
  const t = tableInternals(table);
  for (const [first, root, family] of [
    [t.firstV4, t.rootV4, 4],
    [t.firstV6, t.rootV6, 6],
  ] as const) {
    assert.ok(first !== null, `IPv${family} first level kept (${context})`);
    const fresh = new FirstLevel(t.words, root).entries;
    for (let i = 0; i < 2 * FIRST_LEVEL_SLOTS; i++) {
      if (first[i] !== fresh[i]) assert.fail(`IPv${family} slot ${i >> 1} word ${i & 1}: ${first[i]} != ${fresh[i]} (${context})`);
    }
  }
}
