/**
 * Fuzz targets for the BGP codec.
 *
 * Seeds: the generated samples (bgp-samples.ts), plus, when ../shared/data is there, distinct
 * UPDATEs and OPENs from the vendor BMP captures and a RIPE RIS update dump.
 *
 * `bgp-message`: input = [context selector (1 byte)] + one BGP message. The selector's
 * low 3 bits choose 4-octet AS, ADD-PATH on every family, and extended messages, so
 * mutations explore the contexts too. Besides decoding, `run` checks two invariants and
 * throws a plain Error (a finding) when one breaks:
 *   - `walkUpdate` accepts what `decodeUpdate` accepts and delivers exactly its routes;
 *   - on 4-octet contexts, encode(decode(x)) decodes to the same data.
 * `bgp-attributes`: input = [selector] + a bare attribute block (as in MRT RIB entries),
 * decoded with one of six contexts: MRT RIB entry (IPv4 or IPv6 next hop), 2- or 4-octet
 * AS, with or without ADD-PATH.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RibstoreError } from '../../src/errors.js';
import {
  type BgpDecodeContext,
  createDecodeContext,
  decodeBgpMessage,
  decodePathAttributes,
  encodeBgpMessage,
  encodePathAttributes,
  walkUpdate,
} from '../../src/wire/bgp/index.js';
import { sharedData, sharedDataDir, vendorBmpStreams } from '../../test/support/shared-data.js';
import { bgpMessagesOfBmp } from '../../test/wire/bgp/bmp-messages.js';
import { bgpMessagesOfMrt } from '../../test/wire/bgp/mrt-messages.js';
import type { FuzzTarget } from '../target.js';
import { bgpSamples } from './bgp-samples.js';

const FAMILIES = [1, 2].flatMap((afi) => [1, 2, 4, 128].map((safi) => ({ afi, safi })));

/** Context for selector bits: 1 = 4-octet AS, 2 = ADD-PATH everywhere, 4 = extended messages. */
const CONTEXTS: BgpDecodeContext[] = Array.from({ length: 8 }, (_, bits) =>
  createDecodeContext({ fourOctetAs: (bits & 1) !== 0, addPath: bits & 2 ? FAMILIES : [], extendedMessage: (bits & 4) !== 0 }),
);

function selectorOf(ctx: BgpDecodeContext): number {
  return (ctx.fourOctetAs ? 1 : 0) | (ctx.addPath.size > 0 ? 2 : 0) | (ctx.extendedMessage ? 4 : 0);
}

function withSelector(selector: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out[0] = selector;
  out.set(bytes, 1);
  return out;
}

/** Real UPDATEs from a RIS update dump (2-octet and 4-octet AS sessions), at most `limit`. */
function realMrtMessages(limit: number): Uint8Array[] {
  const file = join(sharedDataDir, 'mrt', 'updates.20160811.1600.gz');
  if (!existsSync(file)) return [];
  const { bytes, messages } = bgpMessagesOfMrt(file);
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const m of messages) {
    const key = `${selectorOf(m.ctx)}:${Buffer.from(bytes.subarray(m.start + 19, Math.min(m.end, m.start + 45))).toString('hex')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(withSelector(selectorOf(m.ctx), bytes.subarray(m.start, m.end)));
    if (out.length >= limit) break;
  }
  return out;
}

/** Real UPDATEs and OPENs from the vendor BMP captures, when ../shared is there (at most `limit`). */
function realMessages(limit: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const name of vendorBmpStreams()) {
    for (const m of bgpMessagesOfBmp(readFileSync(sharedData('bmp', name)))) {
      // One message per distinct shape (first 40 bytes after the header) keeps seeds varied.
      const key = `${selectorOf(m.ctx)}:${Buffer.from(m.bytes.subarray(19, 59)).toString('hex')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(withSelector(selectorOf(m.ctx), m.bytes));
      if (out.length >= limit) return out;
    }
  }
  return out;
}

let messageSeeds: Uint8Array[] | undefined;

function generatedMessageSeeds(): Uint8Array[] {
  return bgpSamples().map((s) => withSelector(selectorOf(s.ctx), encodeBgpMessage(s.message, s.ctx)));
}

