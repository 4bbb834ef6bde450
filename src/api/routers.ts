/**
 * `GET /api/v1/routers` and `GET /api/v1/routers/:router/peers`: the routers the RIB knows
 * (BMP session sources and loaded MRT dumps) and each router's peers, with state, route
 * counts and the BMP collector's session and peer counters.
 */
import type { FastifyInstance } from 'fastify';
import type { BmpCollector } from '../collector/bmp-collector.js';
import type { CollectorRouter } from '../collector/collector-router.js';
import type { Rib } from '../rib/rib.js';
import { ApiError, errorResponses } from './errors.js';
import { peerBmpSchema, peerDownReasonJson, routeSchema } from './schemas.js';

/** A router's BMP session counters, as {@link sessionJson} gives them. */
const sessionSchema = {
  type: ['object', 'null'],
  description: 'BMP session counters (null for routers known only from MRT dumps).',
  properties: {
    state: { type: 'string', enum: ['connected', 'disconnected'] },
    address: { type: 'string', description: 'Source address of its last session (the router name may differ: see serve --router-id-from).' },
    since: { type: 'string' },
    sysName: { type: ['string', 'null'] },
    sysDescr: { type: ['string', 'null'] },
    sessions: { type: 'integer' },
    bytes: { type: 'integer' },
    queueBytes: { type: 'integer' },
    lastError: { type: ['string', 'null'] },
    lastCloseReason: { type: ['string', 'null'], description: 'Why the last session closed: Termination received, closed by the router, an Initiation or idle timeout, replaced by a new session, or an error.' },
    messages: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;

/** Register the two routes on `app`; `collector` supplies the BMP counters when the service runs one. */
export function registerRouterRoutes(app: FastifyInstance, rib: Rib, collector: BmpCollector | undefined): void {
  app.get(
    '/api/v1/routers',
    {
      schema: {
        summary: 'Routers',
        description: 'Every router known to the RIB (BMP session sources and loaded MRT dumps), with its state, peer and route counts and BMP session counters.',
        tags: ['routers'],
        response: {
          200: {
            type: 'object',
            required: ['routers'],
            properties: {
              routers: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['name', 'state', 'peers', 'routes'],
                  properties: {
                    name: { type: 'string' },
                    state: { type: 'string', enum: ['up', 'down'] },
                    downSince: { type: ['string', 'null'] },
                    flushAt: { type: ['string', 'null'] },
                    peers: { type: 'integer' },
                    routes: { type: 'integer' },
                    bmp: sessionSchema,
                  },
                },
              },
            },
          },
        },
      },
    },
    async () => ({
      routers: rib.routers().map((router) => ({ ...router, bmp: sessionJson(collector?.routers.get(router.name)) })),
    }),
  );

  app.get(
    '/api/v1/routers/:router/peers',
    {
      schema: {
        summary: "A router's peers",
        description: 'Each monitored peer of the router with its state, route counts per view and per address family, and its BMP message and Statistics Report counters.',
        tags: ['routers'],
        params: { type: 'object', required: ['router'], properties: { router: { type: 'string', maxLength: 100, description: 'Router name as /api/v1/routers lists it.' } } },
        response: {
          200: {
            type: 'object',
            required: ['router', 'peers'],
            properties: {
              router: { type: 'string' },
              peers: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['address', 'asn', 'state', 'routes'],
                  properties: {
                    ...routeSchema.properties.peer.properties,
                    state: { type: 'string', enum: ['up', 'down'] },
                    routes: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Routes per view.' },
                    staleRoutes: { type: 'integer' },
                    routesByAfiSafi: { type: 'object', additionalProperties: { type: 'integer' } },
                    bmp: peerBmpSchema,
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { router } = request.params as { router: string };
      const peers = rib.peers(router);
      if (!peers) throw new ApiError(404, 'NOT_FOUND', `no router ${JSON.stringify(router)}; see /api/v1/routers`);
      return {
        router,
        peers: peers.map((peer) => {
          const counters = collector?.findPeer(router, peer)?.counters;
          return { ...peer, bmp: counters ? { messages: counters.messages, lastDownReason: peerDownReasonJson(counters.lastDownReason), stats: counters.stats } : null };
        }),
      };
    },
  );
}

function sessionJson(router: CollectorRouter | undefined): Record<string, unknown> | null {
  if (!router) return null;
  return {
    state: router.state,
    address: router.address,
    since: new Date(router.since).toISOString(),
    sysName: router.sysName,
    sysDescr: router.sysDescr,
    sessions: router.sessions,
    bytes: router.bytes + (router.connection?.bytesReceived ?? 0),
    queueBytes: router.connection?.queueBytes ?? 0,
    lastError: router.lastError,
    lastCloseReason: router.lastCloseReason,
    messages: router.messages,
  };
}
