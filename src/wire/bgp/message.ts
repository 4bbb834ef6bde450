/**
 * Any BGP message: decode by the header's type, encode by the message's `type`; and the
 * three small messages, NOTIFICATION, KEEPALIVE and ROUTE-REFRESH.
 *
 * ```
 * NOTIFICATION: | header | error code (1) | subcode (1) | data (rest) |
 * KEEPALIVE:    | header |                                        (19 bytes exactly)
 * ROUTE-REFRESH:| header | AFI (2) | subtype (1, RFC 7313) | SAFI (1) |   (23 bytes exactly)
 * ```
 */
import { RibstoreError } from '../../errors.js';
import { BGP_HEADER_LENGTH, BgpMessageType } from './constants.js';
import type { BgpDecodeContext } from './context.js';
import { BgpDecodeError } from './errors.js';
import { patchBgpHeaderLength, readBgpHeader, writeBgpHeader } from './header.js';
import { decodeOpenBody, encodeOpen } from './open.js';
import { decodeUpdate, encodeUpdate } from './update.js';
import type { BgpMessage, BgpNotification, BgpRouteRefresh } from './types.js';
import { ByteWriter, checkUint, copyBytes } from './writer.js';
import type { EncodeContext } from './attribute-encode.js';

/**
 * Decode the message at `offset` (header included; its length says where it ends).
 * @throws BgpDecodeError (session-reset) for a bad header or a message that cannot be parsed.
 */
export function decodeBgpMessage(bytes: Uint8Array, offset: number, ctx: BgpDecodeContext): BgpMessage {
  const header = readBgpHeader(bytes, offset, ctx.extendedMessage);
  const start = offset + BGP_HEADER_LENGTH;
  const end = offset + header.length;
  switch (header.type) {
    case BgpMessageType.OPEN:
      return decodeOpenBody(bytes, start, end);
    case BgpMessageType.UPDATE:
      return decodeUpdate(bytes, offset, ctx);
    case BgpMessageType.NOTIFICATION:
      return { type: 'notification', code: bytes[start]!, subcode: bytes[start + 1]!, data: copyBytes(bytes, start + 2, end) };
    case BgpMessageType.KEEPALIVE:
      return { type: 'keepalive' };
    case BgpMessageType.ROUTE_REFRESH:
      return { type: 'route-refresh', afi: (bytes[start]! << 8) | bytes[start + 1]!, subtype: bytes[start + 2]!, safi: bytes[start + 3]! };
  }
  // readBgpHeader only lets types 1-5 through.
  throw new BgpDecodeError('BGP message', offset + 18, `unknown message type ${header.type}`, 'session-reset', -1, 1, 3);
}

/**
 * Encode any message (header included). `ctx` matters for UPDATEs only (AS size, ADD-PATH,
 * extended message); it defaults to 4-octet AS without ADD-PATH.
 * @throws RibstoreError `ENCODE_ERROR` when a value does not fit.
 */
export function encodeBgpMessage(message: BgpMessage, ctx: EncodeContext & { extendedMessage?: boolean } = DEFAULT_ENCODE_CONTEXT): Uint8Array {
  switch (message.type) {
    case 'open':
      return encodeOpen(message);
    case 'update':
      return encodeUpdate(message, ctx);
    case 'notification':
      return encodeNotification(message);
    case 'keepalive':
      return encodeKeepalive();
    case 'route-refresh':
      return encodeRouteRefresh(message);
  }
}

const DEFAULT_ENCODE_CONTEXT: EncodeContext = { fourOctetAs: true, addPath: new Set() };

/** Encode a NOTIFICATION. */
export function encodeNotification(n: Omit<BgpNotification, 'type'>): Uint8Array {
  const out = new ByteWriter(21 + n.data.length);
  const at = writeBgpHeader(out, BgpMessageType.NOTIFICATION);
  out.u8(checkUint('error code', n.code, 255));
  out.u8(checkUint('error subcode', n.subcode, 255));
  out.bytes(n.data);
  if (out.length > 4096) throw new RibstoreError('ENCODE_ERROR', `NOTIFICATION is ${out.length} bytes, over 4096`);
  patchBgpHeaderLength(out, at);
  return out.toBytes();
}

/** Encode a KEEPALIVE (19 bytes). */
export function encodeKeepalive(): Uint8Array {
  const out = new ByteWriter(19);
  const at = writeBgpHeader(out, BgpMessageType.KEEPALIVE);
  patchBgpHeaderLength(out, at);
  return out.toBytes();
}

/** Encode a ROUTE-REFRESH (23 bytes). */
export function encodeRouteRefresh(r: Omit<BgpRouteRefresh, 'type'>): Uint8Array {
  const out = new ByteWriter(23);
  const at = writeBgpHeader(out, BgpMessageType.ROUTE_REFRESH);
  out.u16(checkUint('AFI', r.afi, 0xffff));
  out.u8(checkUint('route refresh subtype', r.subtype, 255));
  out.u8(checkUint('SAFI', r.safi, 255));
  patchBgpHeaderLength(out, at);
  return out.toBytes();
}
