/**
 * PrefixIndex: the slice of the prefix table (`PrefixMap` from table/) the RIB uses.
 *
 * The RIB keeps one index per table (the global table and one per route distinguisher);
 * an index maps a prefix to the RIB's slot number (a uint32 handle into RouteSets).
 * Naming the slice keeps the RIB honest about what it needs from the layer below.
 */
import type { Prefix } from '../ip/prefix.js';

/** Prefix → slot number, with longest-prefix match and covering/covered iteration. */
export interface PrefixIndex {
  /** Slot of exactly `prefix`, or undefined. */
  get(prefix: Prefix): number | undefined;
  /** Store `slot` for `prefix`. */
  set(prefix: Prefix, slot: number): unknown;
  /** Remove `prefix`; whether it was there. */
  delete(prefix: Prefix): boolean;
  /** Slot of the longest prefix containing the IPv4 address (uint32), or undefined. */
  lookupV4(address: number): number | undefined;
  /** Slot of the longest prefix containing the IPv6 address (four uint32 words), or undefined. */
  lookupV6(w0: number, w1: number, w2: number, w3: number): number | undefined;
  /** `[prefix, slot]` of stored prefixes equal to or covering `prefix`, shortest first. */
  supernets(prefix: Prefix): Iterable<readonly [unknown, number]>;
  /** `[prefix, slot]` of stored prefixes equal to or inside `prefix`, in sorted order. */
  subnets(prefix: Prefix): Iterable<readonly [unknown, number]>;
  /** Number of prefixes. */
  readonly size: number;
}
