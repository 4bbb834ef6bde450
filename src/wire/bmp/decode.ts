/**
 * Decoding one whole BMP message (as the framer yields it) into the model of types.ts.
 *
 * Invariant: every read is bounds-checked against the message's own length, and no length
 * field is trusted (TLV lengths, the BGP PDU lengths inside Peer Up / Peer Down, the stats
 * count). Malformed input throws a {@link DecodeError} naming the BMP message type and the
 * offset of the bad field, counted from the start of the stream when the caller passes the
 * message's stream offset. BGP PDUs are checked for a sane BGP header (length within the
 * message, the expected BGP message type) and returned as views, not decoded: decoding them
 * needs the per-peer context kept by {@link BmpSession}.
 */
import { DecodeError } from '../../errors.js';
import { Address, addressFromBytes, readWord } from '../../ip/address.js';
import { readPeerHeader } from './peer-header.js';
import {
  BMP_COMMON_HEADER_LENGTH,
  BMP_PEER_HEADER_LENGTH,
  BMP_VERSION,
  BmpPeerFlag,
  BmpPeerType,
  bmpMessageTypeName,
  type BmpMessage,
  type BmpPeerDown,
  type BmpStat,
  type BmpTlv,
} from './types.js';

/** Where the body starts in a message with a per-peer header. */
const PEER_BODY = BMP_COMMON_HEADER_LENGTH + BMP_PEER_HEADER_LENGTH;

/** Length of the BGP message header: marker (16), length (2), type (1). */
const BGP_HEADER_LENGTH = 19;

/** BGP message type codes checked here (RFC 4271 4.1). */
const BGP_OPEN = 1;
const BGP_UPDATE = 2;
const BGP_NOTIFICATION = 3;

/**
 * Decode one BMP message: `bytes` holds exactly that message (common header first), as
 * {@link BmpFramer} yields it. `streamOffset` is the message's position in its stream; it is
 * added to the offsets of errors.
 *
 * @throws DecodeError for a wrong version, a length that does not match `bytes`, or a
 *   malformed body.
 */
export function decodeBmpMessage(bytes: Uint8Array, streamOffset = 0): BmpMessage {
  if (bytes.length < BMP_COMMON_HEADER_LENGTH) {
    throw new DecodeError('BMP message', streamOffset, `${bytes.length} bytes is shorter than the 6-byte common header`);
  }
  const typeCode = bytes[5]!;
  const typeName = bmpMessageTypeName(typeCode);
  if (bytes[0] !== BMP_VERSION) {
    throw new DecodeError(typeName, streamOffset, `unsupported BMP version ${bytes[0]} (only version 3, RFC 7854)`);
  }
  const length = readWord(bytes, 1);
  if (length !== bytes.length) {
    throw new DecodeError(typeName, streamOffset + 1, `message length field says ${length} but the message has ${bytes.length} bytes`);
  }
  currentType = typeName;
  currentBase = streamOffset;

  switch (typeCode) {
    case 0: {
      // Route Monitoring: per-peer header, then exactly one BGP UPDATE.
      needPeerHeader(length, fail);
      const peer = readPeerHeader(bytes, BMP_COMMON_HEADER_LENGTH);
      const end = bgpPdu(bytes, PEER_BODY, length, BGP_UPDATE, 'UPDATE', fail);
      const update = bytes.subarray(PEER_BODY, end);
      if (end === length) return { kind: 'routeMonitoring', peer, update };
      return { kind: 'routeMonitoring', peer, update, trailer: bytes.subarray(end, length) };
    }
    case 1: {
      needPeerHeader(length, fail);
      const peer = readPeerHeader(bytes, BMP_COMMON_HEADER_LENGTH);
      return { kind: 'statisticsReport', peer, stats: readStats(bytes, PEER_BODY, length, fail) };
    }
    case 2:
      return decodePeerDown(bytes, length, fail);
    case 3:
      return decodePeerUp(bytes, length, fail);
    case 4:
      return { kind: 'initiation', information: readTlvs(bytes, BMP_COMMON_HEADER_LENGTH, length, fail) };
    case 5:
      return { kind: 'termination', information: readTlvs(bytes, BMP_COMMON_HEADER_LENGTH, length, fail) };
    case 6: {
      needPeerHeader(length, fail);
      const peer = readPeerHeader(bytes, BMP_COMMON_HEADER_LENGTH);
      return { kind: 'routeMirroring', peer, tlvs: readTlvs(bytes, PEER_BODY, length, fail) };
    }
    default:
      return { kind: 'unknown', typeCode, body: bytes.subarray(BMP_COMMON_HEADER_LENGTH, length) };
  }
}

