/**
 * A generated MRT file covering every record kind the encoder writes: PEER_INDEX_TABLE
 * (IPv4 and IPv6 peers, 2- and 4-octet AS), RIB_IPV4/IPV6_UNICAST and MULTICAST, the
 * ADD-PATH subtypes, RIB_GENERIC, TABLE_DUMP v1, BGP4MP and BGP4MP_ET messages (2- and
 * 4-octet AS, LOCAL, ADD-PATH) and state changes. Attribute blocks and UPDATEs are built
 * with the `wire/bgp` encoder, RIB entries' attributes with `encodeRibEntryAttributes`.
 *
 * Used by the unit tests, the bgpdump interop test and the fuzz seeds.
 */
import { parseAddress } from '../../../src/ip/address.js';
import { parsePrefix } from '../../../src/ip/prefix.js';
import { createDecodeContext } from '../../../src/wire/bgp/context.js';
import { encodePathAttributes } from '../../../src/wire/bgp/attribute-encode.js';
import { encodeKeepalive } from '../../../src/wire/bgp/message.js';
import type { Nlri, PathAttributes } from '../../../src/wire/bgp/types.js';
import { encodeUpdate } from '../../../src/wire/bgp/update.js';
import { Bgp4mpSubtype, MrtType, TableDumpSubtype, TableDumpV2Subtype } from '../../../src/wire/mrt/constants.js';
import { type MrtRecordInput, concatMrt, encodeMrtRecord } from '../../../src/wire/mrt/encode.js';
import { encodeRibEntryAttributes } from '../../../src/wire/mrt/rib-attributes.js';

const T = 1_700_000_000;

function nlri(text: string, pathId?: number): Nlri {
  return { prefix: parsePrefix(text), pathId, labels: undefined, rd: undefined };
}

const v4Route: PathAttributes = {
  origin: 0,
  asPath: [
    { type: 2, asns: [64500, 4200000001, 3356] },
    { type: 1, asns: [65010, 65011] },
  ],
  nextHop: parseAddress('192.0.2.1'),
  med: 50,
  localPref: 200,
  atomicAggregate: true,
  aggregator: { asn: 64500, address: 0xc0000209 },
  communities: [64500 * 65536 + 100, 0xffffff01, 65535 * 65536 + 666],
  largeCommunities: [[64500, 1, 2]],
};

const v6Route: PathAttributes = {
  origin: 2,
  asPath: [{ type: 2, asns: [64501, 6939] }],
  mpReach: {
    afi: 2,
    safi: 1,
    nextHop: parseAddress('2001:db8::1'),
    linkLocalNextHop: parseAddress('fe80::1'),
    nextHopRd: undefined,
    nextHopBytes: new Uint8Array(0),
    nlri: [],
    unknownNlri: undefined,
  },
};

