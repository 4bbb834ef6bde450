/**
 * `GET /api/v1/routes`: the routes of a prefix, of its more-specifics or of its
 * less-specifics, narrowed by the route filters of route-filters.ts (router, peer, view,
 * community, origin AS, AS in the path).
 */
import type { FastifyInstance } from 'fastify';
import { parsePrefix } from '../ip/prefix.js';
import { errorResponses, errorSchema } from './errors.js';
import { type PrefixMatch, type RibQuery } from './rib-queries.js';
import { parseRouteFilters, ribRouteFilter, routeFilterQueryWithCommunity, type RouteFilterQuery } from './route-filters.js';
import type { RequestChecks } from './request-checks.js';
import { pageFields, pageQuery, prefixRoutesSchema, routerQuery } from './schemas.js';

export type { PrefixMatch } from './rib-queries.js';

type RoutesQuery = RouteFilterQuery & { prefix: string; match: PrefixMatch; router?: string; limit?: number; cursor?: string };

/** Register the route on `app`. */
export function registerPrefixRoutes(app: FastifyInstance, runQuery: (query: RibQuery) => unknown, { pageLimit, routerFilter }: RequestChecks): void {
  app.get(
    '/api/v1/routes',
    {
      schema: {
        summary: 'Routes of a prefix, its more-specifics or its less-specifics',
        description:
          '`match=exact` (default): the prefix itself. `more-specifics`: every prefix inside it (itself included). `less-specifics`: every prefix covering it (itself included). Paged by prefix, in prefix order. ' +
          'Filters narrow the routes: `router`, `peer` and `view` choose the routes the best is chosen among (`lostAt` is relative to the best of those); `community`, `originAs` and `pathAs` then keep only the routes that match (`lostAt` stays relative to the best before them, which may be left out). A prefix with no route left is not listed. ' +
          'Every prefix of the whole table: `prefix=0.0.0.0/0&match=more-specifics` (and `::/0`); a filter that matches few routes then scans the table.',
        tags: ['routes'],
        querystring: {
          type: 'object',
          required: ['prefix'],
          properties: {
            prefix: { type: 'string', maxLength: 64, description: 'IPv4 or IPv6 prefix, e.g. 192.0.2.0/24.' },
            match: { type: 'string', enum: ['exact', 'more-specifics', 'less-specifics'], default: 'exact' },
            ...routerQuery,
            ...routeFilterQueryWithCommunity,
            ...pageQuery,
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            required: ['prefixes', 'nextCursor'],
            properties: {
              prefixes: { type: 'array', items: prefixRoutesSchema },
              ...pageFields,
            },
          },
          ...errorResponses,
          503: errorSchema,
        },
      },
    },
    async (request) => {
      const query = request.query as RoutesQuery;
      parsePrefix(query.prefix);
      const filters = parseRouteFilters(query);
      const filter = ribRouteFilter(filters, routerFilter(query.router));
      return await runQuery({ op: 'routes', prefix: query.prefix, match: query.match, filter, filters, cursor: query.cursor, limit: pageLimit(query.limit) });
    },
  );
}
