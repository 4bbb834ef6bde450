/**
 * The JSON shapes of RIB query answers: the HTTP API contract of issue 4, so the API layer
 * only serialises. Plain data: strings, numbers, arrays, null for "absent".
 */
import type { PeerTypeName } from '../wire/bmp/names.js';
import type { View } from './peer-registry.js';
import type { DECISION_STEPS, DecisionStep } from './route-decision.js';

/** BMP peer type names are wire/bmp's (names.ts); re-exported for the RIB's query side. */
export { type PeerTypeName, peerTypeName } from '../wire/bmp/names.js';

/** A peer as queries show it. */
export interface PeerJson {
  /** Peer address, canonical text. */
  address: string;
  asn: number;
  /** BGP identifier, dotted quad. */
  bgpId: string;
  type: PeerTypeName;
  /** Peer distinguisher text (`"0:0"` for a global-instance peer). */
  distinguisher: string;
}

/** The attribute part of a route as queries show it (decoded from the interned set). */
export interface AttributesJson {
  /** Next hop address text (the MP_REACH next hop for multiprotocol routes), null if none. */
  nextHop: string | null;
  origin: 'igp' | 'egp' | 'incomplete' | null;
  /** ASNs in path order; an AS_SET is a nested array. Confederation segments likewise (sets nested). */
  asPath: (number | number[])[];
  /** The last ASN of the path when it ends with an AS_SEQUENCE (or a one-element AS_SET), else null. */
  originAs: number | null;
  med: number | null;
  localPref: number | null;
  /** RFC 1997 communities, `"65000:1"`. */
  communities: string[];
  /** RFC 8092 large communities, `"65000:1:2"`. */
  largeCommunities: string[];
  /** RFC 4360 extended communities in their text form. */
  extendedCommunities: string[];
  /** ATOMIC_AGGREGATE present (RFC 4271 5.1.6). */
  atomicAggregate: boolean;
  /** AGGREGATOR (RFC 4271 5.1.7; AS4_AGGREGATOR merged): the aggregating AS and speaker address, null if absent. */
  aggregator: { asn: number; address: string } | null;
  /** ORIGINATOR_ID (RFC 4456) as an IPv4 address text, null if absent. */
  originatorId: string | null;
  /** CLUSTER_LIST (RFC 4456) cluster ids as IPv4 address texts, in wire order. */
  clusterList: string[];
  /** Only to Customer (RFC 9234): the ASN, null if absent. */
  otc: number | null;
  /** Attributes ribstore keeps as bytes (unknown or not modelled): type code, flags and value in hex, by type. */
  unknownAttributes: { type: number; flags: number; value: string }[];
}

/** One route as queries show it. */
export interface RouteJson extends AttributesJson {
  /** Router name (the BMP session source). */
  router: string;
  peer: PeerJson;
  view: View;
  /** e.g. `ipv4-unicast`, `ipv6-vpn`. */
  afiSafi: string;
  /** Route distinguisher text for VPN routes, else null. */
  rd: string | null;
  /** ADD-PATH path identifier (0 without ADD-PATH). */
  pathId: number;
  /** Whether the route is kept from a previous session of its router (to be replaced or swept). */
  stale: boolean;
  /** Whether the route was restored from a snapshot file at start-up (it is then stale too, until its router re-announces it). */
  restored: boolean;
  /**
   * When the route was first seen (ISO-8601, whole seconds): its first announcement since it
   * was last absent. An identical re-announcement and a stale route re-announced after its
   * router reconnects keep it; a withdrawn route announced again is new. For routes loaded
   * from an MRT RIB dump, the dump's originated time. Null when not known (routes restored
   * from a snapshot of format version 1, which kept no ages).
   */
  receivedAt: string | null;
  /** When the route's attributes last changed (ISO-8601, whole seconds); `receivedAt` if never since. Null when not known. */
  changedAt: string | null;
  /**
   * Why this route is not the best of those shown: the step of the preference order at which
   * it lost to the first route (see {@link DECISION_STEPS}); null for the best route itself.
   */
  lostAt: DecisionStep | null;
}

/** A prefix and its routes, best first. */
export interface PrefixRoutesJson {
  prefix: string;
  /** Route distinguisher of the table the prefix is in (null: the global table). */
  rd: string | null;
  routes: RouteJson[];
}

/** Answer of `lookup`. */
export interface LookupJson extends PrefixRoutesJson {
  /** True when the asked router had no route and routes of other routers are shown. */
  fallback: boolean;
}

/** A peer with its state and route counts, for `peers(router)`. */
export interface PeerStatusJson extends PeerJson {
  state: 'up' | 'down';
  /** Routes per view (stale ones included). */
  routes: Record<View, number>;
  /** Stale routes (kept from a previous session). */
  staleRoutes: number;
  /** Routes per AFI/SAFI name. */
  routesByAfiSafi: Record<string, number>;
}

/** A router, for `routers()`. */
export interface RouterStatusJson {
  name: string;
  state: 'up' | 'down';
  /** ISO time the router went down, while down. */
  downSince: string | null;
  /** ISO time its stale routes are flushed, if a flush is pending. */
  flushAt: string | null;
  peers: number;
  routes: number;
}

/** Summary statistics, for `stats()`. */
export interface RibStatsJson {
  routers: number;
  peers: number;
  peerViews: number;
  routes: number;
  /** Distinct (table, prefix) pairs with at least one route. */
  prefixes: number;
  /** Live interned attribute sets. */
  attributeSets: number;
  /** Routes waiting to be swept (of flushed peers). */
  pendingFlush: number;
  /**
   * Committed bytes of the RIB's typed arrays: route sets (entries and per-prefix slots),
   * attribute pool (ids, summaries, arena, hash table) and prefix tables (tries).
   */
  memory: { routeBytes: number; attributeBytes: number; tableBytes: number };
}
