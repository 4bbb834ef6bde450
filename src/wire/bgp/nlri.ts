/**
 * NLRI encoding (RFC 4271 4.3, RFC 4760 5, RFC 7911 3, RFC 8277 2, RFC 4364 4.3.4).
 *
 * One entry, by family:
 * ```
 * [path id (4), ADD-PATH only] [length in bits (1)] [labels (3 each)] [RD (8)] [prefix bytes]
 *                                                    SAFI 4 and 128     SAFI 128
 * ```
 * The length byte counts the label, RD and prefix bits together. The label stack ends at
 * the entry whose bottom-of-stack bit is set, or at the withdrawal value 0x800000 / 0x000000
 * (RFC 8277 2.4).
 *
 * {@link readNlriEntry} parses one entry into a reused {@link NlriCursor} (no allocation);
 * the list decoder and the visitor walk in update.ts are both built on it. Every read is
 * bounds-checked against `end`; a length that overruns its field or exceeds the family's
 * maximum throws a session-reset {@link BgpDecodeError} (RFC 7606 section 5.3).
 */
import { RibstoreError } from '../../errors.js';
import { readWord, type Family } from '../../ip/address.js';
import { Prefix, maskBits } from '../../ip/prefix.js';
import { Afi, Safi } from './constants.js';
import { BgpDecodeError } from './errors.js';
import { writeRouteDistinguisher } from './route-distinguisher.js';
import type { Nlri, RouteDistinguisher } from './types.js';
import type { ByteWriter } from './writer.js';

/** The most labels one entry may carry (a 255-bit length byte allows 10 at most anyway). */
const MAX_LABELS = 10;

/** The withdrawal label value of RFC 8277 section 2.4 (and RFC 3107's compatibility value). */
const WITHDRAW_LABEL = 0x800000;

/** Whether this decoder knows how to read the NLRI of an AFI/SAFI. */
export function isKnownFamily(afi: number, safi: number): boolean {
  return (
    (afi === Afi.IPV4 || afi === Afi.IPV6) &&
    (safi === Safi.UNICAST || safi === Safi.MULTICAST || safi === Safi.LABELED_UNICAST || safi === Safi.MPLS_VPN)
  );
}

/** The 20-bit MPLS label of a label stack entry as stored in {@link Nlri.labels}. */
export function labelValue(entry: number): number {
  return entry >>> 4;
}

/** A label stack entry with label `label`, TC 0, and the bottom-of-stack bit as given. */
export function labelEntry(label: number, bottomOfStack: boolean): number {
  return ((label & 0xfffff) << 4) | (bottomOfStack ? 1 : 0);
}

/**
 * One NLRI entry as numbers: the reused output of {@link readNlriEntry} and the argument of
 * `walkUpdate` visitors. Valid only during the call that hands it out.
 */
export class NlriCursor {
  /** AFI of the NLRI being read (1 IPv4, 2 IPv6). */
  afi = 0;
  /** SAFI of the NLRI being read (1, 2, 4 or 128). */
  safi = 0;
  /** Address family of the prefix: 4 or 6. */
  family: Family = 4;
  /** Prefix network words, as in {@link Prefix} (IPv4 in w0), host bits zero. */
  w0 = 0;
  /** Bits 32..63 (IPv6 only). */
  w1 = 0;
  /** Bits 64..95 (IPv6 only). */
  w2 = 0;
  /** Bits 96..127 (IPv6 only). */
  w3 = 0;
  /** Prefix length in bits (without labels and RD). */
  length = 0;
  /** Whether `pathId` holds an ADD-PATH path identifier. */
  hasPathId = false;
  /** The ADD-PATH path identifier when `hasPathId`. */
  pathId = 0;
  /** How many entries of `labels` are valid. */
  labelCount = 0;
  /** Label stack entries (see {@link Nlri.labels}); only the first `labelCount` count. */
  readonly labels = new Uint32Array(MAX_LABELS);
  /** Whether `rdType/rdAdmin/rdAssigned` hold a route distinguisher. */
  hasRd = false;
  /** Route distinguisher fields when `hasRd`, as in {@link RouteDistinguisher}. */
  rdType = 0;
  /** See `rdType`. */
  rdAdmin = 0;
  /** See `rdType`. */
  rdAssigned = 0;

  /** The prefix as a {@link Prefix} (allocates). */
  prefix(): Prefix {
    return new Prefix(this.family, this.w0, this.w1, this.w2, this.w3, this.length);
  }

  /** The entry as an {@link Nlri} object (allocates). */
  toNlri(): Nlri {
    let labels: number[] | undefined;
    if (this.safi === Safi.LABELED_UNICAST || this.safi === Safi.MPLS_VPN) {
      labels = [];
      for (let i = 0; i < this.labelCount; i++) labels.push(this.labels[i]!);
    }
    const rd: RouteDistinguisher | undefined = this.hasRd
      ? { type: this.rdType, admin: this.rdAdmin, assigned: this.rdAssigned }
      : undefined;
    return { prefix: this.prefix(), pathId: this.hasPathId ? this.pathId : undefined, labels, rd };
  }
}

