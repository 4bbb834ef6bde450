/**
 * The BMP per-peer header (RFC 7854 4.2, RFC 8671, RFC 9069): which monitored peer and which
 * RIB view a message is about.
 *
 * ```
 *  0      1      2               10                              26       30       34        38         42
 *  +------+------+---------------+-------------------------------+--------+--------+---------+----------+
 *  | type | flags| distinguisher |  peer address (IPv4 in the    | peer AS| BGP ID | seconds | microsec |
 *  |      |      |   8 bytes     |  last 4 bytes unless V flag)  |        |        |  timestamp         |
 *  +------+------+---------------+-------------------------------+--------+--------+---------+----------+
 * ```
 *
 * Flags for peer types 0-2: V (0x80) IPv6 address, L (0x40) post-policy, A (0x20) legacy 2-byte
 * AS_PATH, O (0x10) Adj-RIB-Out. For the Loc-RIB peer type 3 the only flag is F (0x80, filtered),
 * and the address is zero-filled. Unknown peer types are read with the type 0-2 flag layout.
 *
 * Invariant: {@link BmpPeerHeader} holds exactly the wire values (`flags` is the raw byte); the
 * boolean getters derive from it, so decode and encode round-trip byte for byte (except the
 * unused high bytes of an IPv4 peer address, which are written as zeros).
 */
import { Address, addressFromBytes, readWord } from '../../ip/address.js';
import { formatRouteDistinguisher, readRouteDistinguisher } from '../bgp/route-distinguisher.js';
import { BMP_PEER_HEADER_LENGTH, BmpPeerFlag, BmpLocRibFlag, BmpPeerType } from './types.js';

/** The per-peer header of a BMP message. Immutable. */
export class BmpPeerHeader {
  /** Peer type, see {@link BmpPeerType} (0 global, 1 RD instance, 2 local instance, 3 Loc-RIB). */
  readonly peerType: number;
  /** The raw flags byte; see the getters and {@link BmpPeerFlag} / {@link BmpLocRibFlag}. */
  readonly flags: number;
  /** Peer distinguisher (route distinguisher for types 1 and 3), high 32 bits. */
  readonly distinguisherHigh: number;
  /** Peer distinguisher, low 32 bits. */
  readonly distinguisherLow: number;
  /** The peer's address (0.0.0.0 for a Loc-RIB peer). */
  readonly address: Address;
  /** The peer's AS number. */
  readonly peerAs: number;
  /** The peer's BGP identifier as a uint32 (an IPv4 address in form). */
  readonly bgpId: number;
  /** When the router saw the routes (or the event): seconds since the Unix epoch, 0 if unknown. */
  readonly timestampSeconds: number;
  /** Microseconds part of the timestamp. */
  readonly timestampMicroseconds: number;

  constructor(
    peerType: number,
    flags: number,
    distinguisherHigh: number,
    distinguisherLow: number,
    address: Address,
    peerAs: number,
    bgpId: number,
    timestampSeconds: number,
    timestampMicroseconds: number,
  ) {
    this.peerType = peerType;
    this.flags = flags;
    this.distinguisherHigh = distinguisherHigh >>> 0;
    this.distinguisherLow = distinguisherLow >>> 0;
    this.address = address;
    this.peerAs = peerAs >>> 0;
    this.bgpId = bgpId >>> 0;
    this.timestampSeconds = timestampSeconds >>> 0;
    this.timestampMicroseconds = timestampMicroseconds >>> 0;
  }

  /** Whether this is the router's own Loc-RIB (peer type 3, RFC 9069). */
  get isLocRib(): boolean {
    return this.peerType === BmpPeerType.LocRib;
  }

  /** V flag: the peer address is IPv6 (never for a Loc-RIB peer). */
  get ipv6Peer(): boolean {
    return !this.isLocRib && (this.flags & BmpPeerFlag.IPv6) !== 0;
  }

