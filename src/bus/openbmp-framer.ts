/**
 * Splits a byte stream of back-to-back OpenBMP raw records (a file written by a `bmp_raw`
 * consumer, or several bus messages concatenated) into decoded records.
 *
 * Unlike the BMP framer this one copies: a record spanning chunks is assembled by concatenating
 * the unread tail with the next chunk. The tail is always shorter than one record (at most the
 * largest accepted record), so the cost stays linear in the stream.
 */
import { DecodeError, RibstoreError } from '../errors.js';
import { DEFAULT_MAX_BMP_MESSAGE_LENGTH } from '../wire/bmp/framer.js';
import { type OpenBmpRecord, decodeOpenBmpRecord, openBmpRecordLength } from './openbmp.js';

/** One record and its position in the stream. */
export interface OpenBmpFrame {
  readonly record: OpenBmpRecord;
  /** Stream offset of the record's first byte (its header). */
  readonly offset: number;
  /** Stream offset of the BMP message inside it. */
  readonly bmpOffset: number;
}

/** Incremental OpenBMP record framer. */
export class OpenBmpFramer {
  private pending: Uint8Array = new Uint8Array(0);
  private pendingOffset = 0;
  private readonly maxRecordLength: number;

  /** @param maxMessageLength largest BMP message accepted inside a record (default 16 MiB). */
  constructor(maxMessageLength = DEFAULT_MAX_BMP_MESSAGE_LENGTH) {
    if (!Number.isInteger(maxMessageLength) || maxMessageLength < 6) {
      throw new RibstoreError('INVALID_ARGUMENT', `maxMessageLength ${maxMessageLength} must be an integer of at least 6`);
    }
    this.maxRecordLength = maxMessageLength + 0xffff;
  }

  /** Add a chunk and yield every record it completes. */
  *push(chunk: Uint8Array): Generator<OpenBmpFrame> {
    let bytes = chunk;
    if (this.pending.length > 0) {
      bytes = new Uint8Array(this.pending.length + chunk.length);
      bytes.set(this.pending, 0);
      bytes.set(chunk, this.pending.length);
    }
    let at = 0;
    for (;;) {
      const streamOffset = this.pendingOffset + at;
      const length = openBmpRecordLength(bytes, at, streamOffset);
      if (length === null) break;
      if (length > this.maxRecordLength) {
        throw new DecodeError('OpenBMP header', streamOffset + 8, `record of ${length} bytes exceeds the limit of ${this.maxRecordLength}`);
      }
      if (bytes.length - at < length) break;
      const record = decodeOpenBmpRecord(bytes, at, streamOffset);
      yield { record, offset: streamOffset, bmpOffset: streamOffset + record.header.headerLength };
      at += length;
    }
    this.pending = bytes.subarray(at);
    this.pendingOffset += at;
  }

  /** Declare the end of the stream. @throws DecodeError when a partial record is left over. */
  end(): void {
    if (this.pending.length > 0) {
      throw new DecodeError('OpenBMP header', this.pendingOffset, `stream ends inside a record (${this.pending.length} bytes left)`);
    }
  }
}
