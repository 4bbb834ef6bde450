/**
 * IP addresses: parse, format and numeric forms.
 *
 * Numeric form, used by every layer below the API:
 *   IPv4: one uint32, the address in network order as a number (1.2.3.4 = 0x01020304).
 *   IPv6: four uint32 words w0..w3, most significant first
 *         (2001:db8::1 = w0 0x20010db8, w1 0, w2 0, w3 1).
 * An IPv4 {@link Address} carries its uint32 in w0 and zeros in w1..w3, so code that
 * walks words works for both families.
 *
 * Text forms accepted: dotted-quad IPv4 (exactly four decimal octets, no leading zeros,
 * which would be ambiguous with octal), and every RFC 4291 section 2.2 IPv6 form:
 * full, `::`-compressed, and with an embedded dotted-quad IPv4 tail. Zone ids (`%eth0`)
 * are rejected: a route table has no use for them.
 * Text output is RFC 5952 canonical (lower case, longest run of two or more zero groups
 * compressed, the first on a tie), with the IPv4 tail written as a dotted quad for
 * `::ffff:0:0/96` (IPv4-mapped) and `::/96` (IPv4-compatible) addresses, as inet_ntop does,
 * so output matches what bgpdump, routers and the system tools print.
 */
import { RibstoreError } from '../errors.js';

/** Address family: 4 for IPv4, 6 for IPv6. */
export type Family = 4 | 6;

/** An IPv4 or IPv6 address in numeric form. Immutable. */
export class Address {
  /** 4 or 6. */
  readonly family: Family;
  /** Most significant 32 bits (the whole address for IPv4). */
  readonly w0: number;
  /** Bits 32..63 (0 for IPv4). */
  readonly w1: number;
  /** Bits 64..95 (0 for IPv4). */
  readonly w2: number;
  /** Bits 96..127 (0 for IPv4). */
  readonly w3: number;

  /** Build from numeric words; they are taken as uint32 (`>>> 0`). For IPv4 pass w1..w3 = 0. */
  constructor(family: Family, w0: number, w1 = 0, w2 = 0, w3 = 0) {
    this.family = family;
    this.w0 = w0 >>> 0;
    this.w1 = family === 4 ? 0 : w1 >>> 0;
    this.w2 = family === 4 ? 0 : w2 >>> 0;
    this.w3 = family === 4 ? 0 : w3 >>> 0;
  }

  /** Canonical text form (dotted quad, or RFC 5952 IPv6). */
  toString(): string {
    return this.family === 4 ? formatIPv4(this.w0) : formatIPv6(this.w0, this.w1, this.w2, this.w3);
  }

  /** Whether both addresses are the same family and value. */
  equals(other: Address): boolean {
    return (
      this.family === other.family &&
      this.w0 === other.w0 &&
      this.w1 === other.w1 &&
      this.w2 === other.w2 &&
      this.w3 === other.w3
    );
  }
}

function invalidAddress(input: unknown, why: string): RibstoreError {
  const shown = typeof input === 'string' ? JSON.stringify(input) : String(input);
  return new RibstoreError('INVALID_ADDRESS', `invalid IP address ${shown}: ${why}`);
}

const IPV4_EXPECTED = 'expected four decimal octets 0-255 like 192.0.2.1';
const IPV6_EXPECTED = 'expected an IPv6 address like 2001:db8::1 (RFC 4291 text form)';

/**
 * Character offset at which the last failed scan stopped (the first character that cannot
 * continue an address, or the text length for text that ends too soon). Only read on the
 * error path, to name the place in the message.
 */
let failedAt = 0;

/** The error for text a scanner refused, naming the input and where the scan stopped. */
function rejected(text: string, why: string): RibstoreError {
  return invalidAddress(text, `${why} (stopped at character ${failedAt})`);
}

/*
 * Why the scanners are shaped so (one pass, one read per character, no allocation, IPv4 tried
 * first, loops per octet/group, branch-free hex table) and what was measured: src/ip/DESIGN.md.
 */

