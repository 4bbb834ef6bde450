/**
 * What crosses from the collector's thread to the publish worker, and back, in shared memory:
 * BMP messages as records on a {@link ByteRingWriter byte ring}, and the worker's figures in a
 * counter block. No message is posted per BMP message.
 *
 * ```
 *  ring record: type u8 | router id u32 | time ms f64 | length u32 | body (length bytes)
 *     ROUTER  (once per router, before its first message): body = the router's address text
 *     MESSAGE: body = the BMP message as received; time = when the collector got it
 *  counters (Float64, written by the worker): published, publishedBytes, duplicates, errors,
 *     disconnects, connected, rejected, rejectedBytes; (Int32) SETTLED bumps after each change, HOLD_WAITING asks for a notify
 * ```
 *
 * Invariants: records are written and read in order (the ring is a byte stream), so the worker's
 * queue has the collector's arrival order. A record that does not fit waits, copied, in the
 * writer's spill (in order, behind it everything else), which drains as the worker reads: the
 * writer never blocks and never drops; bounding is the publisher's job.
 */
import { type ByteRingMemory, ByteRingReader, ByteRingWriter, waitChange } from './byte-ring.js';

const RECORD_ROUTER = 1;
const RECORD_MESSAGE = 2;
const RECORD_HEADER = 17;
const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

/** Writes records into the ring from the collector's thread. */
export class PublishFeedWriter {
  private readonly ring: ByteRingWriter;
  private readonly routerIds = new Map<string, number>();
  private readonly head = new Uint8Array(RECORD_HEADER);
  private readonly headView = new DataView(this.head.buffer);
  /** Bytes not yet in the ring, in order from `spill[spillHead]` at `spillOffset`. */
  private readonly spill: Uint8Array[] = [];
  private spillHead = 0;
  private spillOffset = 0;
  private spillBytes = 0;
  private draining: Promise<void> | null = null;
  private publishScheduled = false;
  private stopped = false;

  constructor(memory: ByteRingMemory) {
    this.ring = new ByteRingWriter(memory);
  }

  /** Hand one BMP message of `router`, received at `timeMs`, to the worker (copied: `bytes` may be reused). */
  send(router: string, timeMs: number, bytes: Uint8Array): void {
    if (this.stopped) return;
    let id = this.routerIds.get(router);
    if (id === undefined) {
      id = this.routerIds.size;
      this.routerIds.set(router, id);
      this.write(RECORD_ROUTER, id, 0, encoder.encode(router));
    }
    this.write(RECORD_MESSAGE, id, timeMs, bytes);
    // One publish (and at most one wake-up of the worker) per turn of this thread, after the
    // collector's processing slice: the worker then takes the slice's messages in one batch.
    if (!this.publishScheduled) {
      this.publishScheduled = true;
      queueMicrotask(this.publishNow);
    }
  }

  private readonly publishNow = (): void => {
    this.publishScheduled = false;
    this.ring.publish();
  };

  /** Bytes waiting outside the ring because it was full. */
  get spilled(): number {
    return this.spillBytes;
  }

  /** Resolves when the spill is in the ring (or after `timeoutMs`). */
  async drained(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.drainSpill();
      if (this.spillBytes === 0 || this.stopped || Date.now() >= deadline) return;
      await this.ring.waitForSpace(Math.max(1, Math.min(100, deadline - Date.now())));
    }
  }

  private write(type: number, id: number, timeMs: number, body: Uint8Array): void {
    this.head[0] = type;
    this.headView.setUint32(1, id);
    this.headView.setFloat64(5, timeMs);
    this.headView.setUint32(13, body.length);
    if (this.spillBytes === 0 && this.ring.free() >= RECORD_HEADER + body.length) {
      this.ring.put(this.head);
      this.ring.put(body);
      return;
    }
    this.spillCopy(this.head);
    this.spillCopy(body);
  }

  /** Put what fits of `bytes` in the ring (only when nothing waits before it), keep a copy of the rest. */
  private spillCopy(bytes: Uint8Array): void {
    const written = this.spillBytes === 0 ? this.ring.put(bytes) : 0;
    if (written === bytes.length) return;
    this.spill.push(bytes.slice(written));
    this.spillBytes += bytes.length - written;
    this.draining ??= this.drainLoop();
  }

  private drainSpill(): void {
    while (this.spillHead < this.spill.length) {
      const first = this.spill[this.spillHead]!;
      const written = this.ring.put(first, this.spillOffset);
      this.spillOffset += written;
      this.spillBytes -= written;
      if (this.spillOffset < first.length) break;
      this.spill[this.spillHead++] = EMPTY;
      this.spillOffset = 0;
    }
    if (this.spillHead === this.spill.length || (this.spillHead > 1024 && this.spillHead * 2 > this.spill.length)) {
      this.spill.splice(0, this.spillHead);
      this.spillHead = 0;
    }
    this.ring.publish();
  }

  /**
   * Stop for good (the reader is gone): the spill is dropped and its drain loop ends, so it keeps
   * no timer alive; later messages are not written.
   */
  stop(): void {
    this.stopped = true;
    this.spill.length = 0;
    this.spillHead = 0;
    this.spillOffset = 0;
    this.spillBytes = 0;
  }

  private async drainLoop(): Promise<void> {
    for (;;) {
      this.drainSpill();
      if (this.spillBytes === 0 || this.stopped) break;
      await this.ring.waitForSpace(100);
    }
    this.draining = null;
  }
}

