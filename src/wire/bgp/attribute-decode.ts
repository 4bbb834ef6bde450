/**
 * BGP path attributes, decoded with RFC 7606 error handling: the attribute list loop, the
 * per-type value checks, the mandatory-attribute check and the AS4 merge. The encoder is
 * attribute-encode.ts; AS_PATH and MP_REACH/MP_UNREACH values have codecs of their own
 * (as-path.ts, mp-reach.ts).
 *
 * Wire form of one attribute (RFC 4271 4.3):
 * ```
 * | flags (1) | type (1) | length (1, or 2 when flags & 0x10) | value (length) |
 * ```
 *
 * Decoding never throws for a malformed attribute that RFC 7606 lets the session survive:
 * it records a {@link BgpDecodeError} with the action taken and carries on.
 *
 * | problem                                                        | action            |
 * |----------------------------------------------------------------|-------------------|
 * | ORIGIN bad length or value; AS_PATH bad; NEXT_HOP, MED,         | treat-as-withdraw |
 * | LOCAL_PREF, ORIGINATOR_ID, OTC length not 4; COMMUNITIES,       |                   |
 * | CLUSTER_LIST, EXTENDED/LARGE communities length not a multiple; |                   |
 * | wrong optional/transitive flags on a known attribute; the       |                   |
 * | attribute list overruns its length; a mandatory one missing     |                   |
 * | ATOMIC_AGGREGATE length not 0; AGGREGATOR length wrong;         | attribute-discard |
 * | AS4_PATH / AS4_AGGREGATOR malformed; a duplicate attribute      |                   |
 * | MP_REACH/MP_UNREACH malformed or repeated; their NLRI overrun   | session-reset     |
 * ```
 * Session resets are thrown. An attribute list that overruns its length ends parsing there
 * (treat-as-withdraw): attributes after the fault cannot be located.
 *
 * AS4_PATH / AS4_AGGREGATOR are merged into `asPath` / `aggregator` on 2-octet sessions
 * (RFC 6793 4.2.3) and ignored on 4-octet ones (RFC 6793 4.1, "MUST discard").
 */
import { Address, readWord } from '../../ip/address.js';
import { CANONICAL_FLAGS, OPTIONAL_TRANSITIVE, RAW_FLAGS_KEPT } from './attribute-flags.js';
import { countAsns, mergeAs4Path, readAsPath } from './as-path.js';
import { AS_TRANS, AttributeFlag, AttributeType } from './constants.js';
import type { BgpDecodeContext } from './context.js';
import { BgpDecodeError, type ErrorAction } from './errors.js';
import { decodeMpReach, decodeMpUnreach, type DecodedMpValue, type MpDecodeSite } from './mp-reach.js';
import type {
  Aggregator,
  AsPathSegment,
  ExtendedCommunity,
  LargeCommunity,
  Origin,
  PathAttributes,
  RawAttribute,
} from './types.js';
import { copyBytes } from './writer.js';

/** The outcome of decoding an attribute block. */
export interface DecodedAttributes {
  attributes: PathAttributes;
  /** RFC 7606 errors that did not end the session, in the order found. */
  errors: BgpDecodeError[];
  /** Whether one of `errors` requires treat-as-withdraw. */
  treatAsWithdraw: boolean;
  /** MP_REACH/MP_UNREACH attributes with an AFI/SAFI this decoder does not know. */
  unknownFamilies: number;
  /** Position of the MP_REACH NLRI bytes in the input (-1 when absent or unknown family). */
  mpReachNlriStart: number;
  mpReachNlriEnd: number;
  /** Position of the MP_UNREACH NLRI bytes in the input (-1 when absent or unknown family). */
  mpUnreachNlriStart: number;
  mpUnreachNlriEnd: number;
}

/**
 * Which attribute types were seen in the block being decoded: `seen[type] === generation`.
 * Reused across calls (decoding is synchronous); bumping the generation clears it in O(1).
 */
const seen = new Uint32Array(256);
let generation = 0;

function startBlock(): void {
  generation = (generation + 1) >>> 0;
  if (generation === 0) {
    seen.fill(0);
    generation = 1;
  }
}

/** Decoding state for one block. */
class BlockDecoder implements MpDecodeSite {
  readonly result: DecodedAttributes;
  as4Path: AsPathSegment[] | undefined;
  as4Aggregator: Aggregator | undefined;

  constructor(
    readonly bytes: Uint8Array,
    readonly ctx: BgpDecodeContext,
    readonly messageType: string,
    /** Whether MP_REACH/MP_UNREACH NLRI are decoded into arrays (false: only located). */
    readonly decodeNlri: boolean,
  ) {
    this.result = {
      attributes: {},
      errors: [],
      treatAsWithdraw: false,
      unknownFamilies: 0,
      mpReachNlriStart: -1,
      mpReachNlriEnd: -1,
      mpUnreachNlriStart: -1,
      mpUnreachNlriEnd: -1,
    };
  }

