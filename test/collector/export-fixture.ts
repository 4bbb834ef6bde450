/**
 * A small RIB for the MRT export tests, built with the project's own codec (attributes
 * interned as the ingest path interns them), and the export's expected content taken from the
 * RIB's own queries.
 *
 * Two routers; peers over IPv4 and IPv6 transport (one with a 4-octet AS), a Loc-RIB peer, the
 * same peer seen by both routers; pre- and post-policy views of one peer (only post-policy is
 * exported by default); ADD-PATH path ids (a prefix with path id 0 and others gives two
 * records); AS_SETs, communities, large communities, MED and LOCAL_PREF present and absent,
 * ATOMIC_AGGREGATE and AGGREGATOR, an IPv6 next hop with a link-local one, an IPv4 route with an
 * IPv6 next hop (RFC 8950); stale routes (the second router is down); and routes the export
 * must skip: an RD (VPN) table and IPv4 multicast. Also: reading an export back with our own
 * MRT reader ({@link decodeExport}) into the same comparable form.
 */
import assert from 'node:assert/strict';
import { formatIPv4, parseAddress } from '../../src/ip/address.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import type { PeerKey, View } from '../../src/rib/peer-registry.js';
import { VIEWS } from '../../src/rib/peer-registry.js';
import { Rib } from '../../src/rib/rib.js';
import type { RouteJson } from '../../src/rib/route-json.js';
import { attributesToJson } from '../../src/rib/attribute-codec.js';
import { internUpdateAttributes } from '../../src/rib/update-ingest.js';
import { MrtFramer } from '../../src/wire/mrt/framer.js';
import type { MrtPeerIndexTable, MrtRib } from '../../src/wire/mrt/records.js';
import { forEachMrtRoute } from '../../src/wire/mrt/routes.js';
import type { MpReach, PathAttributes } from '../../src/wire/bgp/types.js';

/** The two routers; R2 is down at the end (its routes stale). */
export const R1 = '192.0.2.254';
export const R2 = '198.51.100.254';

/** Peers: A (IPv4, on both routers), B (IPv6 transport, 4-octet AS), C (ADD-PATH, on R2), and R1's Loc-RIB peer. */
export const PEER_A: PeerKey = { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 0xc0000201 };
export const PEER_B: PeerKey = { type: 0, distinguisher: '0:0', address: '2001:db8::2', asn: 4_200_000_001, bgpId: 0xc0000202 };
export const PEER_C: PeerKey = { type: 0, distinguisher: '0:0', address: '203.0.113.1', asn: 64512, bgpId: 0xcb007101 };
export const PEER_LOC: PeerKey = { type: 3, distinguisher: '0:0', address: '0.0.0.0', asn: 65000, bgpId: 0xc00002fe };

const community = (asn: number, value: number): number => asn * 65536 + value;

function mpReach(afi: number, nextHop: string, linkLocal?: string): MpReach {
  return {
    afi,
    safi: 1,
    nextHop: parseAddress(nextHop),
    linkLocalNextHop: linkLocal === undefined ? undefined : parseAddress(linkLocal),
    nextHopRd: undefined,
    nextHopBytes: new Uint8Array(0),
    nlri: [],
    unknownNlri: undefined,
  };
}

const V4_POST: PathAttributes = {
  origin: 0,
  asPath: [{ type: 2, asns: [65001, 65010, 65020] }],
  nextHop: parseAddress('192.0.2.1'),
  med: 50,
  localPref: 200,
  communities: [community(65000, 1), community(65000, 2)],
  largeCommunities: [[65000, 1, 2]],
};
const V4_PRE: PathAttributes = { ...V4_POST, localPref: undefined, communities: [community(65000, 9)], largeCommunities: undefined };
const V4_R2: PathAttributes = { ...V4_POST, med: undefined, localPref: undefined, communities: [community(64512, 20)] };
const V4_SET: PathAttributes = {
  origin: 2,
  asPath: [
    { type: 2, asns: [65001] },
    { type: 1, asns: [65030, 65031] },
  ],
  nextHop: parseAddress('192.0.2.1'),
  atomicAggregate: true,
  aggregator: { asn: 65001, address: 0xc0000209 },
};
const V6: PathAttributes = {
  origin: 0,
  asPath: [{ type: 2, asns: [4_200_000_001, 6939] }],
  mpReach: mpReach(2, '2001:db8::2', 'fe80::2'),
  largeCommunities: [[4_200_000_001, 7, 8]],
  communities: [community(64999, 100)],
};
const V4_OVER_V6: PathAttributes = { origin: 1, asPath: [{ type: 2, asns: [4_200_000_001, 3356] }], mpReach: mpReach(1, '2001:db8::2'), med: 0 };
const LOC: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [65001, 65010] }], nextHop: parseAddress('192.0.2.1'), localPref: 100 };
const C_V4 = (pathId: number): PathAttributes => ({
  origin: 0,
  asPath: [{ type: 2, asns: [64512, 64512, 3257 + pathId] }],
  nextHop: parseAddress(`203.0.113.${pathId + 1}`),
  communities: [community(64512, pathId)],
});
const C_V6: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [64512, 2914] }], mpReach: mpReach(2, '2001:db8:c::1') };
const MULTICAST: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [65001] }], mpReach: { ...mpReach(1, '192.0.2.1'), safi: 2 } };
const VPN: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [65001] }], mpReach: { ...mpReach(1, '192.0.2.1'), safi: 128 } };

