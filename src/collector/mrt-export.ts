/**
 * The MRT export: the RIB (or one router of it) as an MRT TABLE_DUMP_V2 file (RFC 6396,
 * RFC 8050), the reverse of the MRT loader.
 *
 * ```
 *  rib.freeze() ──► PEER_INDEX_TABLE (the exported peers)
 *       │
 *       └─ read in slices of ≤ sliceMs, yielding between them ──► per prefix of the global table:
 *              RIB_IPV4_UNICAST / RIB_IPV6_UNICAST                 routes with path id 0
 *              RIB_IPV4_UNICAST_ADDPATH / RIB_IPV6_UNICAST_ADDPATH routes with a path id
 *          ──► chunks of about `chunkBytes` ──► write(chunk), awaited (backpressure)
 * ```
 *
 * What is exported, and why:
 * - A consistent view: the export reads a {@link RibFreeze} taken when {@link exportMrt} is
 *   called, so writes that run meanwhile (the service keeps ingesting and answering between
 *   slices) do not change what it writes. Stale routes are in the RIB, so they are exported.
 * - IPv4 and IPv6 unicast routes of the global table only: TABLE_DUMP_V2 has fixed subtypes
 *   for them; routes of route-distinguisher (VPN) tables and of other AFI/SAFIs (multicast,
 *   labeled unicast, VPN) are skipped and counted in {@link MrtExportSummary.skipped}.
 * - One view per peer and family: MRT has no notion of BMP views, so by default each
 *   (router, peer, AFI/SAFI) contributes only the most preferred view it holds routes in
 *   (the order of `VIEWS` in peer-registry.ts: Loc-RIB, Adj-RIB-In post-policy, pre-policy,
 *   Adj-RIB-Out post, pre). A peer therefore never appears twice for one prefix (except
 *   with different ADD-PATH path ids). The `view` option exports exactly one view instead.
 * - Peers: the PEER_INDEX_TABLE lists the (router, peer) pairs that have routes in a selected
 *   peer-view when the freeze is taken (BGP id, address, AS; the AS4 bit is set only when the AS
 *   does not fit in 2 bytes, the IPv6 bit for an IPv6 address). The same peer seen by two
 *   routers is two entries (MRT cannot say which router saw it). Collector BGP id is 0 (the
 *   RIB has none of its own); the view name is the `router` option, or `ribstore`.
 *   A selected IPv4/IPv6 unicast peer-view whose routes all sit in RD tables (which the BMP and
 *   MRT ingest never produce) would be listed with no route.
 * - Times: every record's timestamp is the export time (`now`, default the freeze time); each
 *   entry's originated time is its route's `changedAt` (when its attributes last changed),
 *   or the export time where that is not known (routes restored from a version 1 snapshot).
 *   Why `changedAt` and not `receivedAt`: the entry holds the attributes as they are now, and
 *   that is what FRR and Quagga write there (a path's uptime, reset when its attributes
 *   change), so RouteViews and RIS dumps mean the same. Loading an export back gives each
 *   route this time as both its receivedAt and changedAt.
 * - Path attributes: each interned set is decoded once (wire/bgp, the RIB's canonical form)
 *   and re-encoded with `encodeRibEntryAttributes` (4-octet AS numbers, the abbreviated
 *   MP_REACH_NLRI of RFC 6396 section 4.3.4); the bytes are cached in one byte arena for the
 *   export, by attribute id. A set that cannot be written (longer than the 2-byte length
 *   field, or bytes that are not the default canonical encoding) skips its routes, counted.
 * - A prefix with more than 65,535 entries, or more than 4 MiB of them, is split over several
 *   records of the same prefix (the entry count is 2 bytes; readers cap record sizes).
 *
 * How the bytes are written is mrt-export-writer.ts; the export as a Node stream is
 * mrt-export-stream.ts.
 *
 * Cost: O(routes) time; memory is the freeze's (see rib-freeze.ts), the attribute arena (the
 * encoded bytes of each distinct set once, plus 6 bytes per attribute id) and the chunks the
 * consumer has not taken yet. Nothing is allocated per route: entries are gathered in reused
 * typed arrays and written straight into the chunk.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { RibstoreError } from '../errors.js';
import { type View, viewRank } from '../rib/peer-registry.js';
import type { Rib } from '../rib/rib.js';
import { ExportWriter, type ExportWriterOptions } from './mrt-export-writer.js';

/** Options of {@link exportMrt}. */
export interface MrtExportOptions {
  /** Export only this router's routes (and name the PEER_INDEX_TABLE view after it). Default: every router. */
  readonly router?: string;
  /** Export only this view. Default: per (router, peer, AFI/SAFI) its most preferred view (see the module doc). */
  readonly view?: View;
  /**
   * How long the export works before yielding to the event loop (ms; checked every 1,024
   * routes, so a slice can run over by that much work). Default 5.
   */
  readonly sliceMs?: number;
  /** Timestamp of the records, and originated time of entries whose route's changedAt is not known (ms since epoch). Default: when the freeze was taken. */
  readonly now?: number;
  /** Size of the chunks handed to `write` (bytes, at least 4096). Default 256 KiB. A record larger than that is its own chunk. */
  readonly chunkBytes?: number;
}

