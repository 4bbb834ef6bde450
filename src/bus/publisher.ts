/**
 * The BMP publisher: every BMP message the collector receives goes, framed as an OpenBMP v1.7 raw
 * record, onto a NATS JetStream stream, one subject per router.
 *
 * ```
 *  BmpCollector ──tap.message()──► encode OBMP ─► bounded queue ──(≤ maxInFlight acks pending)──► JetStream
 *      ▲                                              │ full: drop (counted) or hold() → sessions wait
 *      └───────────── tap.hold() ◄────────────────────┘
 * ```
 *
 * Invariants:
 * - Ingest never waits for NATS: `message()` only encodes and appends. The queue is bounded by
 *   `bufferBytes`; when full, `overflow: 'drop'` counts and drops the message, `overflow: 'pause'`
 *   makes {@link BmpPublisher.hold} return a promise, so sessions stop processing (their sockets
 *   then pause at their own high-water mark: TCP back-pressure to the routers) until the queue is
 *   back under half. With `pause` nothing is lost.
 * - NATS down at start or going away later: the client reconnects forever; messages wait in the
 *   queue (within the bound), each change is logged and visible in {@link BmpPublisherStatistics}.
 * - A message leaves the queue only once JetStream acknowledged it. Unacknowledged messages are
 *   sent again after a failure with the same message id (`Nats-Msg-Id` =
 *   `collector/router/startMs/n`), so the stream's duplicate window drops copies that were in fact
 *   stored: at-least-once sending, exactly-once storage within the window (2 minutes).
 * - Order per router: one connection carries the publishes in queue order, so the stream stores a
 *   router's messages in the order received. (A message refused by the server while a later one
 *   is stored, e.g. on a full stream, would break that; it is counted as an error and retried.)
 */
import type { Logger } from 'pino';
import { type Msg, type NatsConnection, type StreamConfig, type Subscription, connect, createInbox, headers, nanos, DiscardPolicy, RetentionPolicy, StorageType } from 'nats';
import { RibstoreError } from '../errors.js';
import { type Address, parseAddress } from '../ip/address.js';
import { openBmpCollectorHash, openBmpHeaderTemplate, openBmpRouterHash, stampOpenBmpRecord } from './openbmp.js';
import { routerSubjectToken } from './subjects.js';

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
  /** Dropped because the queue was full (`overflow: drop`) or the router address was unusable. */
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
}

interface Pending {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly id: string;
  readonly queuedAt: number;
  state: 'waiting' | 'sent' | 'acked';
  /** When it was last sent (ms), for the acknowledgement timeout. */
  sentAt: number;
}

/** JetStream's answer to a publish: `{stream, seq, duplicate?}` or `{error: {code, description}}`. */
interface PubAck {
  readonly duplicate?: boolean;
  readonly error?: { readonly description?: string };
}

/** An unacknowledged publish is sent again after this long without its PubAck. */
const ACK_TIMEOUT_MS = 10_000;

interface RouterTarget {
  readonly address: Address;
  /** This router's OpenBMP header, stamped with time and length per message. */
  readonly header: Uint8Array;
  readonly subject: string;
  sent: number;
}

