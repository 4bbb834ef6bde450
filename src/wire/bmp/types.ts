/**
 * The BMP data model: what {@link decodeBmpMessage} returns and {@link encodeBmpMessage} takes.
 *
 * BMP (RFC 7854, version 3) wraps BGP PDUs in a small envelope. Every message starts with
 * the 6-byte common header; all but Initiation and Termination then carry the 42-byte
 * per-peer header (see peer-header.ts):
 *
 * ```
 *  0        1                 5        6
 *  +--------+-----------------+--------+----------------------------------
 *  |version | message length  |  type  | per-peer header (types 0-3, 6) | body ...
 *  |  = 3   | (whole message) |        |         42 bytes               |
 *  +--------+-----------------+--------+----------------------------------
 * ```
 *
 * Invariants of the model:
 * - It is plain data, one object per message, discriminated by `kind`.
 * - BGP PDUs inside BMP (the UPDATE of a Route Monitoring message, the two OPENs of a Peer Up,
 *   the NOTIFICATION of a Peer Down, mirrored messages) are kept as the raw BGP message bytes,
 *   19-byte BGP header included. They are `subarray` views of the decoded buffer, not copies:
 *   copy them if you keep them beyond the buffer's life. Decoding them needs the per-peer
 *   context (4-octet AS, ADD-PATH) that {@link BmpSession} keeps.
 * - TLVs keep their type code and raw value bytes, so unknown TLV types survive a round trip.
 * - 64-bit gauges are `bigint` (exact); 32-bit counters are `number`.
 */
import type { Address } from '../../ip/address.js';
import type { BmpPeerHeader } from './peer-header.js';

/** BMP version this codec speaks (RFC 7854). Versions 1 and 2 had a different header. */
export const BMP_VERSION = 3;

/** Length of the common header: version (1), message length (4), message type (1). */
export const BMP_COMMON_HEADER_LENGTH = 6;

/** Length of the per-peer header. */
export const BMP_PEER_HEADER_LENGTH = 42;

/** BMP message type codes (IANA "BMP Message Types"). */
export const BmpMessageType = {
  RouteMonitoring: 0,
  StatisticsReport: 1,
  PeerDown: 2,
  PeerUp: 3,
  Initiation: 4,
  Termination: 5,
  RouteMirroring: 6,
} as const;

/** BMP peer type codes (RFC 7854 4.2, RFC 9069 for Loc-RIB). */
export const BmpPeerType = {
  /** A peer of the router's global routing instance. */
  Global: 0,
  /** A peer in a VRF identified by its route distinguisher (RFC 7854 "RD Instance Peer"). */
  RdInstance: 1,
  /** A peer in a local instance identified by a locally unique 8-byte id. */
  LocalInstance: 2,
  /** The router's own Loc-RIB (RFC 9069); the distinguisher names the VRF (0 for the global table). */
  LocRib: 3,
} as const;

/** Per-peer header flag bits for peer types 0-2 (and unknown types). */
export const BmpPeerFlag = {
  /** V: the peer address is IPv6 (else IPv4 in the last 4 bytes). */
  IPv6: 0x80,
  /** L: post-policy (else pre-policy) RIB. */
  PostPolicy: 0x40,
  /** A: the UPDATE uses the legacy 2-byte AS_PATH format (else 4-byte, RFC 6793). */
  LegacyAsPath: 0x20,
  /** O: Adj-RIB-Out (RFC 8671), else Adj-RIB-In. */
  AdjRibOut: 0x10,
} as const;

/** Per-peer header flag bits for the Loc-RIB peer type 3 (RFC 9069 4.2). */
export const BmpLocRibFlag = {
  /** F: the Loc-RIB is filtered (not every route is sent). */
  Filtered: 0x80,
} as const;

