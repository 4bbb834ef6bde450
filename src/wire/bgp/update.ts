/**
 * UPDATE messages (RFC 4271 4.3): decode into plain data, walk without allocating, encode.
 *
 * ```
 * | header (19) | withdrawn len (2) | withdrawn routes | total attr len (2) | attributes | NLRI |
 * ```
 * Session-level faults (RFC 7606 section 4 and 5.3: the two length fields overrun the message,
 * an NLRI entry overruns its field or has an impossible length, a broken MP_REACH/MP_UNREACH)
 * throw {@link BgpDecodeError} with action `session-reset`. Attribute faults are returned in
 * `errors` (see attribute-decode.ts). Offsets in errors are positions in the given `bytes`.
 *
 * {@link walkUpdate} is the RIB ingest path: it checks the whole message first (so a
 * session-reset error is thrown before any route is handed out), then calls the visitor
 * once for the attributes and once per route with a reused {@link NlriCursor}.
 */
import { RibstoreError } from '../../errors.js';
import { Afi, AttributeFlag, AttributeType, BGP_HEADER_LENGTH, BgpMessageType, Safi, familyKey } from './constants.js';
import { TWO_OCTET_AS_CONTEXT, type BgpDecodeContext } from './context.js';
import { decodePathAttributes, type DecodedAttributes } from './attribute-decode.js';
import { writePathAttributes, type EncodeContext } from './attribute-encode.js';
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

/**
 * What identifies an UPDATE's attribute block for {@link UpdateVisitor.recallAttributes}:
 * two blocks with equal keys under the same `ctx` decode to the same attributes (bar the
 * MP_REACH NLRI position, which walkUpdate finds itself). The key is one byte of flags
 * (whether the NLRI field and the MP_REACH NLRI are empty, which decide RFC 7606 3(d)
 * mandatory-attribute checks, and whether there is an MP_REACH) followed by the block's bytes
 * with the MP_REACH_NLRI length field and NLRI left out. It is not copied: it lies in the
 * UPDATE itself, as up to three segments of `bytes` (`[s0, e0)`, `[s1, e1)`, `[s2, e2)`; an
 * unused segment is empty), and as 32-bit words packed once while keying (`words`, see there),
 * which the hash and the comparison read. Reused scratch, valid during the call it is passed
 * to: keep it with {@link copyAttributeBlockKey}, compare a kept one with
 * {@link attributeBlockKeyEquals}.
 */
export interface AttributeBlockKey {
  /** The UPDATE's bytes, which hold the key's segments. */
  bytes: Uint8Array;
  /** The flags byte, the key's first. */
  flags: number;
  s0: number;
  e0: number;
  s1: number;
  e1: number;
  s2: number;
  e2: number;
  /** Bytes of the key: 1 + the segments' lengths. */
  length: number;
  /**
   * The key as words, `words[0, wordCount)`: the flags byte with the first segment's length,
   * the other two segments' lengths, then each segment's bytes four to a word (little-endian,
   * a segment's last partial word zero-padded). Two keys have equal words exactly when they
   * have equal flags, segment lengths and bytes: comparing words compares the keys, a quarter
   * of the steps of a byte compare.
   */
  words: Int32Array;
  wordCount: number;
  /** Hash of the key (equal keys, equal hashes), computed once per UPDATE over its words. */
  hash: number;
  /** The decode context of the block (compare by identity). */
  ctx: BgpDecodeContext;
}

/** Write `key`'s words to `out[0, key.wordCount)`; `out` must be long enough. */
export function copyAttributeBlockKey(key: AttributeBlockKey, out: Int32Array): void {
  const words = key.words;
  const n = key.wordCount;
  for (let i = 0; i < n; i++) out[i] = words[i]!;
}

/** Whether `kept[0, keptCount)`, words written by {@link copyAttributeBlockKey}, are `key`'s (the same key). */
export function attributeBlockKeyEquals(key: AttributeBlockKey, kept: Int32Array, keptCount: number): boolean {
  const n = key.wordCount;
  if (keptCount !== n) return false;
  const words = key.words;
  for (let i = 0; i < n; i++) if (kept[i] !== words[i]) return false;
  return true;
}

/**
 * Where the attribute block of the UPDATE being walked lies: `bytes[start, end)`, decoded
 * under `ctx`. Reused scratch, handed to {@link UpdateVisitor.attributes}: copy the fields to
 * use them later in the same walk (`bytes` stays valid for the walk).
 */
export interface AttributeBlockSource {
  bytes: Uint8Array;
  start: number;
  end: number;
  ctx: BgpDecodeContext;
}

