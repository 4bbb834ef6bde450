/**
 * ReaderPool: the API's reader workers (`serve --api-workers N`). Each worker opens the RIB's
 * shared memory ({@link Rib.share} → SharedRibReader, reader-worker.ts) and answers the
 * {@link RibQuery} requests the main thread posts to it (any lookup or routes query; the server
 * sends the more-specifics scans, rib-queries.ts `readsInWorker`), one message each way per request.
 * The main thread keeps accepting and parsing HTTP, checks the request, then awaits the
 * worker's answer, so the RIB reads (and the shaping of their JSON) leave the thread that
 * also applies BMP updates. Design note: src/api/DESIGN-workers.md.
 *
 * Dispatch: the worker with the fewest requests in flight (ties: round robin). A worker that
 * exits or errors is logged and replaced; every request in flight on it is answered 503
 * `UNAVAILABLE` at once. A request unanswered after `requestTimeoutMs` gets the same 503 and
 * its worker is terminated and replaced (a worker stuck in a loop must not hold requests).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { type ErrorCode, RibstoreError } from '../errors.js';
import type { Rib } from '../rib/rib.js';
import { ApiError, type ApiErrorCode } from './errors.js';
import type { RibQuery } from './rib-queries.js';

/** A worker's answer to one request. */
export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; status?: number; code: ApiErrorCode; message: string };

/** Options of {@link ReaderPool.start}. */
export interface ReaderPoolOptions {
  /** Worker threads (at least 1). */
  readonly workers: number;
  readonly logger?: Logger;
  /** A request not answered by then is 503 and its worker replaced (ms). Default 30 000. */
  readonly requestTimeoutMs?: number;
  /** Worker script (default reader-worker.js); tests pass a wrapper that can crash on demand. */
  readonly workerUrl?: URL;
}

/** Counters of a pool, for stats and tests. */
export interface ReaderPoolStatistics {
  workers: number;
  /** Requests answered by a worker (errors included). */
  answered: number;
  /** Requests answered 503 because their worker died or timed out. */
  failed: number;
  /** Workers replaced after an exit, an error or a timeout. */
  replaced: number;
  inFlight: number;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  slot: Slot;
}

interface Slot {
  index: number;
  worker: Worker | undefined;
  inFlight: number;
  startedAt: number;
}

/** A worker that dies sooner than this after it started is replaced only after this delay (no tight crash loop). */
const RESTART_DELAY_MS = 1000;

/** Reader workers over one RIB (see the module doc). */
export class ReaderPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextSlot = 0;
  private closed = false;
  private readonly stats = { answered: 0, failed: 0, replaced: 0 };
  private readonly timeoutMs: number;
  private readonly url: URL;

  private constructor(
    private readonly rib: Rib,
    private readonly options: ReaderPoolOptions,
  ) {
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.url = options.workerUrl ?? new URL('./reader-worker.js', import.meta.url);
  }

  /**
   * Start `options.workers` workers over `rib` (which must use the default shared index).
   * @throws RibstoreError `INVALID_ARGUMENT` for a worker count below 1.
   */
  static start(rib: Rib, options: ReaderPoolOptions): ReaderPool {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new RibstoreError('INVALID_ARGUMENT', `a reader pool needs at least 1 worker, got ${options.workers}`);
    const pool = new ReaderPool(rib, options);
    for (let i = 0; i < options.workers; i++) {
      const slot: Slot = { index: i, worker: undefined, inFlight: 0, startedAt: 0 };
      pool.slots.push(slot);
      pool.spawn(slot);
    }
    return pool;
  }

  /** Answer `query` in a worker: resolves with the 200 body, rejects with the error the handler throws. */
  run(query: RibQuery): Promise<unknown> {
    const slot = this.pick();
    if (slot === undefined) return Promise.reject(unavailable(this.closed ? 'the server is stopping' : 'no reader worker is running; try again shortly'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.timedOut(id), this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer, slot });
      slot.inFlight++;
      slot.worker!.postMessage({ id, query });
    });
  }

  statistics(): ReaderPoolStatistics {
    return { workers: this.slots.filter((s) => s.worker !== undefined).length, ...this.stats, inFlight: this.pending.size };
  }

  /** Stop every worker; requests still in flight are answered 503. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = this.slots.map((s) => s.worker).filter((w): w is Worker => w !== undefined);
    for (const slot of this.slots) this.fail(slot, 'the server is stopping');
    await Promise.all(workers.map((w) => w.terminate()));
  }

  /** The live worker with the fewest requests in flight, round robin among equals. */
  private pick(): Slot | undefined {
    let best: Slot | undefined;
    const n = this.slots.length;
    for (let k = 0; k < n; k++) {
      const slot = this.slots[(this.nextSlot + k) % n]!;
      if (slot.worker !== undefined && (best === undefined || slot.inFlight < best.inFlight)) best = slot;
    }
    this.nextSlot = (this.nextSlot + 1) % n;
    return best;
  }

  private spawn(slot: Slot): void {
    const descriptor = this.rib.share();
    const worker = new Worker(this.url, { workerData: descriptor, transferList: [descriptor.port] });
    slot.worker = worker;
    slot.startedAt = Date.now();
    worker.on('message', (reply: WorkerReply) => this.answer(reply));
    worker.on('error', (error) => {
      this.options.logger?.error({ err: error, worker: slot.index }, 'API reader worker failed');
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker || this.closed) return;
      this.options.logger?.error({ worker: slot.index, code }, 'API reader worker exited; replacing it');
      this.retire(slot, 'the reader worker answering this request stopped; retry');
    });
  }

  /** Take `slot`'s worker out of service: its requests in flight are 503, a new worker takes its place. */
  private retire(slot: Slot, message: string): void {
    slot.worker = undefined;
    this.fail(slot, message);
    this.stats.replaced++;
    const delay = Date.now() - slot.startedAt < RESTART_DELAY_MS ? RESTART_DELAY_MS : 0;
    setTimeout(() => {
      if (!this.closed && slot.worker === undefined) this.spawn(slot);
    }, delay).unref();
  }

  private answer(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return; // already answered 503 (timeout)
    this.settle(reply.id, pending);
    this.stats.answered++;
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(replyError(reply));
  }

  private timedOut(id: number): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    const { slot } = pending;
    const worker = slot.worker;
    this.options.logger?.error({ worker: slot.index, ms: this.timeoutMs }, 'API reader worker did not answer in time; replacing it');
    // This request and every other one in flight on the stuck worker get 503 now.
    this.retire(slot, `the reader worker did not answer within ${this.timeoutMs} ms; retry`);
    void worker?.terminate();
  }

  /** Answer every request in flight on `slot` 503. */
  private fail(slot: Slot, message: string): void {
    for (const [id, pending] of this.pending) {
      if (pending.slot !== slot) continue;
      this.settle(id, pending);
      this.stats.failed++;
      pending.reject(unavailable(message));
    }
  }

  private settle(id: number, pending: Pending): void {
    clearTimeout(pending.timer);
    this.pending.delete(id);
    pending.slot.inFlight--;
  }
}

function unavailable(message: string): ApiError {
  return new ApiError(503, 'UNAVAILABLE', message);
}

/** The error a handler throws for a worker's error reply: the same class as on the main thread. */
function replyError(reply: Extract<WorkerReply, { ok: false }>): Error {
  if (reply.status !== undefined) return new ApiError(reply.status, reply.code, reply.message);
  if (reply.code === 'INTERNAL_ERROR') return new Error(`in an API reader worker: ${reply.message}`);
  return new RibstoreError(reply.code as ErrorCode, reply.message);
}
