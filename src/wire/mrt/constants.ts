/**
 * MRT type and subtype codes (RFC 6396, RFC 8050 ADD-PATH subtypes) and their names.
 *
 * Every MRT record starts with a common header; the type says which body layout follows,
 * the subtype refines it:
 *
 * ```
 *  0                   1                   2                   3
 * +-------------------------------------------------------------+
 * |                        Timestamp (s)                        |
 * +------------------------------+------------------------------+
 * |            Type              |           Subtype            |
 * +------------------------------+------------------------------+
 * |              Length (body bytes, after this header)         |
 * +-------------------------------------------------------------+
 * |   Microseconds (only for the *_ET types, counted in Length)  |
 * +-------------------------------------------------------------+
 * ```
 */

/** MRT record types ribstore decodes (others are passed through as unknown records). */
export const MrtType = {
  TABLE_DUMP: 12,
  TABLE_DUMP_V2: 13,
  BGP4MP: 16,
  BGP4MP_ET: 17,
} as const;

/** TABLE_DUMP (v1) subtypes: the address family of the prefix and peer. */
export const TableDumpSubtype = {
  AFI_IPV4: 1,
  AFI_IPV6: 2,
} as const;

/** TABLE_DUMP_V2 subtypes (RFC 6396 section 4.3, RFC 8050 section 4). */
export const TableDumpV2Subtype = {
  PEER_INDEX_TABLE: 1,
  RIB_IPV4_UNICAST: 2,
  RIB_IPV4_MULTICAST: 3,
  RIB_IPV6_UNICAST: 4,
  RIB_IPV6_MULTICAST: 5,
  RIB_GENERIC: 6,
  RIB_IPV4_UNICAST_ADDPATH: 8,
  RIB_IPV4_MULTICAST_ADDPATH: 9,
  RIB_IPV6_UNICAST_ADDPATH: 10,
  RIB_IPV6_MULTICAST_ADDPATH: 11,
  RIB_GENERIC_ADDPATH: 12,
} as const;

/** BGP4MP / BGP4MP_ET subtypes (RFC 6396 section 4.4, RFC 8050 section 3). */
export const Bgp4mpSubtype = {
  STATE_CHANGE: 0,
  MESSAGE: 1,
  MESSAGE_AS4: 4,
  STATE_CHANGE_AS4: 5,
  MESSAGE_LOCAL: 6,
  MESSAGE_AS4_LOCAL: 7,
  MESSAGE_ADDPATH: 8,
  MESSAGE_AS4_ADDPATH: 9,
  MESSAGE_LOCAL_ADDPATH: 10,
  MESSAGE_AS4_LOCAL_ADDPATH: 11,
} as const;

/** PEER_INDEX_TABLE peer type bits. */
export const PeerTypeBit = {
  /** The peer address is IPv6 (16 bytes) rather than IPv4. */
  IPV6: 1,
  /** The peer AS is 4 bytes rather than 2. */
  AS4: 2,
} as const;

/** Size of the common header; the *_ET types add 4 bytes of microseconds. */
export const MRT_HEADER_LENGTH = 12;

/**
 * Largest record body the reader accepts (16 MiB). Real records are below 1 MiB (a RIB
 * record for one prefix from a few hundred peers); a larger length is taken as corruption
 * instead of buffering the whole file.
 */
export const MAX_RECORD_LENGTH = 16 * 1024 * 1024;

const TYPE_NAMES: Record<number, string> = { 12: 'TABLE_DUMP', 13: 'TABLE_DUMP_V2', 16: 'BGP4MP', 17: 'BGP4MP_ET' };

const SUBTYPE_NAMES: Record<number, Record<number, string>> = {
  12: { 1: 'AFI_IPv4', 2: 'AFI_IPv6' },
  13: Object.fromEntries(Object.entries(TableDumpV2Subtype).map(([k, v]) => [v, k])),
  16: Object.fromEntries(Object.entries(Bgp4mpSubtype).map(([k, v]) => [v, k])),
  17: Object.fromEntries(Object.entries(Bgp4mpSubtype).map(([k, v]) => [v, k])),
};

/** `"TABLE_DUMP_V2/RIB_IPV4_UNICAST"`-style name of a type/subtype (numbers for unknown codes). */
export function mrtTypeName(type: number, subtype: number): string {
  const typeName = TYPE_NAMES[type] ?? `type ${type}`;
  const subtypeName = SUBTYPE_NAMES[type]?.[subtype] ?? `subtype ${subtype}`;
  return `MRT ${typeName}/${subtypeName}`;
}
