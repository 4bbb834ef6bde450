/**
 * The BMP publisher: every BMP message the collector receives goes, framed as an OpenBMP v1.7 raw
 * record, onto a NATS JetStream stream, one subject per router. The NATS connection runs in a
 * worker thread (publish-worker.ts); the collector's thread only copies each message into a
 * shared ring (publish-feed.ts).
 *
 * ```
 *  collector thread                                   │ publish worker thread
 *  BmpCollector ──tap.message()──► bound check ──► ring (SharedArrayBuffer) ──► frame OBMP ─► JetStreamSender ─► JetStream
 *      ▲                              │ full: drop (counted) or hold()            │
 *      └──── tap.hold() ◄─────────────┘ ◄── counters (shared: published, bytes, …) ◄┘
 * ```
 *
 * Invariants:
 * - Ingest never waits for NATS: `message()` only copies into the ring (or, when the ring is full,
 *   into an ordered spill drained as the worker reads). The queue — everything accepted and not yet
 *   acknowledged by JetStream, wherever it is — is bounded by `bufferBytes` of framed records,
 *   counted here from the worker's shared acknowledgement counts; when full, `overflow: 'drop'`
 *   counts and drops the message, `overflow: 'pause'` makes {@link BmpPublisher.hold} return a
 *   promise, so sessions stop processing (their sockets then pause at their own high-water mark:
 *   TCP back-pressure to the routers) until the queue is back under half. With `pause` nothing is
 *   lost.
 * - NATS down at start or going away later: the worker's client reconnects forever; messages wait
 *   in the queue (within the bound), each change is logged and visible in
 *   {@link BmpPublisherStatistics}.
 * - A message leaves the queue only once JetStream acknowledged it, sent again after a failure
 *   with the same message id (`Nats-Msg-Id` = `collector/router/startMs/n`): at-least-once
 *   sending, exactly-once storage within the stream's duplicate window (jetstream-sender.ts).
 * - Order per router: ring, queue and connection all keep arrival order.
 * - `thread: 'inline'` runs the same sender on the collector's thread (the design before the
 *   worker; kept to measure one against the other in bench:fanout).
 * - The worker dying (a bug) is logged with its reason and counted (`workerRestarts`); a new worker
 *   with a new ring and counter block starts after a back-off (0.25 s doubling to 30 s while
 *   workers die within 30 s of their start). What the dead one held (read and unacknowledged, or
 *   unread in its ring and spill) is counted as dropped, so the queue bound frees and held ingest
 *   resumes; messages after the death wait in the new ring for the new worker, whose message ids
 *   carry a new start time (never a dead worker's id: the stream would discard it as a duplicate).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { RibstoreError } from '../errors.js';
import { createByteRing } from './byte-ring.js';
import { JetStreamSender, type JetStreamSenderOptions } from './jetstream-sender.js';
import { openBmpCollectorHash, stampOpenBmpRecord } from './openbmp.js';
import { PublishFeedWriter, SharedFeedCounters } from './publish-feed.js';
import type { PublishWorkerData, PublishWorkerEvent } from './publish-worker.js';
import { type RouterTarget, type TargetScope, routerTarget } from './router-target.js';

/** What to do when the publish queue is full. */
export type PublishOverflow = 'drop' | 'pause';

