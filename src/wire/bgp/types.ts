/**
 * The decoded BGP-4 data model: plain data shared by the BGP, BMP, MRT, RIB and API layers.
 *
 * Representation choices (stable; other layers rely on them):
 * - Prefixes are {@link Prefix} from `src/ip` (numeric words, host bits zero).
 * - IP addresses that are forwarding addresses (NEXT_HOP, the MP_REACH next hops) are
 *   {@link Address} from `src/ip`.
 * - 4-byte identifiers that are not forwarding addresses (the OPEN's BGP Identifier,
 *   ORIGINATOR_ID, CLUSTER_LIST ids, the AGGREGATOR's address) are uint32 numbers in network
 *   order (`formatIPv4(n)` prints them as a dotted quad). They are compared and interned as
 *   numbers, never routed to.
 * - AS numbers are uint32 numbers. The AS_PATH is a list of segments, each a type and an
 *   array of ASNs, after merging AS4_PATH per RFC 6793 section 4.2.3, so it always holds
 *   real 4-octet ASNs whatever the session spoke.
 * - Communities (RFC 1997) are uint32 numbers (`(asn << 16) | value`), large communities
 *   (RFC 8092) are `[global, local1, local2]`, extended communities (RFC 4360) are the
 *   8-byte value as two uint32 halves `[high, low]`. See communities.ts for the text forms
 *   `"65000:1"`, `"65000:1:2"`, `"rt 65000:100"`.
 * - Attributes ribstore does not model are kept as {@link RawAttribute}: flags, type code and
 *   value bytes, so they re-encode unchanged.
 *
 * Everything here is plain data (objects, arrays, numbers, `Uint8Array`, and the two `ip/`
 * value classes): no methods, no cycles. Decoders allocate these; the allocation-free ingest
 * path is `walkUpdate` (update.ts), which hands out numbers through a reused cursor instead.
 */
import type { Address } from '../../ip/address.js';
import type { Prefix } from '../../ip/prefix.js';
import type { BgpDecodeError } from './errors.js';

/** ORIGIN values (RFC 4271 section 5.1.1): 0 IGP, 1 EGP, 2 INCOMPLETE. */
export type Origin = 0 | 1 | 2;

/**
 * AS_PATH segment types: 1 AS_SET, 2 AS_SEQUENCE (RFC 4271), 3 AS_CONFED_SEQUENCE,
 * 4 AS_CONFED_SET (RFC 5065).
 */
export type AsPathSegmentType = 1 | 2 | 3 | 4;

/** One AS_PATH segment: its type and its ASNs in wire order (uint32 each). */
export interface AsPathSegment {
  type: AsPathSegmentType;
  asns: number[];
}

/** The AGGREGATOR attribute (merged with AS4_AGGREGATOR): the ASN and the uint32 address. */
export interface Aggregator {
  asn: number;
  /** The aggregating speaker's IPv4 address as a uint32 (a BGP Identifier in practice). */
  address: number;
}

/** A large community (RFC 8092): `[global administrator, local data 1, local data 2]`, uint32 each. */
export type LargeCommunity = [number, number, number];

/** An extended community (RFC 4360): the 8 bytes as `[high 32 bits, low 32 bits]`, uint32 each. */
export type ExtendedCommunity = [number, number];

/**
 * A route distinguisher (RFC 4364 section 4.2): the 2-byte type and its two value fields.
 * Type 0: `admin` is a 2-byte ASN, `assigned` 4 bytes. Type 1: `admin` is an IPv4 address
 * (uint32), `assigned` 2 bytes. Type 2: `admin` is a 4-byte ASN, `assigned` 2 bytes.
 * Any other type is read with the type-0 layout, which keeps all 6 value bytes.
 * Text form (see `formatRouteDistinguisher`): `type:admin:assigned`, e.g. `0:65000:100`,
 * `1:192.0.2.1:7`.
 */
export interface RouteDistinguisher {
  type: number;
  admin: number;
  assigned: number;
}

/**
 * One NLRI entry: a prefix with its optional ADD-PATH path identifier, MPLS label stack and
 * route distinguisher. Every decoder sets all four properties (undefined when absent) so
 * the objects share one shape.
 */
