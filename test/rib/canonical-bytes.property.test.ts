/**
 * canonicalRouteBytes (rib/attribute-codec.ts) takes a route set's canonical bytes straight
 * from the raw attribute block instead of re-encoding the decoded set. Property: whenever it
 * answers, its bytes are exactly `encodeRouteAttributes(routeAttributes(decoded, mp))`, for
 * random attribute sets written canonically and then disturbed the ways routers differ from
 * our encoder (partial bit, extended length on a short value, two attributes swapped, a
 * reserved byte set, a stray low flag bit, 2-octet ASNs); and it does answer for every block
 * our encoder writes on a 4-octet session without MP_UNREACH_NLRI (else it saves nothing).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalRouteBytes, encodeRouteAttributes, routeAttributes } from '../../src/rib/attribute-codec.js';
import { createDecodeContext, decodePathAttributes, encodePathAttributes } from '../../src/wire/bgp/index.js';
import { attributesArb } from '../wire/bgp/arbitraries.js';

const FOUR = createDecodeContext({ fourOctetAs: true, requireMandatoryAttributes: false });
const TWO = createDecodeContext({ fourOctetAs: false, requireMandatoryAttributes: false });

/** The attributes of a block, each as its own bytes (header and value). */
function split(block: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let pos = 0; pos < block.length; ) {
    const extended = (block[pos]! & 0x10) !== 0;
    const length = extended ? (block[pos + 2]! << 8) | block[pos + 3]! : block[pos + 2]!;
    const end = pos + (extended ? 4 : 3) + length;
    out.push(block.slice(pos, end));
    pos = end;
  }
  return out;
}

type Disturbance = 'none' | 'partial' | 'extended' | 'swap' | 'reserved' | 'low-flag';

/** `attrs` with one disturbance applied to the attribute at `index` (modulo their count). */
function disturb(attrs: Uint8Array[], how: Disturbance, index: number): Uint8Array[] {
  if (attrs.length === 0 || how === 'none') return attrs;
  const i = index % attrs.length;
  const a = attrs[i]!;
  const out = [...attrs];
  switch (how) {
    case 'partial':
      out[i] = Uint8Array.from(a, (b, k) => (k === 0 ? b | 0x20 : b));
      break;
    case 'low-flag':
      out[i] = Uint8Array.from(a, (b, k) => (k === 0 ? b | 0x01 : b));
      break;
    case 'extended':
      if ((a[0]! & 0x10) === 0) out[i] = Uint8Array.from([a[0]! | 0x10, a[1]!, 0, a[2]!, ...a.subarray(3)]);
      break;
    case 'swap':
      if (attrs.length > 1) [out[i], out[(i + 1) % attrs.length]] = [out[(i + 1) % attrs.length]!, out[i]!];
      break;
    case 'reserved': {
      const reach = attrs.findIndex((x) => x[1] === 14);
      if (reach < 0) break;
      const r = Uint8Array.from(attrs[reach]!);
      const value = (r[0]! & 0x10) !== 0 ? 4 : 3;
      r[value + 4 + r[value + 3]!] = 7;
      out[reach] = r;
      break;
    }
  }
  return out;
}

const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

test('canonicalRouteBytes: equal to the re-encoded route set whenever it answers; answers for our own canonical blocks', () => {
  let answered = 0;
  let declined = 0;
  fc.assert(
    fc.property(
      // MP_UNREACH_NLRI (always declined) in one set of four only.
      fc.tuple(attributesArb(false), fc.nat(3)).map(([a, k]) => {
        if (k !== 0) delete a.mpUnreach;
        return a;
      }),
      fc.constantFrom<Disturbance>('none', 'none', 'partial', 'extended', 'swap', 'reserved', 'low-flag'),
      fc.nat(),
      fc.boolean(),
      (attributes, how, index, fourOctet) => {
        const ctx = fourOctet ? FOUR : TWO;
        const block = concat(disturb(split(encodePathAttributes(attributes, ctx)), how, index));
        const decoded = decodePathAttributes(block, 0, block.length, ctx, 'test', false);
        if (decoded.errors.length > 0 || decoded.treatAsWithdraw || decoded.unknownFamilies > 0) return;
        const out = new Uint8Array(block.length);
        for (const multiprotocol of decoded.attributes.mpReach === undefined ? [false] : [false, true]) {
          const n = canonicalRouteBytes(block, 0, block.length, ctx, multiprotocol, out);
          if (n < 0) {
            declined++;
            assert.ok(how !== 'none' || !fourOctet || decoded.attributes.mpUnreach !== undefined, 'an undisturbed 4-octet block without MP_UNREACH_NLRI is canonical');
            continue;
          }
          answered++;
          assert.deepEqual(out.subarray(0, n), encodeRouteAttributes(routeAttributes(decoded.attributes, multiprotocol)));
        }
      },
    ),
    { numRuns: 2000 },
  );
  // Both outcomes were exercised (the generator reaches each side often).
  assert.ok(answered > 200, `answered ${answered}`);
  assert.ok(declined > 200, `declined ${declined}`);
});

test('canonicalRouteBytes: blocks it cannot vouch for are declined, not mis-copied', () => {
  const block = encodePathAttributes({ origin: 0, asPath: [{ type: 2, asns: [65001] }], communities: [1, 2] }, FOUR);
  const out = new Uint8Array(block.length);
  assert.equal(canonicalRouteBytes(block, 0, block.length, FOUR, false, out), block.length);
  assert.deepEqual(out, block);
  // Too small an output, a 2-octet session, the multiprotocol set of a block without MP_REACH.
  assert.equal(canonicalRouteBytes(block, 0, block.length, FOUR, false, new Uint8Array(block.length - 1)), -1);
  assert.equal(canonicalRouteBytes(block, 0, block.length, TWO, false, out), -1);
  assert.equal(canonicalRouteBytes(block, 0, block.length, FOUR, true, out), -1);
  // A truncated block (outside the precondition) is declined rather than read past its end.
  assert.equal(canonicalRouteBytes(block, 0, block.length - 1, FOUR, false, out), -1);
});