  /**
   * Record a survivable error. `subcode` is the UPDATE Message Error subcode RFC 4271 6.3
   * names for it (no NOTIFICATION is sent for these, but it classifies the fault); by
   * default Malformed AS_PATH (11) for AS paths, Attribute Length Error (5) otherwise.
   */
  soft(offset: number, type: number, action: ErrorAction, message: string, subcode = type === AttributeType.AS_PATH ? 11 : 5): void {
    this.result.errors.push(new BgpDecodeError(this.messageType, offset, message, action, type, 3, subcode));
    if (action === 'treat-as-withdraw') this.result.treatAsWithdraw = true;
  }

  /** The start of a decoded MP attribute's NLRI, counting it when its family is unknown (-1). */
  located(value: DecodedMpValue<unknown>): number {
    if (value.nlriStart < 0) this.result.unknownFamilies++;
    return value.nlriStart;
  }

  /** Build a session-reset error to throw. */
  fatal(offset: number, type: number, message: string, subcode = 1): BgpDecodeError {
    return new BgpDecodeError(this.messageType, offset, message, 'session-reset', type, 3, subcode);
  }
}

/**
 * Decode a bare block of path attributes `bytes[start, end)` (the attribute part of an
 * UPDATE, or an MRT RIB entry's attributes).
 * @param decodeMpNlri when false, MP_REACH/MP_UNREACH NLRI are located (see the `*NlriStart`
 *   fields) but not decoded into arrays; `walkUpdate` uses this.
 * @param nlriFieldLength for an UPDATE, the length of its NLRI field, to check the mandatory
 *   attributes (RFC 7606 3(d)); -1 (the default) for a bare block, which skips that check.
 * @throws BgpDecodeError with action `session-reset` when RFC 7606 allows nothing milder.
 */
export function decodePathAttributes(
  bytes: Uint8Array,
  start: number,
  end: number,
  ctx: BgpDecodeContext,
  messageType = 'BGP path attributes',
  decodeMpNlri = true,
  nlriFieldLength = -1,
): DecodedAttributes {
  if (start < 0 || end > bytes.length || start > end) {
    throw new BgpDecodeError(messageType, start, `attribute block [${start}, ${end}) is outside the ${bytes.length}-byte input`, 'session-reset');
  }
  const d = new BlockDecoder(bytes, ctx, messageType, decodeMpNlri);
  startBlock();
  let pos = start;
  while (pos < end) {
    const at = pos;
    if (end - pos < 3) {
      d.soft(at, -1, 'treat-as-withdraw', `attribute header needs 3 bytes, ${end - pos} left in the attribute list`, 1);
      break;
    }
    const flags = bytes[pos]!;
    const type = bytes[pos + 1]!;
    let length: number;
    if (flags & AttributeFlag.EXTENDED_LENGTH) {
      if (end - pos < 4) {
        d.soft(at, type, 'treat-as-withdraw', `extended-length attribute header needs 4 bytes, ${end - pos} left`, 1);
        break;
      }
      length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
      pos += 4;
    } else {
      length = bytes[pos + 2]!;
      pos += 3;
    }
    if (end - pos < length) {
      if (type === AttributeType.MP_REACH_NLRI || type === AttributeType.MP_UNREACH_NLRI) {
        throw d.fatal(at, type, `attribute ${type} length ${length} overruns the attribute list (${end - pos} bytes left)`, 5);
      }
      d.soft(at, type, 'treat-as-withdraw', `attribute ${type} length ${length} overruns the attribute list (${end - pos} bytes left)`);
      break;
    }
    const valueEnd = pos + length;
    if (seen[type] === generation) {
      if (type === AttributeType.MP_REACH_NLRI || type === AttributeType.MP_UNREACH_NLRI) {
        throw d.fatal(at, type, `attribute ${type} appears more than once`);
      }
      d.soft(at, type, 'attribute-discard', `attribute ${type} appears more than once; kept the first`, 1);
      pos = valueEnd;
      continue;
    }
    seen[type] = generation;
    const canonical = CANONICAL_FLAGS[type]!;
    if (canonical >= 0 && (flags & OPTIONAL_TRANSITIVE) !== canonical) {
      d.soft(at, type, 'treat-as-withdraw', `attribute ${type} has flags 0x${flags.toString(16)}, expected optional/transitive bits 0x${canonical.toString(16)}`, 4);
      // Still decode MP attributes: their NLRI must be known to withdraw them.
      if (type !== AttributeType.MP_REACH_NLRI && type !== AttributeType.MP_UNREACH_NLRI) {
        pos = valueEnd;
        continue;
      }
    }
    decodeAttribute(d, flags, type, at, pos, valueEnd);
    pos = valueEnd;
  }
  finish(d, start);
  // Raw attributes in type order, as the encoder writes them (types are unique: repeats are discarded).
  d.result.attributes.unknown?.sort((a, b) => a.type - b.type);
  if (nlriFieldLength >= 0 && ctx.requireMandatoryAttributes) checkMandatory(d, start, nlriFieldLength > 0);
  return d.result;
}