export interface Nlri {
  prefix: Prefix;
  /** RFC 7911 path identifier (uint32), present when ADD-PATH is in use for the family. */
  pathId: number | undefined;
  /**
   * RFC 8277 label stack (SAFI 4 and 128): each entry is the 3-byte field as read, so
   * `entry >>> 4` is the 20-bit label, `(entry >>> 1) & 7` the TC bits and `entry & 1`
   * the bottom-of-stack bit. See `labelValue`.
   */
  labels: number[] | undefined;
  /** Route distinguisher (SAFI 128). */
  rd: RouteDistinguisher | undefined;
}

/** An attribute kept as bytes: unknown type codes, and known ones ribstore does not model. */
export interface RawAttribute {
  /**
   * The attribute flags as received, optional 0x80, transitive 0x40 and partial 0x20 only:
   * the encoder sets the extended-length bit (0x10) from the value's size, and the low four
   * bits are unused (RFC 4271: sent as zero, ignored on receipt).
   */
  flags: number;
  /** The attribute type code. */
  type: number;
  /** The attribute value (copied out of the message). */
  value: Uint8Array;
}

/**
 * MP_REACH_NLRI (RFC 4760): routes of one AFI/SAFI with their next hop.
 *
 * Next hop forms, by the next-hop length: 4 IPv4; 16 IPv6 global; 32 IPv6 global + link-local;
 * 12 / 24 / 48 the same with an 8-byte route distinguisher in front of each address (VPN;
 * the RD is normally zero). An IPv6 next hop with IPv4 NLRI is RFC 5549 / 8950.
 */
export interface MpReach {
  afi: number;
  safi: number;
  /** The (first) next-hop address; undefined for an unknown family or an empty next hop. */
  nextHop: Address | undefined;
  /** The IPv6 link-local next hop of a 32- or 48-byte next hop. */
  linkLocalNextHop: Address | undefined;
  /** The route distinguisher in front of a VPN next hop (12/24/48 bytes). */
  nextHopRd: RouteDistinguisher | undefined;
  /**
   * The next-hop field as bytes, as received (the whole truth for unknown families).
   * Encoders write these bytes when not empty, else build the field from `nextHop`,
   * `linkLocalNextHop` and `nextHopRd`; to build or change a next hop, leave this empty.
   */
  nextHopBytes: Uint8Array;
  /** The routes; empty for an unknown family. */
  nlri: Nlri[];
  /** For an AFI/SAFI this decoder does not know: the NLRI bytes, kept unparsed. */
  unknownNlri: Uint8Array | undefined;
}

/** MP_UNREACH_NLRI (RFC 4760): withdrawn routes of one AFI/SAFI. */
export interface MpUnreach {
  afi: number;
  safi: number;
  /** The withdrawn routes; empty for an unknown family (and for an End-of-RIB marker). */
  nlri: Nlri[];
  /** For an AFI/SAFI this decoder does not know: the NLRI bytes, kept unparsed. */
  unknownNlri: Uint8Array | undefined;
}

/**
 * The path attributes of an UPDATE (or of an MRT RIB entry). Absent attributes are
 * undefined. AS4_PATH and AS4_AGGREGATOR never appear here: they are merged into
 * `asPath` and `aggregator` on decode and regenerated on encode for 2-octet sessions.
 */
export interface PathAttributes {
  origin?: Origin;
  asPath?: AsPathSegment[];
  /** NEXT_HOP (type 3), the IPv4 next hop of the UPDATE's own NLRI field. */
  nextHop?: Address;
  /** MULTI_EXIT_DISC, uint32. */
  med?: number;
  /** LOCAL_PREF, uint32. */
  localPref?: number;
  /** ATOMIC_AGGREGATE: true when present. */
  atomicAggregate?: boolean;
  aggregator?: Aggregator;
  /** COMMUNITIES (RFC 1997), uint32 each, in wire order. */
  communities?: number[];
  /** ORIGINATOR_ID (RFC 4456) as a uint32. */
  originatorId?: number;
  /** CLUSTER_LIST (RFC 4456), uint32 cluster ids in wire order. */
  clusterList?: number[];
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
  /** EXTENDED_COMMUNITIES (RFC 4360), in wire order. */
  extendedCommunities?: ExtendedCommunity[];
  /** LARGE_COMMUNITY (RFC 8092), in wire order. */
  largeCommunities?: LargeCommunity[];
  /** Only to Customer (RFC 9234), the ASN. */
  otc?: number;
  /** Attributes kept as bytes, in type-code order. */
  unknown?: RawAttribute[];
}