  /** L flag: the routes are post-policy (after inbound policy); else pre-policy. */
  get postPolicy(): boolean {
    return !this.isLocRib && (this.flags & BmpPeerFlag.PostPolicy) !== 0;
  }

  /** A flag: the UPDATE's AS_PATH uses 2-byte AS numbers. */
  get legacyAsPath(): boolean {
    return !this.isLocRib && (this.flags & BmpPeerFlag.LegacyAsPath) !== 0;
  }

  /** O flag (RFC 8671): the routes are the Adj-RIB-Out towards the peer; else Adj-RIB-In. */
  get adjRibOut(): boolean {
    return !this.isLocRib && (this.flags & BmpPeerFlag.AdjRibOut) !== 0;
  }

  /** F flag (RFC 9069): the Loc-RIB view is filtered. Only for Loc-RIB peers. */
  get filtered(): boolean {
    return this.isLocRib && (this.flags & BmpLocRibFlag.Filtered) !== 0;
  }
}

/** The bytes of the header {@link readPeerHeader} built last, and that header. */
const lastBytes = new Uint8Array(BMP_PEER_HEADER_LENGTH);
let lastHeader: BmpPeerHeader | null = null;

/**
 * Read a per-peer header at `offset` (the caller has checked that 42 bytes are there).
 * Headers are immutable: when the 42 bytes equal those of the header read last (consecutive
 * Route Monitoring messages of one peer within one timestamp), that object is returned
 * again instead of a new one (two objects per message less on a router's table dump).
 */
export function readPeerHeader(bytes: Uint8Array, offset: number): BmpPeerHeader {
  if (lastHeader !== null) {
    let i = 0;
    while (i < BMP_PEER_HEADER_LENGTH && bytes[offset + i] === lastBytes[i]) i++;
    if (i === BMP_PEER_HEADER_LENGTH) return lastHeader;
  }
  const header = buildPeerHeader(bytes, offset);
  lastBytes.set(bytes.subarray(offset, offset + BMP_PEER_HEADER_LENGTH));
  lastHeader = header;
  return header;
}

/** Bytes of the per-peer header that name the peer and view: type, flags, distinguisher, address, AS, BGP ID. */
const PEER_IDENTITY_LENGTH = 34;
/** Words of the identity bytes: 8 whole words and one of the last 2 bytes. */
const IDENTITY_WORDS = (PEER_IDENTITY_LENGTH - 2) / 4 + 1;

/**
 * Reads the per-peer headers of one session's Route Monitoring messages for the ingest hot
 * path, without an object per message: while the first 34 bytes (type, flags, distinguisher,
 * address, AS, BGP ID: which peer and which view) equal those of the header it built last, it
 * returns that header again, even when the timestamp differs (a router stamps each route of
 * its table dump with the route's own age). So the returned header's timestamp is that of the
 * first message of the run: for callers that do not read it (the RIB stamps routes with its own
 * clock). Use {@link readPeerHeader} where the timestamp matters. Keep one per session.
 */
export class PeerIdentityReader {
  /** The last header's identity bytes, four to a word (the last word holds the 2 bytes left). */
  private readonly last = new Int32Array(IDENTITY_WORDS);
  private header: BmpPeerHeader | null = null;

  /** The header at `offset` (the caller has checked that 42 bytes are there); see the class doc. */
  read(bytes: Uint8Array, offset: number): BmpPeerHeader {
    const last = this.last;
    if (this.header !== null) {
      // Compared a word at a time: a quarter of the steps of a byte compare, once per message.
      let i = 0;
      for (let at = offset; i < IDENTITY_WORDS - 1 && identityWord(bytes, at) === last[i]; at += 4) i++;
      if (i === IDENTITY_WORDS - 1 && (bytes[offset + 32]! | (bytes[offset + 33]! << 8)) === last[i]) return this.header;
    }
    const header = buildPeerHeader(bytes, offset);
    for (let i = 0; i < IDENTITY_WORDS - 1; i++) last[i] = identityWord(bytes, offset + 4 * i);
    last[IDENTITY_WORDS - 1] = bytes[offset + 32]! | (bytes[offset + 33]! << 8);
    this.header = header;
    return header;
  }
}


