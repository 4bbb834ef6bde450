/**
 * The incremental BMP framer: TCP chunks in, whole BMP messages out.
 *
 * ```
 *  chunks:   [ ....msg A.... | ..msg B.. | ...msg C ][ ...C... ][ ..C | msg D ]
 *  yields:     A (view)       B (view)                             C (copy)  D (view)
 * ```
 *
 * Invariants:
 * - A message that lies wholly inside one chunk is yielded as a `subarray` view of that chunk
 *   (zero-copy), or by {@link BmpFramer.nextMessage} as its place in the chunk (no view either); one that spans chunks is assembled into a fresh buffer of exactly its length,
 *   allocated once its header (6 bytes) is known, so a large message trickling in byte by byte
 *   costs one copy, never a quadratic re-concatenation.
 * - The framer checks only the common header: version 3 and a length from 6 to `maxMessageLength`.
 *   Anything else is a {@link DecodeError} with the stream offset of the bad message and its type.
 *   After an error the stream cannot be resynchronised (BMP has no markers): the framer stays
 *   failed and rethrows the same error.
 * - `offset` of each yielded message is its position in the stream (bytes pushed before it).
 * - Yielded views alias the caller's chunks: the caller must not overwrite a chunk while it
 *   still uses messages from it (node's socket buffers are fresh per 'data' event).
 */
import { DecodeError, RibstoreError } from '../../errors.js';
import { BMP_COMMON_HEADER_LENGTH, BMP_VERSION, bmpMessageTypeName } from './types.js';

/** Default largest message accepted: 16 MiB (a BGP extended UPDATE is at most 64 KiB). */
export const DEFAULT_MAX_BMP_MESSAGE_LENGTH = 16 * 1024 * 1024;

/** Options of {@link BmpFramer}. */
export interface BmpFramerOptions {
  /**
   * Largest message length accepted, in bytes (default {@link DEFAULT_MAX_BMP_MESSAGE_LENGTH}).
   * A longer length field is taken as a broken or hostile stream.
   */
  maxMessageLength?: number;
}

/** One framed message. */
export interface BmpFrame {
  /** The whole message, common header included. */
  readonly bytes: Uint8Array;
  /** Its position in the stream. */
  readonly offset: number;
}

/** Splits a BMP byte stream into messages. See the module doc for the contract. */
export class BmpFramer {
  /** Largest accepted message length. */
  readonly maxMessageLength: number;
  /** The chunk being read, and the read position in it. */
  private chunk: Uint8Array = new Uint8Array(0);
  private position = 0;
  /** Stream offset of `chunk[0]`. */
  private chunkOffset = 0;
  /** A message spanning chunks: its buffer (first the 6 header bytes, then the whole message). */
  private partial: Uint8Array | null = null;
  private partialFilled = 0;
  private partialOffset = 0;
  private failure: DecodeError | null = null;
  /** Stream offset of the message {@link nextBytes} (or {@link nextMessage}) last returned. */
  lastOffset = 0;
  /** Where the message {@link nextMessage} last framed lies: `messageBytes[messageStart, messageStart + messageLength)`. */
  messageBytes: Uint8Array = new Uint8Array(0);
  messageStart = 0;
  messageLength = 0;

  constructor(options: BmpFramerOptions = {}) {
    const max = options.maxMessageLength ?? DEFAULT_MAX_BMP_MESSAGE_LENGTH;
    if (!Number.isInteger(max) || max < BMP_COMMON_HEADER_LENGTH || max > 0xffffffff) {
      throw new RibstoreError('INVALID_ARGUMENT', `maxMessageLength ${max} must be an integer from 6 to 4294967295`);
    }
    this.maxMessageLength = max;
  }

  /** Bytes pushed so far (the stream offset just past the last chunk). */
  get bytesPushed(): number {
    return this.chunkOffset + this.chunk.length;
  }

  /** Bytes received but not yet yielded (a partial message waiting for more). */
  get bytesPending(): number {
    return (this.partial ? this.partialFilled : 0) + (this.chunk.length - this.position);
  }

  /**
   * Add a chunk. Call {@link next} until it returns `null` before pushing the next chunk
   * (or use {@link push}, which does both).
   * @throws DecodeError if the framer has failed before; RibstoreError `INVALID_ARGUMENT` if
   *   the previous chunk still held a whole message not taken with {@link next}.
   */
  feed(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (this.position < this.chunk.length) {
      // The caller did not drain: keep the rest by treating it as the start of a partial message.
      this.absorbRemainder();
    }
    this.chunkOffset += this.chunk.length;
    this.chunk = chunk;
    this.position = 0;
  }

  /**
   * The next whole message, or `null` if the bytes so far end inside a message.
   * @throws DecodeError for a bad version or length (the framer is then failed).
   */
  next(): BmpFrame | null {
    const bytes = this.nextBytes();
    return bytes === null ? null : { bytes, offset: this.lastOffset };
  }

  /**
   * {@link next} without the frame object: the next whole message, its stream offset in
   * {@link lastOffset}; `null` if the bytes so far end inside a message.
   * @throws DecodeError for a bad version or length (the framer is then failed).
   */
  nextBytes(): Uint8Array | null {
    if (!this.nextMessage()) return null;
    const bytes = this.messageBytes;
    const start = this.messageStart;
    return start === 0 && this.messageLength === bytes.length ? bytes : bytes.subarray(start, start + this.messageLength);
  }

