/**
 * The MP_REACH_NLRI and MP_UNREACH_NLRI value codecs (RFC 4760 3-4): routes of other address
 * families, carried as path attributes.
 *
 * ```
 * MP_REACH_NLRI:   | AFI (2) | SAFI (1) | next hop length (1) | next hop | reserved (1) | NLRI |
 * MP_UNREACH_NLRI: | AFI (2) | SAFI (1) | withdrawn NLRI |
 * ```
 * In an MRT RIB entry MP_REACH_NLRI holds only the next-hop length and next hop; the AFI and
 * SAFI come from the entry (RFC 6396 4.3.4). A malformed value, or a next-hop length that
 * fits no form of its family, leaves the NLRI unlocatable: the decoders throw a session-reset
 * {@link BgpDecodeError} (RFC 7606 7.11). A family ribstore does not decode keeps its NLRI as
 * raw bytes (`unknownNlri`).
 */
import { RibstoreError } from '../../errors.js';
import { Address, readWord } from '../../ip/address.js';
import { AttributeType, familyKey } from './constants.js';
import type { BgpDecodeContext } from './context.js';
import { BgpDecodeError } from './errors.js';
import { decodeNlriList, isKnownFamily, writeNlriList } from './nlri.js';
import { readRouteDistinguisher, writeRouteDistinguisher } from './route-distinguisher.js';
import type { MpReach, MpUnreach } from './types.js';
import { checkUint, copyBytes, type ByteWriter } from './writer.js';

/** A decoded MP_REACH_NLRI or MP_UNREACH_NLRI value and where its NLRI bytes lie in the input. */
export interface DecodedMpValue<T> {
  value: T;
  /** Start of the NLRI bytes; -1 when the family is unknown (the NLRI is in `value.unknownNlri`). */
  nlriStart: number;
  /** End of the NLRI bytes (the end of the value); -1 when the family is unknown. */
  nlriEnd: number;
}

/** Where a value is decoded: the session's context and how the caller wants the NLRI. */
export interface MpDecodeSite {
  readonly ctx: BgpDecodeContext;
  /** Decode the NLRI into `value.nlri` (false: only locate them). */
  readonly decodeNlri: boolean;
  /** The message type named in errors. */
  readonly messageType: string;
}

/**
 * Decode the MP_REACH_NLRI value `bytes[pos, end)` of the attribute whose header is at `at`.
 * @throws BgpDecodeError `session-reset` when the value is too short, its next hop overruns
 *   it or has a length no next-hop form has, or its NLRI are malformed.
 */
export function decodeMpReach(bytes: Uint8Array, at: number, pos: number, end: number, site: MpDecodeSite): DecodedMpValue<MpReach> {
  const type = AttributeType.MP_REACH_NLRI;
  let afi: number;
  let safi: number;
  let nextHopLength: number;
  let nlriStart: number;
  const mrt = site.ctx.mrtRibEntry;
  if (mrt && end - pos >= 1 && bytes[pos]! + 1 === end - pos) {
    // RFC 6396 4.3.4: only the next-hop length and address.
    afi = mrt.afi;
    safi = mrt.safi;
    nextHopLength = bytes[pos]!;
    pos += 1;
    nlriStart = end;
  } else {
    if (end - pos < 5) throw sessionReset(site, at, type, `MP_REACH_NLRI length ${end - pos} is under the minimum 5`);
    afi = (bytes[pos]! << 8) | bytes[pos + 1]!;
    safi = bytes[pos + 2]!;
    nextHopLength = bytes[pos + 3]!;
    pos += 4;
    if (end - pos < nextHopLength + 1) {
      throw sessionReset(site, at, type, `MP_REACH_NLRI next hop length ${nextHopLength} overruns the attribute`);
    }
    nlriStart = pos + nextHopLength + 1; // skip the reserved byte
  }
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
  if (!isKnownFamily(afi, safi)) {
    reach.unknownNlri = copyBytes(bytes, nlriStart, end);
    return { value: reach, nlriStart: -1, nlriEnd: -1 };
  }
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
      throw sessionReset(site, at, type, `MP_REACH_NLRI next hop length ${nextHopLength} fits no next-hop form of AFI ${afi} SAFI ${safi}`);
  }
  const addPath = site.ctx.addPath.has(familyKey(afi, safi));
  if (site.decodeNlri) decodeNlriList(bytes, nlriStart, end, afi, safi, addPath, reach.nlri, site.messageType);
  return { value: reach, nlriStart, nlriEnd: end };
}