/**
 * The ingest hot path's check of a Route Monitoring message framed in place: the message is
 * `bytes[start, start + length)`, its common header already checked by the framer (version 3,
 * `length` from its length field). Returns where its BGP UPDATE starts in `bytes` when the
 * message is one {@link decodeBmpMessage} decodes as `routeMonitoring` (type 0, the per-peer
 * header there, a BGP header whose length stays inside the message and whose type is UPDATE);
 * the UPDATE's own length (`bytes[at + 16, at + 18)`) bounds it, bytes after it in the message
 * are a trailer. Else -1: decode the message with {@link decodeBmpMessage} for the typed error.
 * Allocates nothing.
 */
export function routeMonitoringUpdateAt(bytes: Uint8Array, start: number, length: number): number {
  if (bytes[start + 5] !== 0 || length < PEER_BODY + BGP_HEADER_LENGTH || start + length > bytes.length) return -1;
  const at = start + PEER_BODY;
  const pduLength = (bytes[at + 16]! << 8) | bytes[at + 17]!;
  if (pduLength < BGP_HEADER_LENGTH || pduLength > length - PEER_BODY || bytes[at + 18] !== BGP_UPDATE) return -1;
  return at;
}

type Fail = (at: number, why: string) => DecodeError;

/**
 * The message being decoded, for error offsets. Module state instead of a closure per message
 * (the hot path allocates nothing it does not return); decoding is synchronous and never
 * re-entered, so one slot is enough.
 */
let currentType = '';
let currentBase = 0;

/** A DecodeError at offset `at` of the current message. */
function fail(at: number, why: string): DecodeError {
  return new DecodeError(currentType, currentBase + at, why);
}

function needPeerHeader(length: number, fail: Fail): void {
  if (length < PEER_BODY) throw fail(1, `message length ${length} is too short for the 42-byte per-peer header`);
}

/**
 * Check the BGP PDU at `at` (header sane, within `end`, of type `bgpType`) and return the
 * offset after it.
 */
function bgpPdu(bytes: Uint8Array, at: number, end: number, bgpType: number, name: string, fail: Fail): number {
  if (end - at < BGP_HEADER_LENGTH) throw fail(at, `${end - at} bytes left, too short for a BGP ${name} (19-byte header)`);
  const pduLength = (bytes[at + 16]! << 8) | bytes[at + 17]!;
  if (pduLength < BGP_HEADER_LENGTH) throw fail(at + 16, `BGP ${name} length ${pduLength} is under the 19-byte header`);
  if (pduLength > end - at) throw fail(at + 16, `BGP ${name} length ${pduLength} runs past the message end (${end - at} bytes left)`);
  const type = bytes[at + 18]!;
  if (type !== bgpType) throw fail(at + 18, `expected a BGP ${name} (type ${bgpType}), found BGP message type ${type}`);
  return at + pduLength;
}