/** Decode one BGP message under the selected context and check the invariants. */
export const bgpMessageTarget: FuzzTarget = {
  name: 'bgp-message',
  get seeds() {
    return (messageSeeds ??= [...generatedMessageSeeds(), ...realMessages(400), ...realMrtMessages(150)]);
  },
  maxInputLength: 65536 + 1,
  run(input) {
    if (input.length === 0) return;
    const ctx = CONTEXTS[input[0]! & 7]!;
    const bytes = input.subarray(1);
    const message = decodeBgpMessage(bytes, 0, ctx);
    if (message.type === 'update') {
      let announced = 0;
      let withdrawn = 0;
      try {
        walkUpdate(bytes, 0, ctx, {
          attributes() {},
          announce: () => void announced++,
          withdraw: () => void withdrawn++,
        });
      } catch (error) {
        // decodeUpdate accepted this message: walkUpdate must too.
        throw new Error(`walkUpdate rejected what decodeUpdate accepted: ${(error as Error).message}`);
      }
      const a = message.attributes;
      const all = message.announced.length + (a.mpReach?.nlri.length ?? 0);
      const gone = message.withdrawn.length + (a.mpUnreach?.nlri.length ?? 0);
      const expectAnnounced = message.treatAsWithdraw ? 0 : all;
      const expectWithdrawn = message.treatAsWithdraw ? gone + all : gone;
      if (announced !== expectAnnounced || withdrawn !== expectWithdrawn) {
        throw new Error(`walkUpdate saw ${announced}/${withdrawn} routes, decodeUpdate ${expectAnnounced}/${expectWithdrawn}`);
      }
    }
    if (!ctx.fourOctetAs) return;
    let encoded: Uint8Array;
    try {
      encoded = encodeBgpMessage(message, ctx);
    } catch (error) {
      if (error instanceof RibstoreError) return; // a decoded value the encoder refuses (e.g. too long)
      throw error;
    }
    const again = decodeBgpMessage(encoded, 0, ctx);
    if (message.type === 'update' && again.type === 'update') {
      assert.deepEqual(again.attributes, message.attributes);
      assert.deepEqual(again.announced, message.announced);
      assert.deepEqual(again.withdrawn, message.withdrawn);
    } else {
      assert.deepEqual(again, message);
    }
  },
};

const MRT_CONTEXTS: BgpDecodeContext[] = [
  createDecodeContext({ fourOctetAs: true, mrtRibEntry: { afi: 1, safi: 1 } }),
  createDecodeContext({ fourOctetAs: true, mrtRibEntry: { afi: 2, safi: 1 } }),
  createDecodeContext({ fourOctetAs: false }),
  createDecodeContext({ fourOctetAs: true, addPath: FAMILIES }),
  createDecodeContext({ fourOctetAs: true }),
  createDecodeContext({ fourOctetAs: false, addPath: FAMILIES }),
];

/** The MRT_CONTEXTS index matching a bgp-message selector (4-octet AS bit 1, ADD-PATH bit 2). */
function attributeSelector(messageSelector: number): number {
  return [2, 4, 5, 3][messageSelector & 3]!;
}

let attributeSeeds: Uint8Array[] | undefined;

/** Decode a bare attribute block and check encode/decode agreement on 4-octet contexts. */
export const bgpAttributesTarget: FuzzTarget = {
  name: 'bgp-attributes',
  get seeds() {
    if (!attributeSeeds) {
      attributeSeeds = [];
      for (const s of bgpSamples()) {
        if (s.message.type !== 'update') continue;
        attributeSeeds.push(withSelector(3, encodePathAttributes(s.message.attributes, MRT_CONTEXTS[3]!)));
        // The MRT RIB-entry form: MP_REACH_NLRI with the next hop only.
        const reach = s.message.attributes.mpReach;
        if (reach && reach.nextHop) {
          const selector = reach.afi === 1 ? 0 : 1;
          const attrs = { ...s.message.attributes, mpReach: undefined, mpUnreach: undefined };
          const block = encodePathAttributes(attrs, MRT_CONTEXTS[selector]!);
          const nh = reach.nextHop.family === 4 ? 4 : reach.linkLocalNextHop ? 32 : 16;
          const abbreviated = new Uint8Array(block.length + 4 + nh);
          abbreviated.set(block);
          abbreviated.set([0x80, 14, nh + 1, nh], block.length);
          const words = [reach.nextHop.w0, reach.nextHop.w1, reach.nextHop.w2, reach.nextHop.w3];
          for (let i = 0; i < Math.min(nh, 16); i++) abbreviated[block.length + 4 + i] = words[i >>> 2]! >>> (24 - 8 * (i & 3));
          attributeSeeds.push(withSelector(selector, abbreviated));
        }
      }
      // The attribute blocks of the real UPDATEs among the message seeds.
      for (const seed of bgpMessageTarget.seeds.slice(0, 300)) {
        const m = seed.subarray(1);
        if (m.length < 23 || m[18] !== 2) continue;
        const withdrawnEnd = 21 + ((m[19]! << 8) | m[20]!);
        if (withdrawnEnd + 2 > m.length) continue;
        const end = withdrawnEnd + 2 + ((m[withdrawnEnd]! << 8) | m[withdrawnEnd + 1]!);
        if (end > m.length) continue;
        attributeSeeds.push(withSelector(attributeSelector(seed[0]!), m.subarray(withdrawnEnd + 2, end)));
      }
    }
    return attributeSeeds;
  },
  run(input) {
    if (input.length === 0) return;
    const ctx = MRT_CONTEXTS[input[0]! % MRT_CONTEXTS.length]!;
    const decoded = decodePathAttributes(input, 1, input.length, ctx);
    if (!ctx.fourOctetAs || ctx.mrtRibEntry) return;
    let encoded: Uint8Array;
    try {
      encoded = encodePathAttributes(decoded.attributes, ctx);
    } catch (error) {
      if (error instanceof RibstoreError) return;
      throw error;
    }
    assert.deepEqual(decodePathAttributes(encoded, 0, encoded.length, ctx).attributes, decoded.attributes);
  },
};
