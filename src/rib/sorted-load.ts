/**
 * A sorted load of the RIB's prefix tables (RibWriter.beginSortedLoad, used by snapshot
 * restore): while it runs, the prefixes loaded into each table that was empty (and is table/'s
 * `PrefixTable`) are collected in the order they come, and at the end each such table is built
 * in one pass by its bulk build (`PrefixTable.loadSorted`, table/bulk-build.ts) instead of one
 * insert per prefix. A table whose prefixes stop coming in order gets what it collected
 * inserted one by one and takes the rest prefix by prefix, so any order gives the same table.
 */
import type { Family } from '../ip/address.js';
import { SortedEntries } from '../table/bulk-build.js';
import { PrefixTable } from '../table/prefix-table.js';
import type { PrefixIndex } from './prefix-index.js';

export class SortedLoad {
  /** Per table at the start: the (prefix, slot) entries collected, or null for a table loading prefix by prefix. */
  private readonly pending: (SortedEntries | null)[];

  constructor(private readonly tables: readonly PrefixIndex[]) {
    this.pending = tables.map((index) => (index instanceof PrefixTable && index.size === 0 ? new SortedEntries() : null));
  }

  /**
   * Put slot `s` for the prefix in table `table`, or collect it for the build; returns the slot
   * the prefix had before, or -1. When it had one, the new slot is in the index: the caller
   * puts the old one back (as after `exchangeWords`).
   */
  exchange(table: number, family: Family, w0: number, w1: number, w2: number, w3: number, length: number, s: number): number {
    const index = this.tables[table]!;
    const entries = this.pending[table];
    if (entries === undefined || entries === null) return index.exchangeWords(family, w0, w1, w2, w3, length, s);
    entries.add(family, w0, w1, w2, w3, length, s);
    if (entries.firstDisorder < 0) return -1;
    // Out of order: insert what was collected (this prefix last in its family, the only one that
    // can repeat an earlier one, each family being in order before it) and go prefix by prefix.
    this.pending[table] = null;
    let previous = -1;
    entries.forEach((f, a, b, c, d, l, slot) => {
      const before = index.exchangeWords(f, a, b, c, d, l, slot);
      if (before >= 0) previous = before;
    });
    return previous;
  }

  /** Build each table from what it collected. */
  finish(): void {
    this.pending.forEach((entries, table) => {
      if (entries !== null && entries.size !== 0) (this.tables[table] as PrefixTable).loadSorted(entries, 'endSortedLoad');
    });
  }
}