/** Read type-length-value items from `at` to exactly `end`. */
function readTlvs(bytes: Uint8Array, at: number, end: number, fail: Fail): BmpTlv[] {
  const tlvs: BmpTlv[] = [];
  while (at < end) {
    if (end - at < 4) throw fail(at, `${end - at} bytes left, too short for a TLV header`);
    const type = (bytes[at]! << 8) | bytes[at + 1]!;
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length > end - at - 4) throw fail(at + 2, `TLV type ${type} length ${length} runs past the message end (${end - at - 4} bytes left)`);
    tlvs.push({ type, value: bytes.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  return tlvs;
}

/** Stat types holding a 32-bit counter (RFC 7854 4.8: 0-6, 11-13). */
const COUNTER_TYPES = new Set([0, 1, 2, 3, 4, 5, 6, 11, 12, 13]);
/** Stat types holding a 64-bit gauge (RFC 7854: 7, 8; RFC 8671: 14, 15). */
const GAUGE_TYPES = new Set([7, 8, 14, 15]);
/** Stat types holding AFI (2), SAFI (1) and a 64-bit gauge (RFC 7854: 9, 10; RFC 8671: 16, 17). */
const AFI_SAFI_GAUGE_TYPES = new Set([9, 10, 16, 17]);

function readUint64(bytes: Uint8Array, at: number): bigint {
  return (BigInt(readWord(bytes, at)) << 32n) | BigInt(readWord(bytes, at + 4));
}

/** Statistics Report body: a 4-byte count, then exactly that many stat TLVs filling the message. */
function readStats(bytes: Uint8Array, at: number, end: number, fail: Fail): BmpStat[] {
  if (end - at < 4) throw fail(at, 'too short for the 4-byte stats count');
  const count = readWord(bytes, at);
  at += 4;
  // Each stat takes at least 4 bytes: a count larger than that is a lie; refuse before looping.
  if (count > (end - at) / 4) throw fail(at - 4, `stats count ${count} cannot fit in the ${end - at} bytes left`);
  const stats: BmpStat[] = [];
  for (let i = 0; i < count; i++) {
    if (end - at < 4) throw fail(at, `stat ${i + 1} of ${count}: too short for a stat header`);
    const type = (bytes[at]! << 8) | bytes[at + 1]!;
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const v = at + 4;
    if (length > end - v) throw fail(at + 2, `stat type ${type} length ${length} runs past the message end`);
    if (length === 4 && COUNTER_TYPES.has(type)) {
      stats.push({ type, shape: 'counter', value: readWord(bytes, v) });
    } else if (length === 8 && GAUGE_TYPES.has(type)) {
      stats.push({ type, shape: 'gauge', value: readUint64(bytes, v) });
    } else if (length === 11 && AFI_SAFI_GAUGE_TYPES.has(type)) {
      stats.push({ type, shape: 'afiSafiGauge', afi: (bytes[v]! << 8) | bytes[v + 1]!, safi: bytes[v + 2]!, value: readUint64(bytes, v + 3) });
    } else {
      stats.push({ type, shape: 'raw', value: bytes.subarray(v, v + length) });
    }
    at = v + length;
  }
  if (at !== end) throw fail(at, `${end - at} bytes after the ${count} stats the count announced`);
  return stats;
}

function decodePeerDown(bytes: Uint8Array, length: number, fail: Fail): BmpPeerDown {
  if (length < PEER_BODY + 1) throw fail(1, `message length ${length} is too short for the per-peer header and the reason code`);
  const peer = readPeerHeader(bytes, BMP_COMMON_HEADER_LENGTH);
  const reason = bytes[PEER_BODY]!;
  const at = PEER_BODY + 1;
  switch (reason) {
    case 1:
    case 3: {
      const end = bgpPdu(bytes, at, length, BGP_NOTIFICATION, 'NOTIFICATION', fail);
      if (end !== length) throw fail(end, `${length - end} bytes after the BGP NOTIFICATION`);
      return { kind: 'peerDown', peer, reason, notification: bytes.subarray(at, end) };
    }
    case 2:
      if (length - at !== 2) throw fail(at, `reason 2 needs a 2-byte FSM event code, found ${length - at} bytes`);
      return { kind: 'peerDown', peer, reason, fsmEvent: (bytes[at]! << 8) | bytes[at + 1]! };
    case 6:
      return { kind: 'peerDown', peer, reason, tlvs: readTlvs(bytes, at, length, fail) };
    default:
      // 4 and 5 carry no data; other codes are unassigned. Keep whatever follows, as sent.
      return length === at ? { kind: 'peerDown', peer, reason } : { kind: 'peerDown', peer, reason, data: bytes.subarray(at, length) };
  }
}

function decodePeerUp(bytes: Uint8Array, length: number, fail: Fail): BmpMessage {
  // per-peer header, local address (16), local port (2), remote port (2), two OPENs, TLVs.
  const fixed = PEER_BODY + 20;
  if (length < fixed) throw fail(1, `message length ${length} is too short for a Peer Up (at least ${fixed} bytes before the OPENs)`);
  const peer = readPeerHeader(bytes, BMP_COMMON_HEADER_LENGTH);
  const a = PEER_BODY;
  let localAddress: Address;
  const ipv6 = peer.peerType === BmpPeerType.LocRib
    ? (readWord(bytes, a) | readWord(bytes, a + 4) | readWord(bytes, a + 8)) !== 0
    : (peer.flags & BmpPeerFlag.IPv6) !== 0;
  localAddress = ipv6 ? addressFromBytes(6, bytes, a) : new Address(4, readWord(bytes, a + 12));
  const localPort = (bytes[a + 16]! << 8) | bytes[a + 17]!;
  const remotePort = (bytes[a + 18]! << 8) | bytes[a + 19]!;
  const sentEnd = bgpPdu(bytes, fixed, length, BGP_OPEN, 'OPEN (sent)', fail);
  const receivedEnd = bgpPdu(bytes, sentEnd, length, BGP_OPEN, 'OPEN (received)', fail);
  return {
    kind: 'peerUp',
    peer,
    localAddress,
    localPort,
    remotePort,
    sentOpen: bytes.subarray(fixed, sentEnd),
    receivedOpen: bytes.subarray(sentEnd, receivedEnd),
    information: readTlvs(bytes, receivedEnd, length, fail),
  };
}
