/**
 * MRT record encoder: the inverse of decode.ts for TABLE_DUMP_V2 (PEER_INDEX_TABLE, RIB_*
 * including the RFC 8050 ADD-PATH subtypes and RIB_GENERIC), BGP4MP and BGP4MP_ET
 * (MESSAGE*, STATE_CHANGE*) and TABLE_DUMP (v1).
 *
 * Invariant: `decodeMrtRecord(encodeMrtRecord(r))` gives back `r` (apart from
 * `header.length`/`header.offset`, which the encoder computes), and for every record
 * decoded from a well-formed file `encodeMrtRecord(decoded)` is byte-identical to the
 * original. The record layout comes from the subtype in `header`; fields that do not fit
 * their wire width (an AS over 65535 in a 2-octet subtype, an IPv6 peer in an IPv4
 * TABLE_DUMP, a view name over 65535 bytes...) give an `ENCODE_ERROR`, never a silent cut.
 *
 * Byte blocks of the BGP layer (path attributes, BGP messages) are written as given; build
 * them with the `wire/bgp` encoder (RIB entries: 4-octet AS always, RFC 6396 section 4.3.4).
 */
import { RibstoreError } from '../../errors.js';
import type { Address } from '../../ip/address.js';
import { type Prefix, prefixToBytes } from '../../ip/prefix.js';
import { ByteWriter } from '../bgp/writer.js';
import { Bgp4mpSubtype, MRT_HEADER_LENGTH, MrtType, PeerTypeBit, TableDumpV2Subtype, mrtTypeName } from './constants.js';
import type {
  MrtBgp4mpMessage,
  MrtBgp4mpStateChange,
  MrtHeader,
  MrtPeer,
  MrtPeerIndexTable,
  MrtRib,
  MrtRibEntry,
  MrtTableDump,
  MrtUnknown,
} from './records.js';

/** The header fields an encoder needs (length and offset are computed). */
export interface MrtHeaderInput {
  timestamp: number;
  /** For BGP4MP_ET records; default 0. */
  microseconds?: number;
  type: number;
  subtype: number;
}

type WithHeaderInput<T extends { header: MrtHeader }> = Omit<T, 'header'> & { header: MrtHeaderInput };

/** A RIB entry to encode: `peer` is not needed (the index is what is written). */
export type MrtRibEntryInput = Omit<MrtRibEntry, 'peer'> & { peer?: MrtPeer };

/** A PEER_INDEX_TABLE to encode; a peer's `index` is its position in `peers`. */
export type MrtPeerIndexTableInput = Omit<WithHeaderInput<MrtPeerIndexTable>, 'peers'> & {
  peers: (Omit<MrtPeer, 'index'> & { index?: number })[];
};

/** A RIB record to encode. `afi`/`safi`/`addPath` must agree with the subtype (for RIB_GENERIC, `afi`/`safi` are written). */
export type MrtRibInput = Omit<WithHeaderInput<MrtRib>, 'entries'> & { entries: MrtRibEntryInput[] };

/** Any record the encoder writes. */
export type MrtRecordInput =
  | MrtPeerIndexTableInput
  | MrtRibInput
  | WithHeaderInput<MrtTableDump>
  | WithHeaderInput<MrtBgp4mpMessage>
  | WithHeaderInput<MrtBgp4mpStateChange>
  | WithHeaderInput<MrtUnknown>;

/** Room for one prefix's address bytes (at most 16). */
const PREFIX_SCRATCH = new Uint8Array(16);

/** Writes a record's fields, checking that each fits its width and naming it when not. */
class Writer {
  readonly out = new ByteWriter(256);
  constructor(readonly what: string) {}

  fail(message: string): never {
    throw new RibstoreError('ENCODE_ERROR', `cannot encode ${this.what}: ${message}`);
  }

  /** `value` when it fits in `width` bytes, else an ENCODE_ERROR naming `field`. */
  check(value: number, width: 1 | 2 | 4, field: string): number {
    const max = width === 4 ? 0xffffffff : width === 2 ? 0xffff : 0xff;
    if (!Number.isInteger(value) || value < 0 || value > max) this.fail(`${field} ${value} does not fit in ${width} byte(s)`);
    return value;
  }

  uint(value: number, width: 1 | 2 | 4, field: string): void {
    this.check(value, width, field);
    if (width === 4) this.out.u32(value);
    else if (width === 2) this.out.u16(value);
    else this.out.u8(value);
  }

  raw(data: Uint8Array): void {
    this.out.bytes(data);
  }

  address(address: Address, family: 4 | 6, field: string): void {
    if (address.family !== family) this.fail(`${field} ${address} is not IPv${family} as the record layout requires`);
    this.uint(address.w0, 4, field);
    if (family === 6) {
      this.uint(address.w1, 4, field);
      this.uint(address.w2, 4, field);
      this.uint(address.w3, 4, field);
    }
  }

  prefix(prefix: Prefix, family: 4 | 6): void {
    if (prefix.family !== family) this.fail(`prefix ${prefix} is not IPv${family} as the subtype requires`);
    this.uint(prefix.length, 1, 'prefix length');
    this.out.bytes(PREFIX_SCRATCH.subarray(0, prefixToBytes(prefix, PREFIX_SCRATCH, 0)));
  }

  /** A 2-byte length then the block. */
  block16(data: Uint8Array, field: string): void {
    this.uint(data.length, 2, `${field} length`);
    this.raw(data);
  }
}

/**
 * Encode one MRT record (header included).
 * @throws RibstoreError `ENCODE_ERROR` naming the field that does not fit.
 */