/** Announce one route the way the ingest path does (the RIB keeps its own reference). */
export function announce(rib: Rib, router: string, peer: PeerKey, view: View, afi: number, safi: number, prefix: string, pathId: number, attrs: PathAttributes, rd?: string): void {
  const pv = rib.peerView({ router, peer, view, afi, safi });
  const multiprotocol = attrs.mpReach !== undefined;
  const attr = internUpdateAttributes(rib, attrs, multiprotocol);
  rib.announce(pv, rib.table(rd ?? null), parsePrefix(prefix), pathId, attr);
  rib.releaseAttributes(attr);
}

/** Routes the export must leave out, by reason, as the fixture made them. */
export const FIXTURE_SKIPPED = { rdTables: 1, otherFamilies: 1 };

/** When the fixture's clock starts (ms since the epoch); each reading of it is 7 s later. */
export const FIXTURE_CLOCK_START = 1_600_000_000_000;

/** The fixture RIB (see the module doc), on a clock that moves 7 s per reading, so every route has its own times. */
export function fixtureRib(): Rib {
  let now = FIXTURE_CLOCK_START;
  return populateFixture(new Rib({ keepMs: 3_600_000, now: () => (now += 7000) }));
}

/** Add the fixture's routes to `rib` (a service's, say); returns it. Its second router ends down (stale routes). */
export function populateFixture(rib: Rib): Rib {
  for (const p of ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24']) {
    announce(rib, R1, PEER_A, 'adj-rib-in-pre', 1, 1, p, 0, V4_PRE);
    announce(rib, R1, PEER_A, 'adj-rib-in-post', 1, 1, p, 0, V4_POST);
  }
  announce(rib, R1, PEER_A, 'adj-rib-in-post', 1, 1, '203.0.113.0/24', 0, V4_SET);
  announce(rib, R1, PEER_A, 'adj-rib-in-post', 1, 1, '0.0.0.0/0', 0, V4_POST);
  // Changed and changed back: its changedAt is later than its receivedAt.
  announce(rib, R1, PEER_A, 'adj-rib-in-post', 1, 1, '0.0.0.0/0', 0, V4_SET);
  announce(rib, R1, PEER_A, 'adj-rib-in-post', 1, 1, '0.0.0.0/0', 0, V4_POST);
  announce(rib, R1, PEER_A, 'adj-rib-in-post', 1, 2, '233.252.0.0/24', 0, MULTICAST);
  announce(rib, R1, PEER_A, 'adj-rib-in-post', 1, 128, '10.99.0.0/16', 0, VPN, '65000:100');
  for (const p of ['2001:db8:100::/40', '2001:db8:100:1::/64', '::/0']) announce(rib, R1, PEER_B, 'adj-rib-in-post', 2, 1, p, 0, V6);
  announce(rib, R1, PEER_B, 'adj-rib-in-post', 1, 1, '192.0.2.128/25', 0, V4_OVER_V6);
  announce(rib, R1, PEER_LOC, 'loc-rib', 1, 1, '10.1.0.0/16', 0, LOC);
  // Router 2: ADD-PATH routes (path id 0 beside others), the same peer A, then the router goes down (stale).
  for (const pathId of [0, 1, 2]) announce(rib, R2, PEER_C, 'adj-rib-in-post', 1, 1, '10.1.2.0/24', pathId, C_V4(pathId));
  announce(rib, R2, PEER_C, 'adj-rib-in-post', 1, 1, '198.51.100.0/24', 5, C_V4(5));
  announce(rib, R2, PEER_C, 'adj-rib-in-post', 2, 1, '2001:db8:100::/40', 7, C_V6);
  announce(rib, R2, PEER_A, 'adj-rib-in-post', 1, 1, '10.0.0.0/8', 0, V4_R2);
  rib.routerDown(R2);
  return rib;
}