/** BGP OPEN capability (RFC 5492), decoded for the codes ribstore knows, raw otherwise. */
export type Capability =
  | { kind: 'multiprotocol'; code: 1; afi: number; safi: number }
  | { kind: 'route-refresh'; code: 2 }
  | { kind: 'extended-message'; code: 6 }
  | {
      kind: 'graceful-restart';
      code: 64;
      /** The 4 restart flags bits (R = 8, N = 4). */
      flags: number;
      /** Restart time in seconds (12 bits). */
      restartTime: number;
      /** Per family: AFI, SAFI and the flags byte (F = 0x80, forwarding state preserved). */
      families: { afi: number; safi: number; flags: number }[];
    }
  | { kind: 'four-octet-as'; code: 65; asn: number }
  | {
      kind: 'add-path';
      code: 69;
      /** Per family: 1 receive, 2 send, 3 both (RFC 7911 section 4). */
      families: { afi: number; safi: number; sendReceive: number }[];
    }
  | { kind: 'unknown'; code: number; value: Uint8Array };

/** OPEN message (RFC 4271 section 4.2). */
export interface BgpOpen {
  type: 'open';
  /** BGP version, 4. */
  version: number;
  /** The 2-byte My Autonomous System field (AS_TRANS 23456 for a 4-octet ASN). */
  myAs: number;
  /** The speaker's ASN: the (first) 4-octet AS capability's value if present, else `myAs`. */
  asn: number;
  holdTime: number;
  /** BGP Identifier as a uint32. */
  bgpId: number;
  /** Capabilities from every Capabilities optional parameter, in wire order. */
  capabilities: Capability[];
  /** Optional parameters other than capabilities (type 2), kept raw. */
  otherParameters: { type: number; value: Uint8Array }[];
}

/** UPDATE message (RFC 4271 section 4.3) as decoded. */
export interface BgpUpdate {
  type: 'update';
  /** Withdrawn Routes field (IPv4 unicast). MP_UNREACH routes are in `attributes.mpUnreach`. */
  withdrawn: Nlri[];
  attributes: PathAttributes;
  /** NLRI field (IPv4 unicast). MP_REACH routes are in `attributes.mpReach`. */
  announced: Nlri[];
  /**
   * RFC 7606 errors that did not end the session, in the order found. When one of them
   * says `treat-as-withdraw`, `treatAsWithdraw` is true and the caller must treat every
   * announced route of this UPDATE (NLRI field and MP_REACH) as withdrawn.
   */
  errors: BgpDecodeError[];
  /** Whether RFC 7606 treat-as-withdraw applies to this UPDATE. */
  treatAsWithdraw: boolean;
  /** How many MP_REACH/MP_UNREACH attributes had an AFI/SAFI this decoder does not know. */
  unknownFamilies: number;
}

/** NOTIFICATION message (RFC 4271 section 4.5). */
export interface BgpNotification {
  type: 'notification';
  code: number;
  subcode: number;
  data: Uint8Array;
}

/** KEEPALIVE message (RFC 4271 section 4.4). */
export interface BgpKeepalive {
  type: 'keepalive';
}

/** ROUTE-REFRESH message (RFC 2918; subtype from RFC 7313: 0 normal, 1 BoRR, 2 EoRR). */
export interface BgpRouteRefresh {
  type: 'route-refresh';
  afi: number;
  safi: number;
  subtype: number;
}

/** Any decoded BGP message. */
export type BgpMessage = BgpOpen | BgpUpdate | BgpNotification | BgpKeepalive | BgpRouteRefresh;
