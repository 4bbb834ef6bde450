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
 * Cost: O(routes) time; memory is the freeze's (see rib-freeze.ts), the attribute arena (the
 * encoded bytes of each distinct set once, plus 6 bytes per attribute id) and the chunks the
 * consumer has not taken yet. Nothing is allocated per route: entries are gathered in reused
 * typed arrays and written straight into the chunk.
 */
import { Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { RibstoreError } from '../errors.js';
import { parseAddress } from '../ip/address.js';
import { RIB_ATTRIBUTE_CONTEXT } from '../rib/attribute-codec.js';
import { type View, viewRank } from '../rib/peer-registry.js';
import type { Rib } from '../rib/rib.js';
import type { FrozenPrefixVisitor, RibFreeze } from '../rib/rib-freeze.js';
import { decodePathAttributes } from '../wire/bgp/attribute-decode.js';
import { BgpDecodeError } from '../wire/bgp/errors.js';
import { MRT_HEADER_LENGTH, MrtType, TableDumpV2Subtype } from '../wire/mrt/constants.js';
import { encodeMrtRecord } from '../wire/mrt/encode.js';
import { encodeRibEntryAttributes } from '../wire/mrt/rib-attributes.js';

/** Words per selected entry of a prefix: peer index, path id, attribute id, originated time. */
const SELECTED_WORDS = 4;

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
const DEFAULT_CHUNK_BYTES = 256 * 1024;
/** Route entries looked at per `freeze.read` step, between clock checks. */
const STEP_ROUTES = 1024;
/** Most entries in one record (the entry count is 2 bytes). */
const MAX_ENTRIES = 0xffff;
/** Most entry bytes in one record; larger prefixes are split (our reader caps records at 16 MiB). */
const MAX_RECORD_BODY = 4 * 1024 * 1024;

/** Per peer-view codes (≥ 0 is the peer's index in the PEER_INDEX_TABLE). */
const PV_IGNORED = -1;
const PV_OTHER_FAMILY = -2;
const PV_OTHER_VIEW = -3;

/** What {@link checkOptions} resolves. */
interface Resolved {
  readonly routerName: string | undefined;
  readonly view: number;
  readonly sliceMs: number;
  readonly chunkBytes: number;
}

function checkOptions(rib: Rib, options: MrtExportOptions): Resolved {
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
  const resolved = checkOptions(rib, options);
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

/** Turns the routes a freeze hands out into MRT bytes, chunk by chunk. */
class ExportWriter {
  /** Filled chunks not yet handed to `write`. */
  readonly pending: Uint8Array[] = [];
  peerCount = 0;
  prefixes = 0;
  routes = 0;
  records = 0;
  bytes = 0;
  skippedRd = 0;
  skippedFamily = 0;
  skippedUnencodable = 0;

  private readonly freeze: RibFreeze;
  private readonly chunkBytes: number;
  private readonly time: number;
  /** Per peer-view: PEER_INDEX_TABLE index, or one of the PV_* codes. */
  private readonly pvCode: Int32Array;
  /** Per attribute id: 1 + offset of its encoded bytes in `arena`, 0 not yet encoded, -1 cannot be. */
  private attrAt: Int32Array;
  private attrLength: Uint16Array;
  private arena = new Uint8Array(64 * 1024);
  private arenaUsed = 0;
  /** Selected entries of the current prefix, SELECTED_WORDS each (peer index, path id, attribute id, originated time): plain and ADD-PATH. */
  private plain = new Uint32Array(SELECTED_WORDS * 64);
  private addPath = new Uint32Array(SELECTED_WORDS * 64);
  private chunk: Uint8Array;
  private at = 0;
  private sequence = 0;

  constructor(freeze: RibFreeze, pvCount: Uint32Array, options: Resolved, nowMs: number) {
    this.freeze = freeze;
    this.chunkBytes = options.chunkBytes;
    this.time = Math.floor(nowMs / 1000) >>> 0;
    this.chunk = new Uint8Array(this.chunkBytes);
    const bound = freeze.attributes.idBound;
    this.attrAt = new Int32Array(bound);
    this.attrLength = new Uint16Array(bound);
    this.pvCode = this.planPeers(pvCount, options);
  }

  /**
   * Choose the peer-views to export and number their peers: the PEER_INDEX_TABLE goes out
   * first, so it is decided here from the freeze's registry and the route counts at freeze
   * time, before any route is read.
   */
  private planPeers(pvCount: Uint32Array, options: Resolved): Int32Array {
    const f = this.freeze;
    const n = f.pvState.length;
    const code = new Int32Array(n).fill(PV_IGNORED);
    const router = options.routerName === undefined ? -1 : f.routers.findIndex((r) => r.name === options.routerName);
    // Per (peer, family 0 = IPv4 / 1 = IPv6 unicast): the best view rank holding routes.
    const best = new Uint8Array(f.peers.length * 2).fill(255);
    const family = (pv: number): number => (f.pvSafi[pv] !== 1 ? -1 : f.pvAfi[pv] === 1 ? 0 : f.pvAfi[pv] === 2 ? 1 : -1);
    for (let pv = 1; pv < n; pv++) {
      if (f.pvState[pv] === 0) continue;
      const peer = f.pvPeer[pv]!;
      if (router >= 0 && f.peers[peer]!.router !== router) continue;
      if (options.view >= 0 && f.pvView[pv] !== options.view) continue;
      const fam = family(pv);
      if (fam < 0) {
        code[pv] = PV_OTHER_FAMILY;
        continue;
      }
      code[pv] = PV_OTHER_VIEW;
      if (pvCount[pv]! > 0 && f.pvView[pv]! < best[peer * 2 + fam]!) best[peer * 2 + fam] = f.pvView[pv]!;
    }
    const used = new Uint8Array(f.peers.length);
    for (let pv = 1; pv < n; pv++) {
      if (code[pv] !== PV_OTHER_VIEW || pvCount[pv] === 0) continue;
      const peer = f.pvPeer[pv]!;
      if (f.pvView[pv] === best[peer * 2 + family(pv)]) used[peer] = 1;
    }
    // Peers in router order, then in registration order.
    const order: number[] = [];
    for (let p = 0; p < f.peers.length; p++) if (used[p] === 1) order.push(p);
    order.sort((a, b) => f.peers[a]!.router - f.peers[b]!.router || a - b);
    if (order.length > 0xffff) throw new RibstoreError('LIMIT_EXCEEDED', `${order.length} peers to export: a PEER_INDEX_TABLE holds at most 65535`);
    const index = new Int32Array(f.peers.length).fill(-1);
    order.forEach((p, i) => (index[p] = i));
    for (let pv = 1; pv < n; pv++) {
      if (code[pv] !== PV_OTHER_VIEW) continue;
      const peer = f.pvPeer[pv]!;
      if (f.pvView[pv] === best[peer * 2 + family(pv)] && index[peer]! >= 0) code[pv] = index[peer]!;
    }
    const table = encodeMrtRecord({
      kind: 'peer-index-table',
      header: { timestamp: this.time, type: MrtType.TABLE_DUMP_V2, subtype: TableDumpV2Subtype.PEER_INDEX_TABLE },
      collectorId: 0,
      viewName: options.routerName ?? 'ribstore',
      peers: order.map((p) => {
        const peer = f.peers[p]!;
        return { bgpId: peer.bgpId, address: parseAddress(peer.address), asn: peer.asn, fourOctetAs: peer.asn > 0xffff };
      }),
    });
    this.peerCount = order.length;
    this.room(table.length);
    this.chunk.set(table, this.at);
    this.at += table.length;
    this.records++;
    this.bytes += table.length;
    return code;
  }

  /** The freeze visitor: one prefix's routes. */
  readonly visit: FrozenPrefixVisitor = (table, family, w0, w1, w2, w3, length, routes, count, ages) => {
    const codes = this.pvCode;
    if (table !== 0) {
      for (let i = 0; i < count; i++) if (codes[routes[i * 3]!] !== PV_IGNORED) this.skippedRd++;
      return;
    }
    const afi = family === 4 ? 1 : 2;
    if (this.plain.length < count * SELECTED_WORDS) this.plain = new Uint32Array(count * SELECTED_WORDS * 2);
    if (this.addPath.length < count * SELECTED_WORDS) this.addPath = new Uint32Array(count * SELECTED_WORDS * 2);
    const plain = this.plain;
    const addPath = this.addPath;
    let nPlain = 0;
    let nAddPath = 0;
    for (let i = 0; i < count; i++) {
      const pv = routes[i * 3]!;
      const code = codes[pv]!;
      if (code < 0) {
        if (code === PV_OTHER_FAMILY) this.skippedFamily++;
        continue;
      }
      if (this.freeze.pvAfi[pv] !== afi) {
        // An IPv6 peer-view's route on an IPv4 prefix (or the reverse): only a misuse of the RIB API makes one.
        this.skippedFamily++;
        continue;
      }
      const attr = routes[i * 3 + 2]!;
      if (this.encodedAt(attr) < 0) {
        this.skippedUnencodable++;
        continue;
      }
      const pathId = routes[i * 3 + 1]!;
      const changedAt = ages[i * 2 + 1]!;
      const originated = changedAt !== 0 ? changedAt : this.time;
      if (pathId === 0) {
        plain[nPlain * SELECTED_WORDS] = code;
        plain[nPlain * SELECTED_WORDS + 2] = attr;
        plain[nPlain * SELECTED_WORDS + 3] = originated;
        nPlain++;
      } else {
        addPath[nAddPath * SELECTED_WORDS] = code;
        addPath[nAddPath * SELECTED_WORDS + 1] = pathId;
        addPath[nAddPath * SELECTED_WORDS + 2] = attr;
        addPath[nAddPath * SELECTED_WORDS + 3] = originated;
        nAddPath++;
      }
    }
    if (nPlain + nAddPath === 0) return;
    this.prefixes++;
    this.routes += nPlain + nAddPath;
    if (nPlain > 0) this.writeRecords(family, w0, w1, w2, w3, length, plain, nPlain, false);
    if (nAddPath > 0) this.writeRecords(family, w0, w1, w2, w3, length, addPath, nAddPath, true);
  };

  /** Offset of attribute set `id`'s RIB-entry bytes in the arena (encoding them the first time), or -1. */
  private encodedAt(id: number): number {
    if (id >= this.attrAt.length) this.growAttributeIndex(id);
    const at = this.attrAt[id]!;
    if (at !== 0) return at - 1;
    let encoded: Uint8Array;
    try {
      const bytes = this.freeze.attributeBytes(id);
      encoded = encodeRibEntryAttributes(decodePathAttributes(bytes, 0, bytes.length, RIB_ATTRIBUTE_CONTEXT, 'RIB attribute set').attributes);
    } catch (error) {
      if (!(error instanceof BgpDecodeError) && !(error instanceof RibstoreError)) throw error;
      this.attrAt[id] = -1;
      return -1;
    }
    if (encoded.length > 0xffff) {
      this.attrAt[id] = -1;
      return -1;
    }
    if (this.arenaUsed + encoded.length > this.arena.length) {
      const grown = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + encoded.length));
      grown.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = grown;
    }
    const offset = this.arenaUsed;
    this.arena.set(encoded, offset);
    this.arenaUsed += encoded.length;
    this.attrAt[id] = offset + 1;
    this.attrLength[id] = encoded.length;
    return offset;
  }

  private growAttributeIndex(id: number): void {
    const size = Math.max(id + 1, this.attrAt.length * 2);
    const at = new Int32Array(size);
    at.set(this.attrAt);
    const length = new Uint16Array(size);
    length.set(this.attrLength);
    this.attrAt = at;
    this.attrLength = length;
  }

  /** The record(s) of one prefix for `n` selected entries of one kind (split when over the limits). */
  private writeRecords(family: 4 | 6, w0: number, w1: number, w2: number, w3: number, length: number, entries: Uint32Array, n: number, addPath: boolean): void {
    const entryHead = addPath ? 12 : 8;
    const prefixBytes = (length + 7) >>> 3;
    const fixed = MRT_HEADER_LENGTH + 4 + 1 + prefixBytes + 2;
    let first = 0;
    while (first < n) {
      let last = first;
      let body = 0;
      while (last < n && last - first < MAX_ENTRIES) {
        const size = entryHead + this.attrLength[entries[last * SELECTED_WORDS + 2]!]!;
        if (last > first && body + size > MAX_RECORD_BODY) break;
        body += size;
        last++;
      }
      this.writeRecord(family, w0, w1, w2, w3, length, prefixBytes, fixed + body, entries, first, last, addPath);
      first = last;
    }
  }

  private writeRecord(
    family: 4 | 6,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    length: number,
    prefixBytes: number,
    size: number,
    entries: Uint32Array,
    first: number,
    last: number,
    addPath: boolean,
  ): void {
    this.room(size);
    const out = this.chunk;
    let p = this.at;
    const subtype = family === 4
      ? addPath ? TableDumpV2Subtype.RIB_IPV4_UNICAST_ADDPATH : TableDumpV2Subtype.RIB_IPV4_UNICAST
      : addPath ? TableDumpV2Subtype.RIB_IPV6_UNICAST_ADDPATH : TableDumpV2Subtype.RIB_IPV6_UNICAST;
    p = put32(out, p, this.time);
    p = put16(out, p, MrtType.TABLE_DUMP_V2);
    p = put16(out, p, subtype);
    p = put32(out, p, size - MRT_HEADER_LENGTH);
    p = put32(out, p, this.sequence);
    this.sequence = (this.sequence + 1) >>> 0;
    out[p++] = length;
    for (let i = 0; i < prefixBytes; i++) {
      const word = i < 4 ? w0 : i < 8 ? w1 : i < 12 ? w2 : w3;
      out[p++] = word >>> (24 - 8 * (i & 3));
    }
    p = put16(out, p, last - first);
    const arena = this.arena;
    for (let e = first; e < last; e++) {
      const at = e * SELECTED_WORDS;
      const attr = entries[at + 2]!;
      const from = this.attrAt[attr]! - 1;
      const n = this.attrLength[attr]!;
      p = put16(out, p, entries[at]!);
      p = put32(out, p, entries[at + 3]!);
      if (addPath) p = put32(out, p, entries[at + 1]!);
      p = put16(out, p, n);
      if (n <= 64) {
        for (let i = 0; i < n; i++) out[p + i] = arena[from + i]!;
      } else {
        out.set(arena.subarray(from, from + n), p);
      }
      p += n;
    }
    this.at = p;
    this.records++;
    this.bytes += size;
  }

  /** Make room for `size` contiguous bytes: hand the chunk over when they do not fit. */
  private room(size: number): void {
    if (this.at + size <= this.chunk.length) return;
    if (this.at > 0) this.pending.push(this.chunk.subarray(0, this.at));
    this.chunk = new Uint8Array(Math.max(this.chunkBytes, size));
    this.at = 0;
  }

  /** Hand over the last, partly filled chunk. */
  finish(): void {
    if (this.at > 0) this.pending.push(this.chunk.subarray(0, this.at));
    this.chunk = new Uint8Array(0);
    this.at = 0;
  }
}