/** Publishes the BMP stream to JetStream; implements the collector's `BmpTap`. See the module doc. */
export class BmpPublisher {
  readonly collectorName: string;
  readonly subjectPrefix: string;
  readonly streamName: string;
  readonly overflow: PublishOverflow;
  readonly bufferBytes: number;
  private readonly options: BmpPublisherOptions;
  private readonly logger: Logger | undefined;
  private readonly maxInFlight: number;
  private readonly collectorHash: Uint8Array;
  private readonly startMs = Date.now();
  private readonly routers = new Map<string, RouterTarget | null>();
  private readonly queue: Pending[] = [];
  private head = 0;
  /** First queue index not yet sent. */
  private sendIndex = 0;
  private inFlight = 0;
  private queuedBytes = 0;
  private connection: NatsConnection | null = null;
  /** The one subscription every PubAck comes back on (`INBOX.<token>`), per connection. */
  private acks: Subscription | null = null;
  private ackInbox = '';
  /** Reply token -> message in flight; a token never repeats, so a late ack of a re-sent message is ignored. */
  private readonly inFlightByToken = new Map<number, Pending>();
  private nextToken = 0;
  private pumpScheduled = false;
  private ackTimer: NodeJS.Timeout | undefined;
  private ready = false;
  private closed = false;
  private release: { promise: Promise<void>; resolve: () => void } | null = null;
  private counters = { disconnects: 0, published: 0, publishedBytes: 0, duplicates: 0, dropped: 0, errors: 0 };
  private lastError: string | null = null;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(options: BmpPublisherOptions) {
    this.options = options;
    this.collectorName = options.collectorName ?? 'ribstore';
    this.subjectPrefix = options.subjectPrefix ?? 'ribstore.bmp';
    this.streamName = options.stream ?? 'RIBSTORE_BMP';
    this.overflow = options.overflow ?? 'drop';
    this.bufferBytes = options.bufferBytes ?? 64 * 1024 * 1024;
    this.maxInFlight = options.maxInFlight ?? 1024;
    this.logger = options.logger;
    this.collectorHash = openBmpCollectorHash(this.collectorName);
    if (!/^[A-Za-z0-9_-]+$/.test(this.collectorName)) {
      throw new RibstoreError('INVALID_ARGUMENT', `collector name ${JSON.stringify(this.collectorName)} must be letters, digits, '-' or '_' (it is a subject token)`);
    }
    if (!Number.isInteger(this.bufferBytes) || this.bufferBytes < 1024) throw new RibstoreError('INVALID_ARGUMENT', `publish buffer ${this.bufferBytes} must be at least 1024 bytes`);
  }

  /**
   * Start connecting in the background and return at once: the collector runs whether or not
   * NATS is reachable. Connection changes are logged.
   */
  start(): void {
    void this.run();
  }

  private async run(): Promise<void> {
    this.logger?.info({ nats: this.options.servers, stream: this.streamName }, 'bus: connecting to NATS');
    // The first connection is retried here (not by the client's waitOnFirstConnect) so that
    // close() can stop the attempts; once connected, the client reconnects by itself forever.
    let warned = false;
    while (!this.closed) {
      try {
        const connection = await connect({
          servers: this.options.servers.split(','),
          name: `ribstore-publisher-${this.collectorName}`,
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          // The client otherwise makes an Error (a stack trace) per request for async traces:
          // three per JetStream publish, the largest single cost of publishing in bench:fanout.
          noAsyncTraces: true,
        });
        if (this.closed) {
          await connection.close();
          return;
        }
        this.connection = connection;
        this.ackInbox = createInbox();
        this.acks = connection.subscribe(`${this.ackInbox}.*`, { callback: (error, msg) => this.acknowledged(error, msg) });
        this.ackTimer = setInterval(() => this.expire(), 1000);
        this.ackTimer.unref();
        void this.watch(connection);
        await this.becomeReady();
        return;
      } catch (error) {
        this.fail(error);
        if (!warned) this.logger?.warn({ nats: this.options.servers, err: this.lastError }, 'bus: NATS unreachable; collecting continues, messages queue, retrying');
        warned = true;
        await new Promise<void>((resolve) => {
          this.retryTimer = setTimeout(resolve, 500);
        });
      }
    }
  }

