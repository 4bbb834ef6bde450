/**
 * A single-producer, single-consumer byte ring in a SharedArrayBuffer: one thread writes a byte
 * stream, another reads it, with no message passing per write (the publisher hands BMP messages
 * to its worker thread this way). Records are the caller's business: the ring only carries bytes,
 * and a record may be split by a full ring or the wrap-around.
 *
 * ```
 *  SharedArrayBuffer: [ control: WRITE | READ | READER_WAITING | WRITER_WAITING ][ pad ][ data: capacity bytes ]
 *                                                                                   ▲ READ       ▲ WRITE
 *                                                       unread bytes: (WRITE - READ) mod 2^32, free: capacity - unread
 * ```
 *
 * Invariants:
 * - WRITE is stored only by the writer, READ only by the reader; both count bytes since the start
 *   modulo 2^32, and a byte's slot is its count modulo `capacity` (a power of two ≤ 2^30), so
 *   unread bytes never exceed `capacity` and the writer never overwrites an unread byte.
 * - Bytes become visible to the reader when the writer {@link ByteRingWriter.publish}es (a
 *   sequentially consistent store of WRITE after the copies); the reader frees them with a store of
 *   READ after copying them out.
 * - A side that finds nothing to do sets its WAITING word, checks again, then waits
 *   (`Atomics.waitAsync`, so its event loop goes on); the other side notifies after each store only
 *   when that word is set: no lost wake-up (both are seq-cst), no notify while both are busy.
 */
import { RibstoreError } from '../errors.js';

const WRITE = 0;
const READ = 1;
const READER_WAITING = 2;
const WRITER_WAITING = 3;
/** Control words take the first 64 bytes (a cache line), data follows. */
const DATA_OFFSET = 64;

/** A ring's shared memory: pass it to the other thread (e.g. in `workerData`). */
export interface ByteRingMemory {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
}

/** A new ring of `capacity` bytes (a power of two from 16 to 2^30). */
export function createByteRing(capacity: number): ByteRingMemory {
  if (!Number.isInteger(capacity) || capacity < 16 || capacity > 2 ** 30 || (capacity & (capacity - 1)) !== 0) {
    throw new RibstoreError('INVALID_ARGUMENT', `byte ring capacity ${capacity} must be a power of two from 16 to 2^30`);
  }
  return { buffer: new SharedArrayBuffer(DATA_OFFSET + capacity), capacity };
}

/** `Atomics.waitAsync` (Node ≥ 16; typed in TypeScript's ES2024 lib, this project compiles for ES2022). */
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: false; value: string } | { async: true; value: Promise<string> } }).waitAsync;

/**
 * Resolves once `control[index]` is notified while holding `value`, at once when it no longer
 * holds it, or after `timeoutMs`; the event loop runs meanwhile. A pending `waitAsync` does not
 * keep Node's event loop alive, so a timer of the same length does (a thread waiting for the
 * other side must not just end).
 */
export async function waitChange(control: Int32Array, index: number, value: number, timeoutMs: number): Promise<unknown> {
  const result = waitAsync(control, index, value, timeoutMs);
  if (!result.async) return result.value;
  const keepAlive = setTimeout(() => {}, timeoutMs + 10);
  try {
    return await result.value;
  } finally {
    clearTimeout(keepAlive);
  }
}

abstract class ByteRingEnd {
  protected readonly control: Int32Array;
  protected readonly data: Uint8Array;
  protected readonly mask: number;
  readonly capacity: number;

  constructor(memory: ByteRingMemory) {
    this.control = new Int32Array(memory.buffer, 0, 4);
    this.data = new Uint8Array(memory.buffer, DATA_OFFSET, memory.capacity);
    this.capacity = memory.capacity;
    this.mask = memory.capacity - 1;
  }

  /** Bytes written (published) and not yet read. */
  unread(): number {
    return (Atomics.load(this.control, WRITE) - Atomics.load(this.control, READ)) >>> 0;
  }
}

