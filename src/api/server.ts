/**
 * The HTTP API (Fastify): routes, their schemas, error mapping, metrics and the OpenAPI
 * document. Thin by design: every answer is a RIB or collector call, serialised by the
 * route's response schema.
 *
 * Routes (all GET):
 * ```
 *  /healthz                          liveness and a short status
 *  /metrics                          Prometheus text format
 *  /openapi.json                     this API, generated from the route schemas
 *  /api/v1/lookup?address=A          longest-prefix match and its routes
 *  /api/v1/routes?prefix=P&match=    exact | more-specifics | less-specifics, filtered (paged; prefix-routes.ts)
 *  /api/v1/origins/:asn/prefixes     prefixes whose best path ends in ASN (paged)
 *  /api/v1/routers                   routers with state, session counters and route counts
 *  /api/v1/routers/:router/peers     one router's peers with state and route counts per view
 *  /api/v1/stats                     RIB, collector and process figures
 *  /api/v1/export/mrt                the RIB (or one router) as an MRT TABLE_DUMP_V2 file, streamed
 *  /api/v1/communities/:c/routes     routes carrying a community or large community (community-routes.ts)
 *  /api/v1/watch?prefix=P            a prefix's routes, then each change, as server-sent events (prefix-watch.ts)
 *  /  and /assets/*                  the looking glass page (web-page.ts, built from src/web)
 * ```
 */
import { createServer } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { type Logger, pino } from 'pino';
import { parseAddress } from '../ip/address.js';
import type { Rib } from '../rib/rib.js';
import { CommunityNames } from '../rib/community-names.js';
import type { BmpCollector, CollectorRouter } from '../collector/bmp-collector.js';
import { MrtExportStream } from '../collector/mrt-export-stream.js';
import { VIEWS, type View } from '../rib/peer-registry.js';
import { registerCommunityRoutes } from './community-routes.js';
import { ribRouteFilter, routeFilterQueryWithCommunity, routePredicate } from './route-filters.js';
import { registerCommunityNames } from './community-names.js';
import { parseRouteFilters, registerPrefixRoutes, type RouteFilterQuery } from './prefix-routes.js';
import { registerPrefixWatch, type WatchOptions } from './prefix-watch.js';
import { ApiError, errorBody, errorSchema, handleClientError, handleError } from './errors.js';
import { createMetricsRegistry } from './metrics.js';
import { OpenApiCollector } from './openapi.js';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, page } from './pagination.js';
import type { BmpPublisherStatistics } from '../bus/publisher.js';
import type { BmpFollowerStatistics } from '../bus/follower.js';
import type { SnapshotStatusJson } from './snapshot-status.js';
import { registerWebPage } from './web-page.js';
import { pageFields, pageQuery, peerBmpSchema, peerDownReasonJson, prefixRoutesSchema, routeSchema, routerQuery } from './schemas.js';

/** What the API serves. */
export interface ApiServerOptions {
  readonly rib: Rib;
  /** The BMP collector, when the service runs one. */
  readonly collector?: BmpCollector;
  readonly logger?: Logger;
  /** Most items one page may hold (default and ceiling {@link MAX_PAGE_LIMIT}). */
  readonly maxPageLimit?: number;
  /** Version shown in /openapi.json and /healthz. */
  readonly version?: string;
  /** Persistence figures, when the service keeps snapshots. */
  readonly snapshots?: () => SnapshotStatusJson;
  /** Bus publisher figures, when the service publishes (`--publish`). */
  readonly publisher?: () => BmpPublisherStatistics;
  /** Bus follower figures, when the service is a replica (`--follow`). */
  readonly follower?: () => BmpFollowerStatistics;
  /**
   * A request whose headers (and body) have not all arrived this long after it began is
   * answered 408 and closed, so slow clients cannot hold connections open (default 30 s;
   * an MRT export streams its answer for as long as it needs: this bounds only the request).
   */
  readonly requestTimeoutMs?: number;
  /** Names shown beside route communities (default: the well-known ones only). */
  readonly communityNames?: CommunityNames;
  /** Limits of `/api/v1/watch` (prefix-watch.ts). */
  readonly watch?: WatchOptions;
}