/** A route with its prefix, as the queries give it. */
export interface ExpectedRoute {
  prefix: string;
  route: RouteJson;
}

/**
 * Every route of the global table the export should write, from the RIB's queries: IPv4/IPv6
 * unicast only; per (router, peer, family) only its most preferred view, or only `view`.
 */
export function expectedRoutes(rib: Rib, options: { router?: string; view?: View } = {}): ExpectedRoute[] {
  const all: ExpectedRoute[] = [];
  for (const root of ['0.0.0.0/0', '::/0']) {
    const top = rib.routes(root);
    for (const p of [...(top ? [top] : []), ...rib.moreSpecifics(root)]) {
      for (const route of p.routes) {
        if (route.afiSafi !== 'ipv4-unicast' && route.afiSafi !== 'ipv6-unicast') continue;
        if (options.router !== undefined && route.router !== options.router) continue;
        if (options.view !== undefined && route.view !== options.view) continue;
        all.push({ prefix: p.prefix, route });
      }
    }
  }
  const key = (r: RouteJson): string => JSON.stringify([r.router, r.peer, r.afiSafi]);
  const best = new Map<string, number>();
  for (const { route } of all) {
    const rank = VIEWS.indexOf(route.view as View);
    best.set(key(route), Math.min(best.get(key(route)) ?? 99, rank));
  }
  return all.filter(({ route }) => VIEWS.indexOf(route.view as View) === best.get(key(route)));
}

/** One comparable line per route: what an MRT RIB entry can carry. */
export function routeTuple(
  prefix: string,
  r: { peer: { address: string; asn: number; bgpId: string }; pathId: number } & Omit<RouteJson, 'router' | 'peer' | 'view' | 'afiSafi' | 'rd' | 'pathId' | 'stale' | 'restored' | 'lostAt' | 'originAs' | 'receivedAt'>,
): string {
  return JSON.stringify([
    prefix,
    r.changedAt,
    r.peer.address,
    r.peer.asn,
    r.peer.bgpId,
    r.pathId,
    r.nextHop,
    r.origin,
    r.asPath,
    r.med,
    r.localPref,
    r.communities,
    r.largeCommunities,
    r.extendedCommunities,
  ]);
}

/** An export read back: its PEER_INDEX_TABLE, its RIB records, and one comparable line per route. */
export interface Decoded {
  table: MrtPeerIndexTable;
  ribs: MrtRib[];
  /** One {@link routeTuple} per RIB entry, sorted. */
  tuples: string[];
}

/** Read an export back with our MRT reader and BGP decoder (asserting it is well framed). */
export function decodeExport(bytes: Uint8Array): Decoded {
  const framer = new MrtFramer();
  const records = framer.push(bytes);
  assert.equal(framer.pendingRecord(), undefined, 'the file ends on a record boundary');
  const [table, ...rest] = records;
  assert.equal(table?.kind, 'peer-index-table');
  const ribs: MrtRib[] = [];
  const tuples: string[] = [];
  for (const record of rest) {
    assert.equal(record.kind, 'rib');
    ribs.push(record);
    let i = 0;
    forEachMrtRoute(record, (route) => {
      const entry = record.entries[i++]!;
      const peer = { address: route.peerAddress.toString(), asn: route.peerAs, bgpId: formatIPv4(entry.peer.bgpId) };
      // The entry's originated time is the route's changedAt (mrt-export.ts).
      const changedAt = new Date(entry.originatedTime * 1000).toISOString();
      tuples.push(routeTuple(route.prefix.toString(), { peer, pathId: route.pathId ?? 0, changedAt, ...attributesToJson(route.attributes!) }));
    });
  }
  return { table, ribs, tuples: tuples.sort() };
}

/** {@link routeTuple}s of {@link expectedRoutes}, sorted. */
export function expectedTuples(rib: Rib, options: { router?: string; view?: View } = {}): string[] {
  return expectedRoutes(rib, options)
    .map(({ prefix, route }) => routeTuple(prefix, route))
    .sort();
}
