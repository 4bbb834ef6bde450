/**
 * The routes about the service itself: `GET /healthz` (liveness), `GET /metrics`
 * (Prometheus), `GET /openapi.json` (this API, from the route schemas) and
 * `GET /api/v1/stats` (RIB, collector, persistence, bus and process figures).
 */
import type { FastifyInstance } from 'fastify';
import type { BmpFollowerStatistics } from '../bus/follower.js';
import type { ApiThreadStatistics } from './http-thread.js';
import type { ReaderPoolStatistics } from './reader-pool.js';
import type { BmpPublisherStatistics } from '../bus/publisher.js';
import type { BmpCollector } from '../collector/bmp-collector.js';
import type { Rib } from '../rib/rib.js';
import { createMetricsRegistry } from './metrics.js';
import type { OpenApiCollector } from './openapi.js';
import type { SnapshotStatusJson } from './snapshot-status.js';

/** What the service routes report on (see {@link ApiServerOptions} for each). */
export interface ServiceSources {
  readonly rib: Rib;
  readonly collector: BmpCollector | undefined;
  /** Version shown in /openapi.json and /healthz. */
  readonly version: string;
  /** When the server was made (ms since epoch): uptime counts from it. */
  readonly started: number;
  /** The OpenAPI document's source, fed by the server's onRoute hook. */
  readonly openapi: OpenApiCollector;
  readonly snapshots?: (() => SnapshotStatusJson) | undefined;
  readonly publisher?: (() => BmpPublisherStatistics) | undefined;
  readonly follower?: (() => BmpFollowerStatistics) | undefined;
  /** The API's reader workers (`--api-workers` > 0). */
  readonly readerPool?: (() => ReaderPoolStatistics) | undefined;
  /** Which thread serves HTTP (`--api-thread`) and its HTTP worker's figures. */
  readonly apiThread: () => ApiThreadStatistics;
}

/** Register the four routes on `app`. */
export function registerServiceRoutes(app: FastifyInstance, sources: ServiceSources): void {
  const { rib, collector, version, started, openapi } = sources;
  const registry = createMetricsRegistry({
    rib: () => {
      const stats = rib.stats();
      return { routes: stats.routes, prefixes: stats.prefixes, routers: stats.routers, peers: stats.peers };
    },
    ...(sources.snapshots ? { snapshots: sources.snapshots } : {}),
    ...(sources.publisher ? { publisher: sources.publisher } : {}),
    ...(sources.follower ? { follower: sources.follower } : {}),
    ...(sources.readerPool ? { readerPool: sources.readerPool } : {}),
    apiThread: sources.apiThread,
    ...(collector
      ? {
          collector: () => {
            const depth = collector.queueDepth();
            return { totals: collector.totals, queueBytes: depth.bytes, queueMessages: depth.chunks };
          },
        }
      : {}),
  });

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
                  'With --publish: connected, disconnects, published, publishedBytes, duplicates, dropped, errors, lastError, queuedMessages, queuedBytes, lagMs (age of the oldest unacknowledged message), holding, workerRestarts (publish worker threads restarted after the previous one died; what a dead worker held is counted in dropped).',
              },
              follower: {
                type: ['object', 'null'],
                additionalProperties: true,
                description:
                  'With --follow: connected, stream, subject, lastSequence (last stream sequence applied), firstSequence (the first this process applied: after a restart, the snapshot sequence + 1), applied, pending (records after it), lagMs (age of the last record when applied), skipped, disconnects, lastError.',
              },
              apiWorkers: {
                type: ['object', 'null'],
                additionalProperties: true,
                description:
                  'With --api-workers N > 0: workers (running now), answered (requests a worker answered), failed (answered 503 UNAVAILABLE: their worker died or did not answer in 30 s), replaced (workers started again), inFlight.',
              },
              api: {
                type: 'object',
                additionalProperties: true,
                description:
                  'Where HTTP is served (`serve --api-thread`): thread (`worker`: a worker thread owns the listening socket and answers lookups and routes queries from shared memory, proxying the rest to the main thread; `main`: the main thread answers everything), workerRunning, workerRestarts (HTTP workers started again after one died; logged).',
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
        snapshots: sources.snapshots?.() ?? null,
        publisher: sources.publisher?.() ?? null,
        follower: sources.follower?.() ?? null,
        apiWorkers: sources.readerPool?.() ?? null,
        api: sources.apiThread(),
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
      };
    },
  );
}
