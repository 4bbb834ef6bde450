/**
 * The IP text parser and formatter of src/ip as they were at `d41192f` (before the single-pass
 * rewrite), kept verbatim as a reference: bench/ip-parse-micro.ts times the new code against it
 * in the same process, and test/ip/ip-text-differential.property.test.ts checks that both accept
 * the same strings, read the same words and print the same text. Not used by the library.
 *
 * Its API: {@link referenceParseAddressInto} returns the family (4/6) or 0 for text it rejects
 * (today's code threw INVALID_ADDRESS exactly there), {@link referenceParsePrefix} returns the
 * Prefix or null (where parsePrefix threw INVALID_PREFIX), {@link referenceFormatIPv4} and
 * {@link referenceFormatIPv6} print as Address.toString() did.
 */
import { Prefix } from '../../src/ip/prefix.js';

/** Scan text[start, end) as a dotted quad; the uint32, or -1 if it is not one. */
function scanIPv4(text: string, start: number, end: number): number {
  let value = 0;
  let octets = 0;
  let i = start;
  while (octets < 4) {
    const first = i;
    let octet = 0;
    while (i < end) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      octet = octet * 10 + c;
      i++;
    }
    const digits = i - first;
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && text.charCodeAt(first) === 48)) return -1;
    value = value * 256 + octet;
    octets++;
    if (octets < 4) {
      if (i >= end || text.charCodeAt(i) !== 46 /* . */) return -1;
      i++;
    }
  }
  return i === end ? value : -1;
}

const HEX_DIGIT = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let d = 0; d < 10; d++) table[48 + d] = d;
  for (let d = 0; d < 6; d++) table[97 + d] = table[65 + d] = 10 + d;
  return table;
})();

const groups = new Int32Array(8);
const scanned = new Uint32Array(4);

function scanIPv6(text: string, start: number, end: number): boolean {
  if (end - start < 2 || end - start > 45) return false;
  let count = 0;
  let gap = -1;
  let i = start;
  if (text.charCodeAt(i) === 58 /* : */) {
    if (text.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
    if (i === end) {
      scanned.fill(0);
      return true;
    }
  }
  while (i < end) {
    if (count === 8) return false;
    let j = i;
    let value = 0;
    let c = 0;
    for (; j < end; j++) {
      c = text.charCodeAt(j);
      const d = c < 128 ? HEX_DIGIT[c]! : -1;
      if (d < 0) break;
      value = (value << 4) | d;
    }
    if (j < end && c === 46 /* . */) {
      if (count > 6) return false;
      const v4 = scanIPv4(text, i, end);
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    if (j === i || j - i > 4) return false;
    groups[count++] = value;
    i = j;
    if (i === end) break;
    if (c !== 58) return false;
    i++;
    if (text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return false;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
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
 * The old parseAddressInto: IPv4 (uint32 in out[0], zeros after) or IPv6 words into out[0..3].
 * Returns 4 or 6, or 0 where the old code threw INVALID_ADDRESS (out is then unspecified).
 */
export function referenceParseAddressInto(text: string, out: Uint32Array): 0 | 4 | 6 {
  if (typeof text !== 'string') return 0;
  if (text.indexOf(':') < 0) {
    const v = scanIPv4(text, 0, text.length);
    if (v < 0) return 0;
    out[0] = v;
    out[1] = out[2] = out[3] = 0;
    return 4;
  }
  if (!scanIPv6(text, 0, text.length)) return 0;
  out[0] = scanned[0]!;
  out[1] = scanned[1]!;
  out[2] = scanned[2]!;
  out[3] = scanned[3]!;
  return 6;
}

/**
 * The old parsePrefix (first '/', a regex for the length, the family by ':', the address
 * parsed from a slice into a fresh array), returning null where it threw INVALID_PREFIX.
 */
export function referenceParsePrefix(text: string): Prefix | null {
  if (typeof text !== 'string') return null;
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const v6 = addressText.indexOf(':') >= 0;
  let length = v6 ? 128 : 32;
  if (slash >= 0) {
    const lengthText = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(lengthText)) return null;
    length = Number(lengthText);
    if (length > (v6 ? 128 : 32)) return null;
  }
  if (!v6) {
    const v4 = scanIPv4(addressText, 0, addressText.length);
    return v4 < 0 ? null : new Prefix(4, v4, 0, 0, 0, length);
  }
  if (!scanIPv6(addressText, 0, addressText.length)) return null;
  const w = [scanned[0]!, scanned[1]!, scanned[2]!, scanned[3]!];
  return new Prefix(6, w[0]!, w[1]!, w[2]!, w[3]!, length);
}

/** The old formatIPv4. */
export function referenceFormatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** The old formatIPv6 (RFC 5952, dotted-quad tail for ::ffff:0:0/96 and ::/96). */
export function referenceFormatIPv6(w0: number, w1: number, w2: number, w3: number): string {
  const g = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
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
  let text = '';
  for (let k = 0; k < last; k++) {
    if (k === bestStart) {
      text += k === 0 ? '::' : ':';
      k += bestLength - 1;
      continue;
    }
    text += g[k]!.toString(16);
    if (k < last - 1 || embeddedV4) text += ':';
  }
  return embeddedV4 ? text + referenceFormatIPv4(w3) : text;
}
