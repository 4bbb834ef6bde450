/**
 * BGP path attributes: decode (with RFC 7606 error handling) and deterministic encode.
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
 *
 * Encoding ({@link encodePathAttributes}) is deterministic: attributes in ascending type
 * code, canonical flags, the extended-length bit only when a value exceeds 255 bytes, so
 * equal attribute sets give equal bytes (the RIB interns on them).
 */
import { RibstoreError } from '../../errors.js';
import { Address, readWord } from '../../ip/address.js';
import { AS_TRANS, AttributeFlag, AttributeType, familyKey } from './constants.js';
import type { BgpDecodeContext } from './context.js';
import { BgpDecodeError } from './errors.js';
import { decodeNlriList, isKnownFamily, writeNlriList } from './nlri.js';
import { readRouteDistinguisher, writeRouteDistinguisher } from './route-distinguisher.js';
import type {
  Aggregator,
  AsPathSegment,
  AsPathSegmentType,
  ErrorAction,
  ExtendedCommunity,
  LargeCommunity,
  MpReach,
  MpUnreach,
  Origin,
  PathAttributes,
  RawAttribute,
} from './types.js';
import { ByteWriter, copyBytes } from './writer.js';

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

/** Expected optional/transitive flag bits of the attributes ribstore models. */
const WELL_KNOWN = AttributeFlag.TRANSITIVE;
const OPTIONAL_NON_TRANSITIVE = AttributeFlag.OPTIONAL;
const OPTIONAL_TRANSITIVE = AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE;

/**
 * Canonical flags per known type code (-1: not modelled): the optional/transitive bits the
 * RFC categories give each type, what the encoder writes and the decoder checks. Generated
 * once from those categories.
 */
export const CANONICAL_FLAGS: Int16Array = (() => {
  const flags = new Int16Array(256).fill(-1);
  for (const t of [AttributeType.ORIGIN, AttributeType.AS_PATH, AttributeType.NEXT_HOP, AttributeType.LOCAL_PREF, AttributeType.ATOMIC_AGGREGATE]) {
    flags[t] = WELL_KNOWN;
  }
  for (const t of [AttributeType.MULTI_EXIT_DISC, AttributeType.ORIGINATOR_ID, AttributeType.CLUSTER_LIST, AttributeType.MP_REACH_NLRI, AttributeType.MP_UNREACH_NLRI]) {
    flags[t] = OPTIONAL_NON_TRANSITIVE;
  }
  for (const t of [AttributeType.AGGREGATOR, AttributeType.COMMUNITIES, AttributeType.EXTENDED_COMMUNITIES, AttributeType.AS4_PATH, AttributeType.AS4_AGGREGATOR, AttributeType.LARGE_COMMUNITY, AttributeType.OTC]) {
    flags[t] = OPTIONAL_TRANSITIVE;
  }
  return flags;
})();

/** Flag bits kept on a raw attribute: optional, transitive, partial (the rest is the encoder's or unused). */
export const RAW_FLAGS_KEPT = AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE | AttributeFlag.PARTIAL;

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
class BlockDecoder {
  readonly result: DecodedAttributes;
  as4Path: AsPathSegment[] | undefined;
  as4Aggregator: Aggregator | undefined;

