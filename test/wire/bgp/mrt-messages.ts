/**
 * Test support: pull the BGP messages out of an MRT BGP4MP / BGP4MP_ET update dump
 * (RFC 6396 4.4), with the decode context each needs, so the BGP codec can be checked and
 * measured on real collector data without the MRT decoder.
 *
 * ```
 * MRT header: | timestamp (4) | type (2) | subtype (2) | length (4) | [microseconds (4), ET only] |
 * BGP4MP MESSAGE(_AS4)(_LOCAL)(_ADDPATH): | peer AS (2|4) | local AS (2|4) | ifindex (2) | AFI (2) |
 *                                         | peer IP (4|16) | local IP (4|16) | BGP message |
 * ```
 * Subtypes 1/6 carry 2-octet AS numbers, 4/7 4-octet; 8-11 are the RFC 8050 ADD-PATH forms.
 */
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { type BgpDecodeContext, createDecodeContext } from '../../../src/wire/bgp/index.js';

/** One BGP message of an MRT dump: `bytes[start, end)` of the decompressed file. */
export interface MrtBgpMessage {
  start: number;
  end: number;
  ctx: BgpDecodeContext;
}

const ALL = [1, 2].flatMap((afi) => [1, 2, 4, 128].map((safi) => ({ afi, safi })));
const CONTEXTS = {
  two: createDecodeContext({ fourOctetAs: false, requireMandatoryAttributes: false }),
  four: createDecodeContext({ fourOctetAs: true, requireMandatoryAttributes: false }),
  twoAddPath: createDecodeContext({ fourOctetAs: false, addPath: ALL, requireMandatoryAttributes: false }),
  fourAddPath: createDecodeContext({ fourOctetAs: true, addPath: ALL, requireMandatoryAttributes: false }),
};

/** The decompressed bytes of a .gz MRT file and every BGP message in it. */
export function bgpMessagesOfMrt(path: string): { bytes: Uint8Array; messages: MrtBgpMessage[] } {
  const bytes = new Uint8Array(gunzipSync(readFileSync(path)));
  const messages: MrtBgpMessage[] = [];
  let pos = 0;
  while (pos + 12 <= bytes.length) {
    const type = (bytes[pos + 4]! << 8) | bytes[pos + 5]!;
    const subtype = (bytes[pos + 6]! << 8) | bytes[pos + 7]!;
    const length = ((bytes[pos + 8]! << 24) | (bytes[pos + 9]! << 16) | (bytes[pos + 10]! << 8) | bytes[pos + 11]!) >>> 0;
    let body = pos + 12;
    const end = body + length;
    if (end > bytes.length) throw new Error(`MRT record at ${pos} overruns the file`);
    if (type === 17) body += 4; // BGP4MP_ET microseconds
    if ((type === 16 || type === 17) && [1, 4, 6, 7, 8, 9, 10, 11].includes(subtype)) {
      const as4 = subtype === 4 || subtype === 7 || subtype === 9 || subtype === 11;
      const addPath = subtype >= 8;
      const afi = (bytes[body + (as4 ? 10 : 6)]! << 8) | bytes[body + (as4 ? 11 : 7)]!;
      const at = body + (as4 ? 12 : 8) + (afi === 2 ? 32 : 8);
      const ctx = as4 ? (addPath ? CONTEXTS.fourAddPath : CONTEXTS.four) : addPath ? CONTEXTS.twoAddPath : CONTEXTS.two;
      messages.push({ start: at, end, ctx });
    }
    pos = end;
  }
  return { bytes, messages };
}
