/**
 * The control block a table in shared memory keeps beside its arena: the published roots and
 * one validity slot per shared snapshot (see prefix-table.ts, "Sharing with worker threads").
 */

/** What a worker thread needs to read a shared snapshot: see {@link PrefixTableSnapshot.share}. */
export interface SharedSnapshotDescriptor {
  /** The table's arena (growable SharedArrayBuffer). */
  arena: SharedArrayBuffer;
  /** The table's control block (root words and snapshot validity slots). */
  control: SharedArrayBuffer;
  /** Root node of the IPv4 trie at snapshot time. */
  rootV4: number;
  /** Root node of the IPv6 trie at snapshot time. */
  rootV6: number;
  /** Number of prefixes at snapshot time. */
  size: number;
  /** The snapshot's generation. */
  generation: number;
  /** The control-block slot that holds `generation` while the snapshot is live. */
  slot: number;
}

/**
 * What a worker thread needs to read the live table (not a snapshot): see
 * {@link PrefixTable.shareLive} and {@link PrefixTableReader.fromLive}.
 */
export interface SharedLiveTableDescriptor {
  /** The table's arena (growable SharedArrayBuffer). */
  arena: SharedArrayBuffer;
  /** The table's control block (the live roots are words CONTROL_ROOT_V4 / CONTROL_ROOT_V6). */
  control: SharedArrayBuffer;
}

/** Word of the control block where the live table publishes its IPv4 root. */
export const CONTROL_ROOT_V4 = 0;
/** Word of the control block where the live table publishes its IPv6 root. */
export const CONTROL_ROOT_V6 = 1;
/** First snapshot validity slot in the control block. */
export const CONTROL_SLOTS = 8;
/** Number of snapshot validity slots (shared snapshots live at the same time). */
export const CONTROL_SLOT_COUNT = 1016;
