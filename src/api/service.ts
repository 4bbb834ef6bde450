/**
 * The running service: one RIB, the BMP collector feeding it, the HTTP API reading it, an
 * optional MRT preload, the keep-time clock and a graceful stop. `ribstore serve` is this
 * plus flag parsing; tests start it in-process on port 0.
 *
 * ```
 *   routers ──BMP──► BmpCollector ──► Rib ◄── HTTP API ◄── clients
 *                                      ▲
 *   --mrt files ──── MRT loader ───────┘        timer: rib.tick() + sweep (keep time, flushes)
 * ```
 */
import type { AddressInfo } from 'node:net';
import { destination, pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { BmpCollector } from '../collector/bmp-collector.js';
import { loadMrtFiles } from '../collector/mrt-loader.js';
import { AllowList, type ListenAddress, formatListenAddress } from '../collector/options.js';
import { Rib } from '../rib/rib.js';
import { createApiServer } from './server.js';

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
  readonly maxMessageLength?: number;
  readonly queueHighWaterBytes?: number;
  readonly maxPageLimit?: number;
  /** pino level name; ignored when `logger` is given. Default `info`. */
  readonly logLevel?: string;
  /** Logger to use (default: JSON lines on stderr). */
  readonly logger?: Logger;
  /** How often the keep-time clock runs (ms). Default 1000. */
  readonly tickMs?: number;
}

/** A running service. */
export interface Service {
  readonly rib: Rib;
  readonly collector: BmpCollector;
  readonly api: FastifyInstance;
  readonly logger: Logger;
  /** Bound BMP address, `host:port`. */
  readonly bmpAddress: string;
  readonly bmpPort: number;
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:8080`. */
  readonly httpUrl: string;
  /** Stop listening, close sessions, finish in-flight requests. Routes stay in memory until exit. */
  close(): Promise<void>;
}

/** Start the service: preload MRT files, then open the BMP and HTTP listeners. */
export async function startService(options: ServiceOptions): Promise<Service> {
  const logger = options.logger ?? pino({ level: options.logLevel ?? 'info', base: { service: 'ribstore' } }, destination(2));
  const rib = new Rib({ keepMs: options.keepMs ?? 300_000 });
  for (const file of options.mrtFiles ?? []) {
    const summary = await loadMrtFiles(rib, [file], { router: 'mrt' });
    logger.info({ file, routes: summary.announcements, prefixes: summary.prefixes, ms: Math.round(summary.elapsedMs) }, 'MRT file loaded');
  }
  const collector = new BmpCollector({
    rib,
    logger,
    ...(options.allow ? { allow: options.allow } : {}),
    ...(options.maxSessions ? { maxSessions: options.maxSessions } : {}),
    ...(options.maxMessageLength ? { maxMessageLength: options.maxMessageLength } : {}),
    ...(options.queueHighWaterBytes ? { queueHighWaterBytes: options.queueHighWaterBytes } : {}),
  });
  const api = await createApiServer({ rib, collector, logger, ...(options.maxPageLimit ? { maxPageLimit: options.maxPageLimit } : {}) });
  let bmp: AddressInfo;
  try {
    bmp = await collector.listen(options.bmpListen.host, options.bmpListen.port);
    await api.listen({ host: options.httpListen.host, port: options.httpListen.port });
  } catch (error) {
    await collector.close().catch(() => {});
    await api.close().catch(() => {});
    throw error;
  }
  const http = api.server.address() as AddressInfo;
  const tick = setInterval(() => collector.tick(), options.tickMs ?? 1000);
  tick.unref();
  const bmpAddress = formatListenAddress({ host: bmp.address, port: bmp.port });
  const httpUrl = `http://${formatListenAddress({ host: http.address, port: http.port })}`;
  logger.info({ bmp: bmpAddress, http: httpUrl }, 'ribstore serving');
  let closing: Promise<void> | undefined;
  return {
    rib,
    collector,
    api,
    logger,
    bmpAddress,
    bmpPort: bmp.port,
    httpUrl,
    close() {
      closing ??= (async () => {
        clearInterval(tick);
        await Promise.all([collector.close(), api.close()]);
        logger.info('ribstore stopped');
      })();
      return closing;
    },
  };
}
