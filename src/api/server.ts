/**
 * The HTTP API (Fastify): the server, its limits and hooks, and the list of its routes, each
 * group registered from a file of its own. Thin by design: every answer is a RIB or
 * collector call, serialised by the route's response schema.
 *
 * Routes (all GET):
 * ```
 *  /healthz                          liveness and a short status (service-routes.ts)
 *  /metrics                          Prometheus text format (service-routes.ts, metrics.ts)
 *  /openapi.json                     this API, generated from the route schemas (service-routes.ts)
 *  /api/v1/lookup?address=A          longest-prefix match and its routes (address-lookup.ts)
 *  /api/v1/routes?prefix=P&match=    exact | more-specifics* | less-specifics, filtered (paged; prefix-routes.ts)
 *  /api/v1/origins/:asn/prefixes     prefixes whose best path ends in ASN (paged; origin-prefixes.ts)
 *  /api/v1/routers                   routers with state, session counters and route counts (routers.ts)
 *  /api/v1/routers/:router/peers     one router's peers with state and route counts per view (routers.ts)
 *  /api/v1/stats                     RIB, collector and process figures (service-routes.ts)
 *  /api/v1/export/mrt                the RIB (or one router) as an MRT TABLE_DUMP_V2 file, streamed (mrt-download.ts)
 *  /api/v1/communities/:c/routes     routes carrying a community or large community (community-routes.ts)
 *  /api/v1/watch?prefix=P            a prefix's routes, then each change, as server-sent events (prefix-watch.ts)
 *  /  and /assets/*                  the looking glass page (web-page.ts, built from src/web)
 * ```
 * `*`: answered by a reader worker when the server has a {@link ReaderPool} (rib-queries.ts
 * holds the answer code both threads run, and `readsInWorker` says which queries go, and why);
 * everything else on this thread.
 *
 * With `serve --api-thread worker` (the default) this app does not face clients: the HTTP
 * worker (http-worker.ts) owns the listening socket, answers lookup and routes itself (the same
 * {@link registerRouteQueries} on the same {@link createBareApp}), and forwards every other
 * request to this app, which then listens on 127.0.0.1 for it only (DESIGN-workers.md).
 */
import { createServer } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { type Logger, pino } from 'pino';
import type { BmpFollowerStatistics } from '../bus/follower.js';
import type { BmpPublisherStatistics } from '../bus/publisher.js';
import type { BmpCollector } from '../collector/bmp-collector.js';
import { CommunityNames } from '../rib/community-names.js';
import type { Rib } from '../rib/rib.js';
import { registerAddressLookup } from './address-lookup.js';
import { registerCommunityNames } from './community-names.js';
import { registerCommunityRoutes } from './community-routes.js';
import { errorBody, handleClientError, handleError } from './errors.js';
import { registerMrtDownload } from './mrt-download.js';
import { OpenApiCollector } from './openapi.js';
import { registerOriginPrefixes } from './origin-prefixes.js';
import { MAX_PAGE_LIMIT } from './pagination.js';
import { registerPrefixRoutes } from './prefix-routes.js';
import { answerQuery, readsInWorker, type RibQuery } from './rib-queries.js';
import { registerPrefixWatch, type WatchOptions } from './prefix-watch.js';
import type { ApiThreadStatistics } from './http-thread.js';
import type { ReaderPool } from './reader-pool.js';
import { createRequestChecks, type RequestChecks } from './request-checks.js';
import { registerRouterRoutes } from './routers.js';
import { registerServiceRoutes } from './service-routes.js';
import type { SnapshotStatusJson } from './snapshot-status.js';
import { registerWebPage } from './web-page.js';

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
  /**
   * Reader workers that answer the `/api/v1/routes` more-specifics scans from the RIB's shared
   * memory (`serve --api-workers`, reader-pool.ts); absent: this thread answers them.
   */
  readonly readerPool?: ReaderPool;
  /**
   * Where HTTP is served (`serve --api-thread`): the HTTP worker's figures when a worker owns
   * the listening socket and this app answers only what it proxies (http-thread.ts); absent:
   * this app listens itself (`main`).
   */
  readonly apiThread?: () => ApiThreadStatistics;
}

