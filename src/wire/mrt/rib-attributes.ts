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
import { encodePathAttributes } from '../bgp/attributes.js';
import { createDecodeContext } from '../bgp/context.js';
import type { PathAttributes } from '../bgp/types.js';

const RIB_ENCODE_CONTEXT = createDecodeContext({ fourOctetAs: true });
const MP_REACH_NLRI = 14;

function addressBytes(w: { family: 4 | 6; w0: number; w1: number; w2: number; w3: number }): number[] {
  const words = w.family === 4 ? [w.w0] : [w.w0, w.w1, w.w2, w.w3];
  return words.flatMap((x) => [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255]);
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
  const nextHop = addressBytes(mpReach.nextHop);
  if (mpReach.linkLocalNextHop) nextHop.push(...addressBytes(mpReach.linkLocalNextHop));
  const attribute = [0x80, MP_REACH_NLRI, nextHop.length + 1, nextHop.length, ...nextHop];
  // Insert before the first attribute with a higher type code, keeping the block sorted.
  let pos = 0;
  while (pos < body.length && body[pos + 1]! < MP_REACH_NLRI) {
    pos += body[pos]! & 0x10 ? 4 + ((body[pos + 2]! << 8) | body[pos + 3]!) : 3 + body[pos + 2]!;
  }
  const out = new Uint8Array(body.length + attribute.length);
  out.set(body.subarray(0, pos));
  out.set(attribute, pos);
  out.set(body.subarray(pos), pos + attribute.length);
  return out;
}
