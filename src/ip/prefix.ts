/**
 * IP prefixes: an address and a length, host bits always zero.
 *
 * A {@link Prefix} stores its network address in the same numeric words as
 * {@link Address} (IPv4 in w0; IPv6 in w0..w3, most significant first). Host bits are
 * masked on construction, so `10.1.2.3/8` and `10.0.0.0/8` are the same prefix and
 * both print as `10.0.0.0/8`: a route table keys on the network, and silently keeping
 * host bits would make two spellings of one prefix two different keys.
 *
 * Order ({@link comparePrefixes}): IPv4 before IPv6, then by network address, then
 * shorter before longer. This is the order every sorted iteration in ribstore uses.
 */
import { RibstoreError } from '../errors.js';
import { Address, type Family, addressRejected, checkIPv4Number, formatIPv4, ipv6Text, scanAddress, scannedWords } from './address.js';

/** An IPv4 or IPv6 prefix in numeric form, host bits zero. Immutable. */
export class Prefix {
  /** 4 or 6. */
  readonly family: Family;
  /** Network address, most significant 32 bits (the whole address for IPv4). */
  readonly w0: number;
  /** Network address bits 32..63 (0 for IPv4). */
  readonly w1: number;
  /** Network address bits 64..95 (0 for IPv4). */
  readonly w2: number;
  /** Network address bits 96..127 (0 for IPv4). */
  readonly w3: number;
  /** Prefix length: 0..32 for IPv4, 0..128 for IPv6. */
  readonly length: number;

  /**
   * Build a prefix from numeric words and a length; host bits are masked off.
   * @throws RibstoreError `INVALID_PREFIX` if the length is out of range for the family.
   */
  constructor(family: Family, w0: number, w1: number, w2: number, w3: number, length: number) {
    const max = family === 4 ? 32 : 128;
    if (!Number.isInteger(length) || length < 0 || length > max) {
      throw new RibstoreError('INVALID_PREFIX', `invalid prefix length ${length}: expected an integer from 0 to ${max}`);
    }
    this.family = family;
    this.length = length;
    if (family === 4) {
      this.w0 = (w0 & maskBits(length)) >>> 0;
      this.w1 = this.w2 = this.w3 = 0;
    } else {
      this.w0 = (w0 & maskBits(length)) >>> 0;
      this.w1 = (w1 & maskBits(length - 32)) >>> 0;
      this.w2 = (w2 & maskBits(length - 64)) >>> 0;
      this.w3 = (w3 & maskBits(length - 96)) >>> 0;
    }
  }

  /** The network address (host bits zero). */
  get address(): Address {
    return new Address(this.family, this.w0, this.w1, this.w2, this.w3);
  }

  /** Canonical text form, e.g. `192.0.2.0/24`, `2001:db8::/32`. */
  toString(): string {
    if (this.family === 6) return ipv6Text(this.w0, this.w1, this.w2, this.w3, this.length);
    return `${formatIPv4(this.w0)}/${this.length}`;
  }

  /** Whether both prefixes are the same family, network and length. */
  equals(other: Prefix): boolean {
    return comparePrefixes(this, other) === 0;
  }

  /** Whether `other` (a prefix or address) lies inside this prefix (equal counts). */
  contains(other: Prefix | Address): boolean {
    if (other.family !== this.family) return false;
    if (other instanceof Prefix && other.length < this.length) return false;
    const n = this.length;
    return (
      ((other.w0 ^ this.w0) & maskBits(n)) === 0 &&
      ((other.w1 ^ this.w1) & maskBits(n - 32)) === 0 &&
      ((other.w2 ^ this.w2) & maskBits(n - 64)) === 0 &&
      ((other.w3 ^ this.w3) & maskBits(n - 96)) === 0
    );
  }
}

/**
 * The mask of the top `bits` bits of a 32-bit word, for any integer `bits`
 * (<= 0 gives 0, >= 32 gives all ones). Returned as a signed int32, ready for `&`.
 */
export function maskBits(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return -1;
  return -1 << (32 - bits);
}

function invalidPrefix(input: unknown, why: string): RibstoreError {
  const shown = typeof input === 'string' ? JSON.stringify(input) : String(input);
  return new RibstoreError('INVALID_PREFIX', `invalid IP prefix ${shown}: ${why}`);
}

