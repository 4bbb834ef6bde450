/**
 * The byte side of the MRT export: turns the routes a {@link RibFreeze} hands out into
 * TABLE_DUMP_V2 records (RFC 6396 4.3, RFC 8050 for ADD-PATH), written into chunks that
 * {@link exportMrt} hands to its consumer. What is exported and why is told in
 * mrt-export.ts; this file holds how:
 * - the PEER_INDEX_TABLE is planned first, from the freeze's registry and route counts, and
 *   each peer-view gets its peer index or a reason to be skipped (`pvCode`);
 * - each distinct attribute set is decoded once and re-encoded as RIB-entry attributes into
 *   one byte arena, by attribute id (`encodedAt`);
 * - a prefix's selected entries are gathered in reused typed arrays (plain and ADD-PATH)
 *   and written straight into the chunk, split over several records past 65,535 entries or
 *   4 MiB.
 * Nothing is allocated per route.
 */
import { RibstoreError } from '../errors.js';
import { parseAddress } from '../ip/address.js';
import { RIB_ATTRIBUTE_CONTEXT } from '../rib/attribute-codec.js';
import type { FrozenPrefixVisitor, RibFreeze } from '../rib/rib-freeze.js';
import { decodePathAttributes } from '../wire/bgp/attribute-decode.js';
import { BgpDecodeError } from '../wire/bgp/errors.js';
import { MRT_HEADER_LENGTH, MrtType, TableDumpV2Subtype } from '../wire/mrt/constants.js';
import { encodeMrtRecord } from '../wire/mrt/encode.js';
import { encodeRibEntryAttributes } from '../wire/mrt/rib-attributes.js';

/** Words per selected entry of a prefix: peer index, path id, attribute id, originated time. */
const SELECTED_WORDS = 4;
/** Most entries in one record (the entry count is 2 bytes). */
const MAX_ENTRIES = 0xffff;
/** Most entry bytes in one record; larger prefixes are split (our reader caps records at 16 MiB). */
const MAX_RECORD_BODY = 4 * 1024 * 1024;

/** Per peer-view codes (≥ 0 is the peer's index in the PEER_INDEX_TABLE). */
const PV_IGNORED = -1;
const PV_OTHER_FAMILY = -2;
const PV_OTHER_VIEW = -3;

/** What the writer is told of the export's options (checked by the caller). */
export interface ExportWriterOptions {
  /** Export only this router's routes; also the PEER_INDEX_TABLE's view name (default `ribstore`). */
  readonly routerName: string | undefined;
  /** The one view rank to export, or -1 for the most preferred view per peer and family. */
  readonly view: number;
  /** Chunk size in bytes. */
  readonly chunkBytes: number;
}

/** Turns the routes a freeze hands out into MRT bytes, chunk by chunk. */
export class ExportWriter {
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

  constructor(freeze: RibFreeze, pvCount: Uint32Array, options: ExportWriterOptions, nowMs: number) {
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
  private planPeers(pvCount: Uint32Array, options: ExportWriterOptions): Int32Array {
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
