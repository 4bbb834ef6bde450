/**
 * The JetStream side of the publisher: one NATS connection, a queue of framed records in arrival
 * order, and their acknowledgements. It runs wherever it is created: in the publish worker thread
 * (publish-worker.ts, the default) or on the collector's thread (`BmpPublisher` with
 * `thread: 'inline'`). It knows nothing of BMP: records arrive framed, with subject and id.
 *
 * ```
 *  enqueue() ─► queue (arrival order) ──pump: ≤ maxInFlight unacknowledged──► core publish + Nats-Msg-Id
 *                 ▲      │ settle: acked head leaves                                  │ reply INBOX.<token>
 *                 │      └─► onSettle()                                               ▼
 *                 └──── retry / re-send on reconnect ◄──── PubAck (one INBOX.* subscription)
 * ```
 *
 * Invariants:
 * - A record leaves the queue only once JetStream acknowledged it. Unacknowledged records are sent
 *   again after a failure (error reply, 503 no responders, no PubAck within {@link ACK_TIMEOUT_MS},
 *   reconnect) with the same message id, so the stream's duplicate window stores each once.
 * - One connection carries the publishes in queue order, so the stream stores them in that order
 *   (per subject, i.e. per router, which is what matters).
 * - NATS down at start or later: the client reconnects forever every 500 ms; the queue waits.
 *   Bounding the queue is the caller's job (it knows `queuedBytes`).
 */
import { type ConnectionOptions, type Msg, type NatsConnection, type StreamConfig, type Subscription, connect, createInbox, nanos, DiscardPolicy, ErrorCode, RetentionPolicy, StorageType } from 'nats';
import { MsgIdHeader, readPubAck } from './jetstream-wire.js';

/** The logging the sender does: pino's `info`/`warn`/`error` signatures (a pino Logger fits). */
export interface SenderLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Settings of {@link JetStreamSender}. */
export interface JetStreamSenderOptions {
  /** NATS server URL(s), comma-separated. */
  readonly servers: string;
  /** Shown as the connection name `ribstore-publisher-NAME`. */
  readonly collectorName: string;
  /** The stream binds `SUBJECT_PREFIX.>`. */
  readonly subjectPrefix: string;
  readonly stream: string;
  /** Retention by age, ms (0: forever) and by size, bytes (0: unlimited). */
  readonly maxAgeMs: number;
  readonly maxBytes: number;
  /** Publishes awaiting their acknowledgement at once. */
  readonly maxInFlight: number;
  readonly log?: SenderLog;
  /** Called after acknowledged records left the queue, after a failure, and when the connection state changes. */
  readonly onChange?: () => void;
  /** Called with each failure's text (also counted in `errors`). */
  readonly onError?: (message: string) => void;
}

/** The sender's figures (the publisher adds its own: drops, holding, what is not yet here). */
export interface JetStreamSenderCounters {
  connected: boolean;
  disconnects: number;
  published: number;
  publishedBytes: number;
  duplicates: number;
  errors: number;
  /** Records the server can never take (larger than its `max_payload`): left out, counted, logged. */
  rejected: number;
  rejectedBytes: number;
  lastError: string | null;
  queuedMessages: number;
  queuedBytes: number;
  /** When the oldest unacknowledged record was queued (ms since the epoch), 0 when none. */
  oldestQueuedAt: number;
}

interface Pending {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly id: string;
  readonly queuedAt: number;
  state: 'waiting' | 'sent' | 'acked' | 'rejected';
  /** When it was last sent (ms), for the acknowledgement timeout. */
  sentAt: number;
}

/** An unacknowledged publish is sent again after this long without its PubAck. */
export const ACK_TIMEOUT_MS = 10_000;

/**
 * The client's outbound buffer is written to the socket at the end of the turn, or at once when it
 * reaches this many bytes (the client's `pendingLimit`, 32 KiB by default: a socket write per ~70
 * BMP messages). A pump of a whole window (≤ maxInFlight records) is then one write.
 */
const OUTBOUND_FLUSH_BYTES = 4 * 1024 * 1024;

/** Sends queued records to JetStream until acknowledged. See the module doc. */
export class JetStreamSender {
  private readonly options: JetStreamSenderOptions;
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
  private counters = { disconnects: 0, published: 0, publishedBytes: 0, duplicates: 0, errors: 0, rejected: 0, rejectedBytes: 0 };
  private lastError: string | null = null;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(options: JetStreamSenderOptions) {
    this.options = options;
  }

  /** Start connecting in the background and return at once; connection changes are logged. */
  start(): void {
    void this.run();
  }

