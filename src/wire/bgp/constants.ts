/**
 * BGP-4 protocol numbers: message types, attribute type codes and flags, AFI/SAFI values,
 * capability codes, and the NOTIFICATION codes the decoder reports with session errors.
 * Values come from the IANA BGP registries; each group names its RFC.
 */

/** Length of the fixed header: 16-byte marker, 2-byte length, 1-byte type (RFC 4271 4.1). */
export const BGP_HEADER_LENGTH = 19;
/** Largest message without the Extended Message capability (RFC 4271). */
export const BGP_MAX_MESSAGE_LENGTH = 4096;
/** Largest message with the Extended Message capability (RFC 8654). */
export const BGP_MAX_EXTENDED_MESSAGE_LENGTH = 65535;
/** AS_TRANS, the 2-octet stand-in for a 4-octet ASN (RFC 6793). */
export const AS_TRANS = 23456;

/** Message type codes (RFC 4271, RFC 2918). */
export const BgpMessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;

/** Path attribute type codes (IANA "BGP Path Attributes"). */
export const AttributeType = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  LARGE_COMMUNITY: 32,
  OTC: 35,
} as const;

/** Attribute flag bits (RFC 4271 4.3). */
export const AttributeFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

/** Address Family Identifiers ribstore decodes. */
export const Afi = { IPV4: 1, IPV6: 2 } as const;

/** Subsequent AFIs ribstore decodes. */
export const Safi = { UNICAST: 1, MULTICAST: 2, LABELED_UNICAST: 4, MPLS_VPN: 128 } as const;

/** Capability codes ribstore decodes (IANA "Capability Codes"). */
export const CapabilityCode = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  EXTENDED_MESSAGE: 6,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_AS: 65,
  ADD_PATH: 69,
} as const;

/** NOTIFICATION error codes (RFC 4271 4.5). */
export const NotificationCode = {
  MESSAGE_HEADER_ERROR: 1,
  OPEN_MESSAGE_ERROR: 2,
  UPDATE_MESSAGE_ERROR: 3,
  HOLD_TIMER_EXPIRED: 4,
  FSM_ERROR: 5,
  CEASE: 6,
  ROUTE_REFRESH_MESSAGE_ERROR: 7,
} as const;

/** NOTIFICATION subcodes the decoder reports (RFC 4271 6.1-6.3). */
export const NotificationSubcode = {
  /** Message Header Error subcodes. */
  CONNECTION_NOT_SYNCHRONIZED: 1,
  BAD_MESSAGE_LENGTH: 2,
  BAD_MESSAGE_TYPE: 3,
  /** OPEN Message Error subcodes. */
  UNSUPPORTED_VERSION: 1,
  /** Any message whose body cannot be parsed but has no better subcode. */
  UNSPECIFIC: 0,
  /** UPDATE Message Error subcodes. */
  MALFORMED_ATTRIBUTE_LIST: 1,
  ATTRIBUTE_LENGTH_ERROR: 5,
  INVALID_NETWORK_FIELD: 10,
  OPTIONAL_ATTRIBUTE_ERROR: 9,
} as const;

/** The key ribstore uses for an AFI/SAFI pair in sets and maps: `afi * 256 + safi`. */
export function familyKey(afi: number, safi: number): number {
  return afi * 256 + safi;
}
