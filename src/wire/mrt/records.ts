/**
 * The decoded MRT data model: one plain object per MRT record.
 *
 * Representation choices:
 * - Every record carries its {@link MrtHeader}, including the byte offset of the record in
 *   the (decompressed) stream, so any later problem can name where the record came from.
 * - Byte blocks that belong to another layer are kept as `Uint8Array` views, not copies and
 *   not decoded: the path attribute block of a RIB entry and the whole BGP message of a
 *   BGP4MP record. `wire/bgp` decodes them (see attribute-decode.ts and mp-reach.ts for the MRT-specific context).
 *   A view keeps its chunk of the file alive; copy it (`slice()`) to keep a record long.
 * - Addresses and prefixes are the `ip/` classes; AS numbers and BGP identifiers are uint32
 *   numbers (identifiers in network order, print with `formatIPv4`).
 * - RIB entries of a TABLE_DUMP_V2 record point at their peer in the last PEER_INDEX_TABLE
 *   seen in the same stream (one shared object per peer, no copies).
 */
import type { Address } from '../../ip/address.js';
import type { Prefix } from '../../ip/prefix.js';

/** The common MRT header of a record. */
export interface MrtHeader {
  /** Seconds since the Unix epoch (uint32). */
  timestamp: number;
  /** Microseconds for the *_ET types (0 otherwise). */
  microseconds: number;
  type: number;
  subtype: number;
  /** Body length in bytes as stored in the header (for *_ET types it includes the 4 microsecond bytes). */
  length: number;
  /** Offset of the record's first header byte in the decompressed stream. */
  offset: number;
}

/** One peer of a TABLE_DUMP_V2 PEER_INDEX_TABLE. */
export interface MrtPeer {
  /** Index in the table (what RIB entries refer to). */
  index: number;
  /** Peer BGP identifier, uint32. */
  bgpId: number;
  /** Peer IP address. */
  address: Address;
  /** Peer AS number. */
  asn: number;
  /** Whether the table stored the AS in 4 bytes. */
  fourOctetAs: boolean;
}

/** TABLE_DUMP_V2 PEER_INDEX_TABLE: the peers RIB entries refer to by index. */
export interface MrtPeerIndexTable {
  kind: 'peer-index-table';
  header: MrtHeader;
  /** Collector BGP identifier, uint32. */
  collectorId: number;
  /** View name (often empty). */
  viewName: string;
  peers: MrtPeer[];
}

/** One route of a TABLE_DUMP_V2 RIB record: a peer's path for the record's prefix. */
export interface MrtRibEntry {
  peerIndex: number;
  /** The peer, resolved against the stream's PEER_INDEX_TABLE. */
  peer: MrtPeer;
  /** When the route was received, seconds since the epoch. */
  originatedTime: number;
  /** RFC 8050 path identifier (ADD-PATH subtypes), else undefined. */
  pathId: number | undefined;
  /**
   * The path attribute block (4-octet AS numbers always; MP_REACH_NLRI may be the
   * abbreviated next-hop-only form of RFC 6396 section 4.3.4).
   */
  attributes: Uint8Array;
}

/** TABLE_DUMP_V2 RIB_IPV4/IPV6_UNICAST/MULTICAST (and their ADD-PATH forms), RIB_GENERIC. */
export interface MrtRib {
  kind: 'rib';
  header: MrtHeader;
  sequence: number;
  /** 1 IPv4, 2 IPv6 (from the subtype, or the RIB_GENERIC AFI field). */
  afi: number;
  /** 1 unicast, 2 multicast (from the subtype, or the RIB_GENERIC SAFI field). */
  safi: number;
  /** Whether entries carry path identifiers (RFC 8050 subtypes). */
  addPath: boolean;
  /**
   * The prefix. For RIB_GENERIC with an AFI/SAFI other than IPv4/IPv6 unicast/multicast
   * it is undefined and {@link nlri} holds the NLRI bytes.
   */
  prefix: Prefix | undefined;
  /** RIB_GENERIC: the NLRI bytes as stored (length byte first); undefined for the fixed subtypes. */
  nlri: Uint8Array | undefined;
  entries: MrtRibEntry[];
}

/** TABLE_DUMP (v1): one route of one peer. */
export interface MrtTableDump {
  kind: 'table-dump';
  header: MrtHeader;
  viewNumber: number;
  sequence: number;
  prefix: Prefix;
  status: number;
  originatedTime: number;
  peerAddress: Address;
  /** Peer AS (2 bytes in this format). */
  peerAs: number;
  /** Path attribute block, 2-octet AS numbers. */
  attributes: Uint8Array;
}

/** Fields shared by BGP4MP messages and state changes. */
export interface MrtBgp4mpPeering {
  header: MrtHeader;
  /** Whether AS numbers in the record (and in a carried message) are 4 bytes. */
  fourOctetAs: boolean;
  peerAs: number;
  localAs: number;
  interfaceIndex: number;
  /** 1 IPv4, 2 IPv6: the family of the two addresses. */
  afi: number;
  peerAddress: Address;
  localAddress: Address;
}

/** BGP4MP(_ET) MESSAGE* subtypes: one BGP message on a session. */
export interface MrtBgp4mpMessage extends MrtBgp4mpPeering {
  kind: 'bgp4mp-message';
  /** MESSAGE_LOCAL* subtypes: the message was sent by the collector, not received. */
  local: boolean;
  /** MESSAGE*_ADDPATH subtypes: NLRI carry path identifiers (RFC 8050). */
  addPath: boolean;
  /** The whole BGP message, marker included. */
  message: Uint8Array;
}

/** BGP4MP(_ET) STATE_CHANGE(_AS4): a session's FSM moved from one state to another. */
export interface MrtBgp4mpStateChange extends MrtBgp4mpPeering {
  kind: 'bgp4mp-state-change';
  /** RFC 4271 FSM states: 1 Idle, 2 Connect, 3 Active, 4 OpenSent, 5 OpenConfirm, 6 Established. */
  oldState: number;
  newState: number;
}

/** A record of a type or subtype ribstore does not decode, kept as bytes. */
export interface MrtUnknown {
  kind: 'unknown';
  header: MrtHeader;
  body: Uint8Array;
}

/** Any decoded MRT record. */
export type MrtRecord = MrtPeerIndexTable | MrtRib | MrtTableDump | MrtBgp4mpMessage | MrtBgp4mpStateChange | MrtUnknown;