/** One message record as the worker reads it. */
export interface FeedMessage {
  readonly router: string;
  readonly timeMs: number;
  /** The BMP bytes, at `offset` in `buffer` (room before it was left for a header). */
  readonly buffer: Uint8Array;
  readonly offset: number;
}

/** Reads records from the ring in the worker; a record split across reads is assembled. */
export class PublishFeedReader {
  private readonly ring: ByteRingReader;
  private readonly routers: string[] = [];
  private readonly head = new Uint8Array(RECORD_HEADER);
  private readonly headView = new DataView(this.head.buffer);
  private headFill = 0;
  private body: Uint8Array | null = null;
  private bodyOffset = 0;
  private bodyFill = 0;
  /** Room left before each message body (the caller's header goes there without another copy). */
  private readonly reserve: (router: string) => number;

  constructor(memory: ByteRingMemory, reserve: (router: string) => number) {
    this.ring = new ByteRingReader(memory);
    this.reserve = reserve;
  }

  /** Read every complete record available now; calls `onMessage` for each message, in order. */
  pull(onMessage: (message: FeedMessage) => void): number {
    let count = 0;
    for (;;) {
      if (this.body === null) {
        this.headFill += this.ring.take(this.head, this.headFill, RECORD_HEADER - this.headFill);
        if (this.headFill < RECORD_HEADER) return count;
        const length = this.headView.getUint32(13);
        const router = this.head[0] === RECORD_MESSAGE ? this.routers[this.headView.getUint32(1)] : undefined;
        this.bodyOffset = router === undefined ? 0 : this.reserve(router);
        this.body = new Uint8Array(this.bodyOffset + length);
        this.bodyFill = 0;
      }
      const length = this.body.length - this.bodyOffset;
      this.bodyFill += this.ring.take(this.body, this.bodyOffset + this.bodyFill, length - this.bodyFill);
      if (this.bodyFill < length) return count;
      const body = this.body;
      this.body = null;
      this.headFill = 0;
      const id = this.headView.getUint32(1);
      if (this.head[0] === RECORD_ROUTER) {
        this.routers[id] = decoder.decode(body);
      } else {
        onMessage({ router: this.routers[id] ?? '', timeMs: this.headView.getFloat64(5), buffer: body, offset: this.bodyOffset });
        count++;
      }
    }
  }

  /** Resolves when more may be readable, on {@link interrupt}, or after `timeoutMs`. */
  waitForData(timeoutMs: number): Promise<void> {
    return this.ring.waitForData(timeoutMs);
  }

  /** Wake {@link waitForData} from the reader's own thread. */
  interrupt(): void {
    this.ring.interrupt();
  }
}

/** The worker's figures, in shared memory. */
export interface FeedCounters {
  published: number;
  publishedBytes: number;
  duplicates: number;
  errors: number;
  disconnects: number;
  connected: boolean;
  /** Left out for their size (larger than the server's `max_payload`). */
  rejected: number;
  rejectedBytes: number;
}

const COUNTER_NAMES = ['published', 'publishedBytes', 'duplicates', 'errors', 'disconnects', 'connected', 'rejected', 'rejectedBytes'] as const;
const SETTLED = 0;
const HOLD_WAITING = 1;

/** The counter block: written by the worker, read by the collector's thread. */
export class SharedFeedCounters {
  readonly buffer: SharedArrayBuffer;
  private readonly values: Float64Array;
  private readonly signal: Int32Array;

  constructor(buffer = new SharedArrayBuffer(8 * COUNTER_NAMES.length + 8)) {
    this.buffer = buffer;
    this.values = new Float64Array(buffer, 0, COUNTER_NAMES.length);
    this.signal = new Int32Array(buffer, 8 * COUNTER_NAMES.length, 2);
  }

  /** Worker: store the figures and wake a waiting reader. */
  store(counters: FeedCounters): void {
    for (let i = 0; i < COUNTER_NAMES.length; i++) {
      const value = counters[COUNTER_NAMES[i]!];
      this.values[i] = typeof value === 'boolean' ? Number(value) : value;
    }
    Atomics.add(this.signal, SETTLED, 1);
    if (Atomics.load(this.signal, HOLD_WAITING) !== 0) Atomics.notify(this.signal, SETTLED);
  }

  /** Collector thread: the messages that left the worker's queue so far (published or rejected). */
  settled(): number {
    return this.values[0]! + this.values[6]!;
  }

  /** Collector thread: their bytes (the hot path's figure, without an object). */
  settledBytes(): number {
    return this.values[1]! + this.values[7]!;
  }

  /** Collector thread: the latest figures. */
  load(): FeedCounters {
    const v = this.values;
    return { published: v[0]!, publishedBytes: v[1]!, duplicates: v[2]!, errors: v[3]!, disconnects: v[4]!, connected: v[5] === 1, rejected: v[6]!, rejectedBytes: v[7]! };
  }

  /** Collector thread: resolves after the worker's next store (or after `timeoutMs`). */
  async changed(timeoutMs: number): Promise<void> {
    const seen = Atomics.load(this.signal, SETTLED);
    Atomics.store(this.signal, HOLD_WAITING, 1);
    await waitChange(this.signal, SETTLED, seen, timeoutMs);
    Atomics.store(this.signal, HOLD_WAITING, 0);
  }
}