/**
 * RFC 7606 3(d): an UPDATE that announces routes needs ORIGIN and AS_PATH, and NEXT_HOP
 * when its own NLRI field is not empty (RFC 4760 makes NEXT_HOP optional for MP-only ones).
 * An attribute that was present but malformed has already been reported.
 */
function checkMandatory(d: BlockDecoder, start: number, nlriField: boolean): void {
  const r = d.result;
  const reach = r.attributes.mpReach;
  const mpAnnounces = reach !== undefined && (reach.unknownNlri ? reach.unknownNlri.length > 0 : r.mpReachNlriEnd > r.mpReachNlriStart);
  if (!nlriField && !mpAnnounces) return;
  const missing: string[] = [];
  if (seen[AttributeType.ORIGIN] !== generation) missing.push('ORIGIN');
  if (seen[AttributeType.AS_PATH] !== generation) missing.push('AS_PATH');
  if (nlriField && seen[AttributeType.NEXT_HOP] !== generation) missing.push('NEXT_HOP');
  if (missing.length > 0) {
    d.soft(start, -1, 'treat-as-withdraw', `UPDATE announces routes without the mandatory ${missing.join(', ')}`, 3);
  }
}

/** Decode one attribute value `bytes[pos, end)` of a known or unknown type. */
function decodeAttribute(d: BlockDecoder, flags: number, type: number, at: number, pos: number, end: number): void {
  const bytes = d.bytes;
  const attrs = d.result.attributes;
  const length = end - pos;
  switch (type) {
    case AttributeType.ORIGIN: {
      if (length !== 1) return d.soft(at, type, 'treat-as-withdraw', `ORIGIN length ${length}, expected 1`);
      const origin = bytes[pos]!;
      if (origin > 2) return d.soft(at, type, 'treat-as-withdraw', `ORIGIN value ${origin} is not 0, 1 or 2`, 6);
      attrs.origin = origin as Origin;
      return;
    }
    case AttributeType.AS_PATH: {
      const path = readAsPath(bytes, pos, end, d.ctx.fourOctetAs ? 4 : 2);
      if (typeof path === 'string') return d.soft(at, type, 'treat-as-withdraw', `AS_PATH ${path}`);
      attrs.asPath = path;
      return;
    }
    case AttributeType.NEXT_HOP:
      if (length !== 4) return d.soft(at, type, 'treat-as-withdraw', `NEXT_HOP length ${length}, expected 4`);
      attrs.nextHop = new Address(4, readWord(bytes, pos));
      return;
    case AttributeType.MULTI_EXIT_DISC:
      if (length !== 4) return d.soft(at, type, 'treat-as-withdraw', `MULTI_EXIT_DISC length ${length}, expected 4`);
      attrs.med = readWord(bytes, pos);
      return;
    case AttributeType.LOCAL_PREF:
      if (length !== 4) return d.soft(at, type, 'treat-as-withdraw', `LOCAL_PREF length ${length}, expected 4`);
      attrs.localPref = readWord(bytes, pos);
      return;
    case AttributeType.ATOMIC_AGGREGATE:
      if (length !== 0) return d.soft(at, type, 'attribute-discard', `ATOMIC_AGGREGATE length ${length}, expected 0`);
      attrs.atomicAggregate = true;
      return;
    case AttributeType.AGGREGATOR: {
      const asnSize = d.ctx.fourOctetAs ? 4 : 2;
      if (length !== asnSize + 4) {
        return d.soft(at, type, 'attribute-discard', `AGGREGATOR length ${length}, expected ${asnSize + 4}`);
      }
      const asn = asnSize === 4 ? readWord(bytes, pos) : (bytes[pos]! << 8) | bytes[pos + 1]!;
      attrs.aggregator = { asn, address: readWord(bytes, pos + asnSize) };
      return;
    }
    case AttributeType.COMMUNITIES: {
      if (length % 4 !== 0) return d.soft(at, type, 'treat-as-withdraw', `COMMUNITIES length ${length} is not a multiple of 4`, 9);
      const list: number[] = [];
      for (let p = pos; p < end; p += 4) list.push(readWord(bytes, p));
      attrs.communities = list;
      return;
    }
    case AttributeType.ORIGINATOR_ID:
      if (length !== 4) return d.soft(at, type, 'treat-as-withdraw', `ORIGINATOR_ID length ${length}, expected 4`);
      attrs.originatorId = readWord(bytes, pos);
      return;
    case AttributeType.CLUSTER_LIST: {
      if (length % 4 !== 0) return d.soft(at, type, 'treat-as-withdraw', `CLUSTER_LIST length ${length} is not a multiple of 4`);
      const list: number[] = [];
      for (let p = pos; p < end; p += 4) list.push(readWord(bytes, p));
      attrs.clusterList = list;
      return;
    }
    case AttributeType.MP_REACH_NLRI: {
      const reach = decodeMpReach(bytes, at, pos, end, d);
      attrs.mpReach = reach.value;
      d.result.mpReachNlriStart = d.located(reach);
      d.result.mpReachNlriEnd = reach.nlriEnd;
      return;
    }
    case AttributeType.MP_UNREACH_NLRI: {
      const unreach = decodeMpUnreach(bytes, at, pos, end, d);
      attrs.mpUnreach = unreach.value;
      d.result.mpUnreachNlriStart = d.located(unreach);
      d.result.mpUnreachNlriEnd = unreach.nlriEnd;
      return;
    }
    case AttributeType.EXTENDED_COMMUNITIES: {
      if (length % 8 !== 0) return d.soft(at, type, 'treat-as-withdraw', `EXTENDED_COMMUNITIES length ${length} is not a multiple of 8`, 9);
      const list: ExtendedCommunity[] = [];
      for (let p = pos; p < end; p += 8) list.push([readWord(bytes, p), readWord(bytes, p + 4)]);
      attrs.extendedCommunities = list;
      return;
    }
    case AttributeType.AS4_PATH: {
      if (d.ctx.fourOctetAs) return; // RFC 6793 4.1: a NEW speaker discards it.
      const path = readAsPath(bytes, pos, end, 4);
      if (typeof path === 'string') return d.soft(at, type, 'attribute-discard', `AS4_PATH ${path}`, 9);
      if (path.some((s) => s.type === 3 || s.type === 4)) {
        return d.soft(at, type, 'attribute-discard', 'AS4_PATH holds confederation segments', 9);
      }
      d.as4Path = path;
      return;
    }
    case AttributeType.AS4_AGGREGATOR:
      if (d.ctx.fourOctetAs) return;
      if (length !== 8) return d.soft(at, type, 'attribute-discard', `AS4_AGGREGATOR length ${length}, expected 8`);
      d.as4Aggregator = { asn: readWord(bytes, pos), address: readWord(bytes, pos + 4) };
      return;
    case AttributeType.LARGE_COMMUNITY: {
      if (length % 12 !== 0 || length === 0) {
        return d.soft(at, type, 'treat-as-withdraw', `LARGE_COMMUNITY length ${length} is not a non-zero multiple of 12`, 9);
      }
      const list: LargeCommunity[] = [];
      for (let p = pos; p < end; p += 12) list.push([readWord(bytes, p), readWord(bytes, p + 4), readWord(bytes, p + 8)]);
      attrs.largeCommunities = list;
      return;
    }
    case AttributeType.OTC:
      if (length !== 4) return d.soft(at, type, 'treat-as-withdraw', `OTC length ${length}, expected 4`);
      attrs.otc = readWord(bytes, pos);
      return;
    default: {
      const raw: RawAttribute = { flags: flags & RAW_FLAGS_KEPT, type, value: copyBytes(bytes, pos, end) };
      (attrs.unknown ??= []).push(raw);
    }
  }
}

/** Merge AS4_PATH / AS4_AGGREGATOR (RFC 6793 4.2.3). */
function finish(d: BlockDecoder, start: number): void {
  const attrs = d.result.attributes;
  if (d.ctx.fourOctetAs) return;
  if (d.as4Aggregator && attrs.aggregator) {
    // With both present, a 2-octet AGGREGATOR other than AS_TRANS comes from an OLD speaker
    // that aggregated after the AS4 attributes were written: it is authoritative and both AS4
    // attributes are ignored. Without AS4_AGGREGATOR, AS4_PATH is merged as usual.
    if (attrs.aggregator.asn !== AS_TRANS) return;
    attrs.aggregator = d.as4Aggregator;
  }
  if (!d.as4Path || !attrs.asPath) return;
  const have = countAsns(attrs.asPath);
  const want = countAsns(d.as4Path);
  if (have < want) {
    d.soft(start, AttributeType.AS4_PATH, 'attribute-discard', `AS4_PATH holds ${want} ASNs, more than AS_PATH's ${have}; ignored`, 9);
    return;
  }
  attrs.asPath = mergeAs4Path(attrs.asPath, d.as4Path, have - want);
}
