/**
 * UPDATE messages (RFC 4271 4.3): decode into plain data, walk without allocating, encode.
 *
 * ```
 * | header (19) | withdrawn len (2) | withdrawn routes | total attr len (2) | attributes | NLRI |
 * ```
 * Session-level faults (RFC 7606 section 4 and 5.3: the two length fields overrun the message,
 * an NLRI entry overruns its field or has an impossible length, a broken MP_REACH/MP_UNREACH)
 * throw {@link BgpDecodeError} with action `session-reset`. Attribute faults are returned in
 * `errors` (see attributes.ts). Offsets in errors are positions in the given `bytes`.
 *
 * {@link walkUpdate} is the RIB ingest path: it checks the whole message first (so a
 * session-reset error is thrown before any route is handed out), then calls the visitor
 * once for the attributes and once per route with a reused {@link NlriCursor}.
 */
import { RibstoreError } from '../../errors.js';
import { Afi, BGP_HEADER_LENGTH, BgpMessageType, Safi, familyKey } from './constants.js';
import type { BgpDecodeContext } from './context.js';
import { decodePathAttributes, writePathAttributes, type DecodedAttributes, type EncodeContext } from './attributes.js';
import { BgpDecodeError } from './errors.js';
import { checkBgpHeader, patchBgpHeaderLength, writeBgpHeader } from './header.js';
import { NlriCursor, checkNlriList, decodeNlriList, readNlriEntry, writeNlriList } from './nlri.js';
import type { BgpUpdate, Nlri, PathAttributes } from './types.js';
import { ByteWriter } from './writer.js';

const MESSAGE = 'BGP UPDATE';

/** Where the three parts of an UPDATE lie in the input. */
interface UpdateLayout {
  withdrawnStart: number;
  withdrawnEnd: number;
  attributesEnd: number;
  nlriEnd: number;
}

/** The layout of the UPDATE being decoded: reused, as decoding is synchronous. */
const scratch: UpdateLayout = { withdrawnStart: 0, withdrawnEnd: 0, attributesEnd: 0, nlriEnd: 0 };

/** Check the header and the two length fields; fills and returns the shared {@link scratch}. */
function layout(bytes: Uint8Array, offset: number, ctx: BgpDecodeContext): UpdateLayout {
  const length = checkBgpHeader(bytes, offset, ctx.extendedMessage, true);
  const type = bytes[offset + 18]!;
  if (type !== BgpMessageType.UPDATE) {
    throw new BgpDecodeError(MESSAGE, offset + 18, `message type ${type} is not UPDATE`, 'session-reset', -1, 1, 3);
  }
  const end = offset + length;
  const withdrawnStart = offset + BGP_HEADER_LENGTH + 2;
  const withdrawnLength = (bytes[offset + 19]! << 8) | bytes[offset + 20]!;
  const withdrawnEnd = withdrawnStart + withdrawnLength;
  if (withdrawnEnd + 2 > end) {
    throw new BgpDecodeError(MESSAGE, offset + 19, `withdrawn routes length ${withdrawnLength} overruns the ${length}-byte message`, 'session-reset', -1, 3, 1);
  }
  const attributesLength = (bytes[withdrawnEnd]! << 8) | bytes[withdrawnEnd + 1]!;
  const attributesEnd = withdrawnEnd + 2 + attributesLength;
  if (attributesEnd > end) {
    throw new BgpDecodeError(MESSAGE, withdrawnEnd, `total path attribute length ${attributesLength} overruns the ${length}-byte message`, 'session-reset', -1, 3, 1);
  }
  scratch.withdrawnStart = withdrawnStart;
  scratch.withdrawnEnd = withdrawnEnd;
  scratch.attributesEnd = attributesEnd;
  scratch.nlriEnd = end;
  return scratch;
}

const IPV4_UNICAST = familyKey(Afi.IPV4, Safi.UNICAST);

