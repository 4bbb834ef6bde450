/**
 * A sorted load of the RIB's prefix tables (RibWriter.beginSortedLoad, used by snapshot
 * restore): while it runs, the prefixes loaded into each table that was empty (and is table/'s
 * `PrefixTable`) are collected in the order they come, and at the end each such table is built
 * in one pass by its bulk build (`PrefixTable.loadSorted`, table/bulk-build.ts) instead of one
 * insert per prefix. Prefixes out of order (a snapshot is written in slot order, which after
 * churn is not prefix order) are sorted at the end by a radix sort over the collected typed
 * columns (no object per prefix), so every order goes through the bulk build. A prefix repeated
 * out of order is found only then: `finish` throws `INVALID_ARGUMENT` ("... is loaded twice")
 * and the RIB is left unusable (restore builds a fresh one and discards it).
 */
import type { Family } from '../ip/address.js';
import { SortedEntries } from '../table/bulk-build.js';
import { PrefixTable } from '../table/prefix-table.js';
import { Prefix } from '../ip/prefix.js';
import { RibstoreError } from '../errors.js';
import type { PrefixIndex } from './prefix-index.js';

export class SortedLoad {
  /** Per table at the start: the (prefix, slot) entries collected, or null for a table loading prefix by prefix. */
  private readonly pending: (SortedEntries | null)[];

  constructor(private readonly tables: readonly PrefixIndex[]) {
    this.pending = tables.map((index) => (index instanceof PrefixTable && index.size === 0 ? new SortedEntries() : null));
  }

  /**
   * Put slot `s` for the prefix in table `table`, or collect it for the build; returns the slot
   * the prefix had before, or -1. When it had one, it stays (the old slot is put back here,
   * unlike after `exchangeWords`) and the caller frees `s`.
   */
  exchange(table: number, family: Family, w0: number, w1: number, w2: number, w3: number, length: number, s: number): number {
    const index = this.tables[table]!;
    const entries = this.pending[table];
    if (entries === undefined || entries === null) {
      const before = index.exchangeWords(family, w0, w1, w2, w3, length, s);
      if (before >= 0) index.setWords(family, w0, w1, w2, w3, length, before);
      return before;
    }
    const before = entries.size;
    entries.add(family, w0, w1, w2, w3, length, s);
    // A repeat of the prefix just before is refused now; any other repeat when sorted (finish).
    if (entries.firstDisorder === before && entries.disorderIsDuplicate) {
      const c = family === 4 ? entries.v4 : entries.v6;
      c.count--;
      entries.firstDisorder = -1;
      entries.disorderIsDuplicate = false;
      return c.values[c.count - 1]!;
    }
    return -1;
  }

  /** Build each table from what it collected. */
  finish(): void {
    this.pending.forEach((entries, table) => {
      if (entries === null || entries.size === 0) return;
      if (entries.firstDisorder >= 0) {
        sortColumns(entries.v4, 4);
        sortColumns(entries.v6, 6);
        entries.firstDisorder = -1;
      }
      (this.tables[table] as PrefixTable).loadSorted(entries, 'endSortedLoad');
    });
  }
}

/** The columns of one family (SortedEntries.v4 / v6). */
type Columns = SortedEntries['v4'];

/**
 * Sort one family's collected columns by network, then length, in place: an LSD radix sort of
 * a Uint32Array permutation, 16 bits a pass (a pass whose digit is the same everywhere is
 * skipped), then the columns rebuilt in that order. Throws on a prefix collected twice.
 */
export function sortColumns(c: Columns, family: 4 | 6): void {
  const n = c.count;
  if (n < 2) return;
  const stride = c.stride;
  const net = c.net;
  const lengths = c.lengths;
  let order = new Uint32Array(n);
  let spare = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const counts = new Uint32Array(65537);
  // Least significant first: the length, then each network word's low and high half, last word first.
  for (let pass = -1; pass < 2 * stride; pass++) {
    const word = pass < 0 ? 0 : stride - 1 - (pass >> 1);
    const shift = pass < 0 ? 0 : (pass & 1) * 16;
    const digit = pass < 0 ? (i: number) => lengths[i]! : (i: number) => (net[i * stride + word]! >>> shift) & 0xffff;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[digit(i) + 1]!++;
    if (counts[digit(0) + 1] === n) continue;
    for (let d = 1; d < 65537; d++) counts[d]! += counts[d - 1]!;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      spare[counts[digit(i)]!++] = i;
    }
    [order, spare] = [spare, order];
  }
  const sortedNet = new Uint32Array(net.length);
  const sortedLengths = new Uint8Array(lengths.length);
  const sortedValues = new Int32Array(c.values.length);
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    for (let w = 0; w < stride; w++) sortedNet[k * stride + w] = net[i * stride + w]!;
    sortedLengths[k] = lengths[i]!;
    sortedValues[k] = c.values[i]!;
    if (k > 0 && sortedLengths[k] === sortedLengths[k - 1]) {
      let same = true;
      for (let w = 0; w < stride && same; w++) same = sortedNet[k * stride + w] === sortedNet[(k - 1) * stride + w];
      if (same) {
        const at = k * stride;
        const words = family === 4 ? [sortedNet[at]!, 0, 0, 0] : [sortedNet[at]!, sortedNet[at + 1]!, sortedNet[at + 2]!, sortedNet[at + 3]!];
        throw new RibstoreError('INVALID_ARGUMENT', `${new Prefix(family, words[0]!, words[1]!, words[2]!, words[3]!, sortedLengths[k]!)} is loaded twice`);
      }
    }
  }
  c.net = sortedNet;
  c.lengths = sortedLengths;
  c.values = sortedValues;
}