/** Peer Down reason codes (RFC 7854 4.9, RFC 9069 for 6). */
export const BmpPeerDownReason = {
  /** The local system closed the session; a BGP NOTIFICATION PDU follows. */
  LocalNotification: 1,
  /** The local system closed the session without a NOTIFICATION; a 2-byte FSM event code follows. */
  LocalNoNotification: 2,
  /** The remote system closed the session with a NOTIFICATION; the PDU follows. */
  RemoteNotification: 3,
  /** The remote system closed the session without a NOTIFICATION; no data. */
  RemoteNoData: 4,
  /** The peer was de-configured for monitoring; no data. */
  PeerDeconfigured: 5,
  /** The local system closed a Loc-RIB instance (RFC 9069); information TLVs follow. */
  LocalTlvs: 6,
} as const;

/** Initiation and Peer Up information TLV types (and Termination type 0). */
export const BmpInformationType = {
  /** Free-form UTF-8 text. */
  String: 0,
  /** Initiation: the router's sysDescr. */
  SysDescr: 1,
  /** Initiation: the router's sysName. */
  SysName: 2,
  /** Peer Up (RFC 9069): VRF/table name, UTF-8. */
  TableName: 3,
} as const;

/** Termination TLV types (RFC 7854 4.5). */
export const BmpTerminationType = {
  /** Free-form UTF-8 text. */
  String: 0,
  /** A 2-byte reason code, see {@link BmpTerminationReason}. */
  Reason: 1,
} as const;

/** Termination reason codes (RFC 7854 4.5). */
export const BmpTerminationReason = {
  AdministrativelyClosed: 0,
  Unspecified: 1,
  OutOfResources: 2,
  RedundantConnection: 3,
  PermanentlyAdministrativelyClosed: 4,
} as const;

/** Route Mirroring TLV types (RFC 7854 4.7). */
export const BmpMirroringType = {
  /** A whole BGP message. */
  BgpMessage: 0,
  /** A 2-byte information code: 0 errored PDU, 1 messages lost. */
  Information: 1,
} as const;

/** A type-length-value item: 2-byte type, 2-byte length, value bytes (a view). */
export interface BmpTlv {
  /** The TLV type code. */
  readonly type: number;
  /** The value bytes (length is `value.length`, at most 65535). */
  readonly value: Uint8Array;
}

/**
 * One Statistics Report counter (RFC 7854 4.8, RFC 8671 for Adj-RIB-Out types 14-17).
 *
 * `shape` tells how the value was read: a 32-bit `counter`, a 64-bit `gauge`, a per-AFI/SAFI
 * 64-bit gauge (`afiSafiGauge`), or `raw` bytes for a type this codec does not know or a known
 * type whose length does not match its shape (kept as sent rather than dropped).
 */
export type BmpStat =
  | { readonly type: number; readonly shape: 'counter'; readonly value: number }
  | { readonly type: number; readonly shape: 'gauge'; readonly value: bigint }
  | { readonly type: number; readonly shape: 'afiSafiGauge'; readonly afi: number; readonly safi: number; readonly value: bigint }
  | { readonly type: number; readonly shape: 'raw'; readonly value: Uint8Array };

/** Route Monitoring (type 0): one BGP UPDATE for one monitored peer's RIB view. */
export interface BmpRouteMonitoring {
  readonly kind: 'routeMonitoring';
  readonly peer: BmpPeerHeader;
  /** The whole BGP UPDATE message (BGP header included). */
  readonly update: Uint8Array;
  /**
   * Bytes after the UPDATE, when a router sends any. RFC 7854 defines none for version 3, but
   * real routers append vendor TLVs (Huawei VRP does on Loc-RIB peers); they are kept as sent
   * rather than failing the message.
   */
  readonly trailer?: Uint8Array;
}

/** Statistics Report (type 1). */
export interface BmpStatisticsReport {
  readonly kind: 'statisticsReport';
  readonly peer: BmpPeerHeader;
  /** The counters, in the order sent. */
  readonly stats: readonly BmpStat[];
}

/**
 * Peer Down (type 2). Which payload field is set depends on `reason`:
 * 1 and 3: `notification`; 2: `fsmEvent`; 6: `tlvs`; 4 and 5: none;
 * any other reason code: `data` holds the bytes after the reason as sent.
 */
