/**
 * MRT record decoder (RFC 6396, RFC 8050): bytes of one record -> one {@link MrtRecord}.
 *
 * Invariant: every read is checked against the end of the record body, and no length field
 * is trusted — a count or length that runs past the body, a prefix longer than its family,
 * a peer index outside the PEER_INDEX_TABLE, or bytes left over after the last field all
 * give a {@link DecodeError} whose `offset` is the stream offset of the bad byte and whose
 * `messageType` names the record type (`"MRT TABLE_DUMP_V2/RIB_IPV4_UNICAST"`).
 *
 * Byte blocks of the BGP layer (attribute blocks, BGP messages) are returned as views
 * (`subarray`), not decoded here: see records.ts and wire/bgp/attribute-decode.ts.
 *
 * TABLE_DUMP_V2 RIB entries refer to peers by index into the last PEER_INDEX_TABLE of the
 * stream, so decoding is stateful: pass the same {@link MrtDecodeState} for every record
 * of a stream (the reader does).
 */
import { DecodeError } from '../../errors.js';
import { Address, type Family, readWord } from '../../ip/address.js';
import { type Prefix, prefixFromBytes } from '../../ip/prefix.js';
import {
  Bgp4mpSubtype,
  MRT_HEADER_LENGTH,
  MrtType,
  PeerTypeBit,
  TableDumpSubtype,
  TableDumpV2Subtype,
  mrtTypeName,
} from './constants.js';
import type {
  MrtBgp4mpMessage,
  MrtBgp4mpStateChange,
  MrtHeader,
  MrtPeer,
  MrtPeerIndexTable,
  MrtRecord,
  MrtRib,
  MrtRibEntry,
  MrtTableDump,
} from './records.js';

/** What decoding one record needs from the records before it. */
export interface MrtDecodeState {
  /** The last PEER_INDEX_TABLE of the stream. */
  peerIndexTable: MrtPeerIndexTable | undefined;
}

/** A fresh state for a new stream. */
export function createMrtDecodeState(): MrtDecodeState {
  return { peerIndexTable: undefined };
}

/**
 * The total size in bytes (header + body) of the record starting at `offset`, or -1 when
 * fewer than the header's bytes are available. Does not check that the body is complete.
 */
export function mrtRecordSize(bytes: Uint8Array, offset: number): number {
  if (bytes.length - offset < MRT_HEADER_LENGTH) return -1;
  return MRT_HEADER_LENGTH + readWord(bytes, offset + 8);
}

/** Bounds-checked reading of one record body; `base` maps buffer positions to stream offsets. */
class BodyReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    readonly base: number,
    readonly what: string,
  ) {
    this.pos = start;
  }

  fail(message: string, at = this.pos): never {
    throw new DecodeError(this.what, this.base + at, message);
  }

  need(count: number, field: string): void {
    if (this.end - this.pos < count) {
      this.fail(`${field} needs ${count} bytes but only ${this.end - this.pos} remain in the record`);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.pos++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const b = this.bytes;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = readWord(this.bytes, this.pos);
    this.pos += 4;
    return v;
  }

  asn(fourOctet: boolean, field: string): number {
    return fourOctet ? this.u32(field) : this.u16(field);
  }

  address(family: Family, field: string): Address {
    const w0 = this.u32(field);
    if (family === 4) return new Address(4, w0);
    this.need(12, field);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 12;
    return new Address(6, w0, readWord(b, p), readWord(b, p + 4), readWord(b, p + 8));
  }

  /** `count` bytes as a view. */
  view(count: number, field: string): Uint8Array {
    this.need(count, field);
    const v = this.bytes.subarray(this.pos, this.pos + count);
    this.pos += count;
    return v;
  }

  /** A length byte in bits then the packed prefix bits. */
  prefix(family: Family, field: string): Prefix {
    const at = this.pos;
    const length = this.u8(`${field} length`);
    const max = family === 4 ? 32 : 128;
    if (length > max) this.fail(`${field} length ${length} is over ${max}`, at);
    const byteCount = (length + 7) >>> 3;
    this.need(byteCount, field);
    const prefix = prefixFromBytes(family, this.bytes, this.pos, length);
    this.pos += byteCount;
    return prefix;
  }

  done(): void {
    if (this.pos !== this.end) this.fail(`${this.end - this.pos} unexpected bytes after the last field`);
  }
}

