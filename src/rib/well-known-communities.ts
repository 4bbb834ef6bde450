/**
 * The well-known BGP communities (IANA "BGP Well-known Communities" registry, RFC 1997 and
 * RFC 8642), named as the registry names them. The one table of built-in community names:
 * {@link CommunityNames} starts from it, and a `--community-names` file may name more.
 */

/** One registered well-known community. */
export interface WellKnownCommunity {
  /** `65535:N` text, as routes show communities. */
  readonly community: string;
  /** The registry's name. */
  readonly name: string;
  /** Where it is defined. */
  readonly reference: string;
}

/** `0xFFFFnnnn` as `65535:n`. */
const wk = (value: number, name: string, reference: string): WellKnownCommunity => ({ community: `${value >>> 16}:${value & 0xffff}`, name, reference });

/** Every registered well-known community (registry as of 2024-12). */
export const WELL_KNOWN_COMMUNITIES: readonly WellKnownCommunity[] = [
  wk(0xffff0000, 'GRACEFUL_SHUTDOWN', 'RFC 8326'),
  wk(0xffff0001, 'ACCEPT_OWN', 'RFC 7611'),
  wk(0xffff0002, 'ROUTE_FILTER_TRANSLATED_v4', 'draft-l3vpn-legacy-rtc'),
  wk(0xffff0003, 'ROUTE_FILTER_v4', 'draft-l3vpn-legacy-rtc'),
  wk(0xffff0004, 'ROUTE_FILTER_TRANSLATED_v6', 'draft-l3vpn-legacy-rtc'),
  wk(0xffff0005, 'ROUTE_FILTER_v6', 'draft-l3vpn-legacy-rtc'),
  wk(0xffff0006, 'LLGR_STALE', 'RFC 9494'),
  wk(0xffff0007, 'NO_LLGR', 'RFC 9494'),
  wk(0xffff0008, 'accept-own-nexthop', 'draft-agrewal-idr-accept-own-nexthop'),
  wk(0xffff0009, 'Standby PE', 'RFC 9026'),
  wk(0xffff029a, 'BLACKHOLE', 'RFC 7999'),
  wk(0xffffff01, 'NO_EXPORT', 'RFC 1997'),
  wk(0xffffff02, 'NO_ADVERTISE', 'RFC 1997'),
  wk(0xffffff03, 'NO_EXPORT_SUBCONFED', 'RFC 1997'),
  wk(0xffffff04, 'NOPEER', 'RFC 3765'),
];