  private async run(): Promise<void> {
    const log = this.options.log;
    log?.info({ nats: this.options.servers, stream: this.options.stream }, 'bus: connecting to NATS');
    // The first connection is retried here (not by the client's waitOnFirstConnect) so that
    // close() can stop the attempts; once connected, the client reconnects by itself forever.
    let warned = false;
    while (!this.closed) {
      try {
        const connection = await connect({
          servers: this.options.servers.split(','),
          name: `ribstore-publisher-${this.options.collectorName}`,
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          // The client otherwise makes an Error (a stack trace) per request for async traces:
          // three per JetStream publish, the largest single cost of publishing in bench:fanout.
          noAsyncTraces: true,
          // Hidden in the client's typings (ConnectionOptions.pendingLimit), read by its protocol handler.
          pendingLimit: OUTBOUND_FLUSH_BYTES,
        } as ConnectionOptions);
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
        if (!warned) log?.warn({ nats: this.options.servers, err: this.lastError }, 'bus: NATS unreachable; collecting continues, messages queue, retrying');
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
        this.options.onChange?.();
        this.options.log?.warn({ nats: String(status.data) }, 'bus: NATS connection lost; collecting continues, messages queue');
      } else if (status.type === 'reconnect') {
        this.options.log?.info({ nats: String(status.data) }, 'bus: NATS reconnected');
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
      name: this.options.stream,
      subjects: [`${this.options.subjectPrefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(this.options.maxAgeMs),
      max_bytes: this.options.maxBytes ? this.options.maxBytes : -1,
      duplicate_window: nanos(Math.min(120_000, this.options.maxAgeMs || 120_000)),
    };
    try {
      await manager.streams.add(config);
    } catch {
      await manager.streams.update(this.options.stream, config);
    }
    // Everything unacknowledged goes again (same ids: the stream drops what it already has).
    for (let i = this.head; i < this.queue.length; i++) if (this.queue[i]!.state === 'sent') this.queue[i]!.state = 'waiting';
    this.sendIndex = this.head;
    this.inFlight = 0;
    this.inFlightByToken.clear();
    this.ready = true;
    this.options.onChange?.();
    this.options.log?.info({ stream: this.options.stream, queued: this.queue.length - this.head }, 'bus: publishing to JetStream');
    this.pump();
  }

  /**
   * Queue one framed record; `send: false` only queues (the caller pumps once after a batch).
   * Ignored once closed.
   */
  enqueue(subject: string, data: Uint8Array, id: string, queuedAt: number, send = true): void {
    if (this.closed) return;
    this.queue.push({ subject, data, id, queuedAt, state: 'waiting', sentAt: 0 });
    this.queuedBytes += data.length;
    if (send) this.pump();
  }

  /**
   * Send waiting records while fewer than `maxInFlight` await their PubAck. Each is a core NATS
   * publish with the `Nats-Msg-Id` header and a reply subject on the one ack subscription: JetStream
   * answers every stored message there, exactly as to a `js.publish` request, but without a
   * request object, timer and promise per message (see DESIGN.md, "Publishing cost").
   */
  pump(): void {
    const connection = this.connection;
    if (!this.ready || !connection) return;
    const now = Date.now();
    while (this.inFlight < this.options.maxInFlight && this.sendIndex < this.queue.length) {
      const item = this.queue[this.sendIndex++]!;
      if (item.state !== 'waiting') continue;
      const token = this.nextToken++;
      try {
        connection.publish(item.subject, item.data, { reply: `${this.ackInbox}.${token}`, headers: new MsgIdHeader(item.id).asHeaders() });
      } catch (error) {
        if ((error as { code?: unknown }).code === ErrorCode.MaxPayloadExceeded) {
          // Never publishable on this server: waiting on it would stall everything behind it.
          this.reject(item, error);
          continue;
        }
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
    const ack = readPubAck(msg.data);
    if (!ack.ok) {
      // No JetStream answer (503 no responders: the stream is missing) or a refusal: retry.
      const status = msg.headers?.code ? `${msg.headers.code} ${msg.headers.description}` : 'unreadable PubAck';
      this.retry(item, new Error(ack.reason ?? status));
      return;
    }
    item.state = 'acked';
    if (ack.duplicate) this.counters.duplicates++;
    this.settle();
    // Refill once half the window is free: one socket write per half window instead of one per
    // burst of acknowledgements (a few each when this thread is idle, as the publish worker is);
    // the other half stays in flight meanwhile. New messages are sent at once (enqueue/pump).
    if (this.inFlight <= this.options.maxInFlight >> 1) this.schedulePump();
  }

  /** Leave out a record the server refuses for its size (logged, counted in `rejected`). */
  private reject(item: Pending, error: unknown): void {
    this.fail(error);
    item.state = 'rejected';
    this.options.log?.error({ subject: item.subject, id: item.id, bytes: item.data.length, max: this.connection?.info?.max_payload }, "bus: record larger than the NATS server's max_payload; not published");
    this.settle();
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

  /** Drop acknowledged (and rejected) messages from the head of the queue. */
  private settle(): void {
    for (;;) {
      const item = this.queue[this.head];
      if (!item || (item.state !== 'acked' && item.state !== 'rejected')) break;
      this.head++;
      this.queuedBytes -= item.data.length;
      if (item.state === 'acked') {
        this.counters.published++;
        this.counters.publishedBytes += item.data.length;
      } else {
        this.counters.rejected++;
        this.counters.rejectedBytes += item.data.length;
      }
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.sendIndex -= this.head;
      this.head = 0;
    }
    this.options.onChange?.();
  }

  private fail(error: unknown): void {
    this.counters.errors++;
    this.lastError = error instanceof Error ? error.message : String(error);
    this.options.onError?.(this.lastError);
    this.options.onChange?.();
  }

  /** Bytes of records queued and not yet acknowledged. */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** Current figures. */
  statistics(): JetStreamSenderCounters {
    return {
      connected: this.ready,
      ...this.counters,
      lastError: this.lastError,
      queuedMessages: this.queue.length - this.head,
      queuedBytes: this.queuedBytes,
      oldestQueuedAt: this.queue[this.head]?.queuedAt ?? 0,
    };
  }

  /** Stop: wait up to `flushMs` for queued records to be acknowledged, then close the connection. */
  async close(flushMs = 5000): Promise<void> {
    const deadline = Date.now() + flushMs;
    while (this.ready && this.head < this.queue.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.closed = true;
    this.ready = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.ackTimer);
    this.acks?.unsubscribe();
    await this.connection?.close().catch(() => {});
  }
}