/**
 * Parse a dotted-quad IPv4 address into its uint32 form.
 * @throws RibstoreError `INVALID_ADDRESS` naming the input.
 */
export function parseIPv4(text: string): number {
  if (typeof text !== 'string') throw invalidAddress(text, 'expected a string');
  const value = scanIPv4(text, 0, text.length);
  if (value < 0) throw rejected(text, IPV4_EXPECTED);
  return value;
}

/**
 * Scan text[start, end) as a dotted quad: exactly four decimal octets 0-255, no leading zero
 * in an octet of two or three digits (it would read as octal elsewhere). Returns the uint32
 * value, or -1 (with {@link failedAt} set) if it is not one. Used for IPv4 and IPv6 tails.
 * Each octet is read digit by digit, unrolled (at most three), so a digit costs one read and
 * one range check and the octet needs no digit counter or per-character dispatch.
 */
function scanIPv4(text: string, start: number, end: number): number {
  let value = 0; // octets so far, as an int32 bit pattern
  let i = start;
  for (let o = 0; o < 4; o++) {
    if (o > 0) {
      if (i >= end || text.charCodeAt(i) !== 46 /* . */) {
        failedAt = i;
        return -1;
      }
      i++;
    }
    const d1 = i < end ? text.charCodeAt(i) - 48 : -1;
    if (d1 < 0 || d1 > 9) {
      failedAt = i;
      return -1;
    }
    let octet = d1;
    i++;
    if (i < end) {
      const d2 = text.charCodeAt(i) - 48;
      if (d2 >= 0 && d2 <= 9) {
        if (octet === 0) {
          failedAt = i; // a digit after a leading 0
          return -1;
        }
        octet = octet * 10 + d2;
        i++;
        if (i < end) {
          const d3 = text.charCodeAt(i) - 48;
          if (d3 >= 0 && d3 <= 9) {
            octet = octet * 10 + d3;
            if (octet > 255) {
              failedAt = i;
              return -1;
            }
            i++;
          }
        }
      }
    }
    value = (value << 8) | octet;
  }
  if (i !== end) {
    failedAt = i;
    return -1;
  }
  return value >>> 0;
}

/**
 * Parse an IPv6 address in any RFC 4291 text form into `out[offset..offset+3]`
 * (four uint32 words, most significant first). Returns `out`.
 * @throws RibstoreError `INVALID_ADDRESS` naming the input.
 */
export function parseIPv6<T extends { [i: number]: number }>(text: string, out: T, offset = 0): T {
  if (typeof text !== 'string') throw invalidAddress(text, 'expected a string');
  if (!scanIPv6(text, 0, text.length)) throw rejected(text, IPV6_EXPECTED);
  out[offset] = scanned[0]!;
  out[offset + 1] = scanned[1]!;
  out[offset + 2] = scanned[2]!;
  out[offset + 3] = scanned[3]!;
  return out;
}

/**
 * Parse an IPv4 or IPv6 address into `out[0..3]` (IPv4: the uint32 in out[0], zeros after)
 * without allocating: for hot paths that take text (string lookups). Returns the family.
 * @throws RibstoreError `INVALID_ADDRESS` naming the input.
 */
export function parseAddressInto(text: string, out: Uint32Array): Family {
  if (typeof text !== 'string') throw invalidAddress(text, 'expected a string');
  const end = text.length;
  const v4 = scanIPv4(text, 0, end);
  if (v4 >= 0) {
    out[0] = v4;
    out[1] = out[2] = out[3] = 0;
    return 4;
  }
  if (!scanIPv6(text, 0, end)) throw addressRejected(text);
  out[0] = scanned[0]!;
  out[1] = scanned[1]!;
  out[2] = scanned[2]!;
  out[3] = scanned[3]!;
  return 6;
}