/**
 * Decode the record starting at `bytes[offset]`; the whole record (header and body) must be
 * in `bytes`. `streamOffset` is the stream position of `bytes[offset]`, used in errors and
 * in `header.offset` (default: `offset`).
 * @throws DecodeError for a malformed record (see the module doc).
 */
export function decodeMrtRecord(
  bytes: Uint8Array,
  offset: number,
  state: MrtDecodeState,
  streamOffset = offset,
): MrtRecord {
  const base = streamOffset - offset;
  if (bytes.length - offset < MRT_HEADER_LENGTH) {
    throw new DecodeError('MRT header', streamOffset, `needs ${MRT_HEADER_LENGTH} bytes, ${bytes.length - offset} available`);
  }
  const timestamp = readWord(bytes, offset);
  const type = (bytes[offset + 4]! << 8) | bytes[offset + 5]!;
  const subtype = (bytes[offset + 6]! << 8) | bytes[offset + 7]!;
  const length = readWord(bytes, offset + 8);
  const what = mrtTypeName(type, subtype);
  const end = offset + MRT_HEADER_LENGTH + length;
  if (end > bytes.length) {
    throw new DecodeError(what, streamOffset + 8, `record length ${length} runs past the available ${bytes.length - offset - MRT_HEADER_LENGTH} bytes`);
  }
  const reader = new BodyReader(bytes, offset + MRT_HEADER_LENGTH, end, base, what);
  let microseconds = 0;
  if (type === MrtType.BGP4MP_ET) microseconds = reader.u32('microsecond timestamp');
  const header: MrtHeader = { timestamp, microseconds, type, subtype, length, offset: streamOffset };

  switch (type) {
    case MrtType.TABLE_DUMP_V2:
      switch (subtype) {
        case TableDumpV2Subtype.PEER_INDEX_TABLE:
          return (state.peerIndexTable = decodePeerIndexTable(reader, header));
        case TableDumpV2Subtype.RIB_IPV4_UNICAST:
        case TableDumpV2Subtype.RIB_IPV4_MULTICAST:
        case TableDumpV2Subtype.RIB_IPV6_UNICAST:
        case TableDumpV2Subtype.RIB_IPV6_MULTICAST:
        case TableDumpV2Subtype.RIB_IPV4_UNICAST_ADDPATH:
        case TableDumpV2Subtype.RIB_IPV4_MULTICAST_ADDPATH:
        case TableDumpV2Subtype.RIB_IPV6_UNICAST_ADDPATH:
        case TableDumpV2Subtype.RIB_IPV6_MULTICAST_ADDPATH:
        case TableDumpV2Subtype.RIB_GENERIC:
        case TableDumpV2Subtype.RIB_GENERIC_ADDPATH:
          return decodeRib(reader, header, state);
      }
      break;
    case MrtType.TABLE_DUMP:
      if (subtype === TableDumpSubtype.AFI_IPV4 || subtype === TableDumpSubtype.AFI_IPV6) {
        return decodeTableDump(reader, header);
      }
      break;
    case MrtType.BGP4MP:
    case MrtType.BGP4MP_ET:
      switch (subtype) {
        case Bgp4mpSubtype.STATE_CHANGE:
        case Bgp4mpSubtype.STATE_CHANGE_AS4:
          return decodeStateChange(reader, header);
        case Bgp4mpSubtype.MESSAGE:
        case Bgp4mpSubtype.MESSAGE_AS4:
        case Bgp4mpSubtype.MESSAGE_LOCAL:
        case Bgp4mpSubtype.MESSAGE_AS4_LOCAL:
        case Bgp4mpSubtype.MESSAGE_ADDPATH:
        case Bgp4mpSubtype.MESSAGE_AS4_ADDPATH:
        case Bgp4mpSubtype.MESSAGE_LOCAL_ADDPATH:
        case Bgp4mpSubtype.MESSAGE_AS4_LOCAL_ADDPATH:
          return decodeMessage(reader, header);
      }
      break;
  }
  return { kind: 'unknown', header, body: bytes.subarray(reader.pos, end) };
}