  constructor(
    readonly bytes: Uint8Array,
    readonly ctx: BgpDecodeContext,
    readonly messageType: string,
    readonly decodeMpNlri: boolean,
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
    case AttributeType.MP_REACH_NLRI:
      return decodeMpReach(d, at, pos, end);
    case AttributeType.MP_UNREACH_NLRI:
      return decodeMpUnreach(d, at, pos, end);
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

/**
 * Read AS_PATH segments with `asnSize`-byte ASNs; returns the segments, or a string saying
 * what is wrong (RFC 4271 6.3 / RFC 7606 7.2: overrun, zero-length or unknown segment).
 */
function readAsPath(bytes: Uint8Array, pos: number, end: number, asnSize: 2 | 4): AsPathSegment[] | string {
  const segments: AsPathSegment[] = [];
  while (pos < end) {
    if (end - pos < 2) return 'segment header is truncated';
    const type = bytes[pos]!;
    const count = bytes[pos + 1]!;
    if (type < 1 || type > 4) return `segment type ${type} is not 1-4`;
    if (count === 0) return 'segment has no ASNs';
    pos += 2;
    if (end - pos < count * asnSize) return `segment of ${count} ASNs overruns the attribute`;
    const asns = new Array<number>(count);
    if (asnSize === 4) {
      for (let i = 0; i < count; i++, pos += 4) asns[i] = readWord(bytes, pos);
    } else {
      for (let i = 0; i < count; i++, pos += 2) asns[i] = (bytes[pos]! << 8) | bytes[pos + 1]!;
    }
    segments.push({ type: type as AsPathSegmentType, asns });
  }
  return segments;
}

/** The MP_REACH next-hop forms, by length (see {@link MpReach}). */
function decodeMpReach(d: BlockDecoder, at: number, pos: number, end: number): void {
  const bytes = d.bytes;
  const type = AttributeType.MP_REACH_NLRI;
  let afi: number;
  let safi: number;
  let nextHopLength: number;
  let nlriStart: number;
  const mrt = d.ctx.mrtRibEntry;
  if (mrt && end - pos >= 1 && bytes[pos]! + 1 === end - pos) {
    // RFC 6396 4.3.4: only the next-hop length and address.
    afi = mrt.afi;
    safi = mrt.safi;
    nextHopLength = bytes[pos]!;
    pos += 1;
    nlriStart = end;
  } else {
    if (end - pos < 5) throw d.fatal(at, type, `MP_REACH_NLRI length ${end - pos} is under the minimum 5`, 9);
    afi = (bytes[pos]! << 8) | bytes[pos + 1]!;
    safi = bytes[pos + 2]!;
    nextHopLength = bytes[pos + 3]!;
    pos += 4;
    if (end - pos < nextHopLength + 1) {
      throw d.fatal(at, type, `MP_REACH_NLRI next hop length ${nextHopLength} overruns the attribute`, 9);
    }
    nlriStart = pos + nextHopLength + 1; // skip the reserved byte
  }
  const known = isKnownFamily(afi, safi);
  const reach: MpReach = {
    afi,
    safi,
    nextHop: undefined,
    linkLocalNextHop: undefined,
    nextHopRd: undefined,
    nextHopBytes: copyBytes(bytes, pos, pos + nextHopLength),
    nlri: [],
    unknownNlri: undefined,
  };
  if (known) {
    const nh = pos;
    switch (nextHopLength) {
      case 0:
        break;
      case 4:
        reach.nextHop = new Address(4, readWord(bytes, nh));
        break;
      case 16:
        reach.nextHop = v6(bytes, nh);
        break;
      case 32:
        reach.nextHop = v6(bytes, nh);
        reach.linkLocalNextHop = v6(bytes, nh + 16);
        break;
      case 12:
        reach.nextHopRd = readRouteDistinguisher(bytes, nh);
        reach.nextHop = new Address(4, readWord(bytes, nh + 8));
        break;
      case 24:
        reach.nextHopRd = readRouteDistinguisher(bytes, nh);
        reach.nextHop = v6(bytes, nh + 8);
        break;
      case 48:
        reach.nextHopRd = readRouteDistinguisher(bytes, nh);
        reach.nextHop = v6(bytes, nh + 8);
        reach.linkLocalNextHop = v6(bytes, nh + 32);
        break;
      default:
        // RFC 7606 7.11: the NLRI cannot be trusted after a bad next hop length.
        throw d.fatal(at, type, `MP_REACH_NLRI next hop length ${nextHopLength} fits no next-hop form of AFI ${afi} SAFI ${safi}`, 9);
    }
    const addPath = d.ctx.addPath.has(familyKey(afi, safi));
    if (d.decodeMpNlri) decodeNlriList(bytes, nlriStart, end, afi, safi, addPath, reach.nlri, d.messageType);
    d.result.mpReachNlriStart = nlriStart;
    d.result.mpReachNlriEnd = end;
  } else {
    reach.unknownNlri = copyBytes(bytes, nlriStart, end);
    d.result.unknownFamilies++;
  }
  d.result.attributes.mpReach = reach;
}

function v6(bytes: Uint8Array, at: number): Address {
  return new Address(6, readWord(bytes, at), readWord(bytes, at + 4), readWord(bytes, at + 8), readWord(bytes, at + 12));
}

function decodeMpUnreach(d: BlockDecoder, at: number, pos: number, end: number): void {
  const bytes = d.bytes;
  if (end - pos < 3) {
    throw d.fatal(at, AttributeType.MP_UNREACH_NLRI, `MP_UNREACH_NLRI length ${end - pos} is under the minimum 3`, 9);
  }
  const afi = (bytes[pos]! << 8) | bytes[pos + 1]!;
  const safi = bytes[pos + 2]!;
  pos += 3;
  const unreach: MpUnreach = { afi, safi, nlri: [], unknownNlri: undefined };
  if (isKnownFamily(afi, safi)) {
    const addPath = d.ctx.addPath.has(familyKey(afi, safi));
    if (d.decodeMpNlri) decodeNlriList(bytes, pos, end, afi, safi, addPath, unreach.nlri, d.messageType);
    d.result.mpUnreachNlriStart = pos;
    d.result.mpUnreachNlriEnd = end;
  } else {
    unreach.unknownNlri = copyBytes(bytes, pos, end);
    d.result.unknownFamilies++;
  }
  d.result.attributes.mpUnreach = unreach;
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

/** ASNs counted per RFC 6793: each AS_SEQUENCE member 1, an AS_SET 1, confederation segments 0. */
function countAsns(path: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of path) {
    if (s.type === 2) n += s.asns.length;
    else if (s.type === 1) n += 1;
  }
  return n;
}

/** The leading `keep` counted ASNs of AS_PATH (with the confederation segments among them), then AS4_PATH. */
function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[], keep: number): AsPathSegment[] {
  const merged: AsPathSegment[] = [];
  for (const s of asPath) {
    if (s.type === 3 || s.type === 4) {
      merged.push(s);
      continue;
    }
    if (keep === 0) break;
    if (s.type === 1) {
      merged.push(s);
      keep -= 1;
    } else {
      const take = Math.min(keep, s.asns.length);
      merged.push({ type: 2, asns: s.asns.slice(0, take) });
      keep -= take;
    }
  }
  for (const s of as4Path) merged.push(s);
  return merged;
}

// ---------------------------------------------------------------------------------------
// Encoding

/** Options for {@link encodePathAttributes}. */
export interface EncodeAttributesOptions {
  /**
   * Whether to write the NLRI inside MP_REACH_NLRI and the MP_UNREACH_NLRI attribute
   * (default true). With false, MP_REACH_NLRI keeps only AFI/SAFI and next hop and
   * MP_UNREACH_NLRI is left out: the form to intern a route's attributes by.
   */
  nlri?: boolean;
}

/** The context {@link encodePathAttributes} uses: only the AS size and ADD-PATH matter. */
export type EncodeContext = Pick<BgpDecodeContext, 'fourOctetAs' | 'addPath'>;

/**
 * Encode path attributes into their wire form, deterministically (see the module doc).
 * @throws RibstoreError `ENCODE_ERROR` for a value that does not fit its field.
 */
export function encodePathAttributes(attrs: PathAttributes, ctx: EncodeContext, options: EncodeAttributesOptions = {}): Uint8Array {
  // One scratch writer for every call (encoding calls no user code, so it is never re-entered):
  // the result is the one exact-size copy, not a fresh 256-byte buffer and its copy per set.
  const out = encodeScratch;
  out.length = 0;
  writePathAttributes(attrs, ctx, out, options.nlri ?? true);
  return out.toBytes();
}

const encodeScratch = new ByteWriter(4096);

/** Append the encoded attributes to `out` (see {@link encodePathAttributes}). */
export function writePathAttributes(attrs: PathAttributes, ctx: EncodeContext, out: ByteWriter, withNlri: boolean): void {
  const unknown = [...(attrs.unknown ?? [])].sort((a, b) => a.type - b.type);
  let u = 0;
  const flushUnknownBelow = (type: number) => {
    while (u < unknown.length && unknown[u]!.type < type) {
      const raw = unknown[u++]!;
      writeAttribute(out, raw.flags & ~AttributeFlag.EXTENDED_LENGTH, raw.type, (w) => w.bytes(raw.value));
    }
  };
  const four = ctx.fourOctetAs;
  let needAs4Path = false;
  if (attrs.origin !== undefined) {
    flushUnknownBelow(AttributeType.ORIGIN);
    checkRange('ORIGIN', attrs.origin, 255);
    writeAttribute(out, WELL_KNOWN, AttributeType.ORIGIN, (w) => w.u8(attrs.origin!));
  }
  if (attrs.asPath) {
    flushUnknownBelow(AttributeType.AS_PATH);
    const path = attrs.asPath;
    if (!four) needAs4Path = path.some((s) => s.type <= 2 && s.asns.some((a) => a > 0xffff));
    writeAttribute(out, WELL_KNOWN, AttributeType.AS_PATH, (w) => writeAsPath(w, path, four ? 4 : 2, false));
  }
  if (attrs.nextHop) {
    flushUnknownBelow(AttributeType.NEXT_HOP);
    const nh = attrs.nextHop;
    if (nh.family !== 4) throw new RibstoreError('ENCODE_ERROR', `NEXT_HOP ${nh.toString()} must be IPv4 (use MP_REACH_NLRI for IPv6)`);
    writeAttribute(out, WELL_KNOWN, AttributeType.NEXT_HOP, (w) => w.u32(nh.w0));
  }
  if (attrs.med !== undefined) {
    flushUnknownBelow(AttributeType.MULTI_EXIT_DISC);
    checkRange('MULTI_EXIT_DISC', attrs.med, 0xffffffff);
    writeAttribute(out, OPTIONAL_NON_TRANSITIVE, AttributeType.MULTI_EXIT_DISC, (w) => w.u32(attrs.med!));
  }
  if (attrs.localPref !== undefined) {
    flushUnknownBelow(AttributeType.LOCAL_PREF);
    checkRange('LOCAL_PREF', attrs.localPref, 0xffffffff);
    writeAttribute(out, WELL_KNOWN, AttributeType.LOCAL_PREF, (w) => w.u32(attrs.localPref!));
  }
  if (attrs.atomicAggregate) {
    flushUnknownBelow(AttributeType.ATOMIC_AGGREGATE);
    writeAttribute(out, WELL_KNOWN, AttributeType.ATOMIC_AGGREGATE, () => {});
  }
  const aggregator = attrs.aggregator;
  const needAs4Aggregator = !four && aggregator !== undefined && aggregator.asn > 0xffff;
  if (aggregator) {
    flushUnknownBelow(AttributeType.AGGREGATOR);
    checkRange('AGGREGATOR ASN', aggregator.asn, 0xffffffff);
    checkRange('AGGREGATOR address', aggregator.address, 0xffffffff);
    writeAttribute(out, OPTIONAL_TRANSITIVE, AttributeType.AGGREGATOR, (w) => {
      if (four) w.u32(aggregator.asn);
      else w.u16(aggregator.asn > 0xffff ? AS_TRANS : aggregator.asn);
      w.u32(aggregator.address);
    });
  }
  if (attrs.communities) {
    flushUnknownBelow(AttributeType.COMMUNITIES);
    const list = attrs.communities;
    writeAttribute(out, OPTIONAL_TRANSITIVE, AttributeType.COMMUNITIES, (w) => {
      for (const c of list) w.u32(checkRange('community', c, 0xffffffff));
    });
  }
  if (attrs.originatorId !== undefined) {
    flushUnknownBelow(AttributeType.ORIGINATOR_ID);
    checkRange('ORIGINATOR_ID', attrs.originatorId, 0xffffffff);
    writeAttribute(out, OPTIONAL_NON_TRANSITIVE, AttributeType.ORIGINATOR_ID, (w) => w.u32(attrs.originatorId!));
  }
  if (attrs.clusterList) {
    flushUnknownBelow(AttributeType.CLUSTER_LIST);
    const list = attrs.clusterList;
    writeAttribute(out, OPTIONAL_NON_TRANSITIVE, AttributeType.CLUSTER_LIST, (w) => {
      for (const c of list) w.u32(checkRange('CLUSTER_LIST id', c, 0xffffffff));
    });
  }
  if (attrs.mpReach) {
    flushUnknownBelow(AttributeType.MP_REACH_NLRI);
    const reach = attrs.mpReach;
    writeAttribute(out, OPTIONAL_NON_TRANSITIVE, AttributeType.MP_REACH_NLRI, (w) => writeMpReach(w, reach, ctx, withNlri));
  }
  if (attrs.mpUnreach && withNlri) {
    flushUnknownBelow(AttributeType.MP_UNREACH_NLRI);
    const unreach = attrs.mpUnreach;
    writeAttribute(out, OPTIONAL_NON_TRANSITIVE, AttributeType.MP_UNREACH_NLRI, (w) => {
      w.u16(unreach.afi);
      w.u8(unreach.safi);
      if (unreach.unknownNlri) w.bytes(unreach.unknownNlri);
      else writeNlriList(unreach.nlri, unreach.afi, unreach.safi, ctx.addPath.has(familyKey(unreach.afi, unreach.safi)), w);
    });
  }
  if (attrs.extendedCommunities) {
    flushUnknownBelow(AttributeType.EXTENDED_COMMUNITIES);
    const list = attrs.extendedCommunities;
    writeAttribute(out, OPTIONAL_TRANSITIVE, AttributeType.EXTENDED_COMMUNITIES, (w) => {
      for (const [high, low] of list) {
        w.u32(checkRange('extended community', high, 0xffffffff));
        w.u32(checkRange('extended community', low, 0xffffffff));
      }
    });
  }
  if (needAs4Path) {
    flushUnknownBelow(AttributeType.AS4_PATH);
    const path = attrs.asPath!;
    writeAttribute(out, OPTIONAL_TRANSITIVE, AttributeType.AS4_PATH, (w) => writeAsPath(w, path, 4, true));
  }
  if (needAs4Aggregator) {
    flushUnknownBelow(AttributeType.AS4_AGGREGATOR);
    writeAttribute(out, OPTIONAL_TRANSITIVE, AttributeType.AS4_AGGREGATOR, (w) => {
      w.u32(aggregator!.asn);
      w.u32(aggregator!.address);
    });
  }
  if (attrs.largeCommunities) {
    flushUnknownBelow(AttributeType.LARGE_COMMUNITY);
    const list = attrs.largeCommunities;
    writeAttribute(out, OPTIONAL_TRANSITIVE, AttributeType.LARGE_COMMUNITY, (w) => {
      for (const c of list) for (const v of c) w.u32(checkRange('large community', v, 0xffffffff));
    });
  }
  if (attrs.otc !== undefined) {
    flushUnknownBelow(AttributeType.OTC);
    checkRange('OTC', attrs.otc, 0xffffffff);
    writeAttribute(out, OPTIONAL_TRANSITIVE, AttributeType.OTC, (w) => w.u32(attrs.otc!));
  }
  flushUnknownBelow(256);
}

function checkRange(what: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RibstoreError('ENCODE_ERROR', `${what} ${value} is not an integer from 0 to ${max}`);
  }
  return value;
}

