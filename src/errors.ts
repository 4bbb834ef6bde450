/**
 * The one error hierarchy of ribstore.
 *
 * Every error ribstore throws on purpose is a {@link RibstoreError} with a stable
 * machine-readable `code` (part of the public contract: codes are added, never renamed)
 * and a message that names the bad input and says what to fix.
 *
 * Decoders throw {@link DecodeError}, which also carries the byte offset at which the
 * problem was found and, where known, the message type being decoded.
 */

/** Stable error codes. Scripts and API clients may rely on them. */
export type ErrorCode =
  /** Text or number that is not a valid IPv4/IPv6 address. */
  | 'INVALID_ADDRESS'
  /** Text or object that is not a valid IP prefix (bad address, bad or missing length). */
  | 'INVALID_PREFIX'
  /** An argument outside its documented range (wrong typed-array length, negative count, ...). */
  | 'INVALID_ARGUMENT'
  /** A wire message (BGP, BMP, MRT) that cannot be decoded: see {@link DecodeError}. */
  | 'DECODE_ERROR'
  /** A value that cannot be encoded (too long for its length field, unknown family, ...). */
  | 'ENCODE_ERROR'
  /** A configured limit was hit (message size, sessions, queue depth, memory). */
  | 'LIMIT_EXCEEDED'
  /** A file that is missing, unreadable, truncated or has a bad checksum. */
  | 'FILE_ERROR'
  /** A read-only view (a snapshot) was asked to change. */
  | 'READ_ONLY';

/** Base class of every error ribstore throws on purpose. */
export class RibstoreError extends Error {
  /** Stable machine-readable code; see {@link ErrorCode}. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RibstoreError';
    this.code = code;
  }
}

/**
 * A wire message that cannot be decoded.
 *
 * `offset` is the position of the offending byte relative to the start of the buffer
 * handed to the decoder (for streams: relative to the start of the stream when the
 * framer knows it). `messageType` names what was being decoded, e.g. `"BGP UPDATE"`,
 * `"BMP Peer Up"`, `"MRT TABLE_DUMP_V2/RIB_IPV4_UNICAST"`.
 */
export class DecodeError extends RibstoreError {
  /** Byte offset of the problem. */
  readonly offset: number;
  /** What was being decoded when the problem was found. */
  readonly messageType: string;

  constructor(messageType: string, offset: number, message: string, options?: { cause?: unknown }) {
    super('DECODE_ERROR', `${messageType} at offset ${offset}: ${message}`, options);
    this.name = 'DecodeError';
    this.offset = offset;
    this.messageType = messageType;
  }
}