/** What an export wrote. */
export interface MrtExportSummary {
  /** Entries of the PEER_INDEX_TABLE. */
  readonly peers: number;
  /** Prefixes with at least one exported route. */
  readonly prefixes: number;
  /** RIB entries written (routes). */
  readonly routes: number;
  /** MRT records written, the PEER_INDEX_TABLE included. */
  readonly records: number;
  /** Bytes written. */
  readonly bytes: number;
  /** Routes left out (see the module doc), among the routes of the selected router and view. */
  readonly skipped: {
    /** Routes of route-distinguisher (VPN) tables. */
    readonly rdTables: number;
    /** Routes of AFI/SAFIs other than IPv4 and IPv6 unicast. */
    readonly otherFamilies: number;
    /** Routes whose attribute set cannot be written as an MRT RIB entry. */
    readonly unencodable: number;
  };
  /** Slices of synchronous work (event-loop turns). */
  readonly slices: number;
  /** The longest slice (ms, wall clock): the longest the export blocked the event loop. */
  readonly longestSliceMs: number;
  /** Time from the call to the last write (ms), waits for the consumer included. */
  readonly elapsedMs: number;
}

/** Chunks are written as they fill; sized so one write moves a good amount of data. */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;
/** Route entries looked at per `freeze.read` step, between clock checks. */
const STEP_ROUTES = 1024;
/** The export's options, checked, with their defaults. */
export interface ResolvedExportOptions extends ExportWriterOptions {
  readonly sliceMs: number;
}

/**
 * Check `options` against `rib` and fill in the defaults.
 * @throws RibstoreError `INVALID_ARGUMENT` for an unknown router or view or a bad option.
 */
export function checkExportOptions(rib: Rib, options: MrtExportOptions): ResolvedExportOptions {
  if (options.router !== undefined && rib.registry.findRouter(options.router) === undefined) {
    throw new RibstoreError('INVALID_ARGUMENT', `no router ${JSON.stringify(options.router)} in the RIB to export`);
  }
  const view = options.view === undefined ? -1 : viewRank(options.view);
  const sliceMs = options.sliceMs ?? 5;
  if (!(sliceMs >= 0)) throw new RibstoreError('INVALID_ARGUMENT', `sliceMs must be a number >= 0, not ${sliceMs}`);
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 4096) throw new RibstoreError('INVALID_ARGUMENT', `chunkBytes must be an integer >= 4096, not ${chunkBytes}`);
  if (options.now !== undefined && !(options.now >= 0 && options.now / 1000 < 2 ** 32)) {
    throw new RibstoreError('INVALID_ARGUMENT', `now ${options.now} is not a time MRT can store (seconds since 1970 in 32 bits)`);
  }
  return { routerName: options.router, view, sliceMs, chunkBytes };
}

/**
 * Write the RIB as an MRT TABLE_DUMP_V2 file through `write`, one chunk at a time (each
 * awaited before the next; the chunk is the consumer's to keep). See the module doc for
 * what is exported. The freeze is taken synchronously when this is called, so the file is
 * the RIB of that instant whatever runs while it is written; it is released when the
 * export ends, also when `write` throws (which stops the export with that error).
 * @throws RibstoreError `INVALID_ARGUMENT` for an unknown router or view or a bad option;
 *   `LIMIT_EXCEEDED` for more than 65,535 peers (the PEER_INDEX_TABLE's limit).
 */
export async function exportMrt(rib: Rib, write: (chunk: Uint8Array) => Promise<void> | void, options: MrtExportOptions = {}): Promise<MrtExportSummary> {
  const started = performance.now();
  const resolved = checkExportOptions(rib, options);
  const freeze = rib.freeze();
  try {
    // Same instant as the freeze: nothing can run between these lines.
    const writer = new ExportWriter(freeze, rib.registry.pvCount, resolved, options.now ?? freeze.takenAt);
    const pending = writer.pending;
    let slices = 0;
    let longest = 0;
    let more = true;
    while (more) {
      const sliceStart = performance.now();
      do more = freeze.read(STEP_ROUTES, writer.visit);
      while (more && pending.length === 0 && performance.now() - sliceStart < resolved.sliceMs);
      if (!more) writer.finish();
      const took = performance.now() - sliceStart;
      slices++;
      if (took > longest) longest = took;
      for (let i = 0; i < pending.length; i++) await write(pending[i]!);
      pending.length = 0;
      if (more) await yieldToLoop();
    }
    return {
      peers: writer.peerCount,
      prefixes: writer.prefixes,
      routes: writer.routes,
      records: writer.records,
      bytes: writer.bytes,
      skipped: { rdTables: writer.skippedRd, otherFamilies: writer.skippedFamily, unencodable: writer.skippedUnencodable },
      slices,
      longestSliceMs: longest,
      elapsedMs: performance.now() - started,
    };
  } finally {
    freeze.release();
  }
}
