/**
 * One router's BMP TCP connection: reads bytes, frames and decodes messages, and hands them
 * to the collector in time-sliced batches.
 *
 * ```
 *  socket 'data' ──► chunk queue ──(SliceScheduler: ≤ sliceMs per turn, all sessions together)──► framer ► decode ► onMessage
 *   (append only:      │ queueBytes > highWater, or all sessions' > the budget → socket.pause()   (last resort)
 *    never waits)      │ queueBytes < lowWater and all sessions' < half the budget → socket.resume()
 * ```
 *
 * Invariants:
 * - Reading never waits for processing: the 'data' handler only appends the chunk to the queue,
 *   so the router's TCP window stays open while the RIB works. Processing runs in slices handed
 *   out by a {@link SliceScheduler} shared by the collector's sessions: at most `sliceMs` per
 *   event-loop turn for all of them together, then the loop is yielded (the HTTP API, timers).
 * - The queue is bounded: above `queueHighWaterBytes`, or while the queues of all sessions
 *   together exceed the collector's {@link QueueBudget}, the socket is paused (TCP backpressure
 *   reaches the router only then), and resumed below half of both. Its depth is always readable.
 * - The first message must be Initiation (RFC 7854 4.3); anything else closes the connection.
 * - Any error while framing, decoding or applying a message closes this connection only: the
 *   error is reported once through `onClose` with its kind, and no more bytes are processed.
 * - No copy per message: the framer works on the socket's own receive buffers, each seen as a
 *   plain `Uint8Array` over the Buffer's memory (a `Buffer`'s `subarray` makes a `Buffer`
 *   through the species constructor, which cost more than the whole UPDATE walk when measured
 *   with `--cpu-prof` over loopback); only a message split across two receive buffers is
 *   copied, once, into the framer's carry-over buffer. A Route Monitoring message goes to the
 *   handler's `onRouteMonitoring` as its place in that buffer (no view, no decoded message);
 *   every other message, and one the handler declines, is decoded from a view of it.
 */
import type { Socket } from 'node:net';
import { RibstoreError } from '../errors.js';
import { BmpFramer } from '../wire/bmp/framer.js';
import { decodeBmpMessage } from '../wire/bmp/decode.js';
import { type BmpMessage, BmpMessageType } from '../wire/bmp/types.js';
import { type BudgetedQueue, QueueBudget } from './queue-budget.js';
import { SliceScheduler, type SliceTask } from './slice-scheduler.js';
import type { CollectorErrorKind } from './statistics.js';

/** Limits and pacing of one connection. */
export interface BmpConnectionOptions {
  /** Largest BMP message accepted, bytes. */
  readonly maxMessageLength: number;
  /** Pause the socket when this many bytes wait in the queue. */
  readonly queueHighWaterBytes: number;
  /** Most milliseconds of processing before yielding to the event loop. */
  readonly sliceMs: number;
  /**
   * The scheduler whose turns the connection's slices share with other sessions (the
   * collector's, of `sliceMs`); omitted, the connection gets one of its own.
   */
  readonly scheduler?: SliceScheduler;
  /** The bound on all sessions' queued bytes together (the collector's); omitted, none. */
  readonly budget?: QueueBudget;
}

/** How a connection ended. */
export interface BmpConnectionEnd {
  /** `null` for a clean end (Termination or the router closing after whole messages). */
  readonly errorKind: CollectorErrorKind | null;
  /** The error, for the log line. */
  readonly error: Error | null;
  /** Whether a Termination message was received. */
  readonly terminated: boolean;
  /** Why the connection ended, for people (logs, `/api/v1/routers`). */
  readonly reason: string;
}

/** What the connection calls back. */
export interface BmpConnectionHandler {
  /** A decoded message. Throwing closes the connection with a `decode` error (or the error's kind). */
  onMessage(message: BmpMessage, bytes: Uint8Array, offset: number): void;
  /**
   * Optional hot path: a Route Monitoring message (type byte 0) after the Initiation, framed in
   * place at `bytes[start, start + length)` (stream offset `offset`), not decoded. Return true
   * when it was handled (it is then not decoded nor passed to `onMessage`), false to have it
   * decoded and passed to `onMessage` as any other message. Throwing closes the connection as
   * for `onMessage`.
   */
  onRouteMonitoring?(bytes: Uint8Array, start: number, length: number, offset: number): boolean;
  /**
   * Back-pressure from a downstream consumer (the bus publisher with `--publish-overflow pause`):
   * a promise while processing must wait, else `null`. While held, chunks still queue and the
   * socket pauses at the high-water mark as usual.
   */
  hold?(): Promise<void> | null;
  /** The connection is closed; called exactly once. */
  onClose(end: BmpConnectionEnd): void;
}

