/**
 * Generated BGP messages covering every message type, attribute, family and next-hop form
 * the codec knows, built with its own encoders: the fuzz seeds when ../shared is absent,
 * and examples for the tests.
 */
import { Address, parseAddress } from '../../src/ip/address.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import {
  type BgpDecodeContext,
  type BgpMessage,
  type Nlri,
  type PathAttributes,
  createDecodeContext,
  labelEntry,
} from '../../src/wire/bgp/index.js';

/** A sample message and the context it is meant to be read with. */
export interface BgpSample {
  name: string;
  message: BgpMessage;
  ctx: BgpDecodeContext;
}

function route(prefix: string, extra: Partial<Nlri> = {}): Nlri {
  return { prefix: parsePrefix(prefix), pathId: undefined, labels: undefined, rd: undefined, ...extra };
}

const full: PathAttributes = {
  origin: 0,
  asPath: [
    { type: 2, asns: [65001, 4200000000, 65003] },
    { type: 1, asns: [64512, 64513] },
  ],
  nextHop: parseAddress('192.0.2.1'),
  med: 100,
  localPref: 200,
  atomicAggregate: true,
  aggregator: { asn: 4200000001, address: 0xc0000202 },
  communities: [((65000 << 16) | 1) >>> 0, 0xffffff01],
  originatorId: 0x0a000001,
  clusterList: [0x0a000002, 0x0a000003],
  extendedCommunities: [[0x0002fde8, 0x00000064]],
  largeCommunities: [[4200000000, 1, 2]],
  otc: 65001,
  unknown: [{ flags: 0xc0, type: 99, value: new Uint8Array([1, 2, 3]) }],
};

const mp = (reach: Partial<NonNullable<PathAttributes['mpReach']>>): NonNullable<PathAttributes['mpReach']> => ({
  afi: 1,
  safi: 1,
  nextHop: undefined,
  linkLocalNextHop: undefined,
  nextHopRd: undefined,
  nextHopBytes: new Uint8Array(0),
  nlri: [],
  unknownNlri: undefined,
  ...reach,
});

const base = { origin: 2 as const, asPath: [{ type: 2 as const, asns: [65010] }] };
const rd = { type: 0, admin: 65000, assigned: 100 };
const four = createDecodeContext({ fourOctetAs: true });
const two = createDecodeContext({ fourOctetAs: false });
const allFamilies = [1, 2].flatMap((afi) => [1, 2, 4, 128].map((safi) => ({ afi, safi })));
const addPath = createDecodeContext({ fourOctetAs: true, addPath: allFamilies });

