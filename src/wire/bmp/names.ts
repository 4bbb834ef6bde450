/**
 * Names of BMP code points that the API, the logs and `bmp dump` print: peer types, Peer Down
 * reasons and Statistics Report types. This is the one home of these tables; import them, do
 * not copy them.
 *
 * Sources:
 * - Peer types: RFC 7854 section 4.2 (types 0-2) and RFC 9069 section 4.1 (type 3, Loc-RIB).
 * - Peer Down reasons: RFC 7854 section 4.9 (codes 1-5) and RFC 9069 section 8.4 (code 6), as
 *   listed in the IANA "BMP Peer Down Reason Codes" registry
 *   (https://www.iana.org/assignments/bmp-parameters/, "BMP Peer Down Reason Codes").
 * - Statistics types: RFC 7854 section 4.8 (types 0-13) and RFC 8671 section 6.2 (types 14-17),
 *   as listed in the IANA "BMP Statistics Types" registry (same page). Later registrations
 *   (RFC 9972 and beyond) are not named here yet: they print as `unknown-N`, value intact.
 *
 * Names are stable kebab-case identifiers (API keys and values); `description` is the prose
 * for people. A code without a name is `unknown-N` (N the decimal code), so nothing a router
 * sends is dropped or merged with another code.
 */

/** A named code point: the stable identifier and a sentence for people. */
export interface BmpCodeName {
  /** Stable kebab-case identifier, e.g. `remote-notification`. */
  readonly name: string;
  /** What the code means, in words. */
  readonly description: string;
}

/** Peer Down reason codes by code (RFC 7854 4.9, RFC 9069 8.4). */
export const BMP_PEER_DOWN_REASON_NAMES: Readonly<Record<number, BmpCodeName>> = {
  1: { name: 'local-notification', description: 'local system closed the session (NOTIFICATION sent)' },
  2: { name: 'local-no-notification', description: 'local system closed the session (no NOTIFICATION; FSM event follows)' },
  3: { name: 'remote-notification', description: 'remote system closed the session (NOTIFICATION received)' },
  4: { name: 'remote-no-notification', description: 'remote system closed the session (no NOTIFICATION)' },
  5: { name: 'peer-deconfigured', description: 'peer de-configured for monitoring' },
  6: { name: 'local-system-closed', description: 'local system closed the Loc-RIB instance (TLV data follows)' },
};

/** Statistics Report types by type code (RFC 7854 4.8 for 0-13, RFC 8671 6.2 for 14-17). */
export const BMP_STAT_TYPE_NAMES: Readonly<Record<number, BmpCodeName>> = {
  0: { name: 'prefixes-rejected-by-inbound-policy', description: 'prefixes rejected by inbound policy' },
  1: { name: 'duplicate-prefix-advertisements', description: 'duplicate prefix advertisements' },
  2: { name: 'duplicate-withdraws', description: 'duplicate withdraws' },
  3: { name: 'updates-invalidated-by-cluster-list-loop', description: 'updates invalidated by CLUSTER_LIST loop' },
  4: { name: 'updates-invalidated-by-as-path-loop', description: 'updates invalidated by AS_PATH loop' },
  5: { name: 'updates-invalidated-by-originator-id', description: 'updates invalidated by ORIGINATOR_ID' },
  6: { name: 'updates-invalidated-by-as-confed-loop', description: 'updates invalidated by AS_CONFED loop' },
  7: { name: 'adj-rib-in-routes', description: 'routes in Adj-RIBs-In' },
  8: { name: 'loc-rib-routes', description: 'routes in Loc-RIB' },
  9: { name: 'adj-rib-in-routes-per-afi-safi', description: 'routes in per-AFI/SAFI Adj-RIB-In' },
  10: { name: 'loc-rib-routes-per-afi-safi', description: 'routes in per-AFI/SAFI Loc-RIB' },
  11: { name: 'updates-treated-as-withdraw', description: 'updates subjected to treat-as-withdraw' },
  12: { name: 'prefixes-treated-as-withdraw', description: 'prefixes subjected to treat-as-withdraw' },
  13: { name: 'duplicate-update-messages', description: 'duplicate update messages' },
  14: { name: 'pre-policy-adj-rib-out-routes', description: 'routes in pre-policy Adj-RIB-Out' },
  15: { name: 'post-policy-adj-rib-out-routes', description: 'routes in post-policy Adj-RIB-Out' },
  16: { name: 'pre-policy-adj-rib-out-routes-per-afi-safi', description: 'routes in per-AFI/SAFI pre-policy Adj-RIB-Out' },
  17: { name: 'post-policy-adj-rib-out-routes-per-afi-safi', description: 'routes in per-AFI/SAFI post-policy Adj-RIB-Out' },
};

/** The name for a code without one: `unknown-N`. */
function unknownName(code: number): string {
  return `unknown-${code}`;
}

/** Name of a Peer Down reason code: `remote-notification`, or `unknown-N` when unregistered. */
export function bmpPeerDownReasonName(code: number): string {
  return BMP_PEER_DOWN_REASON_NAMES[code]?.name ?? unknownName(code);
}

/** Name of a Statistics Report type: `adj-rib-in-routes`, or `unknown-N` when unregistered. */
export function bmpStatTypeName(type: number): string {
  return BMP_STAT_TYPE_NAMES[type]?.name ?? unknownName(type);
}

/** BMP peer types by name; a type without one is `type-N`. */
export type PeerTypeName = 'global' | 'rd-instance' | 'local-instance' | 'loc-rib' | `type-${number}`;

/** Name of a BMP peer type code (RFC 7854 4.2, RFC 9069 4.1), as the API and `bmp dump` show it. */
export function peerTypeName(type: number): PeerTypeName {
  switch (type) {
    case 0:
      return 'global';
    case 1:
      return 'rd-instance';
    case 2:
      return 'local-instance';
    case 3:
      return 'loc-rib';
    default:
      return `type-${type}`;
  }
}
