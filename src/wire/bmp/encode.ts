/**
 * Encoding the BMP model of types.ts into wire bytes: the inverse of decode.ts.
 *
 * Invariant: `decodeBmpMessage(encodeBmpMessage(m))` equals `m` for every message the decoder
 * can produce (the round-trip tests check this over generated messages), and
 * `encodeBmpMessage(decodeBmpMessage(b))` gives back `b` for well-formed input (except the
 * unused high bytes of an IPv4 address, written as zeros). BGP PDUs are copied as given; the
 * encoder checks only what the BMP framing needs (TLV values fit 16-bit lengths, counters fit
 * their width), and throws {@link RibstoreError} `ENCODE_ERROR` otherwise.
 */
import { RibstoreError } from '../../errors.js';
import { writeAddress16, writePeerHeader, writeWord } from './peer-header.js';
import {
  BMP_COMMON_HEADER_LENGTH,
  BMP_PEER_HEADER_LENGTH,
  BMP_VERSION,
  BmpMessageType,
  type BmpMessage,
  type BmpPeerDown,
  type BmpPeerUp,
  type BmpStat,
  type BmpTlv,
} from './types.js';

function encodeError(message: string): RibstoreError {
  return new RibstoreError('ENCODE_ERROR', `cannot encode BMP: ${message}`);
}

function tlvsLength(tlvs: readonly BmpTlv[]): number {
  let total = 0;
  for (const tlv of tlvs) {
    if (tlv.value.length > 0xffff) throw encodeError(`TLV type ${tlv.type} value of ${tlv.value.length} bytes exceeds 65535`);
    total += 4 + tlv.value.length;
  }
  return total;
}

function writeTlvs(tlvs: readonly BmpTlv[], out: Uint8Array, at: number): number {
  for (const tlv of tlvs) {
    out[at] = tlv.type >>> 8;
    out[at + 1] = tlv.type;
    out[at + 2] = tlv.value.length >>> 8;
    out[at + 3] = tlv.value.length;
    out.set(tlv.value, at + 4);
    at += 4 + tlv.value.length;
  }
  return at;
}

function statLength(stat: BmpStat): number {
  switch (stat.shape) {
    case 'counter':
      return 4;
    case 'gauge':
      return 8;
    case 'afiSafiGauge':
      return 11;
    case 'raw':
      if (stat.value.length > 0xffff) throw encodeError(`stat type ${stat.type} value of ${stat.value.length} bytes exceeds 65535`);
      return stat.value.length;
  }
}

function writeUint64(out: Uint8Array, at: number, value: bigint, what: string): void {
  if (value < 0n || value > 0xffffffffffffffffn) throw encodeError(`${what} ${value} does not fit 64 bits`);
  writeWord(out, at, Number(value >> 32n));
  writeWord(out, at + 4, Number(value & 0xffffffffn));
}

function writeStat(stat: BmpStat, out: Uint8Array, at: number): number {
  const length = statLength(stat);
  out[at] = stat.type >>> 8;
  out[at + 1] = stat.type;
  out[at + 2] = length >>> 8;
  out[at + 3] = length;
  const v = at + 4;
  switch (stat.shape) {
    case 'counter':
      if (!Number.isInteger(stat.value) || stat.value < 0 || stat.value > 0xffffffff) {
        throw encodeError(`stat type ${stat.type} counter ${stat.value} is not a 32-bit unsigned integer`);
      }
      writeWord(out, v, stat.value);
      break;
    case 'gauge':
      writeUint64(out, v, stat.value, `stat type ${stat.type} gauge`);
      break;
    case 'afiSafiGauge':
      out[v] = stat.afi >>> 8;
      out[v + 1] = stat.afi;
      out[v + 2] = stat.safi;
      writeUint64(out, v + 3, stat.value, `stat type ${stat.type} gauge`);
      break;
    case 'raw':
      out.set(stat.value, v);
      break;
  }
  return v + length;
}

function peerDownPayloadLength(message: BmpPeerDown): number {
  switch (message.reason) {
    case 1:
    case 3:
      if (!message.notification) throw encodeError(`Peer Down reason ${message.reason} needs a notification`);
      return message.notification.length;
    case 2:
      if (message.fsmEvent === undefined) throw encodeError('Peer Down reason 2 needs an fsmEvent');
      return 2;
    case 6:
      return tlvsLength(message.tlvs ?? []);
    default:
      return message.data?.length ?? 0;
  }
}

