/**
 * A plain DIR-24-8 IPv4 longest-prefix-match table (the layout of DPDK's rte_lpm), the
 * reference `bench:table` measures PrefixMap against in the same run, on the same addresses.
 *
 * Why this reference: it is the fastest software LPM layout there is for IPv4. A lookup of an
 * address covered by prefixes up to /24 is ONE random read (tbl24, indexed by the top 24 bits);
 * longer prefixes cost a second read in a 256-entry tbl8 group. It pays for that with 64 MiB
 * and slow updates, which is why it is a yardstick and not a design for ribstore: "how far is
 * PrefixMap from one memory access per lookup on this machine, today, under this load".
 *
 * Entries are Int32: 0 = no route; value + 1 for a route; a negative entry `~g` in tbl24 sends
 * the lookup to tbl8 group g (256 entries, indexed by the low 8 bits).
 */
import type { FamilyPrefixes } from './full-table.js';

/** A built DIR-24-8 table whose values are the indices of the prefixes in the family list. */
export class Dir248Table {
  /** 2^24 entries, one per /24. */
  private readonly tbl24: Int32Array;
  /** 256 entries per group, one group per /24 that holds a prefix longer than /24. */
  private readonly tbl8: Int32Array;

  private constructor(tbl24: Int32Array, tbl8: Int32Array) {
    this.tbl24 = tbl24;
    this.tbl8 = tbl8;
  }

  /**
   * Build from an IPv4 prefix list; the value of prefix i is i. Prefixes are written shortest
   * first, so a longer prefix overwrites the shorter ones it lies inside (the LPM rule), and a
   * tbl8 group is seeded with the tbl24 entry it replaces.
   */
  static build(prefixes: FamilyPrefixes): Dir248Table {
    if (prefixes.family !== 4) throw new RangeError('DIR-24-8 holds IPv4 prefixes only');
    const n = prefixes.count;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => prefixes.lengths[a]! - prefixes.lengths[b]!);
    const groupOf = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      if (prefixes.lengths[i]! > 24) {
        const slot = prefixes.words[i]! >>> 8;
        if (!groupOf.has(slot)) groupOf.set(slot, groupOf.size);
      }
    }
    const tbl24 = new Int32Array(1 << 24);
    const tbl8 = new Int32Array(Math.max(1, groupOf.size) << 8);
    for (const i of order) {
      const length = prefixes.lengths[i]!;
      const network = prefixes.words[i]! >>> 0;
      if (length <= 24) {
        const first = network >>> 8;
        const span = 1 << (24 - length);
        // A /24 slot already extended to tbl8 takes the shorter prefix in its group instead;
        // with shortest-first order no slot is extended yet while prefixes up to /24 are written.
        tbl24.fill(i + 1, first, first + span);
      } else {
        const slot = network >>> 8;
        const group = groupOf.get(slot)!;
        const base = group << 8;
        if (tbl24[slot]! >= 0) {
          tbl8.fill(tbl24[slot]!, base, base + 256);
          tbl24[slot] = ~group;
        }
        const first = base + (network & 0xff);
        tbl8.fill(i + 1, first, first + (1 << (32 - length)));
      }
    }
    return new Dir248Table(tbl24, tbl8);
  }

  /** The value (prefix index) of the longest prefix containing `address`, or undefined. */
  lookupV4(address: number): number | undefined {
    let entry = this.tbl24[address >>> 8]!;
    if (entry < 0) entry = this.tbl8[(~entry << 8) | (address & 0xff)]!;
    return entry === 0 ? undefined : entry - 1;
  }

  /**
   * The same lookup behind PrefixMap.lookupV6's four-word call shape (the IPv6 reference): the
   * first word is the IPv4 address, the other three are passed and ignored, as a /24-indexed
   * table of IPv6 would. It prices the call, not a real IPv6 DIR table (which would not fit).
   */
  lookupFourWords(w0: number, _w1: number, _w2: number, _w3: number): number | undefined {
    return this.lookupV4(w0);
  }

  /** Bytes held by the two arrays. */
  get bytes(): number {
    return this.tbl24.byteLength + this.tbl8.byteLength;
  }
}

/** A buffer bigger than the last-level cache; {@link flushCaches} walks it. */
let flushBuffer: Int32Array | undefined;

/**
 * Evict the caches between timed loops (write one word per 64-byte line of a 64 MiB buffer), so
 * each loop starts cold and neither side inherits the other's working set.
 */
export function flushCaches(): number {
  flushBuffer ??= new Int32Array(1 << 24);
  const b = flushBuffer;
  let sum = 0;
  for (let i = 0; i < b.length; i += 16) {
    b[i] = (b[i]! + 1) | 0;
    sum = (sum + b[i]!) | 0;
  }
  return sum;
}