/**
 * Decode the UPDATE message at `offset` (header included) into plain data.
 * @throws BgpDecodeError (session-reset) for faults RFC 7606 lets nothing else handle.
 */
export function decodeUpdate(bytes: Uint8Array, offset: number, ctx: BgpDecodeContext): BgpUpdate {
  const { withdrawnStart, withdrawnEnd, attributesEnd, nlriEnd } = layout(bytes, offset, ctx);
  const addPath = ctx.addPath.has(IPV4_UNICAST);
  const cursor = new NlriCursor();
  const withdrawn = decodeNlriList(bytes, withdrawnStart, withdrawnEnd, Afi.IPV4, Safi.UNICAST, addPath, [], MESSAGE, cursor);
  const decoded = decodePathAttributes(bytes, withdrawnEnd + 2, attributesEnd, ctx, MESSAGE, true, nlriEnd - attributesEnd);
  const announced = decodeNlriList(bytes, attributesEnd, nlriEnd, Afi.IPV4, Safi.UNICAST, addPath, [], MESSAGE, cursor);
  return {
    type: 'update',
    withdrawn,
    attributes: decoded.attributes,
    announced,
    errors: decoded.errors,
    treatAsWithdraw: decoded.treatAsWithdraw,
    unknownFamilies: decoded.unknownFamilies,
  };
}

/** Receives the content of an UPDATE from {@link walkUpdate}. */
export interface UpdateVisitor {
  /**
   * Called once per UPDATE, before any route, with its attributes. MP_REACH/MP_UNREACH
   * carry empty `nlri` arrays here: their routes come through `announce` / `withdraw`.
   */
  attributes(decoded: DecodedAttributes): void;
  /** A withdrawn route (Withdrawn Routes field, MP_UNREACH_NLRI, or an announcement under treat-as-withdraw). */
  withdraw(route: NlriCursor): void;
  /** An announced route (NLRI field or MP_REACH_NLRI). The cursor is reused: copy what you keep. */
  announce(route: NlriCursor): void;
}

/** Route counts of one walked UPDATE. */
export interface WalkResult {
  announced: number;
  withdrawn: number;
  decoded: DecodedAttributes;
}

/**
 * Walk the UPDATE at `offset` (header included) without building route objects: the
 * visitor gets the attributes, then the withdrawals, then the announcements. Under RFC 7606
 * treat-as-withdraw the announcements are delivered as withdrawals.
 * @throws BgpDecodeError (session-reset) before calling the visitor when the message is broken.
 */
