/**
 * A small, known BMP stream built with the project's own encoders (wire/bmp, wire/bgp), for API
 * tests that must run without ../shared: one router, two peers (one IPv4, one IPv6 transport),
 * pre- and post-policy views, IPv4 and IPv6 routes with AS paths (one with an AS_SET),
 * communities, large communities and MEDs.
 */
import { parseAddress } from '../../src/ip/address.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import { encodeBmpMessage, textTlv } from '../../src/wire/bmp/encode.js';
import { BmpPeerHeader } from '../../src/wire/bmp/peer-header.js';
import { encodeOpen } from '../../src/wire/bgp/open.js';
import { encodeUpdate } from '../../src/wire/bgp/update.js';
import type { Nlri, PathAttributes } from '../../src/wire/bgp/types.js';

const ctx = { fourOctetAs: true, addPath: new Set<number>() };
const nlri = (text: string): Nlri => ({ prefix: parsePrefix(text), pathId: undefined, labels: undefined, rd: undefined });

/** The two monitored peers. */
export const PEER_A = { address: '192.0.2.1', asn: 65001, bgpId: '192.0.2.1' };
export const PEER_B = { address: '2001:db8::2', asn: 65002, bgpId: '192.0.2.2' };

/** The per-peer header of a synthetic peer (global instance, IPv6 flag from its address). */
export function header(peer: typeof PEER_A, postPolicy: boolean): BmpPeerHeader {
  const address = parseAddress(peer.address);
  const flags = (address.family === 6 ? 0x80 : 0) | (postPolicy ? 0x40 : 0);
  return new BmpPeerHeader(0, flags, 0, 0, address, peer.asn, parseAddress(peer.bgpId).w0, 1_700_000_000, 0);
}

function open(asn: number, bgpId: string): Uint8Array {
  return encodeOpen({
    version: 4,
    myAs: asn > 65535 ? 23456 : asn,
    holdTime: 90,
    bgpId: parseAddress(bgpId).w0,
    capabilities: [
      { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
      { kind: 'multiprotocol', code: 1, afi: 2, safi: 1 },
      { kind: 'four-octet-as', code: 65, asn },
    ],
    otherParameters: [],
  });
}

/** A Peer Up for a synthetic peer. */
export function peerUp(peer: typeof PEER_A): Uint8Array {
  return encodeBmpMessage({
    kind: 'peerUp',
    peer: header(peer, false),
    localAddress: peer.address.includes(':') ? parseAddress('2001:db8::ffff') : parseAddress('192.0.2.254'),
    localPort: 179,
    remotePort: 40000,
    sentOpen: open(64512, '198.51.100.1'),
    receivedOpen: open(peer.asn, peer.bgpId),
    information: [],
  });
}

function monitor(peer: typeof PEER_A, postPolicy: boolean, update: Uint8Array): Uint8Array {
  return encodeBmpMessage({ kind: 'routeMonitoring', peer: header(peer, postPolicy), update });
}

const V4_ATTRIBUTES: PathAttributes = {
  origin: 0,
  asPath: [{ type: 2, asns: [65001, 65010, 65020] }],
  nextHop: parseAddress('192.0.2.1'),
  med: 50,
  communities: [65000 * 65536 + 1, 65000 * 65536 + 2],
  largeCommunities: [[65000, 1, 2]],
};

const V4_SET_ATTRIBUTES: PathAttributes = {
  origin: 2,
  asPath: [
    { type: 2, asns: [65001] },
    { type: 1, asns: [65030, 65031] },
  ],
  nextHop: parseAddress('192.0.2.1'),
};

function v6Attributes(prefixes: string[]): PathAttributes {
  return {
    origin: 0,
    asPath: [{ type: 2, asns: [65002, 65020] }],
    mpReach: {
      afi: 2,
      safi: 1,
      nextHop: parseAddress('2001:db8::2'),
      linkLocalNextHop: undefined,
      nextHopRd: undefined,
      nextHopBytes: new Uint8Array(0),
      nlri: prefixes.map(nlri),
      unknownNlri: undefined,
    },
    communities: [65002 * 65536 + 100],
  };
}

/** What the stream leaves in the RIB. */
export const EXPECTED = {
  /** Peer A pre-policy and post-policy, the same three IPv4 prefixes (one withdrawn again, one re-added). */
  peerA: ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '203.0.113.0/24'],
  peerB: ['2001:db8:100::/40', '2001:db8:100:1::/64'],
  /** Announced and then withdrawn by peer A: must not be found. */
  withdrawn: '198.51.100.0/24',
};

/** A Route Monitoring message of `peer` withdrawing `prefixes` (IPv4), for tests that stream after {@link syntheticStream}. */
export function withdrawal(peer: typeof PEER_A, postPolicy: boolean, prefixes: string[]): Uint8Array {
  return monitor(peer, postPolicy, encodeUpdate({ withdrawn: prefixes.map(nlri) }, ctx));
}

/** The whole stream, Initiation first. */
export function syntheticStream(): Uint8Array {
  const messages: Uint8Array[] = [
    encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'synthetic-router'), textTlv(1, 'ribstore test stream')] }),
    peerUp(PEER_A),
    peerUp(PEER_B),
  ];
  for (const post of [false, true]) {
    messages.push(monitor(PEER_A, post, encodeUpdate({ attributes: V4_ATTRIBUTES, announced: ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '198.51.100.0/24'].map(nlri) }, ctx)));
    messages.push(monitor(PEER_A, post, encodeUpdate({ attributes: V4_SET_ATTRIBUTES, announced: [nlri('203.0.113.0/24')] }, ctx)));
    messages.push(monitor(PEER_A, post, encodeUpdate({ withdrawn: [nlri('198.51.100.0/24')] }, ctx)));
  }
  messages.push(monitor(PEER_B, false, encodeUpdate({ attributes: v6Attributes(EXPECTED.peerB) }, ctx)));
  messages.push(
    encodeBmpMessage({
      kind: 'statisticsReport',
      peer: header(PEER_A, false),
      stats: [
        { type: 0, shape: 'counter', value: 3 },
        { type: 7, shape: 'gauge', value: 4n },
      ],
    }),
  );
  const total = messages.reduce((n, m) => n + m.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const message of messages) {
    out.set(message, at);
    at += message.length;
  }
  return out;
}