/** The querystring schema of a route that takes no query parameters. */
const NO_QUERY = { type: 'object', properties: {}, additionalProperties: false } as const;

/** Default of {@link ApiServerOptions.requestTimeoutMs}. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** What {@link createBareApp} needs. */
export interface BareAppOptions {
  readonly logger?: Logger | undefined;
  /** See {@link ApiServerOptions.requestTimeoutMs}. */
  readonly requestTimeoutMs?: number | undefined;
  /**
   * Answers a request no route matches (default: 404 `NOT_FOUND`); the HTTP worker passes its
   * proxy to the main thread's app (http-worker.ts).
   */
  readonly notFound?: ((request: FastifyRequest, reply: FastifyReply) => void) | undefined;
  /** Answers a route's error (default: {@link handleError}, the API's error shapes). */
  readonly errorHandler?: ((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => void) | undefined;
}

/**
 * The Fastify app without routes: the server's limits and timeouts, the hooks every route
 * gets (unknown query parameters refused, OpenAPI collection), the error shapes. Both
 * arrangements of `serve --api-thread` start from it: the main thread's app (every route,
 * {@link createApiServer}) and the HTTP worker's (the route queries; http-worker.ts).
 */
export function createBareApp(options: BareAppOptions): { app: FastifyInstance; openapi: OpenApiCollector } {
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
  app.setErrorHandler(options.errorHandler ?? handleError);
  app.setNotFoundHandler(
    options.notFound ??
      ((request, reply) => {
        void reply.status(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}; see /openapi.json`));
      }),
  );
  return { app, openapi };
}

/**
 * The routes the HTTP worker answers itself (`--api-thread worker`, http-worker.ts), and the
 * community names of every answer: registered by this one function on both threads, so their
 * schemas, checks and answers are the same. `runQuery` answers a checked query (the Rib or a
 * reader worker on the main thread, a SharedRibReader in the HTTP worker).
 */
export function registerRouteQueries(app: FastifyInstance, runQuery: (query: RibQuery) => unknown, checks: RequestChecks, names: CommunityNames): void {
  registerAddressLookup(app, runQuery, checks);
  registerPrefixRoutes(app, runQuery, checks);
  registerCommunityNames(app, names);
}

/** Build the Fastify app with every route (not listening yet: call `listen` or use `inject` in tests). */
export async function createApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const { rib, collector } = options;
  const version = options.version ?? '0.1.0';
  const maxLimit = Math.min(options.maxPageLimit ?? MAX_PAGE_LIMIT, MAX_PAGE_LIMIT);
  const { app, openapi } = createBareApp({ logger: options.logger, requestTimeoutMs: options.requestTimeoutMs });
  const checks = createRequestChecks((name) => rib.registry.findRouter(name) !== undefined, maxLimit);
  registerServiceRoutes(app, {
    rib,
    collector,
    version,
    started: Date.now(),
    openapi,
    snapshots: options.snapshots,
    publisher: options.publisher,
    follower: options.follower,
    readerPool: options.readerPool ? () => options.readerPool!.statistics() : undefined,
    apiThread: options.apiThread ?? (() => ({ thread: 'main', workerRunning: false, workerRestarts: 0 })),
  });
  const pool = options.readerPool;
  const runQuery = (query: RibQuery): unknown => (pool && readsInWorker(query) ? pool.run(query) : answerQuery(rib, query));
  const names = options.communityNames ?? CommunityNames.builtIn();
  registerRouteQueries(app, runQuery, checks, names);
  registerOriginPrefixes(app, rib, checks);
  registerRouterRoutes(app, rib, collector);
  registerMrtDownload(app, rib, checks);
  registerCommunityRoutes(app, rib, checks);
  registerPrefixWatch(app, rib, names, options.watch);
  registerWebPage(app);

  await app.ready();
  return app;
}