/**
 * Parse `address/length` (IPv4 or IPv6). A bare address without `/length` is taken as a
 * host route (`/32` or `/128`). Host bits are masked.
 *
 * One pass and no allocation on success: a valid length is one to three digits, so its '/'
 * is one of the last four characters (read those, not the whole text); the address before it
 * goes through the allocation-free scanners of address.ts. Text without such a '/' (a bare
 * address, or bad text) pays one `indexOf`. Errors are worked out only after a scan failed.
 * @throws RibstoreError `INVALID_PREFIX` naming the input.
 */
export function parsePrefix(text: string): Prefix {
  if (typeof text !== 'string') throw invalidPrefix(text, 'expected a string like 192.0.2.0/24');
  const end = text.length;
  let slash: number;
  if (end >= 2 && text.charCodeAt(end - 2) === 47 /* / */) slash = end - 2;
  else if (end >= 3 && text.charCodeAt(end - 3) === 47) slash = end - 3;
  else if (end >= 4 && text.charCodeAt(end - 4) === 47) slash = end - 4;
  else slash = text.indexOf('/');
  let length = -1; // none given
  if (slash >= 0) {
    length = scanLength(text, slash + 1, end);
    if (length < 0) throw invalidPrefix(text, 'the length after "/" must be a decimal number');
  }
  const addressEnd = slash < 0 ? end : slash;
  const family = scanAddress(text, 0, addressEnd);
  const max = family === 4 ? 32 : 128;
  if (family !== 0 && length <= max) {
    const w = scannedWords;
    return new Prefix(family, w[0]!, w[1]!, w[2]!, w[3]!, length < 0 ? max : length);
  }
  // Errors in the order they always had: a length over the family's maximum (the family
  // of bad text is IPv6 if its address part has a ':'), then the address itself.
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const v6 = family === 6 || (family === 0 && addressText.indexOf(':') >= 0);
  if (length > (v6 ? 128 : 32)) throw invalidPrefix(text, `length ${length} is over ${v6 ? 128 : 32}`);
  throw invalidPrefix(text, addressRejected(addressText).message);
}

/**
 * Scan text[start, end) as a prefix length: `0` or one to three digits without a leading
 * zero. Returns the number, or -1 if it is not one (the range is checked by the caller).
 */
function scanLength(text: string, start: number, end: number): number {
  const digits = end - start;
  if (digits < 1 || digits > 3) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9 || (d === 0 && i === start && digits > 1)) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** A prefix given as text or as a parsed {@link Prefix}, as every public API accepts it. */
export type PrefixInput = string | Prefix;

/**
 * Normalise a {@link PrefixInput} to a {@link Prefix}.
 * @throws RibstoreError `INVALID_PREFIX` for bad text or a value that is neither.
 */
export function toPrefix(input: PrefixInput): Prefix {
  if (input instanceof Prefix) return input;
  return parsePrefix(input);
}

/** Build an IPv4 prefix from a uint32 network and a length (host bits masked). */
export function prefixV4(network: number, length: number): Prefix {
  return new Prefix(4, checkIPv4Number(network), 0, 0, 0, length);
}

/** Compare prefixes: IPv4 before IPv6, then by network address, then shorter first. */
export function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.w0 - b.w0 || a.w1 - b.w1 || a.w2 - b.w2 || a.w3 - b.w3 || a.length - b.length;
}

/**
 * Read the packed prefix bits of a BGP/MRT NLRI: `ceil(length / 8)` network-order bytes
 * at `offset`. Bits past `length` in the last byte are masked (RFC 4271 says they are
 * irrelevant). The caller has checked `length` against the family and the bounds.
 */
export function prefixFromBytes(family: Family, bytes: Uint8Array, offset: number, length: number): Prefix {
  const byteCount = (length + 7) >>> 3;
  const w = [0, 0, 0, 0];
  for (let i = 0; i < byteCount; i++) {
    w[i >>> 2]! |= bytes[offset + i]! << (24 - 8 * (i & 3));
  }
  return new Prefix(family, w[0]!, w[1]!, w[2]!, w[3]!, length);
}

/**
 * Write the packed prefix bits (`ceil(length / 8)` bytes) into `out` at `offset`;
 * returns the offset after them. The inverse of {@link prefixFromBytes}.
 */
export function prefixToBytes(prefix: Prefix, out: Uint8Array, offset: number): number {
  const byteCount = (prefix.length + 7) >>> 3;
  const words = [prefix.w0, prefix.w1, prefix.w2, prefix.w3];
  for (let i = 0; i < byteCount; i++) out[offset + i] = words[i >>> 2]! >>> (24 - 8 * (i & 3));
  return offset + byteCount;
}