export function encodeMrtRecord(record: MrtRecordInput): Uint8Array {
  const h = record.header;
  const w = new Writer(mrtTypeName(h.type, h.subtype));
  const out = w.out;
  // The header (timestamp 4, type 2, subtype 2, length 4) is patched in once the body is written.
  for (let i = 0; i < MRT_HEADER_LENGTH; i += 4) out.u32(0);
  if (h.type === MrtType.BGP4MP_ET) w.uint(h.microseconds ?? 0, 4, 'microseconds');
  switch (record.kind) {
    case 'peer-index-table':
      writePeerIndexTable(w, record);
      break;
    case 'rib':
      writeRib(w, record);
      break;
    case 'table-dump':
      writeTableDump(w, record);
      break;
    case 'bgp4mp-state-change':
      writePeering(w, record);
      w.uint(record.oldState, 2, 'old state');
      w.uint(record.newState, 2, 'new state');
      break;
    case 'bgp4mp-message':
      writePeering(w, record);
      w.raw(record.message);
      break;
    case 'unknown':
      w.raw(record.body);
      break;
  }
  out.patchU32(0, w.check(h.timestamp, 4, 'timestamp'));
  out.patchU16(4, w.check(h.type, 2, 'type'));
  out.patchU16(6, w.check(h.subtype, 2, 'subtype'));
  out.patchU32(8, w.check(out.length - MRT_HEADER_LENGTH, 4, 'length'));
  return out.toBytes();
}

function writePeerIndexTable(w: Writer, t: MrtPeerIndexTableInput): void {
  w.uint(t.collectorId, 4, 'collector BGP ID');
  w.block16(new TextEncoder().encode(t.viewName), 'view name');
  w.uint(t.peers.length, 2, 'peer count');
  for (const peer of t.peers) {
    const v6 = peer.address.family === 6;
    const as4 = peer.fourOctetAs || peer.asn > 0xffff;
    w.uint((v6 ? PeerTypeBit.IPV6 : 0) | (as4 ? PeerTypeBit.AS4 : 0), 1, 'peer type');
    w.uint(peer.bgpId, 4, 'peer BGP ID');
    w.address(peer.address, v6 ? 6 : 4, 'peer address');
    w.uint(peer.asn, as4 ? 4 : 2, 'peer AS');
  }
}

function writeRib(w: Writer, r: MrtRibInput): void {
  const s = r.header.subtype;
  const addPath = s >= TableDumpV2Subtype.RIB_IPV4_UNICAST_ADDPATH;
  w.uint(r.sequence, 4, 'sequence number');
  if (s === TableDumpV2Subtype.RIB_GENERIC || s === TableDumpV2Subtype.RIB_GENERIC_ADDPATH) {
    w.uint(r.afi, 2, 'AFI');
    w.uint(r.safi, 1, 'SAFI');
    if (r.nlri) w.raw(r.nlri);
    else if (r.prefix) w.prefix(r.prefix, r.prefix.family);
    else w.fail('RIB_GENERIC needs nlri bytes or a prefix');
  } else {
    const base = addPath ? s - 6 : s;
    if (!r.prefix) w.fail('the RIB record has no prefix');
    w.prefix(r.prefix, base <= TableDumpV2Subtype.RIB_IPV4_MULTICAST ? 4 : 6);
  }
  w.uint(r.entries.length, 2, 'entry count');
  for (const e of r.entries) {
    w.uint(e.peerIndex, 2, 'peer index');
    w.uint(e.originatedTime, 4, 'originated time');
    if (addPath) w.uint(e.pathId ?? w.fail('an ADD-PATH RIB entry needs a pathId'), 4, 'path identifier');
    w.block16(e.attributes, 'path attributes');
  }
}

function writeTableDump(w: Writer, r: WithHeaderInput<MrtTableDump>): void {
  const family = r.header.subtype === 2 ? 6 : 4;
  w.uint(r.viewNumber, 2, 'view number');
  w.uint(r.sequence, 2, 'sequence number');
  w.address(r.prefix.address, family, 'prefix');
  w.uint(r.prefix.length, 1, 'prefix length');
  w.uint(r.status, 1, 'status');
  w.uint(r.originatedTime, 4, 'originated time');
  w.address(r.peerAddress, family, 'peer address');
  w.uint(r.peerAs, 2, 'peer AS');
  w.block16(r.attributes, 'path attributes');
}

function writePeering(w: Writer, r: WithHeaderInput<MrtBgp4mpMessage> | WithHeaderInput<MrtBgp4mpStateChange>): void {
  const s = r.header.subtype;
  const as4 =
    s === Bgp4mpSubtype.MESSAGE_AS4 ||
    s === Bgp4mpSubtype.STATE_CHANGE_AS4 ||
    s === Bgp4mpSubtype.MESSAGE_AS4_LOCAL ||
    s === Bgp4mpSubtype.MESSAGE_AS4_ADDPATH ||
    s === Bgp4mpSubtype.MESSAGE_AS4_LOCAL_ADDPATH;
  w.uint(r.peerAs, as4 ? 4 : 2, 'peer AS');
  w.uint(r.localAs, as4 ? 4 : 2, 'local AS');
  w.uint(r.interfaceIndex, 2, 'interface index');
  if (r.afi !== 1 && r.afi !== 2) w.fail(`address family ${r.afi} is neither 1 nor 2`);
  w.uint(r.afi, 2, 'address family');
  w.address(r.peerAddress, r.afi === 1 ? 4 : 6, 'peer address');
  w.address(r.localAddress, r.afi === 1 ? 4 : 6, 'local address');
}

/** Concatenate encoded records into one MRT file image. */
export function concatMrt(records: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const r of records) size += r.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const r of records) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}
