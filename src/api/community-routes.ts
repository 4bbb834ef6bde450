/**
 * `GET /api/v1/communities/:community/routes`: the routes that carry a community (RFC 1997
 * `65000:100`) or a large community (RFC 8092 `65000:1:2`), grouped by prefix. The looking
 * glass's community search asks this.
 */
import type { FastifyInstance } from 'fastify';
import type { Rib, RouteFilter } from '../rib/rib.js';
import type { PrefixRoutesJson } from '../rib/route-json.js';
import { errorResponses } from './errors.js';
import { page } from './pagination.js';
import { type CommunityQuery, filterPrefixes, parseCommunityQuery, ribRouteFilter, routeFilterQuery, routePredicate, type RouteFilterParams } from './route-filters.js';
import type { RequestChecks } from './request-checks.js';
import { pageFields, pageQuery, prefixRoutesSchema, routerQuery } from './schemas.js';

/** Prefixes (IPv4, then IPv6, global table, in prefix order) with their routes that carry `community`. */
export function* routesWithCommunity(rib: Rib, community: CommunityQuery, filter: RouteFilter): Generator<PrefixRoutesJson> {
  for (const root of ['0.0.0.0/0', '::/0']) {
    const defaultRoute = rib.routes(root, filter);
    for (const source of [defaultRoute ? [defaultRoute] : [], rib.moreSpecifics(root, filter)]) {
      for (const entry of source) {
        const routes = entry.routes.filter((r) => (community.large ? r.largeCommunities : r.communities).includes(community.text));
        if (routes.length > 0) yield { ...entry, routes };
      }
    }
  }
}

/** Register the route on `app`. */
export function registerCommunityRoutes(app: FastifyInstance, rib: Rib, { pageLimit, routerFilter }: RequestChecks): void {
  app.get(
    '/api/v1/communities/:community/routes',
    {
      schema: {
        summary: 'Routes carrying a community',
        description:
          'Prefixes of the global table (IPv4, then IPv6, in prefix order) with the routes that carry the community `ASN:VALUE` (RFC 1997) or large community `GLOBAL:LOCAL1:LOCAL2` (RFC 8092), best first; paged by prefix. An unknown `router` is 404. `peer`, `view`, `originAs` and `pathAs` narrow the routes further (as on /api/v1/routes). `lostAt` is relative to the best route of the prefix, which may not carry the community. Scans the table: on a full table a rare community takes a second or more.',
        tags: ['routes'],
        params: {
          type: 'object',
          required: ['community'],
          properties: { community: { type: 'string', maxLength: 40, description: 'e.g. 65000:100 or 65000:1:2.' } },
        },
        querystring: { type: 'object', properties: { ...routerQuery, ...routeFilterQuery, ...pageQuery }, additionalProperties: false },
        response: {
          200: {
            type: 'object',
            required: ['community', 'prefixes', 'nextCursor'],
            properties: {
              community: { type: 'string', description: 'The community in its canonical text.' },
              prefixes: { type: 'array', items: prefixRoutesSchema },
              ...pageFields,
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { community } = request.params as { community: string };
      const query = request.query as Omit<RouteFilterParams, 'community'> & { router?: string; limit?: number; cursor?: string };
      const parsed = parseCommunityQuery(community);
      const routes = routesWithCommunity(rib, parsed, ribRouteFilter(query, routerFilter(query.router)));
      const { items, nextCursor } = page(filterPrefixes(routes, routePredicate(query)), query.cursor, pageLimit(query.limit));
      return { community: parsed.text, prefixes: items, nextCursor };
    },
  );
}