function nlriError(messageType: string, offset: number, message: string): BgpDecodeError {
  return new BgpDecodeError(messageType, offset, message, 'session-reset', -1, 3, 10 /* Invalid Network Field */);
}

/**
 * Read one NLRI entry of a known family at `pos` (not past `end`) into `cursor`; returns the
 * offset after it.
 * @throws BgpDecodeError (session-reset) on an overrun or an impossible length.
 */
export function readNlriEntry(
  bytes: Uint8Array,
  pos: number,
  end: number,
  afi: number,
  safi: number,
  addPath: boolean,
  cursor: NlriCursor,
  messageType: string,
): number {
  const start = pos;
  cursor.afi = afi;
  cursor.safi = safi;
  if (addPath) {
    if (end - pos < 5) throw nlriError(messageType, start, `NLRI entry with a path identifier needs 5 bytes, ${end - pos} left`);
    cursor.pathId = readWord(bytes, pos);
    cursor.hasPathId = true;
    pos += 4;
  } else {
    if (pos >= end) throw nlriError(messageType, start, 'NLRI entry has no length byte');
    cursor.hasPathId = false;
  }
  let bits = bytes[pos++]!;
  const byteCount = (bits + 7) >>> 3;
  if (end - pos < byteCount) {
    throw nlriError(messageType, start, `NLRI length ${bits} bits needs ${byteCount} bytes, ${end - pos} left`);
  }
  cursor.labelCount = 0;
  if (safi === Safi.LABELED_UNICAST || safi === Safi.MPLS_VPN) {
    const reserved = safi === Safi.MPLS_VPN ? 64 : 0;
    while (bits >= 24 + reserved && cursor.labelCount < MAX_LABELS) {
      const entry = (bytes[pos]! << 16) | (bytes[pos + 1]! << 8) | bytes[pos + 2]!;
      cursor.labels[cursor.labelCount++] = entry;
      pos += 3;
      bits -= 24;
      if (entry & 1 || entry === WITHDRAW_LABEL || entry === 0) break;
    }
    if (cursor.labelCount === 0) {
      throw nlriError(messageType, start, `labeled NLRI length ${bits} bits has no room for a label`);
    }
  }
  if (safi === Safi.MPLS_VPN) {
    if (bits < 64) throw nlriError(messageType, start, 'VPN NLRI has no room for its route distinguisher');
    const type = (bytes[pos]! << 8) | bytes[pos + 1]!;
    cursor.hasRd = true;
    cursor.rdType = type;
    if (type === 1 || type === 2) {
      cursor.rdAdmin = readWord(bytes, pos + 2);
      cursor.rdAssigned = (bytes[pos + 6]! << 8) | bytes[pos + 7]!;
    } else {
      cursor.rdAdmin = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
      cursor.rdAssigned = readWord(bytes, pos + 4);
    }
    pos += 8;
    bits -= 64;
  } else {
    cursor.hasRd = false;
  }
  const max = afi === Afi.IPV4 ? 32 : 128;
  if (bits > max) throw nlriError(messageType, start, `prefix length ${bits} exceeds ${max}`);
  cursor.family = afi === Afi.IPV4 ? 4 : 6;
  cursor.length = bits;
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  let w3 = 0;
  const n = (bits + 7) >>> 3;
  for (let i = 0; i < n; i++) {
    const b = bytes[pos + i]!;
    const shift = 24 - ((i & 3) << 3);
    if (i < 4) w0 |= b << shift;
    else if (i < 8) w1 |= b << shift;
    else if (i < 12) w2 |= b << shift;
    else w3 |= b << shift;
  }
  // Bits past the length in the last byte are irrelevant (RFC 4271 4.3): clear them so the
  // cursor's words are the canonical network, as a Prefix holds it.
  cursor.w0 = (w0 & maskBits(bits)) >>> 0;
  cursor.w1 = (w1 & maskBits(bits - 32)) >>> 0;
  cursor.w2 = (w2 & maskBits(bits - 64)) >>> 0;
  cursor.w3 = (w3 & maskBits(bits - 96)) >>> 0;
  return pos + n;
}

/**
 * Check the NLRI entries of a known family in `[start, end)` without decoding them: the same
 * checks as {@link readNlriEntry} (overruns, room for labels and RD, prefix length), reading
 * only the length bytes and label entries. Returns the number of entries.
 * @throws BgpDecodeError (session-reset) when an entry is malformed.
 */
