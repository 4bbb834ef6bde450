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
 * Most routers already send attributes in that canonical form (ascending type codes, the
 * RFC's flags, 4-octet ASNs), so {@link canonicalRouteBytes} takes the canonical bytes
 * straight from the raw block when it can prove they are equal, and only other blocks are
 * re-encoded from the decoded set.
 *
 * The summary (origin AS, LOCAL_PREF, MED, AS path length, ORIGIN) is taken from the decoded
 * set when interning; the query form ({@link AttributesJson}) is decoded from the bytes on
 * demand.
 */
import { formatIPv4 } from '../ip/address.js';
import { formatCommunity, formatExtendedCommunity, formatLargeCommunity } from '../wire/bgp/communities.js';
import { createDecodeContext, type BgpDecodeContext } from '../wire/bgp/context.js';
import { decodePathAttributes } from '../wire/bgp/attribute-decode.js';
import { encodePathAttributes, type EncodeContext } from '../wire/bgp/attribute-encode.js';
import { CANONICAL_FLAGS, RAW_FLAGS_KEPT } from '../wire/bgp/attribute-flags.js';
import { AttributeFlag, AttributeType } from '../wire/bgp/constants.js';
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

/** MP_REACH_NLRI as the encoder writes it: optional, non-transitive, never partial. */
const MP_REACH_FLAGS = AttributeFlag.OPTIONAL;

/**
 * The canonical bytes of a route attribute set taken straight from the raw attribute block
 * `bytes[start, end)` it was decoded from under `ctx`: writes to `out` exactly what
 * `encodeRouteAttributes(routeAttributes(decoded.attributes, multiprotocol))` would give and
 * returns the length, or returns -1 when the block is not in canonical form (re-encode then).
 *
 * Precondition: `decodePathAttributes` decoded the block under `ctx` with no error, no
 * treat-as-withdraw and no unknown family (so every value has a valid length and form), and
 * when `multiprotocol` the block has an MP_REACH_NLRI. `out` needs `end - start` bytes: the
 * canonical form is never longer than the raw block.
 *
 * Canonical means: 4-octet ASNs (`ctx.fourOctetAs`, not an MRT RIB entry), attributes in
 * strictly ascending type code, no MP_UNREACH_NLRI, and each attribute that is copied with
 * the header the encoder writes (a known type's {@link CANONICAL_FLAGS} without the partial
 * bit, an unknown type's optional / transitive / partial bits only, the extended-length bit
 * exactly when the value exceeds 255 bytes). Each copied attribute's bytes are then what the
 * encoder writes for its decoded value, and the set is the block with: AS4_PATH /
 * AS4_AGGREGATOR left out (a 4-octet session discards them); for the NLRI-field set,
 * MP_REACH_NLRI left out; for the multiprotocol set, NEXT_HOP left out and MP_REACH_NLRI
 * written as the encoder writes it without NLRI (AFI, SAFI, next hop, a zero reserved byte),
 * as {@link routeAttributes} does.
 */
export function canonicalRouteBytes(bytes: Uint8Array, start: number, end: number, ctx: BgpDecodeContext, multiprotocol: boolean, out: Uint8Array): number {
  if (!ctx.fourOctetAs || ctx.mrtRibEntry !== undefined || out.length < end - start) return -1;
  let n = 0;
  let previous = -1;
  let reach = false;
  let pos = start;
  while (pos < end) {
    const at = pos;
    if (end - pos < 3) return -1;
    const flags = bytes[pos]!;
    const type = bytes[pos + 1]!;
    const extended = (flags & AttributeFlag.EXTENDED_LENGTH) !== 0;
    let length: number;
    if (extended) {
      if (end - pos < 4) return -1;
      length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
      pos += 4;
    } else {
      length = bytes[pos + 2]!;
      pos += 3;
    }
    const valueEnd = pos + length;
    if (valueEnd > end || type <= previous) return -1;
    previous = type;
    if (type === AttributeType.MP_UNREACH_NLRI) return -1;
    if (type === AttributeType.MP_REACH_NLRI) {
      // Rewritten whatever its flags and length form (the decoder took it, so they are valid).
      reach = true;
      if (multiprotocol) {
        // | AFI (2) | SAFI (1) | next hop length (1) | next hop | reserved (1) | NLRI |
        if (length < 5) return -1;
        const hopLength = bytes[pos + 3]!;
        const valueLength = 5 + hopLength;
        if (valueLength > length || valueLength > 255) return -1;
        out[n++] = MP_REACH_FLAGS;
        out[n++] = type;
        out[n++] = valueLength;
        n = copyRange(bytes, pos, pos + 4 + hopLength, out, n);
        out[n++] = 0;
      }
    } else if (type === AttributeType.AS4_PATH || type === AttributeType.AS4_AGGREGATOR || (type === AttributeType.NEXT_HOP && multiprotocol)) {
      // Not in the set: discarded on a 4-octet session; a multiprotocol route's next hop is MP_REACH's.
    } else {
      // Copied as is: only if the encoder would write the same header.
      const base = flags & ~AttributeFlag.EXTENDED_LENGTH;
      const canonical = CANONICAL_FLAGS[type]!;
      if (extended !== length > 255 || (canonical >= 0 ? base !== canonical : (base & ~RAW_FLAGS_KEPT) !== 0)) return -1;
      n = copyRange(bytes, at, valueEnd, out, n);
    }
    pos = valueEnd;
  }
  return multiprotocol && !reach ? -1 : n;
}

function copyRange(bytes: Uint8Array, from: number, to: number, out: Uint8Array, at: number): number {
  for (let i = from; i < to; i++) out[at++] = bytes[i]!;
  return at;
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