export interface BmpPeerDown {
  readonly kind: 'peerDown';
  readonly peer: BmpPeerHeader;
  /** Reason code, see {@link BmpPeerDownReason}. */
  readonly reason: number;
  /** Reasons 1 and 3: the BGP NOTIFICATION message (BGP header included). */
  readonly notification?: Uint8Array;
  /** Reason 2: the BGP FSM event code (RFC 4271 8.1). */
  readonly fsmEvent?: number;
  /** Reason 6 (RFC 9069): information TLVs. */
  readonly tlvs?: readonly BmpTlv[];
  /** Unknown reasons: the raw bytes after the reason code. */
  readonly data?: Uint8Array;
}

/** Peer Up (type 3). */
export interface BmpPeerUp {
  readonly kind: 'peerUp';
  readonly peer: BmpPeerHeader;
  /**
   * The router's address on the session (IPv6 when the peer header's V flag is set).
   * Zero for Loc-RIB peers.
   */
  readonly localAddress: Address;
  /** The router's TCP port on the session. */
  readonly localPort: number;
  /** The peer's TCP port on the session. */
  readonly remotePort: number;
  /** The OPEN the router sent to the peer (BGP header included). */
  readonly sentOpen: Uint8Array;
  /** The OPEN the router received from the peer (BGP header included). */
  readonly receivedOpen: Uint8Array;
  /** Optional information TLVs (type 0 string, type 3 table name, ...). */
  readonly information: readonly BmpTlv[];
}

/** Initiation (type 4): the first message of a session, describing the router. */
export interface BmpInitiation {
  readonly kind: 'initiation';
  /** Information TLVs (0 string, 1 sysDescr, 2 sysName, ...). */
  readonly information: readonly BmpTlv[];
}

/** Termination (type 5): the last message of a session. */
export interface BmpTermination {
  readonly kind: 'termination';
  /** Termination TLVs (0 string, 1 reason code). */
  readonly information: readonly BmpTlv[];
}

/** Route Mirroring (type 6): verbatim BGP messages received from a peer, or a gap notice. */
export interface BmpRouteMirroring {
  readonly kind: 'routeMirroring';
  readonly peer: BmpPeerHeader;
  /** Mirroring TLVs (0 a BGP message, 1 an information code). */
  readonly tlvs: readonly BmpTlv[];
}

/**
 * A message of a type this codec does not know (7-255). RFC 7854 reserves them for future
 * use; a collector skips them rather than dropping the session.
 */
export interface BmpUnknownMessage {
  readonly kind: 'unknown';
  /** The message type code. */
  readonly typeCode: number;
  /** The bytes after the common header. */
  readonly body: Uint8Array;
}

/** Any decoded BMP message. */
export type BmpMessage =
  | BmpRouteMonitoring
  | BmpStatisticsReport
  | BmpPeerDown
  | BmpPeerUp
  | BmpInitiation
  | BmpTermination
  | BmpRouteMirroring
  | BmpUnknownMessage;

/** The `kind` of each message type code (index = type code). */
export const BMP_MESSAGE_KINDS = [
  'routeMonitoring',
  'statisticsReport',
  'peerDown',
  'peerUp',
  'initiation',
  'termination',
  'routeMirroring',
] as const;

/** Human-readable name of a message type code, for error messages: `"BMP Peer Up"`. */
export function bmpMessageTypeName(typeCode: number): string {
  switch (typeCode) {
    case 0:
      return 'BMP Route Monitoring';
    case 1:
      return 'BMP Statistics Report';
    case 2:
      return 'BMP Peer Down';
    case 3:
      return 'BMP Peer Up';
    case 4:
      return 'BMP Initiation';
    case 5:
      return 'BMP Termination';
    case 6:
      return 'BMP Route Mirroring';
    default:
      return `BMP message type ${typeCode}`;
  }
}