/** Receives the content of an UPDATE from {@link walkUpdate}. */
export interface UpdateVisitor {
  /**
   * Called once per UPDATE, before any route, with its attributes. MP_REACH/MP_UNREACH
   * carry empty `nlri` arrays here: their routes come through `announce` / `withdraw`.
   * `key` is given when the visitor has {@link recallAttributes}, it returned nothing for
   * this block and the block was decoded: a visitor may remember `decoded` under it (only if
   * it had no errors, treat-as-withdraw or unknown family) and return it for an equal key.
   * `source` says where this UPDATE's raw block lies (for visitors that use the bytes).
   */
  attributes(decoded: DecodedAttributes, key: AttributeBlockKey | undefined, source: AttributeBlockSource): void;
  /**
   * Optional: offered before decoding each attribute block that has no MP_UNREACH_NLRI (and
   * at most 4096 bytes, outside MRT RIB entries). Return the `DecodedAttributes` passed to
   * {@link attributes} with an equal key and the same `ctx` earlier, if it had no errors, no
   * treat-as-withdraw and no unknown family; walkUpdate then skips decoding the block and
   * hands the visitor the same `attributes` object (treat it as immutable).
   */
  recallAttributes?(key: AttributeBlockKey): DecodedAttributes | undefined;
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
 * treat-as-withdraw the announcements are delivered as withdrawals. The counts are written to
 * `result` when given (a caller's reused object: no object per UPDATE) and returned, else to a
 * new object. `check`, when given, sees the decoded attributes before the visitor sees anything
 * and may throw to abort the walk (e.g. to retry with another decode context).
 * @throws BgpDecodeError (session-reset) before calling the visitor when the message is broken.
 */
export function walkUpdate(
  bytes: Uint8Array,
  offset: number,
  ctx: BgpDecodeContext,
  visitor: UpdateVisitor,
  cursor: NlriCursor = new NlriCursor(),
  result?: WalkResult,
  check?: (decoded: DecodedAttributes) => void,
): WalkResult {
  // Copied out of the shared layout: a visitor may decode another message re-entrantly.
  const { withdrawnStart, withdrawnEnd, attributesEnd, nlriEnd } = layout(bytes, offset, ctx);
  const addPath = ctx.addPath.has(IPV4_UNICAST);
  let decoded: DecodedAttributes | undefined;
  let key: AttributeBlockKey | undefined;
  if (visitor.recallAttributes !== undefined && blockKey(bytes, withdrawnEnd + 2, attributesEnd, ctx, nlriEnd > attributesEnd)) {
    const reachStart = keyReachStart;
    const reachEnd = keyReachEnd;
    key = keyScratch;
    const known = visitor.recallAttributes(key);
    if (known !== undefined) {
      key = undefined;
      // The recalled decode itself when its MP_REACH NLRI lies where this message's does
      // (always without MP_REACH): no object per repeated block.
      decoded = known.mpReachNlriStart === reachStart && known.mpReachNlriEnd === reachEnd ? known : {
        attributes: known.attributes,
        errors: [],
        treatAsWithdraw: false,
        unknownFamilies: 0,
        mpReachNlriStart: reachStart,
        mpReachNlriEnd: reachEnd,
        mpUnreachNlriStart: -1,
        mpUnreachNlriEnd: -1,
      };
    }
  }
  decoded ??= decodePathAttributes(bytes, withdrawnEnd + 2, attributesEnd, ctx, MESSAGE, false, nlriEnd - attributesEnd);
  const reach = decoded.attributes.mpReach;
  const unreach = decoded.attributes.mpUnreach;
  const reachAddPath = reach ? ctx.addPath.has(familyKey(reach.afi, reach.safi)) : false;
  const unreachAddPath = unreach ? ctx.addPath.has(familyKey(unreach.afi, unreach.safi)) : false;
  // Check every NLRI range before handing out anything.
  checkNlriList(bytes, withdrawnStart, withdrawnEnd, Afi.IPV4, Safi.UNICAST, addPath, MESSAGE);
  checkNlriList(bytes, attributesEnd, nlriEnd, Afi.IPV4, Safi.UNICAST, addPath, MESSAGE);
  if (decoded.mpReachNlriStart >= 0) checkNlriList(bytes, decoded.mpReachNlriStart, decoded.mpReachNlriEnd, reach!.afi, reach!.safi, reachAddPath, MESSAGE);
  if (decoded.mpUnreachNlriStart >= 0) checkNlriList(bytes, decoded.mpUnreachNlriStart, decoded.mpUnreachNlriEnd, unreach!.afi, unreach!.safi, unreachAddPath, MESSAGE);

  const source = sourceScratch;
  source.bytes = bytes;
  source.start = withdrawnEnd + 2;
  source.end = attributesEnd;
  source.ctx = ctx;
  if (check !== undefined) check(decoded);
  visitor.attributes(decoded, key, source);
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
  if (result === undefined) return { announced, withdrawn, decoded };
  result.announced = announced;
  result.withdrawn = withdrawn;
  result.decoded = decoded;
  return result;
}

const sourceScratch: AttributeBlockSource = { bytes: new Uint8Array(0), start: 0, end: 0, ctx: TWO_OCTET_AS_CONTEXT };

/** Largest attribute block offered to {@link UpdateVisitor.recallAttributes}. */
const MAX_KEYED_BLOCK = 4096;
/** Most words of a key: two of flags and lengths, a block's bytes, a partial word per segment. */
const MAX_KEY_WORDS = 2 + MAX_KEYED_BLOCK / 4 + 3;
const keyScratch: AttributeBlockKey = { bytes: new Uint8Array(0), flags: 0, s0: 0, e0: 0, s1: 0, e1: 0, s2: 0, e2: 0, length: 0, words: new Int32Array(MAX_KEY_WORDS), wordCount: 0, hash: 0, ctx: TWO_OCTET_AS_CONTEXT };
/** The MP_REACH NLRI range of the block last keyed (-1 without MP_REACH). */
let keyReachStart = -1;
let keyReachEnd = -1;

/**
 * Fill {@link keyScratch} with the key of the attribute block `bytes[start, end)` (see
 * {@link AttributeBlockKey}) and {@link keyReachStart}/{@link keyReachEnd} with where its
 * MP_REACH NLRI lies, as decodePathAttributes would find it. False when the block gets no
 * key: too long, an MRT RIB entry, an MP_UNREACH_NLRI, an attribute that overruns the block,
 * a repeated or too short MP_REACH (such blocks are decoded, with their errors, every time).
 */
function blockKey(bytes: Uint8Array, start: number, end: number, ctx: BgpDecodeContext, nlriField: boolean): boolean {
  if (end - start > MAX_KEYED_BLOCK || ctx.mrtRibEntry !== undefined) return false;
  let lengthAt = -1;
  let lengthEnd = -1;
  let reachStart = -1;
  let reachEnd = -1;
  let pos = start;
  while (pos < end) {
    if (end - pos < 3) return false;
    const flags = bytes[pos]!;
    const type = bytes[pos + 1]!;
    let length: number;
    let valueAt: number;
    if (flags & AttributeFlag.EXTENDED_LENGTH) {
      if (end - pos < 4) return false;
      length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
      valueAt = pos + 4;
    } else {
      length = bytes[pos + 2]!;
      valueAt = pos + 3;
    }
    const valueEnd = valueAt + length;
    if (valueEnd > end) return false;
    if (type === AttributeType.MP_UNREACH_NLRI) return false;
    if (type === AttributeType.MP_REACH_NLRI) {
      // | AFI (2) | SAFI (1) | next hop length (1) | next hop | reserved (1) | NLRI |
      if (reachStart >= 0 || length < 5) return false;
      const nlriAt = valueAt + 5 + bytes[valueAt + 3]!;
      if (nlriAt > valueEnd) return false;
      lengthAt = pos + 2;
      lengthEnd = valueAt;
      reachStart = nlriAt;
      reachEnd = valueEnd;
    }
    pos = valueEnd;
  }
  const key = keyScratch;
  const flags = (nlriField ? 1 : 0) | (reachStart >= 0 ? 2 : 0) | (reachEnd > reachStart ? 4 : 0);
  key.bytes = bytes;
  key.flags = flags;
  // The key leaves out MP_REACH's length field [lengthAt, lengthEnd) and NLRI [reachStart, reachEnd).
  if (lengthAt < 0) {
    key.s0 = start;
    key.e0 = end;
    key.s1 = key.e1 = key.s2 = key.e2 = end;
  } else {
    key.s0 = start;
    key.e0 = lengthAt;
    key.s1 = lengthEnd;
    key.e1 = reachStart;
    key.s2 = reachEnd;
    key.e2 = end;
  }
  const words = key.words;
  words[0] = flags | ((key.e0 - key.s0) << 8);
  words[1] = (key.e1 - key.s1) | ((key.e2 - key.s2) << 16);
  let n = packSegment(bytes, key.s0, key.e0, words, 2);
  n = packSegment(bytes, key.s1, key.e1, words, n);
  n = packSegment(bytes, key.s2, key.e2, words, n);
  key.wordCount = n;
  let hash = 0x811c9dc5;
  for (let i = 0; i < n; i++) {
    hash = Math.imul(hash ^ words[i]!, HASH_PRIME);
    hash = (hash << 13) | (hash >>> 19);
  }
  // Final avalanche (murmur3's fmix32): the visitor's table takes the low bits.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  key.length = 1 + (key.e0 - key.s0) + (key.e1 - key.s1) + (key.e2 - key.s2);
  key.hash = hash >>> 0;
  key.ctx = ctx;
  keyReachStart = reachStart;
  keyReachEnd = reachEnd;
  return true;
}

const HASH_PRIME = 0x01000193;

/**
 * Pack `bytes[from, to)` into `words` from `at`, four bytes to a word (little-endian, the last
 * partial word zero-padded: the segment's length, in the key's second word, tells padding from
 * zero bytes); returns the index after the last word written.
 */
function packSegment(bytes: Uint8Array, from: number, to: number, words: Int32Array, at: number): number {
  let i = from;
  for (; i + 4 <= to; i += 4) words[at++] = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
  if (i < to) {
    let word = 0;
    for (let shift = 0; i < to; i++, shift += 8) word |= bytes[i]! << shift;
    words[at++] = word;
  }
  return at;
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