/** The samples (a fresh list each call). */
export function bgpSamples(): BgpSample[] {
  return [
    {
      name: 'OPEN with every capability',
      ctx: two,
      message: {
        type: 'open',
        version: 4,
        myAs: 23456,
        asn: 4200000000,
        holdTime: 90,
        bgpId: 0xc0000201,
        capabilities: [
          { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
          { kind: 'multiprotocol', code: 1, afi: 2, safi: 128 },
          { kind: 'route-refresh', code: 2 },
          { kind: 'extended-message', code: 6 },
          { kind: 'graceful-restart', code: 64, flags: 8, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }] },
          { kind: 'four-octet-as', code: 65, asn: 4200000000 },
          { kind: 'add-path', code: 69, families: [{ afi: 1, safi: 1, sendReceive: 3 }] },
          { kind: 'unknown', code: 73, value: new Uint8Array([5, 104, 111, 115, 116, 0]) },
        ],
        otherParameters: [],
      },
    },
    { name: 'KEEPALIVE', ctx: four, message: { type: 'keepalive' } },
    { name: 'NOTIFICATION', ctx: four, message: { type: 'notification', code: 6, subcode: 2, data: new Uint8Array([0x10, 0x41]) } },
    { name: 'ROUTE-REFRESH', ctx: four, message: { type: 'route-refresh', afi: 2, safi: 1, subtype: 1 } },
    {
      name: 'IPv4 UPDATE with every attribute',
      ctx: four,
      message: update(full, [route('203.0.113.0/24'), route('198.51.100.128/25')], [route('10.0.0.0/8')]),
    },
    {
      name: 'IPv4 UPDATE on a 2-octet session (AS4_PATH, AS4_AGGREGATOR)',
      ctx: two,
      message: update({ ...full, aggregator: { asn: 4200000001, address: 1 } }, [route('203.0.113.0/24')]),
    },
    {
      name: 'IPv6 unicast with global and link-local next hop',
      ctx: four,
      message: update({
        ...base,
        mpReach: mp({ afi: 2, safi: 1, nextHop: parseAddress('2001:db8::1'), linkLocalNextHop: parseAddress('fe80::1'), nlri: [route('2001:db8:1::/48'), route('::/0')] }),
      }),
    },
    {
      name: 'IPv4 routes with an IPv6 next hop (RFC 8950)',
      ctx: four,
      message: update({ ...base, mpReach: mp({ afi: 1, safi: 1, nextHop: parseAddress('2001:db8::2'), nlri: [route('192.0.2.0/24')] }) }),
    },
    {
      name: 'IPv4 multicast',
      ctx: four,
      message: update({ ...base, mpReach: mp({ afi: 1, safi: 2, nextHop: new Address(4, 0xc0000201), nlri: [route('232.0.0.0/8')] }) }),
    },
    {
      name: 'labeled unicast with a two-label stack',
      ctx: four,
      message: update({
        ...base,
        mpReach: mp({ afi: 1, safi: 4, nextHop: new Address(4, 0xc0000201), nlri: [route('198.51.100.0/24', { labels: [labelEntry(100, false), labelEntry(200, true)] })] }),
      }),
    },
    {
      name: 'VPNv4 with RD next hop',
      ctx: four,
      message: update({
        ...base,
        extendedCommunities: [[0x0002fde8, 7]],
        mpReach: mp({ afi: 1, safi: 128, nextHopRd: { type: 0, admin: 0, assigned: 0 }, nextHop: new Address(4, 0xc0000201), nlri: [route('10.1.0.0/16', { labels: [labelEntry(16001, true)], rd })] }),
      }),
    },
    {
      name: 'VPNv6 with RD next hop and link-local',
      ctx: four,
      message: update({
        ...base,
        mpReach: mp({
          afi: 2,
          safi: 128,
          nextHopRd: { type: 0, admin: 0, assigned: 0 },
          nextHop: parseAddress('2001:db8::9'),
          linkLocalNextHop: parseAddress('fe80::9'),
          nlri: [route('2001:db8:5::/64', { labels: [labelEntry(17, true)], rd: { type: 1, admin: 0xc0000201, assigned: 9 } })],
        }),
      }),
    },
    {
      name: 'MP_UNREACH VPNv4 withdrawal with the 0x800000 label',
      ctx: four,
      message: update({ mpUnreach: { afi: 1, safi: 128, nlri: [route('10.1.0.0/16', { labels: [0x800000], rd: { type: 2, admin: 4200000000, assigned: 5 } })], unknownNlri: undefined } }),
    },
    {
      name: 'End-of-RIB for IPv6 unicast',
      ctx: four,
      message: update({ mpUnreach: { afi: 2, safi: 1, nlri: [], unknownNlri: undefined } }),
    },
    {
      name: 'ADD-PATH IPv4 and IPv6',
      ctx: addPath,
      message: update(
        { ...base, nextHop: new Address(4, 0xc0000201), mpReach: mp({ afi: 2, safi: 1, nextHop: parseAddress('2001:db8::1'), nlri: [route('2001:db8::/32', { pathId: 7 })] }) },
        [route('192.0.2.0/24', { pathId: 1 }), route('192.0.2.0/24', { pathId: 2 })],
        [route('198.51.100.0/24', { pathId: 3 })],
      ),
    },
    {
      name: 'unknown family (L2VPN EVPN) kept raw',
      ctx: four,
      message: update({ ...base, mpReach: mp({ afi: 25, safi: 70, nextHopBytes: new Uint8Array([192, 0, 2, 1]), unknownNlri: new Uint8Array([2, 5, 1, 2, 3, 4, 5]) }) }),
    },
    {
      name: 'confederation segments',
      ctx: four,
      message: update({ origin: 1, asPath: [{ type: 3, asns: [65100, 65101] }, { type: 4, asns: [65102] }, { type: 2, asns: [65200] }], nextHop: new Address(4, 1) }, [route('192.0.2.0/24')]),
    },
  ];
}

function update(attributes: PathAttributes, announced: Nlri[] = [], withdrawn: Nlri[] = []): BgpMessage {
  return { type: 'update', withdrawn, attributes, announced, errors: [], treatAsWithdraw: false, unknownFamilies: 0 };
}
