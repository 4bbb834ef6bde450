/**
 * Filters of the route queries (`/api/v1/routes`, `/api/v1/communities/:c/routes`): by peer and
 * view (RIB filters: the best route and `lostAt` are then among the routes of that peer or
 * view), and by community, origin AS and AS in the path (applied to the routes the RIB
 * answers: `lostAt` stays relative to the best route under the RIB filter, which may itself
 * be filtered out). A prefix none of whose routes pass is left out of the answer. The query
 * text of the filters (`/api/v1/lookup` takes them too) is parsed here.
 */
import { parseAddress } from '../ip/address.js';
import { VIEWS, type View } from '../rib/peer-registry.js';
import type { RouteFilter } from '../rib/rib.js';
import type { PrefixRoutesJson, RouteJson } from '../rib/route-json.js';
import { ApiError } from './errors.js';

/** A community's text, and which list of a route holds it. */
export interface CommunityQuery {
  readonly text: string;
  readonly large: boolean;
}

const UINT16 = 0xffff;
const UINT32 = 0xffffffff;

/**
 * Parse `65000:100` (each part 0-65535) or `65000:1:2` (each part 0-4294967295) to its
 * canonical text (no leading zeros), as routes show it.
 * @throws ApiError 400 `INVALID_ARGUMENT` for anything else.
 */
export function parseCommunityQuery(text: string): CommunityQuery {
  const parts = text.split(':');
  const large = parts.length === 3;
  const max = large ? UINT32 : UINT16;
  if ((parts.length !== 2 && !large) || parts.some((p) => !/^\d{1,10}$/.test(p) || Number(p) > max)) {
    throw new ApiError(400, 'INVALID_ARGUMENT', `invalid community ${JSON.stringify(text)}: expected ASN:VALUE (0-65535 each) or a large community GLOBAL:LOCAL1:LOCAL2 (0-4294967295 each)`);
  }
  return { text: parts.map(Number).join(':'), large };
}

const asn = (description: string) => ({ type: 'integer', minimum: 0, maximum: 4294967295, description }) as const;

/** Query parameters of the filters other than `community` (the communities route has its community in the path). */
export const routeFilterQuery = {
  peer: { type: 'string', maxLength: 64, description: 'Only routes from the peer with this address (any form of the address; 0.0.0.0 is the Loc-RIB "peer").' },
  view: { type: 'string', enum: [...VIEWS], description: 'Only routes of this RIB view.' },
  originAs: asn('Only routes whose AS path ends in this AS (`originAs`).'),
  pathAs: asn('Only routes with this AS anywhere in the AS path (AS_SET members included).'),
} as const;

/** {@link routeFilterQuery} and `community`. */
export const routeFilterQueryWithCommunity = {
  community: {
    type: 'string',
    maxLength: 40,
    description: 'Only routes carrying this community `ASN:VALUE` (RFC 1997) or large community `GLOBAL:LOCAL1:LOCAL2` (RFC 8092).',
  },
  ...routeFilterQuery,
} as const;

/** The filter parameters of a request (the community parsed by {@link parseCommunityQuery}). */
export interface RouteFilterParams {
  readonly community?: CommunityQuery;
  readonly peer?: string;
  readonly view?: View;
  readonly originAs?: number;
  readonly pathAs?: number;
}

/** The filter parameters of `/api/v1/routes` as they arrive (the community still text); `/api/v1/lookup` takes them too. */
export type RouteFilterQuery = Omit<RouteFilterParams, 'community'> & { community?: string };

/** {@link RouteFilterQuery} with its community parsed (a bad one is a 400 naming it). */
export function parseRouteFilters(query: RouteFilterQuery): RouteFilterParams {
  return query.community === undefined ? (query as RouteFilterParams) : { ...query, community: parseCommunityQuery(query.community) };
}

/** The RIB part of the filters: `base` (the router filter) with the peer (canonical text) and view. */
export function ribRouteFilter(params: RouteFilterParams, base: RouteFilter): RouteFilter {
  return {
    ...base,
    ...(params.peer !== undefined ? { peer: parseAddress(params.peer).toString() } : {}),
    ...(params.view !== undefined ? { view: params.view } : {}),
  };
}

/** Whether an AS path (sets nested) holds `asn`. */
const pathHolds = (path: RouteJson['asPath'], asn: number): boolean => path.some((segment) => (Array.isArray(segment) ? segment.includes(asn) : segment === asn));

/** The route test of the community, origin AS and AS-in-path filters, or undefined when none is given. */
export function routePredicate(params: RouteFilterParams): ((route: RouteJson) => boolean) | undefined {
  const { community, originAs, pathAs } = params;
  if (community === undefined && originAs === undefined && pathAs === undefined) return undefined;
  return (route) =>
    (community === undefined || (community.large ? route.largeCommunities : route.communities).includes(community.text)) &&
    (originAs === undefined || route.originAs === originAs) &&
    (pathAs === undefined || pathHolds(route.asPath, pathAs));
}

/** Prefixes of `source` with only the routes `predicate` keeps; prefixes left without routes are skipped. Lazy. */
export function* filterPrefixes(source: Iterable<PrefixRoutesJson>, predicate: ((route: RouteJson) => boolean) | undefined): Generator<PrefixRoutesJson> {
  if (!predicate) return yield* source;
  for (const entry of source) {
    const routes = entry.routes.filter(predicate);
    if (routes.length > 0) yield routes.length === entry.routes.length ? entry : { ...entry, routes };
  }
}