function put16(out: Uint8Array, p: number, v: number): number {
  out[p] = v >>> 8;
  out[p + 1] = v;
  return p + 2;
}

function put32(out: Uint8Array, p: number, v: number): number {
  out[p] = v >>> 24;
  out[p + 1] = v >>> 16;
  out[p + 2] = v >>> 8;
  out[p + 3] = v;
  return p + 4;
}

/**
 * {@link exportMrt} as a Node `Readable` of MRT bytes, for HTTP responses and pipes. The
 * export starts (and its freeze is taken) when the stream is made; it writes only as fast as
 * the stream is read (a chunk waits while the stream is over its high-water mark), so memory
 * stays bounded. Destroying the stream stops the export and releases the freeze; an export
 * error destroys the stream with it. `summary` settles when the export ends.
 */
export class MrtExportStream extends Readable {
  /** What the export wrote; rejects when it failed or the stream was destroyed first. */
  readonly summary: Promise<MrtExportSummary>;
  private wake: (() => void) | undefined;
  private cancelled = false;

  /** @throws RibstoreError `INVALID_ARGUMENT` at once for an unknown router or view or a bad option. */
  constructor(rib: Rib, options: MrtExportOptions = {}) {
    super({ highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK_BYTES });
    checkOptions(rib, options);
    this.summary = exportMrt(rib, (chunk) => this.offer(chunk), options).then(
      (summary) => {
        if (!this.cancelled) this.push(null);
        return summary;
      },
      (error: unknown) => {
        if (!this.cancelled) this.destroy(error instanceof Error ? error : new Error(String(error)));
        throw error;
      },
    );
    // The stream reports the failure; a caller that never looks at `summary` must not get an unhandled rejection.
    this.summary.catch(() => undefined);
  }

  private offer(chunk: Uint8Array): Promise<void> | void {
    if (this.cancelled) throw cancelledError();
    if (this.push(chunk)) return;
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    }).then(() => {
      if (this.cancelled) throw cancelledError();
    });
  }

  override _read(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.cancelled = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    callback(error);
  }
}

function cancelledError(): RibstoreError {
  return new RibstoreError('INVALID_ARGUMENT', 'the MRT export stream was destroyed before the export ended');
}