/**
 * What the collector needs of a session's transport, whether a TCP connection
 * ({@link BmpConnection}) or messages handed over one by one (bmp-feed.ts).
 */
export interface BmpLink {
  /** Bytes received but not yet processed. */
  readonly queueBytes: number;
  /** Chunks waiting to be processed. */
  readonly queueChunks: number;
  /** Bytes received in total. */
  readonly bytesReceived: number;
  /** When bytes last arrived (ms since the epoch). */
  readonly lastReceivedAt: number;
  /** Close it from our side; `reason` says why. The handler's `onClose` follows. */
  destroy(reason?: string): void;
}

/** An error that carries the collector error kind it should be counted as. */
export class CollectorError extends RibstoreError {
  readonly kind: CollectorErrorKind;
  constructor(kind: CollectorErrorKind, message: string) {
    super(kind === 'limit' ? 'LIMIT_EXCEEDED' : 'DECODE_ERROR', message);
    this.name = 'CollectorError';
    this.kind = kind;
  }
}

/**
 * RFC 7854 4.3: a session's first message is Initiation. Throws the `protocol` error that closes
 * the session when `kind`, the kind of its first message (at stream `offset`), is another.
 * Shared by TCP sessions and fed ones (bmp-feed.ts), so a router is held to it alike over both.
 */
export function checkFirstMessage(kind: BmpMessage['kind'], offset: number): void {
  if (kind !== 'initiation') throw new CollectorError('protocol', `the first BMP message must be Initiation (RFC 7854 4.3), got ${kind} at offset ${offset}`);
}

/** One BMP connection; see the module doc. */
export class BmpConnection implements BmpLink, SliceTask, BudgetedQueue {
  /** The router's address as the socket reports it. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Bytes received but not yet processed. */
  queueBytes = 0;
  /** Bytes received in total. */
  bytesReceived = 0;
  /** Whether the socket is paused because the queue is full. */
  paused = false;
  /** How many times the socket had to be paused. */
  pauses = 0;
  /** When bytes last arrived (ms since the epoch): how quiet the router is. */
  lastReceivedAt = Date.now();

  private readonly socket: Socket;
  private readonly options: BmpConnectionOptions;
  private readonly handler: BmpConnectionHandler;
  private readonly framer: BmpFramer;
  private readonly scheduler: SliceScheduler;
  private readonly budget: QueueBudget;
  private readonly queue: Buffer[] = [];
  /** Index of the next chunk to feed (the queue is compacted lazily). */
  private queueHead = 0;
  /** Whether the framer still holds a fed chunk that may contain whole messages. */
  private framerLoaded = false;
  private scheduled = false;
  /** Waiting for {@link BmpConnectionHandler.hold} to release. */
  private held = false;
  private seenInitiation = false;
  private terminated = false;
  private ended = false;
  private closed = false;