function writePeerDownPayload(message: BmpPeerDown, out: Uint8Array, at: number): number {
  switch (message.reason) {
    case 1:
    case 3:
      out.set(message.notification!, at);
      return at + message.notification!.length;
    case 2:
      out[at] = message.fsmEvent! >>> 8;
      out[at + 1] = message.fsmEvent!;
      return at + 2;
    case 6:
      return writeTlvs(message.tlvs ?? [], out, at);
    default:
      if (message.data) out.set(message.data, at);
      return at + (message.data?.length ?? 0);
  }
}

function bodyLength(message: BmpMessage): number {
  switch (message.kind) {
    case 'routeMonitoring':
      return BMP_PEER_HEADER_LENGTH + message.update.length + (message.trailer?.length ?? 0);
    case 'statisticsReport': {
      let total = BMP_PEER_HEADER_LENGTH + 4;
      for (const stat of message.stats) total += 4 + statLength(stat);
      return total;
    }
    case 'peerDown':
      return BMP_PEER_HEADER_LENGTH + 1 + peerDownPayloadLength(message);
    case 'peerUp':
      return BMP_PEER_HEADER_LENGTH + 20 + message.sentOpen.length + message.receivedOpen.length + tlvsLength(message.information);
    case 'initiation':
    case 'termination':
      return tlvsLength(message.information);
    case 'routeMirroring':
      return BMP_PEER_HEADER_LENGTH + tlvsLength(message.tlvs);
    case 'unknown':
      return message.body.length;
  }
}

function typeCodeOf(message: BmpMessage): number {
  switch (message.kind) {
    case 'routeMonitoring':
      return BmpMessageType.RouteMonitoring;
    case 'statisticsReport':
      return BmpMessageType.StatisticsReport;
    case 'peerDown':
      return BmpMessageType.PeerDown;
    case 'peerUp':
      return BmpMessageType.PeerUp;
    case 'initiation':
      return BmpMessageType.Initiation;
    case 'termination':
      return BmpMessageType.Termination;
    case 'routeMirroring':
      return BmpMessageType.RouteMirroring;
    case 'unknown':
      return message.typeCode;
  }
}

function writePeerUpBody(message: BmpPeerUp, out: Uint8Array, at: number): number {
  writeAddress16(message.localAddress, out, at);
  out[at + 16] = message.localPort >>> 8;
  out[at + 17] = message.localPort;
  out[at + 18] = message.remotePort >>> 8;
  out[at + 19] = message.remotePort;
  at += 20;
  out.set(message.sentOpen, at);
  at += message.sentOpen.length;
  out.set(message.receivedOpen, at);
  at += message.receivedOpen.length;
  return writeTlvs(message.information, out, at);
}

/**
 * Encode one BMP message (common header included).
 * @throws RibstoreError `ENCODE_ERROR` for a TLV or stat over 65535 bytes, a counter out of
 *   range, a Peer Down without the payload its reason needs, or a message over 4 GiB.
 */
export function encodeBmpMessage(message: BmpMessage): Uint8Array {
  const length = BMP_COMMON_HEADER_LENGTH + bodyLength(message);
  if (length > 0xffffffff) throw encodeError(`message of ${length} bytes exceeds the 32-bit length field`);
  const out = new Uint8Array(length);
  out[0] = BMP_VERSION;
  writeWord(out, 1, length);
  out[5] = typeCodeOf(message);
  let at = BMP_COMMON_HEADER_LENGTH;
  switch (message.kind) {
    case 'routeMonitoring':
      at = writePeerHeader(message.peer, out, at);
      out.set(message.update, at);
      if (message.trailer) out.set(message.trailer, at + message.update.length);
      break;
    case 'statisticsReport':
      at = writePeerHeader(message.peer, out, at);
      writeWord(out, at, message.stats.length);
      at += 4;
      for (const stat of message.stats) at = writeStat(stat, out, at);
      break;
    case 'peerDown':
      at = writePeerHeader(message.peer, out, at);
      out[at] = message.reason;
      writePeerDownPayload(message, out, at + 1);
      break;
    case 'peerUp':
      at = writePeerHeader(message.peer, out, at);
      writePeerUpBody(message, out, at);
      break;
    case 'initiation':
    case 'termination':
      writeTlvs(message.information, out, at);
      break;
    case 'routeMirroring':
      at = writePeerHeader(message.peer, out, at);
      writeTlvs(message.tlvs, out, at);
      break;
    case 'unknown':
      out.set(message.body, at);
      break;
  }
  return out;
}

/** Encode a text TLV (UTF-8), e.g. an Initiation sysName or a Peer Up table name. */
export function textTlv(type: number, text: string): BmpTlv {
  return { type, value: new TextEncoder().encode(text) };
}

/** Decode the value of a text TLV as UTF-8 (invalid sequences become U+FFFD). */
export function tlvText(tlv: BmpTlv): string {
  return new TextDecoder().decode(tlv.value);
}
