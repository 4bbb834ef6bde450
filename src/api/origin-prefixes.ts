/**
 * `GET /api/v1/origins/:asn/prefixes`: the prefixes whose routes' AS paths end in an AS
 * (paged, in prefix order).
 */
import type { FastifyInstance } from 'fastify';
import type { Rib } from '../rib/rib.js';
import { errorResponses } from './errors.js';
import { page } from './pagination.js';
import type { RequestChecks } from './request-checks.js';
import { pageFields, pageQuery, routerQuery } from './schemas.js';

/** Register the route on `app`. */
export function registerOriginPrefixes(app: FastifyInstance, rib: Rib, { pageLimit, routerFilter }: RequestChecks): void {
  app.get(
    '/api/v1/origins/:asn/prefixes',
    {
      schema: {
        summary: 'Prefixes originated by an AS',
        description: 'Prefixes with at least one route whose AS path ends in this AS (paged, in prefix order).',
        tags: ['routes'],
        params: {
          type: 'object',
          required: ['asn'],
          properties: { asn: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'AS number (asplain).' } },
        },
        querystring: { type: 'object', properties: { ...routerQuery, ...pageQuery }, additionalProperties: false },
        response: {
          200: {
            type: 'object',
            required: ['asn', 'prefixes', 'nextCursor'],
            properties: {
              asn: { type: 'integer' },
              prefixes: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['prefix', 'routes'],
                  properties: {
                    prefix: { type: 'string' },
                    rd: { type: ['string', 'null'], description: 'Route distinguisher of the VPN table, null for the global table.' },
                    routes: { type: 'integer', description: 'Routes of the prefix whose AS path ends in the AS.' },
                  },
                },
              },
              total: { type: 'integer', description: 'Prefixes over all pages.' },
              ...pageFields,
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { asn } = request.params as { asn: number };
      const query = request.query as { router?: string; limit?: number; cursor?: string };
      const all = rib.originatedBy(asn, routerFilter(query.router));
      const { items, nextCursor } = page(all, query.cursor, pageLimit(query.limit));
      return { asn, prefixes: items, total: all.length, nextCursor };
    },
  );
}