/**
 * Write one attribute: header with a 2-byte length placeholder, the value, then shrink the
 * length to 1 byte when the value is at most 255 bytes.
 */
function writeAttribute(out: ByteWriter, flags: number, type: number, value: (w: ByteWriter) => void): void {
  const at = out.length;
  out.u8(flags | AttributeFlag.EXTENDED_LENGTH);
  out.u8(type);
  out.u16(0);
  value(out);
  const length = out.length - at - 4;
  if (length > 0xffff) throw new RibstoreError('ENCODE_ERROR', `attribute ${type} value is ${length} bytes, over 65535`);
  if (length <= 255) {
    out.patchU8(at, flags & ~AttributeFlag.EXTENDED_LENGTH);
    out.patchU8(at + 2, length);
    out.remove(at + 3, 1);
  } else {
    out.patchU16(at + 2, length);
  }
}

/** Write AS_PATH segments; segments over 255 ASNs are split. `as4` leaves out confederation segments. */
function writeAsPath(out: ByteWriter, path: readonly AsPathSegment[], asnSize: 2 | 4, as4: boolean): void {
  for (const segment of path) {
    if (as4 && (segment.type === 3 || segment.type === 4)) continue;
    if (segment.type < 1 || segment.type > 4) throw new RibstoreError('ENCODE_ERROR', `AS_PATH segment type ${segment.type} is not 1-4`);
    const asns = segment.asns;
    if (asns.length === 0) throw new RibstoreError('ENCODE_ERROR', 'AS_PATH segment has no ASNs');
    for (let i = 0; i < asns.length; i += 255) {
      const n = Math.min(255, asns.length - i);
      out.u8(segment.type);
      out.u8(n);
      for (let k = i; k < i + n; k++) {
        const asn = checkRange('ASN', asns[k]!, 0xffffffff);
        if (asnSize === 4) out.u32(asn);
        else out.u16(asn > 0xffff ? AS_TRANS : asn);
      }
    }
  }
}

