/**
 * `GET /api/v1/lookup?address=A`: the longest-prefix match of an address and its routes,
 * narrowed by the route filters of route-filters.ts.
 */
import type { FastifyInstance } from 'fastify';
import { parseAddress } from '../ip/address.js';
import { errorResponses, errorSchema } from './errors.js';
import type { RequestChecks } from './request-checks.js';
import type { RibQuery } from './rib-queries.js';
import { parseRouteFilters, ribRouteFilter, routeFilterQueryWithCommunity, type RouteFilterQuery } from './route-filters.js';
import { prefixRoutesSchema, routerQuery } from './schemas.js';

/** Register the route on `app`. */
export function registerAddressLookup(app: FastifyInstance, runQuery: (query: RibQuery) => unknown, { routerFilter }: RequestChecks): void {
  app.get(
    '/api/v1/lookup',
    {
      schema: {
        summary: 'Longest-prefix match of an address',
        description:
          'The most specific prefix covering the address and its routes, best first (Loc-RIB, then post-policy, then pre-policy; then a simplified BGP decision). The longest prefix with a current route wins over longer prefixes whose routes are all stale (see `stale`). With `router`, routes of that router; if it has none, routes of other routers (`fallback: true`). An unknown `router` is 404 `NOT_FOUND`. ' +
          'Filters as on `/api/v1/routes`: `peer` and `view` choose the routes the longest match and the best are chosen among; `community`, `originAs` and `pathAs` then keep only the matching routes of that prefix (`lostAt` stays relative to the best before them); when none is left, 404 `NOT_FOUND` (the longest match is not widened to a shorter prefix).',
        tags: ['routes'],
        querystring: {
          type: 'object',
          required: ['address'],
          properties: {
            address: { type: 'string', maxLength: 64, description: 'IPv4 or IPv6 address.' },
            ...routerQuery,
            ...routeFilterQueryWithCommunity,
            stale: {
              type: 'string',
              enum: ['prefer-live', 'include'],
              default: 'prefer-live',
              description:
                '`prefer-live` (default): the longest prefix with a current route; a prefix whose only routes are stale (kept from a router\'s previous session) answers only where no current route covers the address. `include`: stale routes count like current ones.',
            },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            ...prefixRoutesSchema,
            properties: { ...prefixRoutesSchema.properties, fallback: { type: 'boolean', description: 'True when the asked router had no route and other routers are shown.' } },
          },
          ...errorResponses,
          503: errorSchema,
        },
      },
    },
    async (request) => {
      const query = request.query as RouteFilterQuery & { address: string; router?: string; stale?: 'prefer-live' | 'include' };
      parseAddress(query.address);
      const filters = parseRouteFilters(query);
      const filter = { ...ribRouteFilter(filters, routerFilter(query.router)), stale: query.stale ?? 'prefer-live' } as const;
      return await runQuery({ op: 'lookup', address: query.address, filter, filters, narrowed: query.peer !== undefined || query.view !== undefined });
    },
  );
}