/** The records of the sample file, in order (as encoder input). */
export function sampleRecords(): MrtRecordInput[] {
  const ctx4 = createDecodeContext({ fourOctetAs: true });
  const ctx2 = createDecodeContext();
  const ctxAddPath = createDecodeContext({ fourOctetAs: true, addPath: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }] });
  const peers = [
    { bgpId: 0xc0000201, address: parseAddress('192.0.2.1'), asn: 64500, fourOctetAs: false },
    { bgpId: 0xc0000202, address: parseAddress('2001:db8::2'), asn: 4200000001, fourOctetAs: true },
    { bgpId: 0xc0000203, address: parseAddress('198.51.100.3'), asn: 65003, fourOctetAs: true },
  ];
  const v4Attributes = encodeRibEntryAttributes(v4Route);
  const v6Attributes = encodeRibEntryAttributes(v6Route);
  const td = (subtype: number) => ({ timestamp: T, type: MrtType.TABLE_DUMP_V2, subtype });
  const mp = (subtype: number, et = false) => ({ timestamp: T + 1, microseconds: et ? 123456 : 0, type: et ? MrtType.BGP4MP_ET : MrtType.BGP4MP, subtype });
  const session4 = { interfaceIndex: 0, afi: 1, peerAddress: parseAddress('192.0.2.1'), localAddress: parseAddress('192.0.2.254'), peerAs: 64500, localAs: 65000 };
  const session6 = { interfaceIndex: 3, afi: 2, peerAddress: parseAddress('2001:db8::2'), localAddress: parseAddress('2001:db8::fe'), peerAs: 4200000001, localAs: 65000 };
  const v6Update: PathAttributes = { ...v6Route, mpReach: { ...v6Route.mpReach!, nlri: [nlri('2001:db8:100::/48'), nlri('2001:db8:200::/40')] } };
  const simple: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [64500] }], nextHop: parseAddress('192.0.2.1') };
  const v4Multicast: PathAttributes = {
    origin: 0,
    asPath: [{ type: 2, asns: [64500] }],
    med: 4000000000,
    localPref: 3000000000,
    mpReach: { afi: 1, safi: 2, nextHop: parseAddress('192.0.2.5'), linkLocalNextHop: undefined, nextHopRd: undefined, nextHopBytes: new Uint8Array(0), nlri: [nlri('233.252.1.0/24')], unknownNlri: undefined },
  };
  const v6Withdraw: PathAttributes = { mpUnreach: { afi: 2, safi: 1, nlri: [nlri('2001:db8:300::/48')], unknownNlri: undefined } };
  return [
    { kind: 'peer-index-table', header: td(TableDumpV2Subtype.PEER_INDEX_TABLE), collectorId: 0xc0000264, viewName: 'sample', peers },
    {
      kind: 'rib', header: td(TableDumpV2Subtype.RIB_IPV4_UNICAST), sequence: 0, afi: 1, safi: 1, addPath: false, prefix: parsePrefix('203.0.113.0/24'), nlri: undefined,
      entries: [
        { peerIndex: 0, originatedTime: T - 100, pathId: undefined, attributes: v4Attributes },
        { peerIndex: 2, originatedTime: T - 50, pathId: undefined, attributes: encodeRibEntryAttributes({ origin: 1, asPath: [{ type: 2, asns: [65003] }], nextHop: parseAddress('198.51.100.3') }) },
      ],
    },
    {
      kind: 'rib', header: td(TableDumpV2Subtype.RIB_IPV6_UNICAST), sequence: 1, afi: 2, safi: 1, addPath: false, prefix: parsePrefix('2001:db8:1::/48'), nlri: undefined,
      entries: [{ peerIndex: 1, originatedTime: T - 10, pathId: undefined, attributes: v6Attributes }],
    },
    {
      kind: 'rib', header: td(TableDumpV2Subtype.RIB_IPV4_MULTICAST), sequence: 2, afi: 1, safi: 2, addPath: false, prefix: parsePrefix('233.252.0.0/24'), nlri: undefined,
      entries: [{ peerIndex: 0, originatedTime: T, pathId: undefined, attributes: v4Attributes }],
    },
    {
      kind: 'rib', header: td(TableDumpV2Subtype.RIB_IPV4_UNICAST_ADDPATH), sequence: 3, afi: 1, safi: 1, addPath: true, prefix: parsePrefix('0.0.0.0/0'), nlri: undefined,
      entries: [
        { peerIndex: 0, originatedTime: T, pathId: 1, attributes: v4Attributes },
        { peerIndex: 0, originatedTime: T, pathId: 7, attributes: encodeRibEntryAttributes({ origin: 0, asPath: [], nextHop: parseAddress('192.0.2.7') }) },
      ],
    },
    {
      kind: 'rib', header: td(TableDumpV2Subtype.RIB_IPV6_UNICAST_ADDPATH), sequence: 4, afi: 2, safi: 1, addPath: true, prefix: parsePrefix('::/0'), nlri: undefined,
      entries: [{ peerIndex: 1, originatedTime: T, pathId: 42, attributes: v6Attributes }],
    },
    {
      kind: 'rib', header: td(TableDumpV2Subtype.RIB_GENERIC), sequence: 5, afi: 1, safi: 1, addPath: false, prefix: parsePrefix('198.18.0.0/15'), nlri: undefined,
      entries: [{ peerIndex: 2, originatedTime: T, pathId: undefined, attributes: v4Attributes }],
    },
    {
      kind: 'table-dump', header: { timestamp: T, type: MrtType.TABLE_DUMP, subtype: TableDumpSubtype.AFI_IPV4 }, viewNumber: 0, sequence: 9,
      prefix: parsePrefix('192.0.2.0/24'), status: 1, originatedTime: T - 1000, peerAddress: parseAddress('192.0.2.9'), peerAs: 64509,
      attributes: encodePathAttributes({ origin: 0, asPath: [{ type: 2, asns: [64509, 23456] }], nextHop: parseAddress('192.0.2.9'), med: 5 }, ctx2),
    },
    {
      kind: 'table-dump', header: { timestamp: T, type: MrtType.TABLE_DUMP, subtype: TableDumpSubtype.AFI_IPV6 }, viewNumber: 0, sequence: 10,
      prefix: parsePrefix('2001:db8:9::/48'), status: 1, originatedTime: T - 1000, peerAddress: parseAddress('2001:db8::9'), peerAs: 64509,
      attributes: encodePathAttributes({ origin: 0, asPath: [{ type: 2, asns: [64509] }] }, ctx2),
    },
    { kind: 'bgp4mp-state-change', header: mp(Bgp4mpSubtype.STATE_CHANGE_AS4), fourOctetAs: true, ...session4, oldState: 5, newState: 6 },
    { kind: 'bgp4mp-state-change', header: mp(Bgp4mpSubtype.STATE_CHANGE, true), fourOctetAs: false, ...session6, peerAs: 64502, oldState: 6, newState: 1 },
    {
      kind: 'bgp4mp-message', header: mp(Bgp4mpSubtype.MESSAGE_AS4), fourOctetAs: true, local: false, addPath: false, ...session4,
      message: encodeUpdate({ withdrawn: [nlri('198.51.100.0/24')], attributes: v4Route, announced: [nlri('203.0.113.0/24'), nlri('203.0.113.128/25')] }, ctx4),
    },
    {
      kind: 'bgp4mp-message', header: mp(Bgp4mpSubtype.MESSAGE), fourOctetAs: false, local: false, addPath: false, ...session4,
      // No AGGREGATOR here: with a 2-octet AGGREGATOR RFC 6793 and bgpdump differ on AS4_PATH.
      message: encodeUpdate({ attributes: { ...v4Route, aggregator: undefined }, announced: [nlri('203.0.113.0/24')] }, ctx2),
    },
    {
      kind: 'bgp4mp-message', header: mp(Bgp4mpSubtype.MESSAGE_AS4, true), fourOctetAs: true, local: false, addPath: false, ...session6,
      message: encodeUpdate({ attributes: v6Update }, ctx4),
    },
    {
      kind: 'bgp4mp-message', header: mp(Bgp4mpSubtype.MESSAGE_AS4), fourOctetAs: true, local: false, addPath: false, ...session6,
      message: encodeUpdate({ attributes: v6Withdraw }, ctx4),
    },
    {
      kind: 'bgp4mp-message', header: mp(Bgp4mpSubtype.MESSAGE_AS4_LOCAL), fourOctetAs: true, local: true, addPath: false, ...session4,
      message: encodeUpdate({ attributes: v4Route, announced: [nlri('192.0.2.128/25')] }, ctx4),
    },
    {
      kind: 'bgp4mp-message', header: mp(Bgp4mpSubtype.MESSAGE_AS4_ADDPATH), fourOctetAs: true, local: false, addPath: true, ...session4,
      message: encodeUpdate({ withdrawn: [nlri('198.51.100.0/24', 3)], attributes: v4Route, announced: [nlri('203.0.113.0/24', 9)] }, ctxAddPath),
    },
    { kind: 'bgp4mp-message', header: mp(Bgp4mpSubtype.MESSAGE_AS4), fourOctetAs: true, local: false, addPath: false, ...session4, message: encodeKeepalive() },
    // bgpdump quirks: LOCAL_ADDPATH prints the local end; a sent IPv6 withdrawal on an IPv4
    // session prints the peer address read as IPv6; MP IPv4 routes print MED/LOCAL_PREF signed.
    {
      kind: 'bgp4mp-message', header: mp(Bgp4mpSubtype.MESSAGE_AS4_LOCAL_ADDPATH), fourOctetAs: true, local: true, addPath: true, ...session4,
      message: encodeUpdate({ attributes: simple, announced: [nlri('203.0.113.0/24', 5)] }, ctxAddPath),
    },
    { kind: 'bgp4mp-message', header: mp(Bgp4mpSubtype.MESSAGE_AS4_LOCAL), fourOctetAs: true, local: true, addPath: false, ...session4, message: encodeUpdate({ attributes: v6Withdraw }, ctx4) },
    { kind: 'bgp4mp-message', header: mp(Bgp4mpSubtype.MESSAGE_AS4_LOCAL, true), fourOctetAs: true, local: true, addPath: false, ...session4, message: encodeUpdate({ attributes: simple, announced: [nlri('203.0.113.0/24')] }, ctx4) },
    { kind: 'bgp4mp-message', header: mp(Bgp4mpSubtype.MESSAGE_AS4), fourOctetAs: true, local: false, addPath: false, ...session4, message: encodeUpdate({ attributes: v4Multicast }, ctx4) },
  ];
}

/** The sample file's bytes. */
export function sampleFile(): Uint8Array {
  return concatMrt(sampleRecords().map(encodeMrtRecord));
}
