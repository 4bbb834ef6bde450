/**
 * Text forms of communities and other attribute values, as the API and the CLI print them.
 *
 * - community (RFC 1997): `"65000:1"` (high 16 bits : low 16 bits), with the well-known
 *   names of RFC 1997 / RFC 7999 / RFC 8326 left numeric so output is stable and parseable;
 * - large community (RFC 8092): `"65000:1:2"`;
 * - extended community (RFC 4360): `"rt 65000:100"`, `"soo 192.0.2.1:7"` for route target
 *   and route origin of the two-octet-AS, IPv4 and four-octet-AS types, else the 8 bytes as
 *   `"0x0102030405060708"`;
 * - AS path: `"65000 65001 {65002,65003} (65010 65011) [65020]"` (sets in braces,
 *   confederation sequences in parentheses, confederation sets in brackets);
 * - origin: `"IGP"`, `"EGP"`, `"INCOMPLETE"`.
 */
import { RibstoreError } from '../../errors.js';
import { formatIPv4 } from '../../ip/address.js';
import type { AsPathSegment, ExtendedCommunity, LargeCommunity } from './types.js';

/** `"high:low"` for a uint32 community. */
export function formatCommunity(community: number): string {
  return `${community >>> 16}:${community & 0xffff}`;
}

/**
 * Parse `"asn:value"` (each 0-65535) into a uint32 community.
 * @throws RibstoreError `INVALID_ARGUMENT` naming the input.
 */
export function parseCommunity(text: string): number {
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  const high = m ? Number(m[1]) : -1;
  const low = m ? Number(m[2]) : -1;
  if (!m || high > 0xffff || low > 0xffff) {
    throw new RibstoreError('INVALID_ARGUMENT', `invalid community ${JSON.stringify(text)}: expected asn:value with both 0-65535, like 65000:1`);
  }
  return ((high << 16) | low) >>> 0;
}

/** `"global:local1:local2"` for a large community. */
export function formatLargeCommunity(community: LargeCommunity): string {
  return `${community[0]}:${community[1]}:${community[2]}`;
}

/**
 * Parse `"global:local1:local2"` (each a uint32).
 * @throws RibstoreError `INVALID_ARGUMENT` naming the input.
 */
export function parseLargeCommunity(text: string): LargeCommunity {
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(text);
  const parts = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (!m || parts.some((p) => p > 0xffffffff)) {
    throw new RibstoreError('INVALID_ARGUMENT', `invalid large community ${JSON.stringify(text)}: expected three numbers 0-4294967295 like 65000:1:2`);
  }
  return parts as LargeCommunity;
}

/** Text form of an extended community (see the module doc). */
export function formatExtendedCommunity(community: ExtendedCommunity): string {
  const [high, low] = community;
  const type = high >>> 24;
  const subtype = (high >>> 16) & 0xff;
  const kind = subtype === 0x02 ? 'rt' : subtype === 0x03 ? 'soo' : undefined;
  if (kind !== undefined) {
    if (type === 0x00 || type === 0x40) return `${kind} ${high & 0xffff}:${low >>> 0}`;
    if (type === 0x01 || type === 0x41) return `${kind} ${formatIPv4((((high & 0xffff) << 16) | (low >>> 16)) >>> 0)}:${low & 0xffff}`;
    if (type === 0x02 || type === 0x42) return `${kind} ${(((high & 0xffff) << 16) | (low >>> 16)) >>> 0}:${low & 0xffff}`;
  }
  return `0x${(high >>> 0).toString(16).padStart(8, '0')}${(low >>> 0).toString(16).padStart(8, '0')}`;
}

/** The AS path as text (see the module doc); the empty path is `""`. */
export function formatAsPath(path: readonly AsPathSegment[]): string {
  const parts: string[] = [];
  for (const s of path) {
    const list = s.asns.join(s.type === 2 || s.type === 3 ? ' ' : ',');
    if (s.type === 2) parts.push(list);
    else if (s.type === 1) parts.push(`{${list}}`);
    else if (s.type === 3) parts.push(`(${list})`);
    else parts.push(`[${list}]`);
  }
  return parts.join(' ');
}

/** `"IGP"`, `"EGP"` or `"INCOMPLETE"`. */
export function formatOrigin(origin: number): string {
  return origin === 0 ? 'IGP' : origin === 1 ? 'EGP' : origin === 2 ? 'INCOMPLETE' : String(origin);
}