/** Four bytes from `at`, little-endian, as an int32. */
function identityWord(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

function buildPeerHeader(bytes: Uint8Array, offset: number): BmpPeerHeader {
  const peerType = bytes[offset]!;
  const flags = bytes[offset + 1]!;
  const a = offset + 10;
  let address: Address;
  if (peerType === BmpPeerType.LocRib) {
    // Zero-filled per RFC 9069; read it as IPv4 unless a sender put something in the high bytes.
    const high = readWord(bytes, a) | readWord(bytes, a + 4) | readWord(bytes, a + 8);
    address = high === 0 ? new Address(4, readWord(bytes, a + 12)) : addressFromBytes(6, bytes, a);
  } else if ((flags & BmpPeerFlag.IPv6) !== 0) {
    address = addressFromBytes(6, bytes, a);
  } else {
    address = new Address(4, readWord(bytes, a + 12));
  }
  return new BmpPeerHeader(
    peerType,
    flags,
    readWord(bytes, offset + 2),
    readWord(bytes, offset + 6),
    address,
    readWord(bytes, offset + 26),
    readWord(bytes, offset + 30),
    readWord(bytes, offset + 34),
    readWord(bytes, offset + 38),
  );
}

/** Write a big-endian uint32 at `offset`. */
export function writeWord(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value >>> 24;
  out[offset + 1] = value >>> 16;
  out[offset + 2] = value >>> 8;
  out[offset + 3] = value;
}

/** Write `address` as BMP's 16-byte address field: an IPv4 address in the last 4 bytes, zeros before it. */
export function writeAddress16(address: Address, out: Uint8Array, at: number): void {
  if (address.family === 6) {
    writeWord(out, at, address.w0);
    writeWord(out, at + 4, address.w1);
    writeWord(out, at + 8, address.w2);
    writeWord(out, at + 12, address.w3);
  } else {
    out.fill(0, at, at + 12);
    writeWord(out, at + 12, address.w0);
  }
}

/**
 * Write `header` at `offset` (42 bytes); returns the offset after it. An IPv4 address goes into
 * the last 4 bytes of the address field with zeros before it, whatever the flags say.
 */
export function writePeerHeader(header: BmpPeerHeader, out: Uint8Array, offset: number): number {
  out[offset] = header.peerType;
  out[offset + 1] = header.flags;
  writeWord(out, offset + 2, header.distinguisherHigh);
  writeWord(out, offset + 6, header.distinguisherLow);
  writeAddress16(header.address, out, offset + 10);
  writeWord(out, offset + 26, header.peerAs);
  writeWord(out, offset + 30, header.bgpId);
  writeWord(out, offset + 34, header.timestampSeconds);
  writeWord(out, offset + 38, header.timestampMicroseconds);
  return offset + BMP_PEER_HEADER_LENGTH;
}

/**
 * Text form of a peer distinguisher. For RD-instance and Loc-RIB peers it is a route
 * distinguisher (RFC 4364 4.2) and prints as wire/bgp prints one, `type:admin:assigned`
 * (`0:65000:100`, `1:192.0.2.1:7`, `2:4200000000:7`); anything else prints as 16 hex digits
 * (`0000000000000000` for a global peer).
 */
export function formatPeerDistinguisher(header: BmpPeerHeader): string {
  const high = header.distinguisherHigh;
  const low = header.distinguisherLow;
  const rdType = high >>> 16;
  if ((header.peerType === BmpPeerType.RdInstance || header.peerType === BmpPeerType.LocRib) && rdType <= 2) {
    const bytes = new Uint8Array(8);
    writeWord(bytes, 0, high);
    writeWord(bytes, 4, low);
    return formatRouteDistinguisher(readRouteDistinguisher(bytes, 0));
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}
