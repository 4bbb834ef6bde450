/**
 * Incremental MRT framing: arbitrary byte chunks in, arrays of decoded records out.
 *
 * Invariant: a record is decoded only once all its `12 + length` bytes are present; the
 * bytes of a partial record wait (copied once into a buffer of exactly the record's size,
 * so a large record arriving in many chunks costs one copy, not one per chunk). The stream
 * offset of every record is tracked so errors name it. A declared length over
 * {@link MAX_RECORD_LENGTH} is an error at once, never a reason to buffer the file.
 *
 * ```
 *   chunk k                      chunk k+1
 * [..rec..][..rec..][..re|       |c..][..rec..][..]
 *                      ^ pending  ^ completes it
 * ```
 */
import { DecodeError } from '../../errors.js';
import { MAX_RECORD_LENGTH, MRT_HEADER_LENGTH, mrtTypeName } from './constants.js';
import { type MrtDecodeState, createMrtDecodeState, decodeMrtRecord } from './decode.js';
import type { MrtRecord } from './records.js';

/** Options of {@link MrtFramer}. */
export interface MrtFramerOptions {
  /**
   * Called with each malformed record's error; the record is skipped and framing goes on
   * (the record length is still trusted for framing). Without it the error is thrown.
   */
  onDecodeError?: (error: DecodeError) => void;
}

/** Where an unfinished stream stopped: see {@link MrtFramer.pendingRecord}. */
export interface MrtPendingRecord {
  /** Stream offset of the incomplete record. */
  offset: number;
  /** Bytes of it present. */
  present: number;
  /** Bytes it needs (header + body), or undefined when even the header is incomplete. */
  size: number | undefined;
  /** `"MRT TABLE_DUMP_V2/RIB_IPV4_UNICAST"` when the header is complete. */
  type: string | undefined;
}

/** Frames and decodes an MRT byte stream; one instance per stream. */
export class MrtFramer {
  private readonly state: MrtDecodeState = createMrtDecodeState();
  /** Bytes of an incomplete record (its start), or of an incomplete header. */
  private pending: Uint8Array | undefined;
  /** How many bytes of `pending` are filled. */
  private filled = 0;
  /** Stream offset of the next undecoded byte. */
  private offset = 0;
  private readonly onDecodeError: ((error: DecodeError) => void) | undefined;

  constructor(options: MrtFramerOptions = {}) {
    this.onDecodeError = options.onDecodeError;
  }

  /** Stream offset up to which every byte was framed into a record. */
  get consumed(): number {
    return this.offset;
  }

  /** Feed the next chunk; returns the records it completed (possibly none). */
  push(chunk: Uint8Array): MrtRecord[] {
    const out: MrtRecord[] = [];
    let position = 0;
    if (this.pending) {
      position = this.completePending(chunk, out);
      if (this.pending) return out;
    }
    const end = chunk.length;
    while (end - position >= MRT_HEADER_LENGTH) {
      const size = this.recordSize(chunk, position);
      if (end - position < size) break;
      this.decodeOne(chunk, position, out);
      position += size;
      this.offset += size;
    }
    if (position < end) this.startPending(chunk, position);
    return out;
  }

  /** The incomplete record at the end of the stream so far, or undefined if the stream ends cleanly. */
  pendingRecord(): MrtPendingRecord | undefined {
    if (!this.pending) return undefined;
    const p = this.pending;
    if (this.filled < MRT_HEADER_LENGTH) return { offset: this.offset, present: this.filled, size: undefined, type: undefined };
    const type = (p[4]! << 8) | p[5]!;
    const subtype = (p[6]! << 8) | p[7]!;
    return { offset: this.offset, present: this.filled, size: p.length, type: mrtTypeName(type, subtype) };
  }

  private recordSize(bytes: Uint8Array, at: number): number {
    const length = ((bytes[at + 8]! << 24) | (bytes[at + 9]! << 16) | (bytes[at + 10]! << 8) | bytes[at + 11]!) >>> 0;
    if (length > MAX_RECORD_LENGTH) {
      const type = (bytes[at + 4]! << 8) | bytes[at + 5]!;
      const subtype = (bytes[at + 6]! << 8) | bytes[at + 7]!;
      throw new DecodeError(
        mrtTypeName(type, subtype),
        this.offset + 8,
        `record length ${length} is over the ${MAX_RECORD_LENGTH}-byte limit (corrupt or not an MRT file)`,
      );
    }
    return MRT_HEADER_LENGTH + length;
  }

  private decodeOne(bytes: Uint8Array, at: number, out: MrtRecord[]): void {
    try {
      out.push(decodeMrtRecord(bytes, at, this.state, this.offset));
    } catch (error) {
      if (this.onDecodeError && error instanceof DecodeError) this.onDecodeError(error);
      else throw error;
    }
  }

  private startPending(chunk: Uint8Array, position: number): void {
    const rest = chunk.length - position;
    const capacity = rest >= MRT_HEADER_LENGTH ? this.recordSize(chunk, position) : MRT_HEADER_LENGTH;
    this.pending = new Uint8Array(capacity);
    this.pending.set(chunk.subarray(position));
    this.filled = rest;
  }

  /** Move bytes of `chunk` into the pending record; decode it when complete. Returns the chunk position after the bytes used. */
  private completePending(chunk: Uint8Array, out: MrtRecord[]): number {
    let used = 0;
    let p = this.pending!;
    if (this.filled < MRT_HEADER_LENGTH) {
      const take = Math.min(MRT_HEADER_LENGTH - this.filled, chunk.length);
      p.set(chunk.subarray(0, take), this.filled);
      this.filled += take;
      used = take;
      if (this.filled < MRT_HEADER_LENGTH) return used;
      const grown = new Uint8Array(this.recordSize(p, 0));
      grown.set(p.subarray(0, this.filled));
      this.pending = p = grown;
    }
    const take = Math.min(p.length - this.filled, chunk.length - used);
    p.set(chunk.subarray(used, used + take), this.filled);
    this.filled += take;
    used += take;
    if (this.filled === p.length) {
      this.pending = undefined;
      this.filled = 0;
      this.decodeOne(p, 0, out);
      this.offset += p.length;
    }
    return used;
  }
}
