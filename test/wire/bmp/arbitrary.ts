/**
 * fast-check generators of BMP messages in the exact form the decoder produces, so that
 * `decode(encode(m))` can be compared to `m` with deepStrictEqual.
 *
 * The form rules mirrored here: the peer address family follows the V flag (and, for a
 * Loc-RIB peer, an IPv4 address or an IPv6 one with non-zero high bits); optional fields are
 * absent rather than undefined; BGP PDUs are plausible (marker, length, expected type).
 */
import fc from 'fast-check';
import { Address } from '../../../src/ip/address.js';
import { BmpPeerHeader } from '../../../src/wire/bmp/peer-header.js';
import type { BmpMessage, BmpStat, BmpTlv } from '../../../src/wire/bmp/types.js';

/** fc.record, but with plain-prototype objects (the decoder builds object literals). */
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model).map((value) => ({ ...value }) as T);
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u8 = fc.integer({ min: 0, max: 255 });
const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });

const ipv4 = u32.map((w) => new Address(4, w));
const ipv6 = fc.tuple(u32, u32, u32, u32).map(([a, b, c, d]) => new Address(6, a, b, c, d));
/** An IPv6 address whose high 96 bits are not all zero (so it cannot read back as IPv4). */
const ipv6HighSet = fc.tuple(u32, u32, u32, u32).filter(([a, b, c]) => (a | b | c) !== 0).map(([a, b, c, d]) => new Address(6, a, b, c, d));

/** Whether a decoded address for this header is IPv6 (the decoder's rule). */
function addressFor(peerType: number, flags: number): fc.Arbitrary<Address> {
  if (peerType === 3) return fc.oneof(ipv4, ipv6HighSet);
  return (flags & 0x80) !== 0 ? ipv6 : ipv4;
}

/** A per-peer header. */
export const arbitraryPeerHeader: fc.Arbitrary<BmpPeerHeader> = fc
  .tuple(fc.oneof(fc.constantFrom(0, 1, 2, 3), u8), u8)
  .chain(([peerType, flags]) =>
    fc.tuple(u32, u32, addressFor(peerType, flags), u32, u32, u32, u32).map(
      ([dh, dl, address, as, id, s, us]) => new BmpPeerHeader(peerType, flags, dh, dl, address, as, id, s, us),
    ),
  );

/** A plausible BGP PDU of `type`: 16-byte marker, length, type, random body. */
export function arbitraryBgpPdu(type: number, maxBody = 64): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ maxLength: maxBody }).map((body) => {
    const pdu = new Uint8Array(19 + body.length);
    pdu.fill(0xff, 0, 16);
    pdu[16] = pdu.length >>> 8;
    pdu[17] = pdu.length & 0xff;
    pdu[18] = type;
    pdu.set(body, 19);
    return pdu;
  });
}

const tlv: fc.Arbitrary<BmpTlv> = record({ type: u16, value: fc.uint8Array({ maxLength: 40 }) });
const tlvs = fc.array(tlv, { maxLength: 4 });

const stat: fc.Arbitrary<BmpStat> = fc.oneof(
  record({ type: fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 11, 12, 13), shape: fc.constant('counter' as const), value: u32 }),
  record({ type: fc.constantFrom(7, 8, 14, 15), shape: fc.constant('gauge' as const), value: u64 }),
  record({ type: fc.constantFrom(9, 10, 16, 17), shape: fc.constant('afiSafiGauge' as const), afi: u16, safi: u8, value: u64 }),
  // Unknown types, and known types whose length does not match their shape, stay raw.
  record({ type: fc.integer({ min: 18, max: 0xffff }), shape: fc.constant('raw' as const), value: fc.uint8Array({ maxLength: 16 }) }),
  record({ type: fc.constantFrom(0, 7, 9), shape: fc.constant('raw' as const), value: fc.uint8Array({ minLength: 12, maxLength: 16 }) }),
);

const nonEmptyBytes = fc.uint8Array({ minLength: 1, maxLength: 32 });

/** Any BMP message the decoder can produce. */
export const arbitraryBmpMessage: fc.Arbitrary<BmpMessage> = fc.oneof(
  record({ kind: fc.constant('routeMonitoring' as const), peer: arbitraryPeerHeader, update: arbitraryBgpPdu(2, 200) }),
  record({ kind: fc.constant('routeMonitoring' as const), peer: arbitraryPeerHeader, update: arbitraryBgpPdu(2), trailer: nonEmptyBytes }),
  record({ kind: fc.constant('statisticsReport' as const), peer: arbitraryPeerHeader, stats: fc.array(stat, { maxLength: 8 }) }),
  record({ kind: fc.constant('peerDown' as const), peer: arbitraryPeerHeader, reason: fc.constantFrom(1, 3), notification: arbitraryBgpPdu(3) }),
  record({ kind: fc.constant('peerDown' as const), peer: arbitraryPeerHeader, reason: fc.constant(2), fsmEvent: u16 }),
  record({ kind: fc.constant('peerDown' as const), peer: arbitraryPeerHeader, reason: fc.constant(6), tlvs }),
  record({ kind: fc.constant('peerDown' as const), peer: arbitraryPeerHeader, reason: fc.constantFrom(0, 4, 5, 7, 200) }),
  record({ kind: fc.constant('peerDown' as const), peer: arbitraryPeerHeader, reason: fc.constantFrom(0, 4, 5, 9), data: nonEmptyBytes }),
  arbitraryPeerHeader.chain((peer) =>
    record({
      kind: fc.constant('peerUp' as const),
      peer: fc.constant(peer),
      localAddress: addressFor(peer.peerType, peer.flags),
      localPort: u16,
      remotePort: u16,
      sentOpen: arbitraryBgpPdu(1),
      receivedOpen: arbitraryBgpPdu(1),
      information: tlvs,
    }),
  ),
  record({ kind: fc.constant('initiation' as const), information: tlvs }),
  record({ kind: fc.constant('termination' as const), information: tlvs }),
  record({ kind: fc.constant('routeMirroring' as const), peer: arbitraryPeerHeader, tlvs }),
  record({ kind: fc.constant('unknown' as const), typeCode: fc.integer({ min: 7, max: 255 }), body: fc.uint8Array({ maxLength: 64 }) }),
);
