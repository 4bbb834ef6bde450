/**
 * HttpThread: the HTTP worker of `serve --api-thread worker` seen from the main thread. It
 * starts http-worker.ts with a share of the RIB ({@link Rib.share}), the public listen address
 * and the loopback address of the main thread's app (which answers what the worker proxies),
 * waits until the worker accepts, and replaces a worker that dies (logged; the listening port
 * comes back, on the same port number). Design note: src/api/DESIGN-workers.md.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { RibstoreError } from '../errors.js';
import type { CommunityNames } from '../rib/community-names.js';
import type { Rib } from '../rib/rib.js';
import type { HttpWorkerData, HttpWorkerMessage } from './http-worker.js';

/** `serve --api-thread`: where HTTP is accepted, parsed and the route queries answered. */
export type ApiThread = 'main' | 'worker';

/** The arrangement that runs, for `/api/v1/stats` and `/metrics`. */
export interface ApiThreadStatistics {
  thread: ApiThread;
  /** Whether the HTTP worker runs now (false with `main`). */
  workerRunning: boolean;
  /** HTTP workers started again after one died. */
  workerRestarts: number;
}

/** Options of {@link HttpThread.start}. */
export interface HttpThreadOptions {
  /** Where clients connect (port 0: the system chooses, kept across restarts). */
  readonly host: string;
  readonly port: number;
  /** The main thread's app, listening on loopback for the worker's proxied requests. */
  readonly upstream: { readonly host: string; readonly port: number };
  readonly maxPageLimit: number;
  readonly requestTimeoutMs: number;
  /** Names shown beside route communities (the main app's). */
  readonly communityNames: CommunityNames;
  readonly logger: Logger;
  /** Worker script (default http-worker.js); tests may pass a wrapper. */
  readonly workerUrl?: URL;
}

/** A worker that dies sooner than this after it started is replaced only after this delay (no tight crash loop). */
const RESTART_DELAY_MS = 1000;
/** Longest `close()` waits for the worker to finish its requests before it is terminated. */
const CLOSE_GRACE_MS = 5000;

/** The running HTTP worker (see the module doc). */
export class HttpThread {
  private worker: Worker | undefined;
  private startedAt = 0;
  private restarts = 0;
  private closed = false;
  private bound: { address: string; port: number } | undefined;
  private readonly url: URL;

  private constructor(
    private readonly rib: Rib,
    private readonly options: HttpThreadOptions,
  ) {
    this.url = options.workerUrl ?? new URL('./http-worker.js', import.meta.url);
  }

  /**
   * Start the worker; resolves once it accepts connections.
   * @throws the worker's error when it cannot listen (e.g. the port is taken).
   */
  static async start(rib: Rib, options: HttpThreadOptions): Promise<HttpThread> {
    const thread = new HttpThread(rib, options);
    const message = await thread.spawn(options.port);
    thread.bound = { address: message.address, port: message.port };
    return thread;
  }

  /** The address and port the worker listens on. */
  get address(): { address: string; port: number } {
    return this.bound!;
  }

  statistics(): ApiThreadStatistics {
    return { thread: 'worker', workerRunning: this.worker !== undefined, workerRestarts: this.restarts };
  }

  /** The worker thread now (tests kill it to check the restart). */
  get current(): Worker | undefined {
    return this.worker;
  }

  /** Stop accepting and let requests in flight finish (at most 5 s), then end the worker. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    const grace = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
    await exited;
    clearTimeout(grace);
  }

  /** Start a worker listening on `port`; resolves with its first message, rejects if it ends first. */
  private spawn(port: number): Promise<HttpWorkerMessage> {
    const { options } = this;
    const descriptor = this.rib.share();
    const workerData: HttpWorkerData = {
      descriptor,
      host: options.host,
      port,
      upstream: options.upstream,
      maxPageLimit: options.maxPageLimit,
      requestTimeoutMs: options.requestTimeoutMs,
      communityNames: options.communityNames.source,
      logLevel: options.logger.level,
    };
    const worker = new Worker(this.url, { workerData, transferList: [descriptor.port] });
    this.worker = worker;
    this.startedAt = Date.now();
    return new Promise((resolve, reject) => {
      let listening = false;
      worker.once('message', (message: HttpWorkerMessage) => {
        listening = true;
        resolve(message);
      });
      worker.on('error', (error) => {
        options.logger.error({ err: error }, 'HTTP worker failed');
        if (!listening) reject(error);
      });
      worker.on('exit', (code) => {
        if (!listening) reject(new RibstoreError('INVALID_ARGUMENT', `the HTTP worker exited (code ${code}) before it listened on ${options.host}:${port}`));
        if (this.worker !== worker) return;
        this.worker = undefined;
        if (this.closed || this.bound === undefined) return;
        options.logger.error({ code }, 'HTTP worker exited; replacing it');
        this.restarts++;
        this.replace();
      });
    });
  }

  /** Start a new worker on the bound port, after a delay if the last one died young; retried until one listens. */
  private replace(): void {
    const delay = Date.now() - this.startedAt < RESTART_DELAY_MS ? RESTART_DELAY_MS : 0;
    setTimeout(() => {
      if (this.closed || this.worker !== undefined) return;
      this.spawn(this.bound!.port).then(
        () => this.options.logger.info({ port: this.bound!.port }, 'HTTP worker listening again'),
        // Its exit handler schedules the next attempt.
        () => {},
      );
    }, delay).unref();
  }
}
