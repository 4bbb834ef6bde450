/**
 * BMP byte streams of one router monitoring the peers of a {@link RealRoutes}, as a router's
 * initial dump looks: Initiation, then per peer a Peer Up and its whole table as Route
 * Monitoring messages (post-policy Adj-RIB-In), peer after peer.
 *
 * Two packings of the same routes:
 * - `one`: one prefix per UPDATE, in the routes' order (what GoBGP and FRR send over BMP);
 * - `packed`: prefixes grouped by attribute set, as many per UPDATE as fit in 4,096 bytes,
 *   sets in order of first use (what a BGP speaker's adj-rib-out sends).
 *
 * IPv4 routes go in the NLRI field with NEXT_HOP; IPv6 routes in MP_REACH_NLRI.
 */
import { type Address, parseAddress } from '../../src/ip/address.js';
import type { Prefix } from '../../src/ip/prefix.js';
import { encodeOpen } from '../../src/wire/bgp/open.js';
import type { Nlri, PathAttributes } from '../../src/wire/bgp/types.js';
import { encodeUpdate } from '../../src/wire/bgp/update.js';
import { encodeBmpMessage, textTlv } from '../../src/wire/bmp/encode.js';
import { BmpPeerHeader } from '../../src/wire/bmp/peer-header.js';
import { concatBytes } from '../../test/support/bytes.js';
import type { RealRoutes } from './real-routes.js';

/** How routes are put into UPDATEs. */
export type Packing = 'one' | 'packed';

/** A built stream. */
export interface BmpStream {
  readonly bytes: Uint8Array;
  /** Routes announced (each prefix of each peer once). */
  readonly routes: number;
  /** Route Monitoring messages. */
  readonly updates: number;
  /** BMP messages in total. */
  readonly messages: number;
}

/** UPDATEs are written with 4-octet ASNs, as the Peer Up's OPENs negotiate. */
const CTX = { fourOctetAs: true, addPath: new Set<number>() };
const MAX_UPDATE = 4096;

function open(asn: number, id: number): Uint8Array {
  return encodeOpen({
    version: 4,
    myAs: 23456,
    holdTime: 90,
    bgpId: id,
    capabilities: [
      { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
      { kind: 'multiprotocol', code: 1, afi: 2, safi: 1 },
      { kind: 'four-octet-as', code: 65, asn },
    ],
    otherParameters: [],
  });
}

const nlri = (prefix: Prefix): Nlri => ({ prefix, pathId: undefined, labels: undefined, rd: undefined });

/** The UPDATE announcing `prefixes` with attribute set `attrs` (MP_REACH for IPv6). */
function update(attrs: PathAttributes, prefixes: Prefix[]): Uint8Array {
  if (attrs.mpReach !== undefined && prefixes[0]!.family === 6) {
    return encodeUpdate({ attributes: { ...attrs, mpReach: { ...attrs.mpReach, nlri: prefixes.map(nlri) } } }, CTX);
  }
  return encodeUpdate({ attributes: attrs, announced: prefixes.map(nlri) }, CTX);
}

/** Bytes a prefix takes in an NLRI list. */
const nlriBytes = (p: Prefix): number => 1 + ((p.length + 7) >> 3);

/** Build the BMP stream of `routes` (see the module doc). */
export function buildBmpStream(routes: RealRoutes, packing: Packing): BmpStream {
  const routerId = parseAddress('192.0.2.254').w0;
  const parts: Uint8Array[] = [encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'bench-router')] })];
  let count = 0;
  let updates = 0;
  routes.peers.forEach((peer, index) => {
    const address: Address = peer.address;
    const bgpId = (0x0a000000 + index + 1) >>> 0;
    const header = new BmpPeerHeader(0, 0x40 | (address.family === 6 ? 0x80 : 0), 0, 0, address, peer.asn, bgpId, 1_700_000_000, 0);
    parts.push(
      encodeBmpMessage({
        kind: 'peerUp',
        peer: header,
        localAddress: parseAddress(address.family === 6 ? '2001:db8::fe' : '192.0.2.254'),
        localPort: 179,
        remotePort: 50000 + index,
        sentOpen: open(64512, routerId),
        receivedOpen: open(peer.asn, bgpId),
        information: [],
      }),
    );
    const emit = (set: number, prefixes: Prefix[]): void => {
      parts.push(encodeBmpMessage({ kind: 'routeMonitoring', peer: header, update: update(routes.attributes[set]!, prefixes) }));
      updates++;
      count += prefixes.length;
    };
    if (packing === 'one') {
      for (let i = 0; i < peer.prefixes.length; i++) emit(peer.sets[i]!, [peer.prefixes[i]!]);
      return;
    }
    const bySet = new Map<number, Prefix[]>();
    for (let i = 0; i < peer.prefixes.length; i++) {
      const set = peer.sets[i]!;
      let list = bySet.get(set);
      if (list === undefined) bySet.set(set, (list = []));
      list.push(peer.prefixes[i]!);
    }
    for (const [set, prefixes] of bySet) {
      const room = MAX_UPDATE - update(routes.attributes[set]!, prefixes.slice(0, 1)).length + nlriBytes(prefixes[0]!);
      let start = 0;
      let used = 0;
      for (let i = 0; i < prefixes.length; i++) {
        const size = nlriBytes(prefixes[i]!);
        if (used + size > room) {
          emit(set, prefixes.slice(start, i));
          start = i;
          used = 0;
        }
        used += size;
      }
      emit(set, prefixes.slice(start));
    }
  });
  return { bytes: concatBytes(parts), routes: count, updates, messages: parts.length };
}