/**
 * Decode the MP_UNREACH_NLRI value `bytes[pos, end)` of the attribute whose header is at `at`.
 * @throws BgpDecodeError `session-reset` when the value is under 3 bytes or its NLRI are malformed.
 */
export function decodeMpUnreach(bytes: Uint8Array, at: number, pos: number, end: number, site: MpDecodeSite): DecodedMpValue<MpUnreach> {
  if (end - pos < 3) {
    throw sessionReset(site, at, AttributeType.MP_UNREACH_NLRI, `MP_UNREACH_NLRI length ${end - pos} is under the minimum 3`);
  }
  const afi = (bytes[pos]! << 8) | bytes[pos + 1]!;
  const safi = bytes[pos + 2]!;
  pos += 3;
  const unreach: MpUnreach = { afi, safi, nlri: [], unknownNlri: undefined };
  if (!isKnownFamily(afi, safi)) {
    unreach.unknownNlri = copyBytes(bytes, pos, end);
    return { value: unreach, nlriStart: -1, nlriEnd: -1 };
  }
  const addPath = site.ctx.addPath.has(familyKey(afi, safi));
  if (site.decodeNlri) decodeNlriList(bytes, pos, end, afi, safi, addPath, unreach.nlri, site.messageType);
  return { value: unreach, nlriStart: pos, nlriEnd: end };
}

/** UPDATE Message Error / Optional Attribute Error (RFC 4271 6.3), ending the session. */
function sessionReset(site: MpDecodeSite, at: number, type: number, message: string): BgpDecodeError {
  return new BgpDecodeError(site.messageType, at, message, 'session-reset', type, 3, 9);
}

function v6(bytes: Uint8Array, at: number): Address {
  return new Address(6, readWord(bytes, at), readWord(bytes, at + 4), readWord(bytes, at + 8), readWord(bytes, at + 12));
}

/**
 * Write an MP_REACH_NLRI value. The next hop is `reach.nextHopBytes` when set (as decoded),
 * otherwise built from `nextHop`, `nextHopRd` and `linkLocalNextHop`. `withNlri` false writes
 * AFI, SAFI and next hop only: the form a route's attributes are interned by.
 * @throws RibstoreError `ENCODE_ERROR` for an AFI/SAFI out of range or a next hop over 255 bytes.
 */
export function writeMpReach(out: ByteWriter, reach: MpReach, addPathFamilies: ReadonlySet<number>, withNlri: boolean): void {
  out.u16(checkUint('AFI', reach.afi, 0xffff));
  out.u8(checkUint('SAFI', reach.safi, 255));
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
  else writeNlriList(reach.nlri, reach.afi, reach.safi, addPathFamilies.has(familyKey(reach.afi, reach.safi)), out);
}

/** Write an MP_UNREACH_NLRI value. */
export function writeMpUnreach(out: ByteWriter, unreach: MpUnreach, addPathFamilies: ReadonlySet<number>): void {
  out.u16(unreach.afi);
  out.u8(unreach.safi);
  if (unreach.unknownNlri) out.bytes(unreach.unknownNlri);
  else writeNlriList(unreach.nlri, unreach.afi, unreach.safi, addPathFamilies.has(familyKey(unreach.afi, unreach.safi)), out);
}

function writeAddress(out: ByteWriter, address: Address): void {
  out.u32(address.w0);
  if (address.family === 6) {
    out.u32(address.w1);
    out.u32(address.w2);
    out.u32(address.w3);
  }
}