  constructor(socket: Socket, options: BmpConnectionOptions, handler: BmpConnectionHandler) {
    this.socket = socket;
    this.options = options;
    this.handler = handler;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.remotePort = socket.remotePort ?? 0;
    this.framer = new BmpFramer({ maxMessageLength: options.maxMessageLength });
    this.scheduler = options.scheduler ?? new SliceScheduler(options.sliceMs);
    this.budget = options.budget ?? new QueueBudget(Infinity);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => {
      this.ended = true;
      this.schedule();
    });
    socket.on('error', (error) => this.close('socket', error));
    socket.on('close', () => {
      // Bytes already queued were sent by the router: finish them before closing.
      this.ended = true;
      if (this.framerLoaded || this.queueHead < this.queue.length) this.schedule();
      else this.finish();
    });
  }

  /** Chunks waiting in the queue. */
  get queueChunks(): number {
    return this.queue.length - this.queueHead;
  }

  /** Close the connection from our side; `reason` says why (shutdown, replaced, a timeout). */
  destroy(reason = 'closed by the collector'): void {
    this.close(null, null, reason);
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.queue.push(chunk);
    this.queueBytes += chunk.length;
    this.budget.add(chunk.length);
    this.bytesReceived += chunk.length;
    this.lastReceivedAt = Date.now();
    if (!this.paused && (this.queueBytes > this.options.queueHighWaterBytes || this.budget.over)) {
      this.paused = true;
      this.pauses++;
      this.socket.pause();
      this.budget.register(this);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.closed || this.held) return;
    this.scheduled = true;
    this.scheduler.add(this);
  }

  /** One slice of work: frame, decode and hand over messages until `deadline` (see SliceTask). */
  runSlice(deadline: number): void {
    this.scheduled = false;
    if (this.closed) return;
    let sinceClockCheck = 0;
    try {
      for (;;) {
        const hold = this.handler.hold?.();
        if (hold) {
          this.held = true;
          void hold.then(() => {
            this.held = false;
            this.schedule();
          });
          return;
        }
        if (!this.framerLoaded) {
          if (this.queueHead === this.queue.length) break;
          const chunk = this.queue[this.queueHead]!;
          this.queue[this.queueHead++] = undefined as unknown as Buffer;
          if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
            this.queue.splice(0, this.queueHead);
            this.queueHead = 0;
          }
          this.queueBytes -= chunk.length;
          this.budget.remove(chunk.length);
          this.framer.feed(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
          this.framerLoaded = true;
        }
        const framer = this.framer;
        if (!framer.nextMessage()) {
          this.framerLoaded = false;
          continue;
        }
        const offset = framer.lastOffset;
        const chunk = framer.messageBytes;
        const start = framer.messageStart;
        const length = framer.messageLength;
        if (this.seenInitiation && chunk[start + 5] === BmpMessageType.RouteMonitoring && this.handler.onRouteMonitoring?.(chunk, start, length, offset) === true) {
          if (this.closed) return;
          if (++sinceClockCheck >= 32) {
            sinceClockCheck = 0;
            if (performance.now() >= deadline) break;
          }
          continue;
        }
        const bytes = start === 0 && length === chunk.length ? chunk : chunk.subarray(start, start + length);
        const message = decodeBmpMessage(bytes, offset);
        if (!this.seenInitiation) {
          checkFirstMessage(message.kind, offset);
          this.seenInitiation = true;
        }
        this.handler.onMessage(message, bytes, offset);
        if (this.closed) return; // the handler closed it (e.g. a session refused for its identity)
        if (message.kind === 'termination') {
          this.terminated = true;
          this.close(null, null, 'Termination received');
          return;
        }
        if (++sinceClockCheck >= 32) {
          sinceClockCheck = 0;
          if (performance.now() >= deadline) break;
        }
      }
    } catch (error) {
      const kind = error instanceof CollectorError ? error.kind : 'decode';
      this.close(kind, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.framerLoaded || this.queueHead < this.queue.length) {
      this.schedule();
    } else if (this.ended) {
      this.finish();
      return;
    }
    if (this.paused && this.budget.roomy) this.resumeFromBudget();
  }

  /** Resume reading if this queue is under half its high-water mark (see BudgetedQueue). */
  resumeFromBudget(): boolean {
    if (!this.paused || this.closed) return true;
    if (this.queueBytes >= this.options.queueHighWaterBytes / 2) return false;
    this.paused = false;
    this.socket.resume();
    this.budget.unregister(this);
    return true;
  }

  /** The stream ended and every queued byte was processed: a clean end unless a message was cut. */
  private finish(): void {
    if (this.closed) return;
    try {
      this.framer.end();
      this.close(null, null, 'closed by the router');
    } catch (error) {
      this.close('decode', error instanceof Error ? error : new Error(String(error)));
    }
  }

  private close(kind: CollectorErrorKind | null, error: Error | null, reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.queueHead = 0;
    this.budget.unregister(this);
    this.budget.remove(this.queueBytes);
    this.queueBytes = 0;
    this.socket.destroy();
    this.handler.onClose({ errorKind: kind, error, terminated: this.terminated, reason: reason ?? `${kind ?? 'error'}: ${error?.message ?? 'connection closed'}` });
  }
}