/**
 * Scan text[start, end) as an IPv4 or IPv6 address into {@link scannedWords} (IPv4: the
 * uint32 in [0], zeros after). Returns 4 or 6, or 0 if it is neither. Allocation-free; for
 * the parsers of longer texts in src/ip (prefixes), which name errors with {@link addressRejected}.
 * @internal
 */
export function scanAddress(text: string, start: number, end: number): 0 | 4 | 6 {
  const v4 = scanIPv4(text, start, end);
  if (v4 >= 0) {
    scanned[0] = v4;
    scanned[1] = scanned[2] = scanned[3] = 0;
    return 4;
  }
  return scanIPv6(text, start, end) ? 6 : 0;
}

/**
 * The error for address text neither scanner took: its family is IPv6 if it has a ':' (as
 * the scanners agree). Also for src/ip's prefix parser.
 * @internal
 */
export function addressRejected(text: string): RibstoreError {
  if (text.indexOf(':') >= 0) return rejected(text, IPV6_EXPECTED);
  scanIPv4(text, 0, text.length); // sets failedAt for the IPv4 reading again
  return rejected(text, IPV4_EXPECTED);
}

/** Value of each hex digit by character code (0..255), -1 for anything else. */
const HEX_DIGIT = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let d = 0; d < 10; d++) table[48 + d] = d;
  for (let d = 0; d < 6; d++) table[97 + d] = table[65 + d] = 10 + d;
  return table;
})();

/**
 * The hex digit value of character code `c`, or -1: a table read with no branch (a code over
 * 255 reads its low byte's entry, then the OR with the all-ones sign of 255 - c makes it -1).
 * 6-8% cheaper per IPv6 address than a `c < 128 ? table[c] : -1` guard (same-process prototype runs).
 */
function hexDigit(c: number): number {
  return HEX_DIGIT[c & 255]! | ((255 - c) >> 31);
}

/** Groups of the address being scanned, then expanded around '::'. */
const groups = new Int32Array(8);
/** Words of the last address {@link scanIPv6} or {@link scanAddress} accepted (one monomorphic store target). */
const scanned = new Uint32Array(4);
/** The words {@link scanAddress} leaves; read them before the next scan, never write them. @internal */
export const scannedWords: Uint32Array = scanned;

/**
 * Scan text[start, end) as IPv6 into {@link scanned}. Returns false (with {@link failedAt}
 * set) if it is not one. One pass: per group, a tight loop over its hex digits (one read and
 * one table read each), then the separator decides: ':' ends the group (a second ':' right
 * after it is the '::'), '.' hands the group and the rest to the IPv4 scanner as a tail.
 */
