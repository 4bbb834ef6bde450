/**
 * JSON schemas of the HTTP API: the shapes of answers (the contract of issue 4's
 * "Interface" section) and of query parameters.
 *
 * Fastify validates requests and serialises answers with these, and the OpenAPI document is
 * generated from them (see openapi.ts), so this file is the single description of the API.
 * Fields may be added to an answer; existing fields are never renamed.
 */

import { DECISION_STEPS } from '../rib/route-decision.js';
import { BMP_PEER_DOWN_REASON_NAMES, BMP_STAT_TYPE_NAMES, bmpPeerDownReasonName } from '../wire/bmp/names.js';

/** `{ type, description }` helper for a nullable field. */
const nullable = (type: string, description: string) => ({ type: [type, 'null'], description }) as const;

/** One BGP route as the API shows it. */
export const routeSchema = {
  type: 'object',
  description: 'One route: a path to a prefix as one monitored peer of one router announced it, in one RIB view.',
  required: ['router', 'peer', 'view', 'afiSafi', 'asPath', 'communities', 'largeCommunities', 'extendedCommunities'],
  properties: {
    router: { type: 'string', description: 'The router that reported the route (BMP session source address, or the MRT file for loaded dumps).' },
    peer: {
      type: 'object',
      required: ['address', 'asn'],
      properties: {
        address: { type: 'string', description: 'Peer address (0.0.0.0 for a Loc-RIB view).' },
        asn: { type: 'integer', description: 'Peer AS number.' },
        bgpId: { type: 'string', description: 'Peer BGP identifier, dotted.' },
        type: { type: 'string', description: 'BMP peer type: global, rd-instance, local-instance, loc-rib.' },
        distinguisher: { type: 'string', description: 'Peer distinguisher (route distinguisher text, or 0:0).' },
      },
    },
    view: { type: 'string', description: 'RIB view: adj-rib-in-pre, adj-rib-in-post, adj-rib-out-pre, adj-rib-out-post, loc-rib.' },
    afiSafi: { type: 'string', description: 'Address family, e.g. ipv4-unicast, ipv6-unicast, ipv4-vpn.' },
    rd: nullable('string', 'Route distinguisher of a VPN route, else null.'),
    pathId: { type: 'integer', description: 'ADD-PATH path identifier (0 without ADD-PATH).' },
    nextHop: nullable('string', 'Next hop address.'),
    origin: nullable('string', 'ORIGIN: igp, egp or incomplete.'),
    asPath: {
      type: 'array',
      description: 'AS path: numbers for AS_SEQUENCE members, nested arrays for AS_SETs.',
      items: { anyOf: [{ type: 'integer' }, { type: 'array', items: { type: 'integer' } }] },
    },
    originAs: nullable('integer', 'Origin AS (last AS of the path; null when the path ends in a set or is empty).'),
    med: nullable('integer', 'MULTI_EXIT_DISC.'),
    localPref: nullable('integer', 'LOCAL_PREF.'),
    communities: { type: 'array', items: { type: 'string' }, description: 'Communities as "65000:1".' },
    largeCommunities: { type: 'array', items: { type: 'string' }, description: 'Large communities as "65000:1:2".' },
    extendedCommunities: { type: 'array', items: { type: 'string' }, description: 'Extended communities in their text form.' },
    communityNames: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description:
        'Names of the route\'s communities and large communities, keyed by their text as in `communities` / `largeCommunities` (e.g. `{"65535:65281": "NO_EXPORT"}`); unnamed ones are left out. Well-known communities are named built in; `serve --community-names FILE` names more (see the README).',
    },
    atomicAggregate: { type: 'boolean', description: 'ATOMIC_AGGREGATE present.' },
    aggregator: {
      type: ['object', 'null'],
      description: 'AGGREGATOR (AS4_AGGREGATOR merged): the aggregating AS and speaker address; null when absent.',
      properties: { asn: { type: 'integer' }, address: { type: 'string' } },
    },
    originatorId: nullable('string', 'ORIGINATOR_ID (RFC 4456), dotted.'),
    clusterList: { type: 'array', items: { type: 'string' }, description: 'CLUSTER_LIST (RFC 4456) cluster ids, dotted, in wire order.' },
    otc: nullable('integer', 'Only to Customer (RFC 9234): the ASN.'),
    unknownAttributes: {
      type: 'array',
      description: 'Attributes kept as bytes (unknown or not modelled), by type code.',
      items: { type: 'object', properties: { type: { type: 'integer' }, flags: { type: 'integer', description: 'Optional 0x80, transitive 0x40, partial 0x20.' }, value: { type: 'string', description: 'The value in hex.' } } },
    },
    stale: { type: 'boolean', description: 'Kept from an earlier session of its router, waiting to be re-announced or flushed.' },
    restored: { type: 'boolean', description: 'Restored from a snapshot file at start-up; stale until its router re-announces it.' },
    receivedAt: {
      type: ['string', 'null'],
      description:
        'When the route was first seen (ISO-8601, whole seconds). An identical re-announcement, and a stale route re-sent after its router reconnects, keep it; a route withdrawn and announced again is new. Routes loaded from an MRT RIB dump take the entry\'s originated time. Kept through snapshots. Null when not known (routes restored from a snapshot of format version 1).',
    },
    changedAt: {
      type: ['string', 'null'],
      description: 'When the route\'s attributes last changed (ISO-8601, whole seconds); equal to receivedAt until they change. The MRT export writes it as the entry\'s originated time. Null when not known.',
    },
    lostAt: {
      type: ['string', 'null'],
      enum: [...DECISION_STEPS, null],
      description:
        'Why this route is not the best of those shown: the step of the preference order at which it lost to the first (best) route of its prefix, under the same filter. Steps in order: view, stale, local-pref, as-path-length, origin, med, then the tie-breaks peer-bgp-id, peer-address, router, path-id, family. Null for the best route.',
    },
  },
  additionalProperties: true,
} as const;

