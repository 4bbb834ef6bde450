/**
 * BGP path attributes, encoded deterministically: attributes in ascending type code,
 * canonical flags (attribute-flags.ts), the extended-length bit only when a value exceeds
 * 255 bytes, so equal attribute sets give equal bytes (the RIB interns on them). On a
 * 2-octet session 4-octet ASNs are written as AS_TRANS with AS4_PATH / AS4_AGGREGATOR beside
 * them (RFC 6793 4.2.2). The decoder is attribute-decode.ts.
 */
import { RibstoreError } from '../../errors.js';
import { OPTIONAL_NON_TRANSITIVE, OPTIONAL_TRANSITIVE, WELL_KNOWN } from './attribute-flags.js';
import { needsAs4Path, writeAsPath } from './as-path.js';
import { AS_TRANS, AttributeFlag, AttributeType } from './constants.js';
import type { BgpDecodeContext } from './context.js';
import { writeMpReach, writeMpUnreach } from './mp-reach.js';
import type { PathAttributes } from './types.js';
import { ByteWriter, checkUint } from './writer.js';

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
    checkUint('ORIGIN', attrs.origin, 255);
    writeAttribute(out, WELL_KNOWN, AttributeType.ORIGIN, (w) => w.u8(attrs.origin!));
  }
  if (attrs.asPath) {
    flushUnknownBelow(AttributeType.AS_PATH);
    const path = attrs.asPath;
    if (!four) needAs4Path = needsAs4Path(path);
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
    checkUint('MULTI_EXIT_DISC', attrs.med, 0xffffffff);
    writeAttribute(out, OPTIONAL_NON_TRANSITIVE, AttributeType.MULTI_EXIT_DISC, (w) => w.u32(attrs.med!));
  }
  if (attrs.localPref !== undefined) {
    flushUnknownBelow(AttributeType.LOCAL_PREF);
    checkUint('LOCAL_PREF', attrs.localPref, 0xffffffff);
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
    checkUint('AGGREGATOR ASN', aggregator.asn, 0xffffffff);
    checkUint('AGGREGATOR address', aggregator.address, 0xffffffff);
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
      for (const c of list) w.u32(checkUint('community', c, 0xffffffff));
    });
  }
  if (attrs.originatorId !== undefined) {
    flushUnknownBelow(AttributeType.ORIGINATOR_ID);
    checkUint('ORIGINATOR_ID', attrs.originatorId, 0xffffffff);
    writeAttribute(out, OPTIONAL_NON_TRANSITIVE, AttributeType.ORIGINATOR_ID, (w) => w.u32(attrs.originatorId!));
  }
  if (attrs.clusterList) {
    flushUnknownBelow(AttributeType.CLUSTER_LIST);
    const list = attrs.clusterList;
    writeAttribute(out, OPTIONAL_NON_TRANSITIVE, AttributeType.CLUSTER_LIST, (w) => {
      for (const c of list) w.u32(checkUint('CLUSTER_LIST id', c, 0xffffffff));
    });
  }
  if (attrs.mpReach) {
    flushUnknownBelow(AttributeType.MP_REACH_NLRI);
    const reach = attrs.mpReach;
    writeAttribute(out, OPTIONAL_NON_TRANSITIVE, AttributeType.MP_REACH_NLRI, (w) => writeMpReach(w, reach, ctx.addPath, withNlri));
  }
  if (attrs.mpUnreach && withNlri) {
    flushUnknownBelow(AttributeType.MP_UNREACH_NLRI);
    const unreach = attrs.mpUnreach;
    writeAttribute(out, OPTIONAL_NON_TRANSITIVE, AttributeType.MP_UNREACH_NLRI, (w) => writeMpUnreach(w, unreach, ctx.addPath));
  }
  if (attrs.extendedCommunities) {
    flushUnknownBelow(AttributeType.EXTENDED_COMMUNITIES);
    const list = attrs.extendedCommunities;
    writeAttribute(out, OPTIONAL_TRANSITIVE, AttributeType.EXTENDED_COMMUNITIES, (w) => {
      for (const [high, low] of list) {
        w.u32(checkUint('extended community', high, 0xffffffff));
        w.u32(checkUint('extended community', low, 0xffffffff));
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
      for (const c of list) for (const v of c) w.u32(checkUint('large community', v, 0xffffffff));
    });
  }
  if (attrs.otc !== undefined) {
    flushUnknownBelow(AttributeType.OTC);
    checkUint('OTC', attrs.otc, 0xffffffff);
    writeAttribute(out, OPTIONAL_TRANSITIVE, AttributeType.OTC, (w) => w.u32(attrs.otc!));
  }
  flushUnknownBelow(256);
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