export function walkUpdate(bytes: Uint8Array, offset: number, ctx: BgpDecodeContext, visitor: UpdateVisitor, cursor: NlriCursor = new NlriCursor()): WalkResult {
  // Copied out of the shared layout: a visitor may decode another message re-entrantly.
  const { withdrawnStart, withdrawnEnd, attributesEnd, nlriEnd } = layout(bytes, offset, ctx);
  const addPath = ctx.addPath.has(IPV4_UNICAST);
  const decoded = decodePathAttributes(bytes, withdrawnEnd + 2, attributesEnd, ctx, MESSAGE, false, nlriEnd - attributesEnd);
  const reach = decoded.attributes.mpReach;
  const unreach = decoded.attributes.mpUnreach;
  const reachAddPath = reach ? ctx.addPath.has(familyKey(reach.afi, reach.safi)) : false;
  const unreachAddPath = unreach ? ctx.addPath.has(familyKey(unreach.afi, unreach.safi)) : false;
  // Check every NLRI range before handing out anything.
  checkNlriList(bytes, withdrawnStart, withdrawnEnd, Afi.IPV4, Safi.UNICAST, addPath, MESSAGE);
  checkNlriList(bytes, attributesEnd, nlriEnd, Afi.IPV4, Safi.UNICAST, addPath, MESSAGE);
  if (decoded.mpReachNlriStart >= 0) checkNlriList(bytes, decoded.mpReachNlriStart, decoded.mpReachNlriEnd, reach!.afi, reach!.safi, reachAddPath, MESSAGE);
  if (decoded.mpUnreachNlriStart >= 0) checkNlriList(bytes, decoded.mpUnreachNlriStart, decoded.mpUnreachNlriEnd, unreach!.afi, unreach!.safi, unreachAddPath, MESSAGE);

  visitor.attributes(decoded);
  let withdrawn = emit(bytes, withdrawnStart, withdrawnEnd, Afi.IPV4, Safi.UNICAST, addPath, cursor, visitor, false);
  if (decoded.mpUnreachNlriStart >= 0) {
    withdrawn += emit(bytes, decoded.mpUnreachNlriStart, decoded.mpUnreachNlriEnd, unreach!.afi, unreach!.safi, unreachAddPath, cursor, visitor, false);
  }
  const asWithdraw = decoded.treatAsWithdraw;
  let announced = 0;
  if (decoded.mpReachNlriStart >= 0) {
    const n = emit(bytes, decoded.mpReachNlriStart, decoded.mpReachNlriEnd, reach!.afi, reach!.safi, reachAddPath, cursor, visitor, !asWithdraw);
    if (asWithdraw) withdrawn += n;
    else announced += n;
  }
  const n = emit(bytes, attributesEnd, nlriEnd, Afi.IPV4, Safi.UNICAST, addPath, cursor, visitor, !asWithdraw);
  if (asWithdraw) withdrawn += n;
  else announced += n;
  return { announced, withdrawn, decoded };
}


function emit(
  bytes: Uint8Array,
  start: number,
  end: number,
  afi: number,
  safi: number,
  addPath: boolean,
  cursor: NlriCursor,
  visitor: UpdateVisitor,
  announce: boolean,
): number {
  let pos = start;
  let count = 0;
  while (pos < end) {
    pos = readNlriEntry(bytes, pos, end, afi, safi, addPath, cursor, MESSAGE);
    if (announce) visitor.announce(cursor);
    else visitor.withdraw(cursor);
    count++;
  }
  return count;
}

/** What {@link encodeUpdate} needs: the routes and the attributes. */
export interface UpdateInput {
  withdrawn?: readonly Nlri[];
  attributes?: PathAttributes;
  announced?: readonly Nlri[];
}

/**
 * Encode an UPDATE message (header included). Attributes are written as
 * {@link encodePathAttributes} writes them; `ctx` decides AS size and ADD-PATH.
 * @throws RibstoreError `ENCODE_ERROR` when a value does not fit, or the message exceeds
 *   4096 bytes (65535 with `extendedMessage`).
 */
export function encodeUpdate(update: UpdateInput, ctx: EncodeContext & { extendedMessage?: boolean }): Uint8Array {
  const out = new ByteWriter(256);
  const at = writeBgpHeader(out, BgpMessageType.UPDATE);
  const addPath = ctx.addPath.has(IPV4_UNICAST);
  const withdrawnAt = out.length;
  out.u16(0);
  writeNlriList(update.withdrawn ?? [], Afi.IPV4, Safi.UNICAST, addPath, out);
  const withdrawnLength = out.length - withdrawnAt - 2;
  const attributesAt = out.length;
  out.u16(0);
  if (update.attributes) writePathAttributes(update.attributes, ctx, out, true);
  const attributesLength = out.length - attributesAt - 2;
  writeNlriList(update.announced ?? [], Afi.IPV4, Safi.UNICAST, addPath, out);
  const max = ctx.extendedMessage ? 65535 : 4096;
  if (out.length > max) throw new RibstoreError('ENCODE_ERROR', `UPDATE is ${out.length} bytes, over the ${max}-byte limit`);
  out.patchU16(withdrawnAt, withdrawnLength);
  out.patchU16(attributesAt, attributesLength);
  patchBgpHeaderLength(out, at);
  return out.toBytes();
}
