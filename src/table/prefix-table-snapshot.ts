/** PrefixTableSnapshot: a read-only view of a {@link PrefixTable} at one generation. */
import type { PrefixTable } from './prefix-table.js';
import { PrefixTableReader } from './prefix-table-reader.js';
import type { SharedSnapshotDescriptor } from './shared-control.js';

/**
 * A read-only view of a {@link PrefixTable} at one moment (see {@link PrefixTable.snapshot}).
 * Writes to the table do not change it. Release it when done; reading a released snapshot
 * throws.
 */
export class PrefixTableSnapshot extends PrefixTableReader {
  private readonly table: PrefixTable;
  /** The generation this snapshot pins. */
  readonly generation: number;

  /** @internal Made by {@link PrefixTable.snapshot}. */
  constructor(table: PrefixTable, words: Int32Array, rootV4: number, rootV6: number, count: number, generation: number) {
    super(words, rootV4, rootV6, count);
    this.table = table;
    this.generation = generation;
  }

  /** Let the table reclaim what only this snapshot could see. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.table.releaseSnapshot(this, this.generation);
  }

  /** Same as {@link PrefixTableSnapshot.release}, for `using`. */
  [Symbol.dispose](): void {
    this.release();
  }

  /**
   * A descriptor to post to a worker thread, which rebuilds the view with
   * {@link PrefixTableReader.fromShared}. Only for tables created with `{ shared: true }`.
   * Keep this snapshot unreleased while workers read it.
   */
  share(): SharedSnapshotDescriptor {
    this.checkLive();
    return this.table.shareSnapshot(this.generation, this.rootV4, this.rootV6, this.count);
  }
}