  /**
   * The ingest hot path: frame the next whole message without making a view of it. True when
   * there is one: it is `messageBytes[messageStart, messageStart + messageLength)` (the fed
   * chunk itself when the message lies inside it, the framer's carry-over buffer when it
   * spanned chunks), its stream offset {@link lastOffset}; valid until the next call. False if
   * the bytes so far end inside a message. The common header is checked (version, length).
   * @throws DecodeError for a bad version or length (the framer is then failed).
   */
  nextMessage(): boolean {
    if (this.failure) throw this.failure;
    if (this.partial) {
      const whole = this.continuePartial();
      if (whole === null) return false;
      this.messageBytes = whole;
      this.messageStart = 0;
      this.messageLength = whole.length;
      return true;
    }
    const chunk = this.chunk;
    const at = this.position;
    const available = chunk.length - at;
    if (available === 0) return false;
    if (available < BMP_COMMON_HEADER_LENGTH) {
      this.partial = new Uint8Array(BMP_COMMON_HEADER_LENGTH);
      this.partial.set(chunk.subarray(at));
      this.partialFilled = available;
      this.partialOffset = this.chunkOffset + at;
      this.position = chunk.length;
      return false;
    }
    const length = this.checkHeader(chunk, at, this.chunkOffset + at);
    if (length <= available) {
      this.position = at + length;
      this.lastOffset = this.chunkOffset + at;
      this.messageBytes = chunk;
      this.messageStart = at;
      this.messageLength = length;
      return true;
    }
    const buffer = new Uint8Array(length);
    buffer.set(chunk.subarray(at));
    this.partial = buffer;
    this.partialFilled = available;
    this.partialOffset = this.chunkOffset + at;
    this.position = chunk.length;
    return false;
  }

  /** Feed `chunk` and return every whole message now available. */
  push(chunk: Uint8Array): BmpFrame[] {
    this.feed(chunk);
    const frames: BmpFrame[] = [];
    for (let frame = this.next(); frame; frame = this.next()) frames.push(frame);
    return frames;
  }

  /**
   * Declare the end of the stream.
   * @throws DecodeError if it ends inside a message (a truncated stream).
   */
  end(): void {
    if (this.failure) throw this.failure;
    const pending = this.bytesPending;
    if (pending > 0) {
      const offset = this.partial ? this.partialOffset : this.chunkOffset + this.position;
      const type = this.partial && this.partialFilled >= BMP_COMMON_HEADER_LENGTH ? this.partial[5]! : -1;
      throw new DecodeError(type < 0 ? 'BMP message' : bmpMessageTypeName(type), offset, `stream ends inside a message (${pending} bytes of it received)`);
    }
  }

  /** Validate the common header at `at`; returns the message length. */
  private checkHeader(bytes: Uint8Array, at: number, streamOffset: number): number {
    const type = bytes[at + 5]!;
    if (bytes[at] !== BMP_VERSION) {
      this.failure = new DecodeError(bmpMessageTypeName(type), streamOffset, `unsupported BMP version ${bytes[at]} (expected 3): not a BMP stream or out of sync`);
      throw this.failure;
    }
    const length = ((bytes[at + 1]! << 24) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!) >>> 0;
    if (length < BMP_COMMON_HEADER_LENGTH) {
      this.failure = new DecodeError(bmpMessageTypeName(type), streamOffset + 1, `message length ${length} is shorter than the 6-byte common header`);
      throw this.failure;
    }
    if (length > this.maxMessageLength) {
      this.failure = new DecodeError(bmpMessageTypeName(type), streamOffset + 1, `message length ${length} exceeds the limit of ${this.maxMessageLength} bytes`);
      throw this.failure;
    }
    return length;
  }

  /** Fill the partial message from the current chunk; yield it when complete. */
  private continuePartial(): Uint8Array | null {
    let partial = this.partial!;
    const chunk = this.chunk;
    if (this.partialFilled < BMP_COMMON_HEADER_LENGTH) {
      const take = Math.min(BMP_COMMON_HEADER_LENGTH - this.partialFilled, chunk.length - this.position);
      partial.set(chunk.subarray(this.position, this.position + take), this.partialFilled);
      this.partialFilled += take;
      this.position += take;
      if (this.partialFilled < BMP_COMMON_HEADER_LENGTH) return null;
      const length = this.checkHeader(partial, 0, this.partialOffset);
      if (length > BMP_COMMON_HEADER_LENGTH) {
        const whole = new Uint8Array(length);
        whole.set(partial);
        partial = this.partial = whole;
      }
    }
    const need = partial.length - this.partialFilled;
    const take = Math.min(need, chunk.length - this.position);
    partial.set(chunk.subarray(this.position, this.position + take), this.partialFilled);
    this.partialFilled += take;
    this.position += take;
    if (this.partialFilled < partial.length) return null;
    this.partial = null;
    this.partialFilled = 0;
    this.lastOffset = this.partialOffset;
    return partial;
  }

  /** Move the unread rest of the current chunk into a partial buffer (caller skipped `next`). */
  private absorbRemainder(): void {
    while (this.position < this.chunk.length) {
      const frame = this.next();
      if (frame) {
        // A whole message the caller never asked for would be lost; refuse loudly instead.
        this.position = frame.offset - this.chunkOffset;
        throw new RibstoreError('INVALID_ARGUMENT', 'BmpFramer.feed() called before next() drained the previous chunk: use push(), or call next() until it returns null');
      }
    }
  }
}
