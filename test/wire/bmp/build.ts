/**
 * Small builders of realistic BMP messages for tests: Peer Up with real OPENs, Route
 * Monitoring with real UPDATEs (both from wire/bgp's encoders).
 */
import { Address, parseAddress } from '../../../src/ip/address.js';
import { parsePrefix } from '../../../src/ip/prefix.js';
import { familyKey } from '../../../src/wire/bgp/constants.js';
import { encodeOpen } from '../../../src/wire/bgp/open.js';
import type { Capability, Nlri, PathAttributes } from '../../../src/wire/bgp/types.js';
import { encodeUpdate } from '../../../src/wire/bgp/update.js';
import { BmpPeerHeader } from '../../../src/wire/bmp/peer-header.js';
import type { BmpPeerUp, BmpRouteMonitoring } from '../../../src/wire/bmp/types.js';

/** A global-instance peer header (flags: V set automatically for an IPv6 address). */
export function peerHeader(address: string, flags = 0, peerType = 0, peerAs = 65001): BmpPeerHeader {
  const a = parseAddress(address);
  return new BmpPeerHeader(peerType, flags | (a.family === 6 && peerType !== 3 ? 0x80 : 0), 0, 0, a, peerAs, 0xc0000201, 1700000000, 0);
}

/** An OPEN with these capabilities. */
export function open(asn: number, capabilities: Capability[]): Uint8Array {
  return encodeOpen({ version: 4, myAs: asn > 0xffff ? 23456 : asn, holdTime: 90, bgpId: 0xc0000201, capabilities, otherParameters: [], asn });
}

/** Capabilities: 4-octet AS, and ADD-PATH for the given families. */
export function capabilities(asn: number, addPath: { afi: number; safi: number; sendReceive: number }[] = []): Capability[] {
  const list: Capability[] = [{ kind: 'four-octet-as', code: 65, asn }];
  if (addPath.length > 0) list.push({ kind: 'add-path', code: 69, families: addPath });
  return list;
}

/** A Peer Up for `peer` with the given sent and received OPENs. */
export function peerUp(peer: BmpPeerHeader, sentOpen: Uint8Array, receivedOpen: Uint8Array): BmpPeerUp {
  return {
    kind: 'peerUp',
    peer,
    localAddress: peer.address.family === 6 ? parseAddress('2001:db8::ffff') : new Address(4, 0xc00002ff),
    localPort: 179,
    remotePort: 40000,
    sentOpen,
    receivedOpen,
    information: [],
  };
}

/** An IPv4 unicast route (optionally with a path id). */
export function route(prefix: string, pathId?: number): Nlri {
  return { prefix: parsePrefix(prefix), pathId, labels: undefined, rd: undefined };
}

/** A Route Monitoring message with an UPDATE encoded in the given AS size / ADD-PATH form. */
export function routeMonitoring(
  peer: BmpPeerHeader,
  update: { announced?: Nlri[]; withdrawn?: Nlri[]; attributes?: PathAttributes },
  encoding: { fourOctetAs: boolean; addPathIpv4?: boolean },
): BmpRouteMonitoring {
  const addPath = new Set<number>(encoding.addPathIpv4 ? [familyKey(1, 1)] : []);
  return { kind: 'routeMonitoring', peer, update: encodeUpdate(update, { fourOctetAs: encoding.fourOctetAs, addPath }) };
}
