/**
 * PrefixIndex: the slice of the prefix table the RIB uses (table/'s uint32-valued
 * `PrefixTable` has exactly this shape).
 *
 * The RIB keeps one index per table (the global table and one per route distinguisher);
 * an index maps a prefix to the RIB's slot number (a uint32 handle into RouteSets). The hot
 * calls take numeric words (IPv4 in w0; IPv6 in w0..w3) and return -1 for "absent", so
 * ingest and sweeps allocate nothing. Naming the slice keeps the RIB honest about what it
 * needs from the layer below.
 */
import type { Family } from '../ip/address.js';
import type { Prefix } from '../ip/prefix.js';

/**
 * The read side of a {@link PrefixIndex}: what queries use (a worker reader's view of the live
 * table, `PrefixTableReader.fromLive`, has exactly this).
 */
export interface PrefixIndexReader {
  /** Slot of exactly the prefix, or -1. */
  getWords(family: Family, w0: number, w1: number, w2: number, w3: number, length: number): number;
  /** Slot of the longest prefix containing the IPv4 address (uint32), or -1. */
  lookupV4(address: number): number;
  /** Slot of the longest prefix containing the IPv6 address (four uint32 words), or -1. */
  lookupV6(w0: number, w1: number, w2: number, w3: number): number;
  /** `[prefix, slot]` of stored prefixes equal to or covering `prefix`, shortest first. */
  supernets(prefix: Prefix): Iterable<readonly [unknown, number]>;
  /** `[prefix, slot]` of stored prefixes equal to or inside `prefix`, in sorted order. */
  subnets(prefix: Prefix): Iterable<readonly [unknown, number]>;
  /** Memory of the index, if it can tell (`bytes`: committed bytes of its storage). */
  stats?(): { bytes: number };
}

/** Prefix → slot number, with longest-prefix match and covering/covered iteration. */
export interface PrefixIndex extends PrefixIndexReader {
  /** Store `slot` for the prefix. */
  setWords(family: Family, w0: number, w1: number, w2: number, w3: number, length: number, slot: number): unknown;
  /** Store `slot` for the prefix; returns the slot it had before, or -1 (one walk instead of a get and a set). */
  exchangeWords(family: Family, w0: number, w1: number, w2: number, w3: number, length: number, slot: number): number;
  /** Remove the prefix; returns its slot, or -1 if absent. */
  deleteWords(family: Family, w0: number, w1: number, w2: number, w3: number, length: number): number;
  /** Number of prefixes. */
  readonly size: number;
}