/** The writing end (one thread only). */
export class ByteRingWriter extends ByteRingEnd {
  /** Bytes written so far, mod 2^32, including those not yet published. */
  private position: number;

  constructor(memory: ByteRingMemory) {
    super(memory);
    this.position = Atomics.load(this.control, WRITE) >>> 0;
  }

  /** Bytes that can be written now. */
  free(): number {
    return this.capacity - ((this.position - Atomics.load(this.control, READ)) >>> 0);
  }

  /**
   * Copy as much of `bytes` from `offset` as fits; returns how many bytes were copied. They reach
   * the reader at the next {@link publish}.
   */
  put(bytes: Uint8Array, offset = 0): number {
    const count = Math.min(bytes.length - offset, this.free());
    if (count <= 0) return 0;
    const start = this.position & this.mask;
    const first = Math.min(count, this.capacity - start);
    this.data.set(first === bytes.length && offset === 0 ? bytes : bytes.subarray(offset, offset + first), start);
    if (count > first) this.data.set(bytes.subarray(offset + first, offset + count), 0);
    this.position = (this.position + count) >>> 0;
    return count;
  }

  /** Make what was put visible to the reader, waking it if it waits. */
  publish(): void {
    Atomics.store(this.control, WRITE, this.position | 0);
    if (Atomics.load(this.control, READER_WAITING) !== 0) Atomics.notify(this.control, WRITE);
  }

  /** Copy `length` unread bytes starting `skip` bytes after the reader's position (or fewer if not there). */
  peekUnread(skip: number, length: number): Uint8Array {
    const read = Atomics.load(this.control, READ) >>> 0;
    const available = ((this.position - read) >>> 0) - skip;
    const out = new Uint8Array(Math.max(0, Math.min(length, available)));
    for (let i = 0; i < out.length; i++) out[i] = this.data[(read + skip + i) & this.mask]!;
    return out;
  }

  /** Resolves at once when there is free space, else when the reader frees some, or after `timeoutMs`. */
  async waitForSpace(timeoutMs: number): Promise<void> {
    const read = Atomics.load(this.control, READ);
    Atomics.store(this.control, WRITER_WAITING, 1);
    if (this.free() === 0 && Atomics.load(this.control, READ) === read) await waitChange(this.control, READ, read, timeoutMs);
    Atomics.store(this.control, WRITER_WAITING, 0);
  }
}

/** The reading end (one thread only). */
export class ByteRingReader extends ByteRingEnd {
  /**
   * Copy up to `length` unread bytes into `target` at `offset` and free them; returns how many
   * were copied.
   */
  take(target: Uint8Array, offset: number, length: number): number {
    const read = Atomics.load(this.control, READ) >>> 0;
    const count = Math.min(length, (Atomics.load(this.control, WRITE) - read) >>> 0);
    if (count <= 0) return 0;
    const start = read & this.mask;
    const first = Math.min(count, this.capacity - start);
    target.set(this.data.subarray(start, start + first), offset);
    if (count > first) target.set(this.data.subarray(0, count - first), offset + first);
    Atomics.store(this.control, READ, (read + count) | 0);
    if (Atomics.load(this.control, WRITER_WAITING) !== 0) Atomics.notify(this.control, READ);
    return count;
  }

  /** Wake this reader's own {@link waitForData} (e.g. on a close request), from its own thread. */
  interrupt(): void {
    Atomics.notify(this.control, WRITE);
  }

  /** Resolves when the writer publishes more, on {@link interrupt}, or after `timeoutMs`. */
  async waitForData(timeoutMs: number): Promise<void> {
    const write = Atomics.load(this.control, WRITE);
    Atomics.store(this.control, READER_WAITING, 1);
    if (Atomics.load(this.control, WRITE) === write && this.unread() === 0) await waitChange(this.control, WRITE, write, timeoutMs);
    Atomics.store(this.control, READER_WAITING, 0);
  }
}
