/**
 * The 19-byte BGP message header (RFC 4271 4.1) and the framing checks on it.
 *
 * ```
 * | marker: 16 x 0xff | length (2) | type (1) | body (length - 19) |
 * ```
 * `length` counts the header too: 19..4096, or up to 65535 with the Extended Message
 * capability (RFC 8654). Per type (RFC 4271 6.1): OPEN >= 29, UPDATE >= 23,
 * NOTIFICATION >= 21, KEEPALIVE = 19, ROUTE-REFRESH = 23.
 */
import { BGP_HEADER_LENGTH, BGP_MAX_EXTENDED_MESSAGE_LENGTH, BGP_MAX_MESSAGE_LENGTH, BgpMessageType } from './constants.js';
import { BgpDecodeError } from './errors.js';
import type { ByteWriter } from './writer.js';

/** A checked header. */
export interface BgpHeader {
  /** Message type code (1-5). */
  type: number;
  /** Whole message length, header included. */
  length: number;
}

/** Minimum (and for fixed-size types, exact) length per message type. */
const MIN_LENGTH = [0, 29, 23, 21, 19, 23];
const FIXED_LENGTH = [false, false, false, false, true, true];

/** A human name for a message type code, for error messages. */
export function messageTypeName(type: number): string {
  return ['BGP message', 'BGP OPEN', 'BGP UPDATE', 'BGP NOTIFICATION', 'BGP KEEPALIVE', 'BGP ROUTE-REFRESH'][type] ?? 'BGP message';
}

function headerError(offset: number, message: string, subcode: number): BgpDecodeError {
  return new BgpDecodeError('BGP message header', offset, message, 'session-reset', -1, 1, subcode);
}

/**
 * The length of the message at `offset` once its header is complete, or -1 when fewer than
 * 19 bytes are there yet (a stream framer waits for more). Checks marker, length and type.
 * @throws BgpDecodeError (session-reset, NOTIFICATION code 1) for a bad header.
 */
export function bgpMessageLength(bytes: Uint8Array, offset: number, extendedMessage = false): number {
  if (offset < 0 || bytes.length - offset < BGP_HEADER_LENGTH) return -1;
  return checkBgpHeader(bytes, offset, extendedMessage, false);
}

/**
 * Check and read the header at `offset`.
 * @param requireBody whether the whole message must be inside `bytes` (default true).
 * @throws BgpDecodeError (session-reset) for a truncated or bad header.
 */
export function readBgpHeader(bytes: Uint8Array, offset: number, extendedMessage = false, requireBody = true): BgpHeader {
  const length = checkBgpHeader(bytes, offset, extendedMessage, requireBody);
  return { type: bytes[offset + 18]!, length };
}

/**
 * {@link readBgpHeader} without the result object, for the decoders' hot path: checks the
 * header and returns the message length; the type is `bytes[offset + 18]`.
 */
export function checkBgpHeader(bytes: Uint8Array, offset: number, extendedMessage: boolean, requireBody: boolean): number {
  if (offset < 0 || bytes.length - offset < BGP_HEADER_LENGTH) {
    throw headerError(offset, `a BGP header needs 19 bytes, ${Math.max(0, bytes.length - offset)} left`, 2);
  }
  for (let i = 0; i < 16; i++) {
    if (bytes[offset + i] !== 0xff) throw headerError(offset + i, 'marker is not all ones', 1);
  }
  const length = (bytes[offset + 16]! << 8) | bytes[offset + 17]!;
  const type = bytes[offset + 18]!;
  const max = extendedMessage ? BGP_MAX_EXTENDED_MESSAGE_LENGTH : BGP_MAX_MESSAGE_LENGTH;
  if (type < BgpMessageType.OPEN || type > BgpMessageType.ROUTE_REFRESH) {
    throw headerError(offset + 18, `unknown message type ${type}`, 3);
  }
  if (length < MIN_LENGTH[type]! || length > max || (FIXED_LENGTH[type] && length !== MIN_LENGTH[type])) {
    const expected = FIXED_LENGTH[type] ? `exactly ${MIN_LENGTH[type]}` : `${MIN_LENGTH[type]} to ${max}`;
    throw headerError(offset + 16, `${messageTypeName(type)} length ${length}, expected ${expected}`, 2);
  }
  if (requireBody && bytes.length - offset < length) {
    throw headerError(offset + 16, `${messageTypeName(type)} length ${length} runs past the ${bytes.length - offset} bytes available`, 2);
  }
  return length;
}

/** Append a header with a zero length; returns its offset for {@link patchBgpHeaderLength}. */
export function writeBgpHeader(out: ByteWriter, type: number): number {
  const at = out.length;
  for (let i = 0; i < 16; i++) out.u8(0xff);
  out.u16(0);
  out.u8(type);
  return at;
}

/** Fill in the length of the message that starts at `at` and ends at the writer's end. */
export function patchBgpHeaderLength(out: ByteWriter, at: number): number {
  const length = out.length - at;
  out.patchU16(at + 16, length);
  return length;
}
