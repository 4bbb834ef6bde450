/**
 * The running service: one RIB, the BMP collector feeding it, the HTTP API reading it, an
 * optional MRT preload, the keep-time clock and a graceful stop. `ribstore serve` is this
 * plus flag parsing; tests start it in-process on port 0.
 *
 * ```
 *   routers ──BMP──► BmpCollector ──► Rib ◄── HTTP API ◄── clients (--api-thread main)
 *                    shared memory ────┤            │ more-specifics (--api-workers N)
 *                                      ├──► ReaderPool workers
 *                                      └──► HTTP worker ◄── clients (--api-thread worker:
 *                                            lookups, routes; the rest proxied to the HTTP API)
 *                  └─► BmpPublisher ──► NATS JetStream (--publish)
 *   NATS JetStream ──► BmpFollower ──► BmpCollector feeds (--follow: a query replica)
 *   --mrt files ──── MRT loader ───────┘        timer: rib.tick() + sweep (keep time, flushes)
 * ```
 */
import type { AddressInfo } from 'node:net';
import { destination, pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { BmpCollector, type BmpSessionHygiene } from '../collector/bmp-collector.js';
import { loadMrtFiles } from '../collector/mrt-loader.js';
import { AllowList } from '../collector/allow-list.js';
import { type ListenAddress, formatListenAddress } from '../collector/options.js';
import { Rib } from '../rib/rib.js';
import { CommunityNames } from '../rib/community-names.js';
import { createApiServer } from '../api/server.js';
import { ReaderPool } from '../api/reader-pool.js';
import { type ApiThread, HttpThread } from '../api/http-thread.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../api/server.js';
import { MAX_PAGE_LIMIT } from '../api/pagination.js';
import { RibstoreError } from '../errors.js';
import { SnapshotKeeper } from './snapshot-keeper.js';
import { BmpPublisher, type BmpPublisherOptions } from '../bus/publisher.js';
import { BmpFollower } from '../bus/follower.js';

/** The router name MRT preloads are filed under. */
const MRT_ROUTER = 'mrt';

/** Everything `ribstore serve` can set. Every field but the listen addresses has a default. */
export interface ServiceOptions {
  readonly bmpListen: ListenAddress;
  readonly httpListen: ListenAddress;
  /** How long a disconnected router's routes are kept (ms). Default 5 minutes. */
  readonly keepMs?: number;
  readonly allow?: AllowList;
  /** MRT files loaded before the listeners open. */
  readonly mrtFiles?: readonly string[];
  readonly maxSessions?: number;
  /** Initiation and idle timeouts, per-address and pending-connection limits of BMP sessions. */
  readonly sessionHygiene?: BmpSessionHygiene;
  readonly maxMessageLength?: number;
  readonly queueHighWaterBytes?: number;
  /** All BMP sessions' queued bytes together above which sockets pause (collector default 64 MiB). */
  readonly queueTotalBytes?: number;
  readonly maxPageLimit?: number;
  /** Most `/api/v1/watch` streams open at once (default 100). */
  readonly maxWatchers?: number;
  /** pino level name; ignored when `logger` is given. Default `info`. */
  readonly logLevel?: string;
  /** Logger to use (default: JSON lines on stderr). */
  readonly logger?: Logger;
  /** How often the keep-time clock runs (ms). Default 1000. */
  readonly tickMs?: number;
  /** Directory for RIB snapshots: restored at start, written every `snapshotIntervalMs` and at stop. None: no persistence. */
  readonly dataDir?: string;
  /** Time between snapshots (ms). Default 10 minutes. */
  readonly snapshotIntervalMs?: number;
  /** Complete snapshots kept in `dataDir`. Default 3. */
  readonly snapshotKeep?: number;
  /** Publish every received BMP message to NATS JetStream (`--publish`); logger is the service's. */
  readonly publish?: Omit<BmpPublisherOptions, 'logger'>;
  /** Follow a JetStream stream of OpenBMP records (`--follow`): a query replica. */
  readonly follow?: { readonly servers: string; readonly subject?: string };
  /** Community names shown in route answers (`--community-names`); default: the well-known ones. */
  readonly communityNames?: CommunityNames;
  /**
   * Reader worker threads answering `/api/v1/routes` more-specifics scans from the RIB's
   * shared memory (`--api-workers`, api/reader-pool.ts). Default 0: this thread answers them.
   */
  readonly apiWorkers?: number;
  /**
   * Where HTTP is served (`--api-thread`, api/http-thread.ts). `worker`: a worker thread owns
   * the listening socket and answers lookups and routes queries from the RIB's shared memory;
   * everything else it proxies to this thread's app, which listens on 127.0.0.1 for it only.
   * `main`: this thread accepts and answers everything. Default {@link DEFAULT_API_THREAD},
   * or `main` when `apiWorkers` > 0 (the reader workers serve the main thread's app).
   */
  readonly apiThread?: ApiThread;
}

/**
 * Default of {@link ServiceOptions.apiThread}: `worker`. Measured while a full table streams
 * (src/api/DESIGN-workers.md): lookup p50 0.5-0.9 ms instead of 6.8-8 ms, p99 8.7-25 ms instead
 * of 27-36 ms; the table took about 20 % longer to load meanwhile.
 */
export const DEFAULT_API_THREAD: ApiThread = 'worker';

/** A running service. */
export interface Service {
  readonly rib: Rib;
  readonly collector: BmpCollector;
  /**
   * The main thread's app (every route). With `apiThread: 'worker'` it listens on 127.0.0.1
   * for the HTTP worker only; clients use {@link httpUrl}.
   */
  readonly api: FastifyInstance;
  readonly logger: Logger;
  /** Persistence, when started with `dataDir`. */
  readonly snapshots: SnapshotKeeper | undefined;
  /** The bus publisher, when started with `publish`. */
  readonly publisher: BmpPublisher | undefined;
  /** The bus follower, when started with `follow`. */
  readonly follower: BmpFollower | undefined;
  /** The API's reader workers, when started with `apiWorkers` > 0. */
  readonly readerPool: ReaderPool | undefined;
  /** The HTTP worker, when started with `apiThread: 'worker'`. */
  readonly httpThread: HttpThread | undefined;
  /** Bound BMP address, `host:port`. */
  readonly bmpAddress: string;
  readonly bmpPort: number;
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:8080`. */
  readonly httpUrl: string;
  /**
   * Stop listening, close sessions, finish in-flight requests, then (with `dataDir`) write a
   * final snapshot. Routes stay in memory until exit.
   */
  close(): Promise<void>;
}

/** Start the service: restore the newest snapshot, preload MRT files, then open the BMP and HTTP listeners. */
export async function startService(options: ServiceOptions): Promise<Service> {
  const apiThread = options.apiThread ?? ((options.apiWorkers ?? 0) > 0 ? 'main' : DEFAULT_API_THREAD);
  if (apiThread === 'worker' && (options.apiWorkers ?? 0) > 0) {
    throw new RibstoreError('INVALID_ARGUMENT', '--api-workers applies to --api-thread main: with --api-thread worker the HTTP worker answers the routes queries itself');
  }
  const logger = options.logger ?? pino({ level: options.logLevel ?? 'info', base: { service: 'ribstore' } }, destination(2));
  const ribOptions = { keepMs: options.keepMs ?? 300_000 };
  const snapshots =
    options.dataDir === undefined
      ? undefined
      : new SnapshotKeeper({ dataDir: options.dataDir, intervalMs: options.snapshotIntervalMs ?? 600_000, keep: options.snapshotKeep ?? 3, logger });
  const rib = snapshots ? await snapshots.restore(ribOptions) : new Rib(ribOptions);
  const mrtFiles = options.mrtFiles ?? [];
  // MRT routes restored from a snapshot are replaced by the files' routes; what the files no longer hold goes.
  if (mrtFiles.length > 0 && rib.registry.findRouter(MRT_ROUTER)) rib.routerUp(MRT_ROUTER);
  for (const file of mrtFiles) {
    const summary = await loadMrtFiles(rib, [file], { router: MRT_ROUTER, truncated: 'keep' });
    logger.info({ file, routes: summary.announcements, prefixes: summary.prefixes, ms: Math.round(summary.elapsedMs) }, 'MRT file loaded');
    for (const cut of summary.truncated) logger.warn({ file, consumed: cut.consumed }, `MRT file truncated: its complete records are loaded (${cut.message})`);
  }
  if (mrtFiles.length > 0) rib.flushStale(MRT_ROUTER);
  const publisher = options.publish ? new BmpPublisher({ ...options.publish, logger }) : undefined;
  const collector = new BmpCollector({
    rib,
    logger,
    ...(publisher ? { tap: publisher } : {}),
    ...(options.allow ? { allow: options.allow } : {}),
    ...(options.maxSessions ? { maxSessions: options.maxSessions } : {}),
    ...(options.maxMessageLength ? { maxMessageLength: options.maxMessageLength } : {}),
    ...(options.queueHighWaterBytes ? { queueHighWaterBytes: options.queueHighWaterBytes } : {}),
    ...(options.queueTotalBytes ? { queueTotalBytes: options.queueTotalBytes } : {}),
    ...options.sessionHygiene,
  });
  // A replica goes on from its snapshot's stream position: after its last sequence, its sessions resumed.
  const follower = options.follow ? new BmpFollower({ ...options.follow, collector, rib, logger, resume: snapshots?.restoredStream ?? null }) : undefined;
  const readerPool = options.apiWorkers ? ReaderPool.start(rib, { workers: options.apiWorkers, logger }) : undefined;
  let httpThread: HttpThread | undefined;
  const api = await createApiServer({
    rib,
    ...(apiThread === 'worker' ? { apiThread: () => httpThread?.statistics() ?? { thread: 'worker', workerRunning: false, workerRestarts: 0 } } : {}),
    ...(readerPool ? { readerPool } : {}),
    collector,
    logger,
    ...(options.maxPageLimit ? { maxPageLimit: options.maxPageLimit } : {}),
    ...(options.maxWatchers ? { watch: { maxWatchers: options.maxWatchers } } : {}),
    ...(options.communityNames ? { communityNames: options.communityNames } : {}),
    ...(snapshots ? { snapshots: () => snapshots.snapshotStatus() } : {}),
    ...(publisher ? { publisher: () => publisher.statistics() } : {}),
    ...(follower ? { follower: () => follower.statistics() } : {}),
  });
  // BMP sessions are accepted once the publisher's first connection attempt ended (bounded).
  publisher?.start();
  await publisher?.firstAttempt(2000);
  let bmp: AddressInfo;
  try {
    bmp = await collector.listen(options.bmpListen.host, options.bmpListen.port);
    if (apiThread === 'main') {
      await api.listen({ host: options.httpListen.host, port: options.httpListen.port });
    } else {
      // This app answers only what the HTTP worker proxies, on loopback.
      await api.listen({ host: '127.0.0.1', port: 0 });
      httpThread = await HttpThread.start(rib, {
        host: options.httpListen.host,
        port: options.httpListen.port,
        upstream: { host: '127.0.0.1', port: (api.server.address() as AddressInfo).port },
        maxPageLimit: Math.min(options.maxPageLimit ?? MAX_PAGE_LIMIT, MAX_PAGE_LIMIT),
        requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
        communityNames: options.communityNames ?? CommunityNames.builtIn(),
        logger,
      });
    }
  } catch (error) {
    await httpThread?.close().catch(() => {});
    await collector.close().catch(() => {});
    await publisher?.close(0).catch(() => {});
    await api.close().catch(() => {});
    await readerPool?.close();
    throw error;
  }
  const http = httpThread ? httpThread.address : (api.server.address() as AddressInfo);
  const tick = setInterval(() => collector.tick(), options.tickMs ?? 1000);
  tick.unref();
  snapshots?.start(rib, follower ? () => follower.streamPosition() : undefined);
  follower?.start();
  const bmpAddress = formatListenAddress({ host: bmp.address, port: bmp.port });
  const httpUrl = `http://${formatListenAddress({ host: http.address, port: http.port })}`;
  logger.info({ bmp: bmpAddress, http: httpUrl, apiThread }, 'ribstore serving');
  let closing: Promise<void> | undefined;
  return {
    rib,
    collector,
    api,
    logger,
    snapshots,
    publisher,
    follower,
    readerPool,
    httpThread,
    bmpAddress,
    bmpPort: bmp.port,
    httpUrl,
    close() {
      closing ??= (async () => {
        clearInterval(tick);
        await follower?.close();
        // A replica's last snapshot is taken while its routers' sessions are still live: they
        // did not end, the replica stopped following (they resume at the next start).
        if (follower) await snapshots?.stop();
        await collector.close();
        await publisher?.close();
        if (!follower) await snapshots?.stop();
        // Together: the main app's close ends the watch streams the worker proxies, so the worker's own close can finish.
        await Promise.all([httpThread?.close(), api.close()]);
        await readerPool?.close();
        logger.info('ribstore stopped');
      })();
      return closing;
    },
  };
}
