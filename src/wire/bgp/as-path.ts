/**
 * The AS_PATH / AS4_PATH value codec (RFC 4271 4.3, RFC 6793) and the merge of AS4_PATH into
 * a 2-octet session's AS_PATH (RFC 6793 4.2.3).
 *
 * A value is a run of segments, each:
 * ```
 * | segment type (1: AS_SET, 2: AS_SEQUENCE, 3: CONFED_SEQUENCE, 4: CONFED_SET) | count (1) | count ASNs (2 or 4 bytes each) |
 * ```
 */
import { RibstoreError } from '../../errors.js';
import { readWord } from '../../ip/address.js';
import { AS_TRANS } from './constants.js';
import type { AsPathSegment, AsPathSegmentType } from './types.js';
import { checkUint, type ByteWriter } from './writer.js';

/**
 * Read AS_PATH segments `bytes[pos, end)` with `asnSize`-byte ASNs; returns the segments, or
 * a string saying what is wrong (RFC 4271 6.3 / RFC 7606 7.2: overrun, zero-length or
 * unknown segment).
 */
export function readAsPath(bytes: Uint8Array, pos: number, end: number, asnSize: 2 | 4): AsPathSegment[] | string {
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

/**
 * Write AS_PATH segments; segments over 255 ASNs are split. With 2-byte ASNs a 4-octet ASN
 * is written as AS_TRANS. `as4` (writing AS4_PATH) leaves out confederation segments.
 * @throws RibstoreError `ENCODE_ERROR` for a bad segment type, an empty segment or an ASN over 32 bits.
 */
export function writeAsPath(out: ByteWriter, path: readonly AsPathSegment[], asnSize: 2 | 4, as4: boolean): void {
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
        const asn = checkUint('ASN', asns[k]!, 0xffffffff);
        if (asnSize === 4) out.u32(asn);
        else out.u16(asn > 0xffff ? AS_TRANS : asn);
      }
    }
  }
}

/** Whether a 2-octet session must also send AS4_PATH: an AS_SET or AS_SEQUENCE holds a 4-octet ASN. */
export function needsAs4Path(path: readonly AsPathSegment[]): boolean {
  return path.some((s) => s.type <= 2 && s.asns.some((a) => a > 0xffff));
}

/** ASNs counted per RFC 6793: each AS_SEQUENCE member 1, an AS_SET 1, confederation segments 0. */
export function countAsns(path: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of path) {
    if (s.type === 2) n += s.asns.length;
    else if (s.type === 1) n += 1;
  }
  return n;
}

/** The leading `keep` counted ASNs of AS_PATH (with the confederation segments among them), then AS4_PATH. */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[], keep: number): AsPathSegment[] {
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
