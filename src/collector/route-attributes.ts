/**
 * The attribute sets the collector interns in the RIB: their canonical bytes, their summary
 * numbers, and their query (JSON) form.
 *
 * Canonical bytes are the path attributes re-encoded by wire/bgp in the form it defines for
 * interning (`encodePathAttributes(…, { nlri: false })`): 4-octet AS numbers whatever the
 * session used, MP_REACH_NLRI reduced to AFI/SAFI and next hop, MP_UNREACH_NLRI left out.
 * Two routes with the same attributes therefore share one set whichever session, message or
 * MRT record they came from. {@link decodeRouteAttributes} reads the bytes back for queries.
 */
import { formatIPv4 } from '../ip/address.js';
import { HAS_LOCAL_PREF, HAS_MED, HAS_ORIGIN_AS, type AttributeSummary } from '../rib/attribute-pool.js';
import type { AttributesJson } from '../rib/route-json.js';
import { decodePathAttributes, encodePathAttributes } from '../wire/bgp/attributes.js';
import { formatCommunity, formatExtendedCommunity, formatLargeCommunity } from '../wire/bgp/communities.js';
import { FOUR_OCTET_AS_CONTEXT } from '../wire/bgp/context.js';
import type { AsPathSegment, PathAttributes } from '../wire/bgp/types.js';

const ENCODE_CONTEXT = { fourOctetAs: true, addPath: new Set<number>() };
const ORIGINS = ['igp', 'egp', 'incomplete'] as const;

/** The canonical bytes of an attribute set (see the module doc). */
export function canonicalAttributes(attributes: PathAttributes): Uint8Array {
  return encodePathAttributes(attributes, ENCODE_CONTEXT, { nlri: false });
}

/** AS_SEQUENCE and AS_CONFED_SEQUENCE segment types (RFC 4271, RFC 5065). */
const AS_SET = 1;
const AS_SEQUENCE = 2;

/**
 * The origin AS of a path: the last ASN of a final AS_SEQUENCE, or the only member of a final
 * one-element AS_SET; null otherwise (an empty path, a larger final set).
 */
export function originAsOf(path: readonly AsPathSegment[] | undefined): number | null {
  if (!path) return null;
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i]!;
    if (segment.asns.length === 0) continue;
    if (segment.type === AS_SEQUENCE) return segment.asns[segment.asns.length - 1]!;
    if (segment.type === AS_SET && segment.asns.length === 1) return segment.asns[0]!;
    return null;
  }
  return null;
}

/** Path length for route selection: sequence members count 1 each, a set 1, confederation segments 0. */
function pathLength(path: readonly AsPathSegment[] | undefined): number {
  let n = 0;
  for (const segment of path ?? []) {
    if (segment.type === AS_SEQUENCE) n += segment.asns.length;
    else if (segment.type === AS_SET) n += 1;
  }
  return n;
}

/** Fill `out` with the summary numbers of `attributes` (no allocation). */
export function summarise(attributes: PathAttributes, out: AttributeSummary): AttributeSummary {
  const originAs = originAsOf(attributes.asPath);
  out.originAs = originAs ?? 0;
  out.localPref = attributes.localPref ?? 0;
  out.med = attributes.med ?? 0;
  out.asPathLength = pathLength(attributes.asPath);
  out.origin = attributes.origin ?? 3;
  out.flags = (attributes.med !== undefined ? HAS_MED : 0) | (attributes.localPref !== undefined ? HAS_LOCAL_PREF : 0) | (originAs !== null ? HAS_ORIGIN_AS : 0);
  return out;
}

/** The query form of canonical attribute bytes: the `Rib`'s `decodeAttributes` callback. */
export function decodeRouteAttributes(bytes: Uint8Array): AttributesJson {
  const { attributes: a } = decodePathAttributes(bytes, 0, bytes.length, FOUR_OCTET_AS_CONTEXT, 'interned path attributes', true);
  const asPath: (number | number[])[] = [];
  for (const segment of a.asPath ?? []) {
    if (segment.type === AS_SEQUENCE || segment.type === 3) asPath.push(...segment.asns);
    else asPath.push([...segment.asns]);
  }
  const nextHop = a.mpReach?.nextHop ?? a.nextHop;
  return {
    nextHop: nextHop ? nextHop.toString() : null,
    origin: a.origin !== undefined ? (ORIGINS[a.origin] ?? null) : null,
    asPath,
    originAs: originAsOf(a.asPath),
    med: a.med ?? null,
    localPref: a.localPref ?? null,
    communities: (a.communities ?? []).map(formatCommunity),
    largeCommunities: (a.largeCommunities ?? []).map(formatLargeCommunity),
    extendedCommunities: (a.extendedCommunities ?? []).map(formatExtendedCommunity),
  };
}

/** Dotted form of a BGP identifier. */
export function formatBgpId(value: number): string {
  return formatIPv4(value >>> 0);
}