/** Settings of {@link BmpPublisher}. */
export interface BmpPublisherOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222` (comma-separated for several). */
  readonly servers: string;
  /** Collector name: the OpenBMP admin id and a subject token. Default `ribstore`. */
  readonly collectorName?: string;
  /** Subject prefix; a router's subject is `PREFIX.COLLECTOR.ROUTER`. Default `ribstore.bmp`. */
  readonly subjectPrefix?: string;
  /** JetStream stream name (created or updated at connect). Default `RIBSTORE_BMP`. */
  readonly stream?: string;
  /** Full-queue policy. Default `drop`. */
  readonly overflow?: PublishOverflow;
  /** Queue bound in bytes of encoded records. Default 64 MiB. */
  readonly bufferBytes?: number;
  /** Stream retention by age, ms; 0 keeps forever. Default 0. */
  readonly maxAgeMs?: number;
  /** Stream retention by size, bytes; 0 is unlimited. Default 0. */
  readonly maxBytes?: number;
  /** Publishes awaiting their acknowledgement at once. Default 1024. */
  readonly maxInFlight?: number;
  /**
   * Where the NATS client runs: `worker` (default), a worker thread fed through shared memory, or
   * `inline`, the collector's own thread (for comparison in bench:fanout).
   */
  readonly thread?: 'worker' | 'inline';
  readonly logger?: Logger;
}

/** Publisher figures for `/api/v1/stats` and `/metrics`. */
export interface BmpPublisherStatistics {
  readonly connected: boolean;
  /** Connections lost since start. */
  readonly disconnects: number;
  /** Messages and bytes acknowledged by JetStream. */
  readonly published: number;
  readonly publishedBytes: number;
  /** Acknowledged as duplicates (a re-send the stream had already stored). */
  readonly duplicates: number;
  /**
   * Not published: the queue was full (`overflow: drop`), the router address was unusable, or the
   * record is larger than the NATS server's `max_payload` (logged).
   */
  readonly dropped: number;
  /** Failed publish attempts (retried). */
  readonly errors: number;
  readonly lastError: string | null;
  /** Messages and bytes waiting or in flight. */
  readonly queuedMessages: number;
  readonly queuedBytes: number;
  /** Age of the oldest unacknowledged message, ms (0 when the queue is empty). */
  readonly lagMs: number;
  /** Whether ingest is held by a full queue (`overflow: pause`). */
  readonly holding: boolean;
  /**
   * Publish workers started again after the previous one died (`thread: 'worker'`; a bug: each is
   * logged with its reason, and the messages the dead worker held are counted in `dropped`).
   */
  readonly workerRestarts: number;
}

/** The ring between the threads: the queue bound rounded up to a power of two, 64 KiB to 8 MiB. */
function ringCapacity(bufferBytes: number): number {
  let capacity = 64 * 1024;
  while (capacity < bufferBytes && capacity < 8 * 1024 * 1024) capacity *= 2;
  return capacity;
}

/** Back-off before restarting a dead worker: first delay, ceiling, and the lifetime that resets it. */
const RESTART_FIRST_MS = 250;
const RESTART_MAX_MS = 30_000;
const RESTART_RESET_MS = 30_000;

/** The worker side as the publisher sees it. */
interface WorkerLink {
  readonly worker: Worker;
  readonly feed: PublishFeedWriter;
  readonly counters: SharedFeedCounters;
  readonly startedAt: number;
  /** Why it failed (its uncaught error), for the log when it exits. */
  failure: string | null;
  /** Resolves when the worker posted `closed` or exited. */
  readonly ended: Promise<void>;
  alive: boolean;
}

/** Publishes the BMP stream to JetStream; implements the collector's `BmpTap`. See the module doc. */
export class BmpPublisher {
  readonly collectorName: string;
  readonly subjectPrefix: string;
  readonly streamName: string;
  readonly overflow: PublishOverflow;
  readonly bufferBytes: number;
  readonly thread: 'worker' | 'inline';
  private readonly logger: Logger | undefined;
  private readonly scope: TargetScope;
  private readonly senderOptions: Omit<JetStreamSenderOptions, 'log' | 'onChange' | 'onError'>;
  private readonly routers = new Map<string, { target: RouterTarget; sent: number } | null>();
  /** `inline`: the sender on this thread. */
  private readonly sender: JetStreamSender | null = null;
  /** `worker`: ring, counters and the thread (started by {@link start}); all three new at a restart. */
  private feed: PublishFeedWriter | null = null;
  private counters: SharedFeedCounters | null = null;
  private ring: ReturnType<typeof createByteRing> | null = null;
  private link: WorkerLink | null = null;
  /** `worker`: figures of dead workers (their last stored counters) and the messages lost with them. */
  private readonly dead = { published: 0, publishedBytes: 0, duplicates: 0, errors: 0, disconnects: 0, rejected: 0, rejectedBytes: 0, lost: 0, lostBytes: 0 };
  private workerRestarts = 0;
  private restartDelayMs = RESTART_FIRST_MS;
  private restartTimer: NodeJS.Timeout | null = null;
  private lastWorkerStartMs = 0;
  /** Messages and bytes accepted into the queue (ring, spill, worker) since start. */
  private accepted = 0;
  private acceptedBytes = 0;
  /** Arrival marks for the lag: messages numbered from `markCount[i]` (up to the next mark) arrived at `markTime[i]` ms. */
  private markCount: number[] = [];
  private markTime: number[] = [];
  private markHead = 0;
  private dropped = 0;
  private lastError: string | null = null;
  private started = false;
  private closed = false;
  private release: { promise: Promise<void>; resolve: () => void } | null = null;

  constructor(options: BmpPublisherOptions) {
    this.collectorName = options.collectorName ?? 'ribstore';
    this.subjectPrefix = options.subjectPrefix ?? 'ribstore.bmp';
    this.streamName = options.stream ?? 'RIBSTORE_BMP';
    this.overflow = options.overflow ?? 'drop';
    this.bufferBytes = options.bufferBytes ?? 64 * 1024 * 1024;
    this.thread = options.thread ?? 'worker';
    this.logger = options.logger;
    if (!/^[A-Za-z0-9_-]+$/.test(this.collectorName)) {
      throw new RibstoreError('INVALID_ARGUMENT', `collector name ${JSON.stringify(this.collectorName)} must be letters, digits, '-' or '_' (it is a subject token)`);
    }
    if (!Number.isInteger(this.bufferBytes) || this.bufferBytes < 1024) throw new RibstoreError('INVALID_ARGUMENT', `publish buffer ${this.bufferBytes} must be at least 1024 bytes`);
    if (this.thread !== 'worker' && this.thread !== 'inline') throw new RibstoreError('INVALID_ARGUMENT', `publish thread ${JSON.stringify(this.thread)} must be worker or inline`);
    this.scope = { collectorName: this.collectorName, collectorHash: openBmpCollectorHash(this.collectorName), subjectPrefix: this.subjectPrefix, startMs: Date.now() };
    this.senderOptions = {
      servers: options.servers,
      collectorName: this.collectorName,
      subjectPrefix: this.subjectPrefix,
      stream: this.streamName,
      maxAgeMs: options.maxAgeMs ?? 0,
      maxBytes: options.maxBytes ?? 0,
      maxInFlight: options.maxInFlight ?? 1024,
    };
    if (this.thread === 'inline') {
      this.sender = new JetStreamSender({ ...this.senderOptions, ...(this.logger ? { log: this.logger } : {}), onChange: () => this.checkRelease(), onError: (message) => (this.lastError = message) });
    } else {
      this.ring = createByteRing(ringCapacity(this.bufferBytes));
      this.feed = new PublishFeedWriter(this.ring);
      this.counters = new SharedFeedCounters();
    }
  }

  /**
   * Start connecting in the background and return at once: the collector runs whether or not
   * NATS is reachable. Connection changes are logged.
   */
  start(): void {
    if (this.closed || this.started) return;
    this.started = true;
    if (this.sender) {
      this.sender.start();
      return;
    }
    this.startWorker();
  }

  /** Start a worker on the current ring and counters. */
  private startWorker(): void {
    // A restarted worker numbers messages from 0 again: a new start time keeps its ids new.
    const startMs = Math.max(Date.now(), this.lastWorkerStartMs + 1);
    this.lastWorkerStartMs = startMs;
    const data: PublishWorkerData = { ring: this.ring!, counters: this.counters!.buffer, sender: this.senderOptions, scope: { ...this.scope, startMs } };
    const worker = new Worker(new URL('./publish-worker.js', import.meta.url), { workerData: data });
    worker.unref();
    let ended!: () => void;
    const link: WorkerLink = { worker, feed: this.feed!, counters: this.counters!, startedAt: Date.now(), failure: null, ended: new Promise<void>((resolve) => (ended = resolve)), alive: true };
    worker.on('message', (event: PublishWorkerEvent) => {
      if (event.type === 'log') this.logger?.[event.level](event.fields, event.message);
      else if (event.type === 'error') this.lastError = event.message;
      else ended();
    });
    worker.on('error', (error) => {
      link.failure = error.message;
      this.lastError = error.message;
    });
    worker.on('exit', (code) => {
      link.alive = false;
      link.feed.stop();
      ended();
      if (this.link === link && !this.closed) this.workerDied(link, link.failure ?? `exit code ${code}`);
    });
    this.link = link;
  }

  /**
   * The current worker ended without being asked to: count what it held as dropped, move to a new
   * ring and counter block (messages from now on wait there) and start a new worker after the
   * back-off. Held ingest is re-checked at once: the lost messages no longer fill the bound.
   */
  private workerDied(link: WorkerLink, reason: string): void {
    const c = link.counters.load();
    const d = this.dead;
    d.published += c.published;
    d.publishedBytes += c.publishedBytes;
    d.duplicates += c.duplicates;
    d.errors += c.errors;
    d.disconnects += c.disconnects;
    d.rejected += c.rejected;
    d.rejectedBytes += c.rejectedBytes;
    const lost = this.accepted - (d.published + d.rejected + d.lost);
    const lostBytes = this.acceptedBytes - (d.publishedBytes + d.rejectedBytes + d.lostBytes);
    d.lost += lost;
    d.lostBytes += lostBytes;
    if (Date.now() - link.startedAt >= RESTART_RESET_MS) this.restartDelayMs = RESTART_FIRST_MS;
    const delayMs = this.restartDelayMs;
    this.restartDelayMs = Math.min(RESTART_MAX_MS, this.restartDelayMs * 2);
    this.ring = createByteRing(this.ring!.capacity);
    this.feed = new PublishFeedWriter(this.ring);
    this.counters = new SharedFeedCounters();
    this.logger?.error({ err: reason, lostMessages: lost, lostBytes, restartInMs: delayMs }, 'bus: publish worker died; its unacknowledged messages are counted as dropped, a new worker starts after the back-off');
    this.checkRelease();
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closed) return;
      this.workerRestarts++;
      this.startWorker();
      this.logger?.info({ restarts: this.workerRestarts }, 'bus: publish worker restarted');
    }, delayMs);
    this.restartTimer.unref();
  }

  /** Test hook: make the worker throw (an uncaught error in its thread), as a bug would. */
  crashWorkerForTest(reason: string): void {
    this.link?.worker.postMessage({ type: 'crash', reason });
  }

  /**
   * Resolves once the first connection attempt after {@link start} has ended — connected with the
   * stream ready, or failed (NATS down: collecting goes on, the publisher keeps retrying) — or
   * after `timeoutMs`. The service waits on it before accepting BMP sessions, so that a reachable
   * NATS has the stream in place before the first message (the worker takes ~0.1 s to start).
   */
  async firstAttempt(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.statistics();
      const left = deadline - Date.now();
      if (s.connected || s.errors > 0 || left <= 0 || this.closed || (this.link && !this.link.alive)) return;
      if (this.counters) await this.counters.changed(Math.min(left, 100));
      else await new Promise((resolve) => setTimeout(resolve, Math.min(left, 5)));
    }
  }

  /** The collector tap: queue one message of `router` for framing and publishing. */
  message(router: string, bytes: Uint8Array): void {
    if (this.closed) return;
    const entry = this.target(router);
    if (!entry) {
      this.dropped++;
      return;
    }
    const length = entry.target.header.length + bytes.length;
    if (this.overflow === 'drop' && this.queuedBytes() + length > this.bufferBytes) {
      this.dropped++;
      return;
    }
    const now = Date.now();
    if (this.feed) {
      if (this.markTime.length === this.markHead || this.markTime[this.markTime.length - 1] !== now) {
        this.markCount.push(this.accepted);
        this.markTime.push(now);
        // Marks of acknowledged messages go here too, not only when figures are read.
        if (this.markCount.length - this.markHead > 4096) this.pruneMarks(this.dead.published + this.dead.rejected + this.dead.lost + this.counters!.settled());
      }
      this.feed.send(router, now, bytes);
    } else {
      const data = stampOpenBmpRecord(entry.target.header, Math.floor(now / 1000), (now % 1000) * 1000, bytes);
      this.sender!.enqueue(entry.target.subject, data, entry.target.idPrefix + entry.sent++, now);
    }
    this.accepted++;
    this.acceptedBytes += length;
  }

  /** The collector tap's back-pressure: a promise while a `pause` publisher's queue is full. */
  hold(): Promise<void> | null {
    if (this.overflow !== 'pause' || this.queuedBytes() < this.bufferBytes) return this.release?.promise ?? null;
    if (!this.release) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.release = { promise, resolve };
      this.logger?.warn({ queuedBytes: this.queuedBytes() }, 'bus: publish queue full; holding BMP ingest');
      if (this.counters) void this.watchRelease();
    }
    return this.release.promise;
  }

  /** `worker`: wait on the (current worker's) shared counters until the held queue drained under half. */
  private async watchRelease(): Promise<void> {
    while (this.release) {
      await this.counters!.changed(100);
      this.checkRelease();
    }
  }

  private checkRelease(): void {
    if (!this.release || this.queuedBytes() >= this.bufferBytes / 2) return;
    const release = this.release;
    this.release = null;
    this.logger?.info({ queuedBytes: this.queuedBytes() }, 'bus: publish queue drained; BMP ingest resumes');
    release.resolve();
  }

  private queuedBytes(): number {
    if (this.counters) return this.acceptedBytes - this.dead.publishedBytes - this.dead.rejectedBytes - this.dead.lostBytes - this.counters.settledBytes();
    return this.sender?.pendingBytes ?? 0;
  }

  private target(router: string): { target: RouterTarget; sent: number } | null {
    let entry = this.routers.get(router);
    if (entry !== undefined) return entry;
    const target = routerTarget(this.scope, router);
    if (!target) this.logger?.error({ router }, 'bus: router address is not an IP address; its messages are not published');
    entry = target ? { target, sent: 0 } : null;
    this.routers.set(router, entry);
    return entry;
  }

  /** Age of the oldest message not yet acknowledged (`worker`), from the arrival marks; `settled` messages left the queue. */
  private oldestAge(settled: number, now: number): number {
    if (settled >= this.accepted) return 0;
    this.pruneMarks(settled);
    return now - (this.markTime[this.markHead] ?? now);
  }

  /** Forget the marks before the one covering message number `settled` (the oldest unacknowledged). */
  private pruneMarks(settled: number): void {
    while (this.markHead + 1 < this.markCount.length && this.markCount[this.markHead + 1]! <= settled) this.markHead++;
    if (this.markHead > 1024 && this.markHead * 2 > this.markCount.length) {
      this.markCount = this.markCount.slice(this.markHead);
      this.markTime = this.markTime.slice(this.markHead);
      this.markHead = 0;
    }
  }

  /** Current figures. */
  statistics(): BmpPublisherStatistics {
    const now = Date.now();
    if (this.counters) {
      const c = this.counters.load();
      const d = this.dead;
      const settled = d.published + d.rejected + d.lost + c.published + c.rejected;
      return {
        connected: c.connected && (this.link?.alive ?? false),
        disconnects: d.disconnects + c.disconnects,
        published: d.published + c.published,
        publishedBytes: d.publishedBytes + c.publishedBytes,
        duplicates: d.duplicates + c.duplicates,
        dropped: this.dropped + d.rejected + d.lost + c.rejected,
        errors: d.errors + c.errors,
        lastError: this.lastError,
        queuedMessages: this.accepted - settled,
        queuedBytes: this.acceptedBytes - d.publishedBytes - d.rejectedBytes - d.lostBytes - c.publishedBytes - c.rejectedBytes,
        lagMs: this.oldestAge(settled, now),
        holding: this.release !== null,
        workerRestarts: this.workerRestarts,
      };
    }
    const s = this.sender?.statistics();
    return {
      connected: s?.connected ?? false,
      disconnects: s?.disconnects ?? 0,
      published: s?.published ?? 0,
      publishedBytes: s?.publishedBytes ?? 0,
      duplicates: s?.duplicates ?? 0,
      dropped: this.dropped + (s?.rejected ?? 0),
      errors: s?.errors ?? 0,
      lastError: this.lastError,
      queuedMessages: s?.queuedMessages ?? 0,
      queuedBytes: s?.queuedBytes ?? 0,
      lagMs: s?.oldestQueuedAt ? now - s.oldestQueuedAt : 0,
      holding: this.release !== null,
      workerRestarts: 0,
    };
  }

  /**
   * Stop: wait up to `flushMs` for queued messages to be acknowledged, then close the connection
   * (and end the worker). Held ingest is released.
   */
  async close(flushMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const deadline = Date.now() + flushMs;
    if (this.sender) await this.sender.close(flushMs);
    if (this.restartTimer) {
      // Between a death and its restart: no worker reads what waits in the new ring.
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
      this.feed?.stop();
    }
    const link = this.link;
    if (link?.alive) {
      await link.feed.drained(flushMs);
      link.worker.postMessage({ type: 'close', flushMs: Math.max(0, deadline - Date.now()) });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([link.ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()) + 2000)))]);
      clearTimeout(timer);
      await link.worker.terminate();
      link.feed.stop();
    }
    this.release?.resolve();
    this.release = null;
  }
}