export function checkNlriList(
  bytes: Uint8Array,
  start: number,
  end: number,
  afi: number,
  safi: number,
  addPath: boolean,
  messageType: string,
): number {
  const labeled = safi === Safi.LABELED_UNICAST || safi === Safi.MPLS_VPN;
  const reserved = safi === Safi.MPLS_VPN ? 64 : 0;
  const max = afi === Afi.IPV4 ? 32 : 128;
  const headerSize = addPath ? 5 : 1;
  let pos = start;
  let count = 0;
  while (pos < end) {
    const entry = pos;
    if (end - pos < headerSize) {
      throw nlriError(messageType, entry, addPath ? `NLRI entry with a path identifier needs 5 bytes, ${end - pos} left` : 'NLRI entry has no length byte');
    }
    pos += headerSize;
    let bits = bytes[pos - 1]!;
    const byteCount = (bits + 7) >>> 3;
    if (end - pos < byteCount) throw nlriError(messageType, entry, `NLRI length ${bits} bits needs ${byteCount} bytes, ${end - pos} left`);
    const next = pos + byteCount;
    if (labeled) {
      let labels = 0;
      while (bits >= 24 + reserved && labels < MAX_LABELS) {
        const label = (bytes[pos]! << 16) | (bytes[pos + 1]! << 8) | bytes[pos + 2]!;
        labels++;
        pos += 3;
        bits -= 24;
        if (label & 1 || label === WITHDRAW_LABEL || label === 0) break;
      }
      if (labels === 0) throw nlriError(messageType, entry, `labeled NLRI length ${bits} bits has no room for a label`);
      if (reserved) {
        if (bits < 64) throw nlriError(messageType, entry, 'VPN NLRI has no room for its route distinguisher');
        bits -= 64;
      }
    }
    if (bits > max) throw nlriError(messageType, entry, `prefix length ${bits} exceeds ${max}`);
    pos = next;
    count++;
  }
  return count;
}

/**
 * Decode every NLRI entry of a known family in `[start, end)` and append them to `out`.
 * @throws BgpDecodeError (session-reset) when an entry is malformed.
 */
export function decodeNlriList(
  bytes: Uint8Array,
  start: number,
  end: number,
  afi: number,
  safi: number,
  addPath: boolean,
  out: Nlri[],
  messageType: string,
  cursor: NlriCursor = new NlriCursor(),
): Nlri[] {
  let pos = start;
  while (pos < end) {
    pos = readNlriEntry(bytes, pos, end, afi, safi, addPath, cursor, messageType);
    out.push(cursor.toNlri());
  }
  return out;
}

/**
 * Append one NLRI entry. `addPath` says whether to write a path identifier (0 when the entry
 * has none). Labeled families need at least one label (a withdrawal may use 0x800000).
 * @throws RibstoreError `ENCODE_ERROR` when the entry does not fit its family.
 */
export function writeNlriEntry(nlri: Nlri, afi: number, safi: number, addPath: boolean, out: ByteWriter): void {
  const prefix = nlri.prefix;
  const family = afi === Afi.IPV4 ? 4 : afi === Afi.IPV6 ? 6 : 0;
  if (prefix.family !== family) {
    throw new RibstoreError('ENCODE_ERROR', `prefix ${prefix.toString()} does not belong to AFI ${afi}`);
  }
  if (addPath) out.u32(nlri.pathId ?? 0);
  let bits = prefix.length;
  const labeled = safi === Safi.LABELED_UNICAST || safi === Safi.MPLS_VPN;
  const labels = nlri.labels ?? [];
  if (labeled) {
    if (labels.length === 0 || labels.length > MAX_LABELS) {
      throw new RibstoreError('ENCODE_ERROR', `labeled NLRI ${prefix.toString()} needs 1 to ${MAX_LABELS} labels, has ${labels.length}`);
    }
    bits += 24 * labels.length;
  }
  if (safi === Safi.MPLS_VPN) {
    if (!nlri.rd) throw new RibstoreError('ENCODE_ERROR', `VPN NLRI ${prefix.toString()} has no route distinguisher`);
    bits += 64;
  }
  if (bits > 255) throw new RibstoreError('ENCODE_ERROR', `NLRI ${prefix.toString()} is ${bits} bits, over 255`);
  out.u8(bits);
  if (labeled) for (const entry of labels) out.u24(entry);
  if (safi === Safi.MPLS_VPN) writeRouteDistinguisher(nlri.rd!, out);
  const words = [prefix.w0, prefix.w1, prefix.w2, prefix.w3];
  const n = (prefix.length + 7) >>> 3;
  for (let i = 0; i < n; i++) out.u8(words[i >>> 2]! >>> (24 - ((i & 3) << 3)));
}

/** Append a list of NLRI entries of one family. */
export function writeNlriList(list: readonly Nlri[], afi: number, safi: number, addPath: boolean, out: ByteWriter): void {
  for (const nlri of list) writeNlriEntry(nlri, afi, safi, addPath, out);
}