/** A prefix and its routes. */
export const prefixRoutesSchema = {
  type: 'object',
  required: ['prefix', 'routes'],
  properties: {
    prefix: { type: 'string' },
    rd: nullable('string', 'Route distinguisher of the VPN table the prefix is in; null for the global table.'),
    routes: { type: 'array', items: routeSchema, description: 'Best first.' },
  },
} as const;

/** Pagination fields of a paged answer. */
export const pageFields = {
  nextCursor: nullable('string', 'Pass as `cursor` to get the next page; null on the last page.'),
} as const;

/** `limit` and `cursor` query parameters. */
export const pageQuery = {
  limit: { type: 'integer', minimum: 1, description: "Most items per page: 1 to the server's page limit (--max-page, default 10000); default 1000." },
  cursor: { type: 'string', maxLength: 200, description: 'The `nextCursor` of the previous page.' },
} as const;

/** `router` query parameter. */
export const routerQuery = {
  router: { type: 'string', maxLength: 100, description: 'Only routes reported by this router (its name as listed by /api/v1/routers); an unknown router is 404 NOT_FOUND.' },
} as const;

/**
 * A peer's BMP block in `/api/v1/routers/R/peers`: message counts, the last Peer Down reason
 * and the latest Statistics Report values, with code points as names (wire/bmp/names.ts).
 */
export const peerBmpSchema = {
  type: ['object', 'null'],
  properties: {
    messages: { type: 'object', additionalProperties: { type: 'integer' } },
    lastDownReason: {
      type: ['object', 'null'],
      required: ['name', 'code'],
      description: 'The last Peer Down reason (RFC 7854 4.9, RFC 9069); null if the peer has not gone down.',
      properties: {
        name: {
          type: 'string',
          description: `Reason name: ${Object.values(BMP_PEER_DOWN_REASON_NAMES).map((r) => r.name).join(', ')}; \`unknown-N\` for an unregistered code N.`,
        },
        code: { type: 'integer', description: 'The reason code as the router sent it.' },
      },
    },
    stats: {
      type: 'object',
      additionalProperties: { type: 'number' },
      description:
        `Latest Statistics Report values keyed by stat type name (RFC 7854 4.8, RFC 8671): ${Object.values(BMP_STAT_TYPE_NAMES).map((t) => t.name).join(', ')}; ` +
        '`unknown-N` for an unregistered type N. Per-AFI/SAFI types are keyed `name/family`, e.g. `loc-rib-routes-per-afi-safi/ipv4-unicast`.',
    },
  },
} as const;

/** The `lastDownReason` value of {@link peerBmpSchema}: the reason's name and code, or null. */
export function peerDownReasonJson(code: number | null): { name: string; code: number } | null {
  return code === null ? null : { name: bmpPeerDownReasonName(code), code };
}