function decodePeerIndexTable(r: BodyReader, header: MrtHeader): MrtPeerIndexTable {
  const collectorId = r.u32('collector BGP ID');
  const nameLength = r.u16('view name length');
  const nameBytes = r.view(nameLength, 'view name');
  const viewName = new TextDecoder('utf-8', { fatal: false }).decode(nameBytes);
  const count = r.u16('peer count');
  const peers: MrtPeer[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const peerType = r.u8('peer type');
    const bgpId = r.u32('peer BGP ID');
    const address = r.address(peerType & PeerTypeBit.IPV6 ? 6 : 4, 'peer IP address');
    const fourOctetAs = (peerType & PeerTypeBit.AS4) !== 0;
    const asn = r.asn(fourOctetAs, 'peer AS');
    peers[index] = { index, bgpId, address, asn, fourOctetAs };
  }
  r.done();
  return { kind: 'peer-index-table', header, collectorId, viewName, peers };
}

function decodeRib(r: BodyReader, header: MrtHeader, state: MrtDecodeState): MrtRib {
  const subtype = header.subtype;
  const addPath = subtype >= TableDumpV2Subtype.RIB_IPV4_UNICAST_ADDPATH;
  const sequence = r.u32('sequence number');
  let afi: number;
  let safi: number;
  let prefix: Prefix | undefined;
  let nlri: Uint8Array | undefined;
  if (subtype === TableDumpV2Subtype.RIB_GENERIC || subtype === TableDumpV2Subtype.RIB_GENERIC_ADDPATH) {
    afi = r.u16('AFI');
    safi = r.u8('SAFI');
    const at = r.pos;
    const bits = r.u8('NLRI length');
    r.pos = at;
    nlri = r.view(1 + ((bits + 7) >>> 3), 'NLRI');
    if ((afi === 1 || afi === 2) && (safi === 1 || safi === 2)) {
      r.pos = at;
      prefix = r.prefix(afi === 1 ? 4 : 6, 'prefix');
    }
  } else {
    const base = addPath ? subtype - 6 : subtype;
    afi = base <= TableDumpV2Subtype.RIB_IPV4_MULTICAST ? 1 : 2;
    safi = base === TableDumpV2Subtype.RIB_IPV4_UNICAST || base === TableDumpV2Subtype.RIB_IPV6_UNICAST ? 1 : 2;
    prefix = r.prefix(afi === 1 ? 4 : 6, 'prefix');
  }
  const count = r.u16('entry count');
  const table = state.peerIndexTable;
  if (count > 0 && !table) r.fail('RIB record before any PEER_INDEX_TABLE: its peer indexes mean nothing');
  const entries: MrtRibEntry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = r.pos;
    const peerIndex = r.u16('peer index');
    const peer = table!.peers[peerIndex];
    if (!peer) r.fail(`peer index ${peerIndex} is not in the PEER_INDEX_TABLE (${table!.peers.length} peers)`, at);
    const originatedTime = r.u32('originated time');
    const pathId = addPath ? r.u32('path identifier') : undefined;
    const attributeLength = r.u16('attribute length');
    const attributes = r.view(attributeLength, 'path attributes');
    entries[i] = { peerIndex, peer, originatedTime, pathId, attributes };
  }
  r.done();
  return { kind: 'rib', header, sequence, afi, safi, addPath, prefix, nlri, entries };
}

function decodeTableDump(r: BodyReader, header: MrtHeader): MrtTableDump {
  const family: Family = header.subtype === TableDumpSubtype.AFI_IPV6 ? 6 : 4;
  const viewNumber = r.u16('view number');
  const sequence = r.u16('sequence number');
  const networkAt = r.pos;
  r.address(family, 'prefix');
  const lengthAt = r.pos;
  const prefixLength = r.u8('prefix length');
  if (prefixLength > (family === 4 ? 32 : 128)) r.fail(`prefix length ${prefixLength} is over ${family === 4 ? 32 : 128}`, lengthAt);
  const prefix = prefixFromBytes(family, r.bytes, networkAt, prefixLength);
  const status = r.u8('status');
  const originatedTime = r.u32('originated time');
  const peerAddress = r.address(family, 'peer IP address');
  const peerAs = r.u16('peer AS');
  const attributeLength = r.u16('attribute length');
  const attributes = r.view(attributeLength, 'path attributes');
  r.done();
  return { kind: 'table-dump', header, viewNumber, sequence, prefix, status, originatedTime, peerAddress, peerAs, attributes };
}