  private async watch(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        this.ready = false;
        this.counters.disconnects++;
        this.logger?.warn({ nats: String(status.data) }, 'bus: NATS connection lost; collecting continues, messages queue');
      } else if (status.type === 'reconnect') {
        this.logger?.info({ nats: String(status.data) }, 'bus: NATS reconnected');
        void this.becomeReady().catch((error: unknown) => this.fail(error));
      }
    }
  }

  /** Make sure the stream exists with our retention, then send what waits. */
  private async becomeReady(): Promise<void> {
    const connection = this.connection;
    if (!connection || this.closed) return;
    const manager = await connection.jetstreamManager();
    const config: Partial<StreamConfig> & { name: string } = {
      name: this.streamName,
      subjects: [`${this.subjectPrefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(this.options.maxAgeMs ?? 0),
      max_bytes: this.options.maxBytes ? this.options.maxBytes : -1,
      duplicate_window: nanos(Math.min(120_000, this.options.maxAgeMs || 120_000)),
    };
    try {
      await manager.streams.add(config);
    } catch {
      await manager.streams.update(this.streamName, config);
    }
    // Everything unacknowledged goes again (same ids: the stream drops what it already has).
    for (let i = this.head; i < this.queue.length; i++) if (this.queue[i]!.state === 'sent') this.queue[i]!.state = 'waiting';
    this.sendIndex = this.head;
    this.inFlight = 0;
    this.inFlightByToken.clear();
    this.ready = true;
    this.logger?.info({ stream: this.streamName, queued: this.queue.length - this.head }, 'bus: publishing to JetStream');
    this.pump();
  }

  /** The collector tap: frame and queue one message of `router`. */
  message(router: string, bytes: Uint8Array): void {
    if (this.closed) return;
    const target = this.target(router);
    if (!target) {
      this.counters.dropped++;
      return;
    }
    const now = Date.now();
    const data = stampOpenBmpRecord(target.header, Math.floor(now / 1000), (now % 1000) * 1000, bytes);
    if (this.queuedBytes + data.length > this.bufferBytes && this.overflow === 'drop') {
      this.counters.dropped++;
      return;
    }
    this.queue.push({ subject: target.subject, data, id: `${this.collectorName}/${router}/${this.startMs}/${target.sent++}`, queuedAt: now, state: 'waiting', sentAt: 0 });
    this.queuedBytes += data.length;
    this.pump();
  }

  /** The collector tap's back-pressure: a promise while a `pause` publisher's queue is full. */
  hold(): Promise<void> | null {
    if (this.overflow !== 'pause' || this.queuedBytes < this.bufferBytes) return this.release?.promise ?? null;
    if (!this.release) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.release = { promise, resolve };
      this.logger?.warn({ queuedBytes: this.queuedBytes }, 'bus: publish queue full; holding BMP ingest');
    }
    return this.release.promise;
  }

  private target(router: string): RouterTarget | null {
    let target = this.routers.get(router);
    if (target !== undefined) return target;
    try {
      const address = parseAddress(router.startsWith('::ffff:') && router.includes('.') ? router.slice(7) : router);
      const header = openBmpHeaderTemplate({ collectorAdminId: this.collectorName, collectorHash: this.collectorHash, routerAddress: address, routerHash: openBmpRouterHash(address) });
      target = { address, header, subject: `${this.subjectPrefix}.${this.collectorName}.${routerSubjectToken(address)}`, sent: 0 };
    } catch {
      this.logger?.error({ router }, 'bus: router address is not an IP address; its messages are not published');
      target = null;
    }
    this.routers.set(router, target);
    return target;
  }

  /**
   * Send waiting messages while fewer than `maxInFlight` await their PubAck. Each is a core NATS
   * publish with the `Nats-Msg-Id` header and a reply subject on the one ack subscription: JetStream
   * answers every stored message there, exactly as to a `js.publish` request, but without a
   * request object, timer and promise per message (see DESIGN.md, "Publishing cost").
   */
  private pump(): void {
    const connection = this.connection;
    if (!this.ready || !connection) return;
    const now = Date.now();
    while (this.inFlight < this.maxInFlight && this.sendIndex < this.queue.length) {
      const item = this.queue[this.sendIndex++]!;
      if (item.state !== 'waiting') continue;
      const token = this.nextToken++;
      const messageHeaders = headers();
      messageHeaders.set('Nats-Msg-Id', item.id);
      try {
        connection.publish(item.subject, item.data, { reply: `${this.ackInbox}.${token}`, headers: messageHeaders });
      } catch (error) {
        // Closed or draining connection: leave it waiting; reconnect or close decides.
        this.fail(error);
        this.sendIndex--;
        return;
      }
      item.state = 'sent';
      item.sentAt = now;
      this.inFlight++;
      this.inFlightByToken.set(token, item);
    }
  }

  /** Pump once after a burst of acknowledgements (one socket read): one write for the refill. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** A PubAck (or an error reply) for the message sent with reply token `INBOX.<token>`. */
  private acknowledged(error: Error | null, msg: Msg): void {
    if (error) {
      this.fail(error);
      return;
    }
    const token = Number(msg.subject.slice(this.ackInbox.length + 1));
    const item = this.inFlightByToken.get(token);
    if (!item) return;
    this.inFlightByToken.delete(token);
    this.inFlight--;
    if (item.state !== 'sent') return;
    let ack: PubAck | null = null;
    if (msg.data.length > 0) {
      try {
        ack = JSON.parse(Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.length).toString('latin1')) as PubAck;
      } catch {
        ack = null;
      }
    }
    if (!ack || ack.error || typeof ack !== 'object') {
      // No JetStream answer (503 no responders: the stream is missing) or a refusal: retry.
      const status = msg.headers?.code ? `${msg.headers.code} ${msg.headers.description}` : 'unreadable PubAck';
      this.retry(item, new Error(ack?.error?.description ?? status));
      return;
    }
    item.state = 'acked';
    if (ack.duplicate) this.counters.duplicates++;
    this.settle();
    this.schedulePump();
  }

  /** Put a failed message back in line and send again after a pause (the connection may be down). */
  private retry(item: Pending, error: unknown): void {
    this.fail(error);
    item.state = 'waiting';
    const index = this.queue.indexOf(item, this.head);
    if (index >= 0 && index < this.sendIndex) this.sendIndex = index;
    setTimeout(() => this.pump(), 500).unref();
  }

  /** Messages whose PubAck did not come within {@link ACK_TIMEOUT_MS} are sent again (same id). */
  private expire(): void {
    if (!this.ready || this.inFlightByToken.size === 0) return;
    const cutoff = Date.now() - ACK_TIMEOUT_MS;
    for (const [token, item] of this.inFlightByToken) {
      if (item.sentAt > cutoff) continue;
      this.inFlightByToken.delete(token);
      this.inFlight--;
      if (item.state === 'sent') this.retry(item, new Error(`no JetStream acknowledgement within ${ACK_TIMEOUT_MS} ms`));
    }
  }

  /** Drop acknowledged messages from the head of the queue, release held ingest when half empty. */
  private settle(): void {
    while (this.head < this.queue.length && this.queue[this.head]!.state === 'acked') {
      const item = this.queue[this.head++]!;
      this.queuedBytes -= item.data.length;
      this.counters.published++;
      this.counters.publishedBytes += item.data.length;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.sendIndex -= this.head;
      this.head = 0;
    }
    if (this.release && this.queuedBytes < this.bufferBytes / 2) {
      const release = this.release;
      this.release = null;
      this.logger?.info({ queuedBytes: this.queuedBytes }, 'bus: publish queue drained; BMP ingest resumes');
      release.resolve();
    }
  }

  private fail(error: unknown): void {
    this.counters.errors++;
    this.lastError = error instanceof Error ? error.message : String(error);
  }

  /** Current figures. */
  statistics(): BmpPublisherStatistics {
    const oldest = this.queue[this.head];
    return {
      connected: this.ready,
      ...this.counters,
      lastError: this.lastError,
      queuedMessages: this.queue.length - this.head,
      queuedBytes: this.queuedBytes,
      lagMs: oldest ? Date.now() - oldest.queuedAt : 0,
      holding: this.release !== null,
    };
  }

  /**
   * Stop: wait up to `flushMs` for queued messages to be acknowledged, then close the connection.
   * Held ingest is released.
   */
  async close(flushMs = 5000): Promise<void> {
    const deadline = Date.now() + flushMs;
    while (this.ready && this.head < this.queue.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.closed = true;
    this.ready = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.ackTimer);
    this.acks?.unsubscribe();
    this.release?.resolve();
    this.release = null;
    await this.connection?.close().catch(() => {});
  }
}