/** The querystring schema of a route that takes no query parameters. */
const NO_QUERY = { type: 'object', properties: {}, additionalProperties: false } as const;

/** Default of {@link ApiServerOptions.requestTimeoutMs}. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

const errors = { 400: errorSchema, 404: errorSchema, 408: errorSchema, 413: errorSchema, 431: errorSchema, 500: errorSchema } as const;

/** Build the Fastify app (not listening yet: call `listen` or use `inject` in tests). */
export async function createApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const { rib, collector } = options;
  const version = options.version ?? '0.1.0';
  const maxLimit = Math.min(options.maxPageLimit ?? MAX_PAGE_LIMIT, MAX_PAGE_LIMIT);
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app: FastifyInstance = Fastify({
    // Node checks request deadlines every connectionsCheckingInterval (30 s by default):
    // check often enough that the timeout means what it says.
    serverFactory: (handler) =>
      createServer({ requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.max(50, Math.min(1000, requestTimeout / 4)) }, handler),
    requestTimeout,
    // Fastify's and Node's own errors get the API's error shape too.
    frameworkErrors: handleError,
    clientErrorHandler: handleClientError,
    loggerInstance: (options.logger ?? pino({ level: 'silent' })) as FastifyBaseLogger,
    // Per-request log lines would drown the collector's own; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Unknown query parameters are refused (a typo like `adress` must not be ignored silently).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true } },
  });
  const openapi = new OpenApiCollector();
  // Every route refuses query parameters it does not declare: one without a querystring schema
  // gets an empty one (registered before the OpenAPI hook, which then sees the final schema).
  app.addHook('onRoute', (route) => {
    if (route.schema?.querystring === undefined) route.schema = { ...route.schema, querystring: NO_QUERY };
  });
  app.addHook('onRoute', openapi.onRoute);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}; see /openapi.json`));
  });
  const started = Date.now();
  const registry = createMetricsRegistry({
    rib: () => {
      const stats = rib.stats();
      return { routes: stats.routes, prefixes: stats.prefixes, routers: stats.routers, peers: stats.peers };
    },
    ...(options.snapshots ? { snapshots: options.snapshots } : {}),
    ...(options.publisher ? { publisher: options.publisher } : {}),
    ...(options.follower ? { follower: options.follower } : {}),
    ...(collector
      ? {
          collector: () => {
            const depth = collector.queueDepth();
            return { totals: collector.totals, queueBytes: depth.bytes, queueMessages: depth.chunks };
          },
        }
      : {}),
  });
  /** The route filter of a `router` query parameter; an unknown router is 404 on every route. */
  const routerFilter = (router: string | undefined): { router?: string } => {
    if (router === undefined) return {};
    if (rib.registry.findRouter(router) === undefined) throw new ApiError(404, 'NOT_FOUND', `no router ${JSON.stringify(router)}; see /api/v1/routers`);
    return { router };
  };
  const pageLimit = (limit: number | undefined): number => {
    if (limit === undefined) return Math.min(DEFAULT_PAGE_LIMIT, maxLimit);
    if (limit > maxLimit) throw new ApiError(400, 'LIMIT_EXCEEDED', `limit ${limit} is over this server's page limit of ${maxLimit}`);
    return limit;
  };

  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness',
        description: 'Answers 200 while the process serves requests.',
        tags: ['service'],
        response: {
          200: {
            type: 'object',
            required: ['status'],
            properties: {
              status: { type: 'string', enum: ['ok'] },
              version: { type: 'string' },
              uptimeSeconds: { type: 'number' },
              bmpSessions: { type: 'integer' },
              routes: { type: 'integer' },
            },
          },
        },
      },
    },
    async () => ({
      status: 'ok',
      version,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      bmpSessions: collector?.totals.sessionsOpen ?? 0,
      routes: rib.stats().routes,
    }),
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        description: 'Sessions, messages by type, routes, prefixes, queue depth, errors and process memory, in the Prometheus text format.',
        tags: ['service'],
        produces: ['text/plain'],
        response: { 200: { type: 'string', description: 'Prometheus text exposition format' } },
      },
    },
    async (_request, reply) => {
      const text = await registry.metrics();
      void reply.type(registry.contentType);
      return text;
    },
  );

  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'This API as an OpenAPI 3.1 document',
        tags: ['service'],
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async () =>
      openapi.document({
        title: 'ribstore',
        version,
        description: 'BGP routes collected over BMP (and loaded from MRT dumps): lookups, prefix queries, routers, peers and statistics.',
      }),
  );

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
          ...errors,
        },
      },
    },
    async (request) => {
      const query = request.query as RouteFilterQuery & { address: string; router?: string; stale?: 'prefer-live' | 'include' };
      const address = parseAddress(query.address);
      const filters = parseRouteFilters(query);
      const answer = rib.lookup(address, { ...ribRouteFilter(filters, routerFilter(query.router)), stale: query.stale ?? 'prefer-live' });
      const narrowed = query.peer !== undefined || query.view !== undefined ? ' with the peer and view filters' : '';
      if (!answer) throw new ApiError(404, 'NOT_FOUND', `no route covers ${address.toString()}${query.router ? ` at router ${query.router}` : ''}${narrowed}`);
      const predicate = routePredicate(filters);
      if (predicate === undefined) return answer;
      const routes = answer.routes.filter(predicate);
      if (routes.length === 0) throw new ApiError(404, 'NOT_FOUND', `no route of ${answer.prefix}, the longest match of ${address.toString()}, passes the community, originAs and pathAs filters`);
      return { ...answer, routes };
    },
  );

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
          ...errors,
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
          ...errors,
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

  app.get(
    '/api/v1/stats',
    {
      schema: {
        summary: 'Statistics',
        description: 'RIB sizes, collector totals and process memory.',
        tags: ['service'],
        response: {
          200: {
            type: 'object',
            required: ['rib', 'memory'],
            properties: {
              rib: { type: 'object', additionalProperties: true },
              collector: { type: ['object', 'null'], additionalProperties: true },
              memory: {
                type: 'object',
                properties: { rss: { type: 'integer' }, heapUsed: { type: 'integer' }, external: { type: 'integer' }, arrayBuffers: { type: 'integer' } },
              },
              snapshots: {
                type: ['object', 'null'],
                additionalProperties: true,
                description: 'With --data-dir: the restored snapshot, the last write, rejected files and failures.',
              },
              publisher: {
                type: ['object', 'null'],
                additionalProperties: true,
                description:
                  'With --publish: connected, disconnects, published, publishedBytes, duplicates, dropped, errors, lastError, queuedMessages, queuedBytes, lagMs (age of the oldest unacknowledged message), holding.',
              },
              follower: {
                type: ['object', 'null'],
                additionalProperties: true,
                description:
                  'With --follow: connected, stream, subject, lastSequence (last stream sequence applied), firstSequence (the first this process applied: after a restart, the snapshot sequence + 1), applied, pending (records after it), lagMs (age of the last record when applied), skipped, disconnects, lastError.',
              },
              uptimeSeconds: { type: 'number' },
            },
          },
        },
      },
    },
    async () => {
      const memory = process.memoryUsage();
      const depth = collector?.queueDepth();
      return {
        rib: rib.stats(),
        collector: collector ? { ...collector.totals, queueBytes: depth!.bytes, queueChunks: depth!.chunks } : null,
        memory: { rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, arrayBuffers: memory.arrayBuffers },
        snapshots: options.snapshots?.() ?? null,
        publisher: options.publisher?.() ?? null,
        follower: options.follower?.() ?? null,
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
      };
    },
  );

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
          ...errors,
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

  // An export streams as fast as its client reads: a client that stops reading would hold
  // close() (and a stopping service) for ever. Stopping cuts such downloads short.
  const exports = new Set<MrtExportStream>();
  app.addHook('preClose', async () => {
    for (const stream of exports) stream.destroy(new Error('the service is stopping'));
  });

  registerPrefixRoutes(app, rib, { pageLimit, routerFilter });
  registerCommunityRoutes(app, rib, { pageLimit, routerFilter });
  const names = options.communityNames ?? CommunityNames.builtIn();
  registerCommunityNames(app, names);
  registerPrefixWatch(app, rib, names, options.watch);
  registerWebPage(app);

  await app.ready();
  return app;
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
