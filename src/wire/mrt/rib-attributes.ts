/**
 * Path attributes of TABLE_DUMP_V2 RIB entries: the `wire/bgp` encoding with the MRT rules
 * of RFC 6396 section 4.3.4 — 4-octet AS numbers always, and MP_REACH_NLRI in its
 * abbreviated form, which holds only the next-hop length and next hop (the AFI, SAFI and
 * prefix are in the RIB record itself):
 *
 * ```
 * flags 0x80 | type 14 | length | next hop length (4, 16 or 32) | next hop address(es)
 * ```
 * Decoding is `decodePathAttributes` with the `mrtRibEntry` context (see routes.ts).
 */
import { RibstoreError } from '../../errors.js';
import { encodePathAttributes } from '../bgp/attribute-encode.js';
import { createDecodeContext } from '../bgp/context.js';
import type { PathAttributes } from '../bgp/types.js';

const RIB_ENCODE_CONTEXT = createDecodeContext({ fourOctetAs: true });
const MP_REACH_NLRI = 14;

/** Write an address's 4 or 16 bytes at `at`; returns the position after them. */
function putAddress(out: Uint8Array, at: number, a: { family: 4 | 6; w0: number; w1: number; w2: number; w3: number }): number {
  const n = a.family === 4 ? 1 : 4;
  for (let i = 0; i < n; i++) {
    const w = i === 0 ? a.w0 : i === 1 ? a.w1 : i === 2 ? a.w2 : a.w3;
    out[at++] = w >>> 24;
    out[at++] = w >>> 16;
    out[at++] = w >>> 8;
    out[at++] = w;
  }
  return at;
}

/**
 * Encode the attributes of one RIB entry. `attributes.mpReach` (if any) contributes only
 * its next hop(s), written in the abbreviated form in type-code order.
 * @throws RibstoreError `ENCODE_ERROR` for a value that does not fit (see `encodePathAttributes`).
 */
export function encodeRibEntryAttributes(attributes: PathAttributes): Uint8Array {
  const { mpReach, mpUnreach, ...rest } = attributes;
  if (mpUnreach) throw new RibstoreError('ENCODE_ERROR', 'a RIB entry cannot carry MP_UNREACH_NLRI');
  const body = encodePathAttributes(rest, RIB_ENCODE_CONTEXT);
  if (!mpReach?.nextHop) return body;
  const linkLocal = mpReach.linkLocalNextHop;
  const nextHopLength = (mpReach.nextHop.family === 4 ? 4 : 16) + (linkLocal ? (linkLocal.family === 4 ? 4 : 16) : 0);
  // Insert before the first attribute with a higher type code, keeping the block sorted.
  let pos = 0;
  while (pos < body.length && body[pos + 1]! < MP_REACH_NLRI) {
    pos += body[pos]! & 0x10 ? 4 + ((body[pos + 2]! << 8) | body[pos + 3]!) : 3 + body[pos + 2]!;
  }
  const size = 4 + nextHopLength;
  const out = new Uint8Array(body.length + size);
  out.set(body.subarray(0, pos));
  out[pos] = 0x80;
  out[pos + 1] = MP_REACH_NLRI;
  out[pos + 2] = nextHopLength + 1;
  out[pos + 3] = nextHopLength;
  let at = putAddress(out, pos + 4, mpReach.nextHop);
  if (linkLocal) at = putAddress(out, at, linkLocal);
  out.set(body.subarray(pos), at);
  return out;
}