/** The session fields shared by BGP4MP messages and state changes. */
interface Peering {
  peerAs: number;
  localAs: number;
  interfaceIndex: number;
  afi: number;
  peerAddress: Address;
  localAddress: Address;
}

function peering(r: BodyReader, fourOctetAs: boolean): Peering {
  const peerAs = r.asn(fourOctetAs, 'peer AS');
  const localAs = r.asn(fourOctetAs, 'local AS');
  const interfaceIndex = r.u16('interface index');
  const afiAt = r.pos;
  const afi = r.u16('address family');
  if (afi !== 1 && afi !== 2) r.fail(`address family ${afi} is neither 1 (IPv4) nor 2 (IPv6)`, afiAt);
  const family: Family = afi === 1 ? 4 : 6;
  const peerAddress = r.address(family, 'peer IP address');
  const localAddress = r.address(family, 'local IP address');
  return { peerAs, localAs, interfaceIndex, afi, peerAddress, localAddress };
}

function decodeStateChange(r: BodyReader, header: MrtHeader): MrtBgp4mpStateChange {
  const fourOctetAs = header.subtype === Bgp4mpSubtype.STATE_CHANGE_AS4;
  const p = peering(r, fourOctetAs);
  const oldState = r.u16('old state');
  const newState = r.u16('new state');
  r.done();
  // Properties written out (not spread) so every record of a kind has one hidden class.
  return {
    kind: 'bgp4mp-state-change',
    header,
    fourOctetAs,
    peerAs: p.peerAs,
    localAs: p.localAs,
    interfaceIndex: p.interfaceIndex,
    afi: p.afi,
    peerAddress: p.peerAddress,
    localAddress: p.localAddress,
    oldState,
    newState,
  };
}

function decodeMessage(r: BodyReader, header: MrtHeader): MrtBgp4mpMessage {
  const s = header.subtype;
  const fourOctetAs =
    s === Bgp4mpSubtype.MESSAGE_AS4 ||
    s === Bgp4mpSubtype.MESSAGE_AS4_LOCAL ||
    s === Bgp4mpSubtype.MESSAGE_AS4_ADDPATH ||
    s === Bgp4mpSubtype.MESSAGE_AS4_LOCAL_ADDPATH;
  const local =
    s === Bgp4mpSubtype.MESSAGE_LOCAL ||
    s === Bgp4mpSubtype.MESSAGE_AS4_LOCAL ||
    s === Bgp4mpSubtype.MESSAGE_LOCAL_ADDPATH ||
    s === Bgp4mpSubtype.MESSAGE_AS4_LOCAL_ADDPATH;
  const addPath = s >= Bgp4mpSubtype.MESSAGE_ADDPATH;
  const p = peering(r, fourOctetAs);
  const messageAt = r.pos;
  if (r.end - messageAt < 19) r.fail(`a BGP message needs at least 19 bytes, ${r.end - messageAt} remain`);
  const declared = (r.bytes[messageAt + 16]! << 8) | r.bytes[messageAt + 17]!;
  if (declared !== r.end - messageAt) {
    r.fail(`BGP message length field says ${declared} bytes but the record holds ${r.end - messageAt}`, messageAt + 16);
  }
  const message = r.view(r.end - messageAt, 'BGP message');
  return {
    kind: 'bgp4mp-message',
    header,
    fourOctetAs,
    peerAs: p.peerAs,
    localAs: p.localAs,
    interfaceIndex: p.interfaceIndex,
    afi: p.afi,
    peerAddress: p.peerAddress,
    localAddress: p.localAddress,
    local,
    addPath,
    message,
  };
}
