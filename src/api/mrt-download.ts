/**
 * `GET /api/v1/export/mrt`: the RIB (or one router, one view) as an MRT TABLE_DUMP_V2 file,
 * streamed as the client reads it (collector/mrt-export.ts). Closing the server cuts
 * running downloads short.
 */
import type { FastifyInstance } from 'fastify';
import { MrtExportStream } from '../collector/mrt-export-stream.js';
import { VIEWS, type View } from '../rib/peer-registry.js';
import type { Rib } from '../rib/rib.js';
import { errorResponses } from './errors.js';
import type { RequestChecks } from './request-checks.js';
import { routerQuery } from './schemas.js';

/** Register the route on `app`, and the close hook that ends its downloads. */
export function registerMrtDownload(app: FastifyInstance, rib: Rib, { routerFilter }: RequestChecks): void {
  // An export streams as fast as its client reads: a client that stops reading would hold
  // close() (and a stopping service) for ever. Stopping cuts such downloads short.
  const exports = new Set<MrtExportStream>();
  app.addHook('preClose', async () => {
    for (const stream of exports) stream.destroy(new Error('the service is stopping'));
  });

  app.get(
    '/api/v1/export/mrt',
    {
      schema: {
        summary: 'The RIB as an MRT file',
        description:
          'Streams an MRT TABLE_DUMP_V2 file (RFC 6396; RFC 8050 ADD-PATH subtypes for routes with a path id) of the RIB as it was when the request arrived: a PEER_INDEX_TABLE, then one RIB_IPV4_UNICAST/RIB_IPV6_UNICAST record per prefix. Only IPv4/IPv6 unicast routes of the global table; per peer and family its most preferred view (loc-rib, adj-rib-in-post, adj-rib-in-pre, adj-rib-out-post, adj-rib-out-pre) unless `view` names one. Record and originated times are the export time. Produced as the client reads, in slices that leave the service answering; an error after the first bytes ends the response early (the file is then truncated).',
        tags: ['routes'],
        produces: ['application/octet-stream'],
        querystring: {
          type: 'object',
          properties: {
            ...routerQuery,
            view: { type: 'string', enum: [...VIEWS], description: 'Only this view (default: per peer and family, its most preferred view).' },
          },
          additionalProperties: false,
        },
        response: {
          200: { type: 'string', description: 'MRT TABLE_DUMP_V2 bytes (`content-disposition: attachment; filename="ribstore.mrt"`).' },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const query = request.query as { router?: string; view?: View };
      routerFilter(query.router);
      const stream = new MrtExportStream(rib, {
        ...(query.router !== undefined ? { router: query.router } : {}),
        ...(query.view !== undefined ? { view: query.view } : {}),
      });
      exports.add(stream);
      stream.once('close', () => exports.delete(stream));
      stream.summary.then(
        (summary) => request.log.debug({ router: query.router, view: query.view, ...summary }, 'MRT export sent'),
        (error: unknown) => request.log.warn({ err: error, router: query.router }, 'MRT export ended early'),
      );
      void reply.type('application/octet-stream').header('content-disposition', 'attachment; filename="ribstore.mrt"');
      return reply.send(stream);
    },
  );
}
