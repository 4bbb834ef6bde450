/**
 * The bridge between wire/bgp's attribute model and the RIB's interned attribute sets.
 *
 * A route's attribute set is what the UPDATE said about it, minus what belongs to the
 * message rather than the route: MP_UNREACH_NLRI goes, MP_REACH_NLRI keeps only AFI/SAFI and
 * the next hop (no NLRI), and the NEXT_HOP attribute is kept only for routes of the NLRI
 * field (IPv4 unicast), since a multiprotocol route's next hop is MP_REACH's. Its canonical
 * bytes are wire/bgp's deterministic encoding of that set with 4-octet ASNs, so equal sets
 * intern to one id whatever session they came from.
 *
 * The summary (origin AS, LOCAL_PREF, MED, AS path length, ORIGIN) is taken from the decoded
 * set when interning; the query form ({@link AttributesJson}) is decoded from the bytes on
 * demand.
 */
import { formatIPv4 } from '../ip/address.js';
import { formatCommunity, formatExtendedCommunity, formatLargeCommunity } from '../wire/bgp/communities.js';
import { createDecodeContext, type BgpDecodeContext } from '../wire/bgp/context.js';
import { decodePathAttributes, encodePathAttributes, type EncodeContext } from '../wire/bgp/attributes.js';
import type { AsPathSegment, PathAttributes } from '../wire/bgp/types.js';
import { type AttributeSummary, HAS_LOCAL_PREF, HAS_MED, HAS_ORIGIN_AS } from './attribute-pool.js';
import type { AttributesJson } from './route-json.js';

/** How canonical attribute bytes are written and read: 4-octet ASNs, nothing else. */
export const RIB_ATTRIBUTE_CONTEXT: BgpDecodeContext = createDecodeContext({ fourOctetAs: true, requireMandatoryAttributes: false });
const ENCODE_CONTEXT: EncodeContext = RIB_ATTRIBUTE_CONTEXT;

/**
 * The attribute set of an UPDATE's routes (see the module doc): of its MP_REACH_NLRI routes
 * when `multiprotocol`, else of its NLRI-field routes.
 */
export function routeAttributes(attrs: PathAttributes, multiprotocol: boolean): PathAttributes {
  const out: PathAttributes = { ...attrs };
  delete out.mpUnreach;
  const reach = attrs.mpReach;
  if (multiprotocol && reach !== undefined) {
    out.mpReach = { ...reach, nlri: [], unknownNlri: undefined };
    delete out.nextHop;
  } else {
    delete out.mpReach;
  }
  return out;
}

/** Canonical bytes of a route attribute set (from {@link routeAttributes}). */
export function encodeRouteAttributes(attrs: PathAttributes): Uint8Array {
  return encodePathAttributes(attrs, ENCODE_CONTEXT, { nlri: false });
}

/** AS path length as the BGP decision process counts it (RFC 4271 9.1.2.2, RFC 5065). */
export function asPathLength(path: readonly AsPathSegment[] | undefined): number {
  let n = 0;
  for (const s of path ?? []) n += s.type === 2 ? s.asns.length : s.type === 1 ? 1 : 0;
  return n;
}

/**
 * The origin AS: the last ASN of a path ending in an AS_SEQUENCE, or the only member of a
 * final one-element AS_SET; undefined otherwise (an aggregate's origin is not one AS).
 */
export function originAsOf(path: readonly AsPathSegment[] | undefined): number | undefined {
  if (path === undefined) return undefined;
  for (let i = path.length - 1; i >= 0; i--) {
    const s = path[i]!;
    if (s.asns.length === 0) continue;
    if (s.type === 2) return s.asns[s.asns.length - 1]!;
    if (s.type === 1 && s.asns.length === 1) return s.asns[0]!;
    return undefined;
  }
  return undefined;
}

/** Fill `out` with the summary of a route attribute set; returns `out`. */
export function summarizeAttributes(attrs: PathAttributes, out: AttributeSummary): AttributeSummary {
  const originAs = originAsOf(attrs.asPath);
  out.originAs = originAs ?? 0;
  out.localPref = attrs.localPref ?? 0;
  out.med = attrs.med ?? 0;
  out.asPathLength = asPathLength(attrs.asPath);
  out.origin = attrs.origin ?? 3;
  out.flags = (attrs.med !== undefined ? HAS_MED : 0) | (attrs.localPref !== undefined ? HAS_LOCAL_PREF : 0) | (originAs !== undefined ? HAS_ORIGIN_AS : 0);
  return out;
}

const ORIGIN_NAMES = ['igp', 'egp', 'incomplete'] as const;

/** The query form of a decoded attribute set. */
export function attributesToJson(attrs: PathAttributes): AttributesJson {
  const asPath: (number | number[])[] = [];
  for (const s of attrs.asPath ?? []) {
    if (s.type === 2 || s.type === 3) asPath.push(...s.asns);
    else asPath.push([...s.asns]);
  }
  const nextHop = attrs.mpReach?.nextHop ?? attrs.nextHop;
  return {
    nextHop: nextHop === undefined ? null : nextHop.toString(),
    origin: attrs.origin === undefined ? null : (ORIGIN_NAMES[attrs.origin] ?? null),
    asPath,
    originAs: originAsOf(attrs.asPath) ?? null,
    med: attrs.med ?? null,
    localPref: attrs.localPref ?? null,
    communities: (attrs.communities ?? []).map(formatCommunity),
    largeCommunities: (attrs.largeCommunities ?? []).map(formatLargeCommunity),
    extendedCommunities: (attrs.extendedCommunities ?? []).map(formatExtendedCommunity),
    atomicAggregate: attrs.atomicAggregate === true,
    aggregator: attrs.aggregator === undefined ? null : { asn: attrs.aggregator.asn, address: formatIPv4(attrs.aggregator.address) },
    originatorId: attrs.originatorId === undefined ? null : formatIPv4(attrs.originatorId),
    clusterList: (attrs.clusterList ?? []).map(formatIPv4),
    otc: attrs.otc ?? null,
    unknownAttributes: (attrs.unknown ?? []).map((a) => ({ type: a.type, flags: a.flags, value: Buffer.from(a.value.buffer, a.value.byteOffset, a.value.byteLength).toString('hex') })),
  };
}

/** Decode canonical attribute bytes (as interned) into their query form. */
export function decodeRouteAttributes(bytes: Uint8Array): AttributesJson {
  return attributesToJson(decodePathAttributes(bytes, 0, bytes.length, RIB_ATTRIBUTE_CONTEXT, 'RIB attribute set').attributes);
}