function scanIPv6(text: string, start: number, end: number): boolean {
  if (end - start < 2 || end - start > 45) {
    failedAt = start;
    return false;
  }
  let count = 0; // groups written
  let gap = -1; // index in groups where '::' stands
  let i = start;
  if (text.charCodeAt(i) === 58 /* : */) {
    if (text.charCodeAt(i + 1) !== 58) {
      failedAt = i + 1;
      return false;
    }
    gap = 0;
    i += 2;
    if (i === end) {
      scanned.fill(0);
      return true;
    }
  }
  let c = text.charCodeAt(i); // the first character of the group (read once)
  for (;;) {
    // This group: hex digits up to the next ':' (or '.' of an IPv4 tail, or the end).
    let value = hexDigit(c);
    if (value < 0 || count === 8) {
      failedAt = i;
      return false;
    }
    let j = i + 1;
    for (; j < end; j++) {
      c = text.charCodeAt(j);
      const d = hexDigit(c);
      if (d < 0) break;
      value = (value << 4) | d;
    }
    if (j < end && c === 46 /* . */) {
      // Embedded IPv4 tail: must be last and fit in two groups.
      if (count > 6) {
        failedAt = j;
        return false;
      }
      const v4 = scanIPv4(text, i, end);
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    if (j - i > 4) {
      failedAt = i + 4;
      return false;
    }
    groups[count++] = value;
    if (j === end) break;
    if (c !== 58) {
      failedAt = j;
      return false;
    }
    i = j + 1;
    if (i === end) {
      failedAt = end; // a trailing single ':'
      return false;
    }
    c = text.charCodeAt(i);
    if (c === 58) {
      if (gap >= 0) {
        failedAt = i; // a second '::'
        return false;
      }
      gap = count;
      i++;
      if (i === end) break;
      c = text.charCodeAt(i);
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) {
    failedAt = end;
    return false;
  }
  // Expand in place: groups before the gap stay, the rest move to the end, zeros between.
  if (gap >= 0) {
    const tail = count - gap;
    for (let k = tail - 1; k >= 0; k--) groups[8 - tail + k] = groups[gap + k]!;
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  scanned[0] = (groups[0]! << 16) | groups[1]!;
  scanned[1] = (groups[2]! << 16) | groups[3]!;
  scanned[2] = (groups[4]! << 16) | groups[5]!;
  scanned[3] = (groups[6]! << 16) | groups[7]!;
  return true;
}

/**
 * Parse an IPv4 or IPv6 address from text.
 * @throws RibstoreError `INVALID_ADDRESS` naming the input.
 */
export function parseAddress(text: string): Address {
  if (typeof text !== 'string') throw invalidAddress(text, 'expected a string');
  const v4 = scanIPv4(text, 0, text.length);
  if (v4 >= 0) return new Address(4, v4);
  if (!scanIPv6(text, 0, text.length)) throw addressRejected(text);
  return new Address(6, scanned[0]!, scanned[1]!, scanned[2]!, scanned[3]!);
}

/**
 * Validate a number as an IPv4 uint32 and return it.
 * @throws RibstoreError `INVALID_ADDRESS` for a negative, fractional, too large or non-finite number.
 */
export function checkIPv4Number(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw invalidAddress(value, 'expected an integer from 0 to 4294967295');
  }
  return value;
}

/** Format an IPv4 uint32 as a dotted quad. */
export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Format four IPv6 words in RFC 5952 canonical form (see the module doc for the IPv4 tail). */
export function formatIPv6(w0: number, w1: number, w2: number, w3: number): string {
  return ipv6Text(w0, w1, w2, w3, -1);
}

/** Groups of the address being formatted. */
const formatGroups = new Int32Array(8);
/** Character codes of the hex digits 0-f. */
const HEX_CHAR = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);
/**
 * One plain array of character codes per text length (an IPv6 prefix text is at most 43
 * characters), reused: the text is written into the array of its exact length and made by
 * one `String.fromCharCode.apply`, a single flat string, instead of a string per group
 * (`toString(16)`) and a concatenation per group and separator: 2.4-2.6x cheaper here
 * (bench/ip-parse-micro.ts; src/ip/DESIGN.md).
 */
const CODES_BY_LENGTH: number[][] = Array.from({ length: 48 }, (_, n) => new Array<number>(n).fill(0));

/** Characters of a hex group without leading zeros. */
function hexWidth(x: number): number {
  return x >= 0x1000 ? 4 : x >= 0x100 ? 3 : x >= 0x10 ? 2 : 1;
}

/** Characters of a decimal number 0-999. */
function decimalWidth(x: number): number {
  return x >= 100 ? 3 : x >= 10 ? 2 : 1;
}

/** Write decimal `x` (0-999, `width` digits) into `codes` at `n`; returns the index after it. */
function writeDecimal(codes: number[], n: number, x: number, width: number): number {
  if (width === 3) codes[n++] = 48 + ((x / 100) | 0);
  if (width >= 2) codes[n++] = 48 + (((x / 10) | 0) % 10);
  codes[n++] = 48 + (x % 10);
  return n;
}

/**
 * RFC 5952 text of an IPv6 address, followed by `/prefixLength` when that is >= 0
 * (Prefix.toString). One string allocation; see {@link CODES_BY_LENGTH}.
 * @internal
 */
export function ipv6Text(w0: number, w1: number, w2: number, w3: number, prefixLength: number): string {
  const g = formatGroups;
  g[0] = w0 >>> 16;
  g[1] = w0 & 0xffff;
  g[2] = w1 >>> 16;
  g[3] = w1 & 0xffff;
  g[4] = w2 >>> 16;
  g[5] = w2 & 0xffff;
  g[6] = w3 >>> 16;
  g[7] = w3 & 0xffff;
  // Longest run of zero groups (length >= 2), first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let k = 0; k < 8; ) {
    if (g[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && g[e] === 0) e++;
    if (e - k > bestLength) {
      bestStart = k;
      bestLength = e - k;
    }
    k = e;
  }
  const embeddedV4 = bestStart === 0 && (bestLength === 6 || (bestLength === 5 && g[5] === 0xffff));
  const last = embeddedV4 ? 6 : 8;
  // Pass 1: the length, to pick the code array. Pass 2: the characters.
  let n = 0;
  for (let k = 0; k < last; k++) {
    if (k === bestStart) {
      n += k === 0 ? 2 : 1;
      k += bestLength - 1;
      continue;
    }
    n += hexWidth(g[k]!);
    if (k < last - 1 || embeddedV4) n++;
  }
  const o0 = w3 >>> 24;
  const o1 = (w3 >>> 16) & 255;
  const o2 = (w3 >>> 8) & 255;
  const o3 = w3 & 255;
  if (embeddedV4) n += decimalWidth(o0) + decimalWidth(o1) + decimalWidth(o2) + decimalWidth(o3) + 3;
  if (prefixLength >= 0) n += 1 + decimalWidth(prefixLength);
  const codes = CODES_BY_LENGTH[n]!;
  n = 0;
  for (let k = 0; k < last; k++) {
    if (k === bestStart) {
      if (k === 0) codes[n++] = 58; /* : */
      codes[n++] = 58;
      k += bestLength - 1;
      continue;
    }
    const x = g[k]!;
    if (x >= 0x1000) codes[n++] = HEX_CHAR[x >>> 12]!;
    if (x >= 0x100) codes[n++] = HEX_CHAR[(x >>> 8) & 15]!;
    if (x >= 0x10) codes[n++] = HEX_CHAR[(x >>> 4) & 15]!;
    codes[n++] = HEX_CHAR[x & 15]!;
    if (k < last - 1 || embeddedV4) codes[n++] = 58;
  }
  if (embeddedV4) {
    n = writeDecimal(codes, n, o0, decimalWidth(o0));
    codes[n++] = 46; /* . */
    n = writeDecimal(codes, n, o1, decimalWidth(o1));
    codes[n++] = 46;
    n = writeDecimal(codes, n, o2, decimalWidth(o2));
    codes[n++] = 46;
    n = writeDecimal(codes, n, o3, decimalWidth(o3));
  }
  if (prefixLength >= 0) {
    codes[n++] = 47; /* / */
    n = writeDecimal(codes, n, prefixLength, decimalWidth(prefixLength));
  }
  return String.fromCharCode.apply(null, codes);
}

/** Compare two addresses: IPv4 before IPv6, then by numeric value. Returns <0, 0 or >0. */
export function compareAddresses(a: Address, b: Address): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.w0 - b.w0 || a.w1 - b.w1 || a.w2 - b.w2 || a.w3 - b.w3;
}

/**
 * Read an address of `family` from network-order bytes at `offset` (4 or 16 bytes).
 * The caller has checked the bounds.
 */
export function addressFromBytes(family: Family, bytes: Uint8Array, offset: number): Address {
  const w0 = readWord(bytes, offset);
  if (family === 4) return new Address(4, w0);
  return new Address(6, w0, readWord(bytes, offset + 4), readWord(bytes, offset + 8), readWord(bytes, offset + 12));
}

/** Read a big-endian uint32 at `offset` (bounds already checked). */
export function readWord(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}