function writeMpReach(out: ByteWriter, reach: MpReach, ctx: EncodeContext, withNlri: boolean): void {
  out.u16(checkRange('AFI', reach.afi, 0xffff));
  out.u8(checkRange('SAFI', reach.safi, 255));
  const lengthAt = out.length;
  out.u8(0);
  if (reach.nextHopBytes.length > 0 || !reach.nextHop) {
    out.bytes(reach.nextHopBytes);
  } else {
    if (reach.nextHopRd) writeRouteDistinguisher(reach.nextHopRd, out);
    writeAddress(out, reach.nextHop);
    if (reach.linkLocalNextHop) {
      if (reach.nextHopRd) writeRouteDistinguisher(reach.nextHopRd, out);
      writeAddress(out, reach.linkLocalNextHop);
    }
  }
  const nextHopLength = out.length - lengthAt - 1;
  if (nextHopLength > 255) throw new RibstoreError('ENCODE_ERROR', `MP_REACH_NLRI next hop is ${nextHopLength} bytes, over 255`);
  out.patchU8(lengthAt, nextHopLength);
  out.u8(0); // reserved (RFC 4760: formerly the SNPA count)
  if (!withNlri) return;
  if (reach.unknownNlri) out.bytes(reach.unknownNlri);
  else writeNlriList(reach.nlri, reach.afi, reach.safi, ctx.addPath.has(familyKey(reach.afi, reach.safi)), out);
}

function writeAddress(out: ByteWriter, address: Address): void {
  out.u32(address.w0);
  if (address.family === 6) {
    out.u32(address.w1);
    out.u32(address.w2);
    out.u32(address.w3);
  }
}
