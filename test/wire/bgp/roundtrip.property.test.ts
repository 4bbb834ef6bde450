/**
 * Property tests: generated messages survive encode -> decode unchanged, and the
 * deterministic attribute encoding is stable (decode -> encode gives the same bytes).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Address } from '../../../src/ip/address.js';
import { FAMILIES, attributesArb, nlriArb, rec, u16, u32, u8 } from './arbitraries.js';
import {
  type BgpDecodeContext,
  type BgpMessage,
  type Capability,
  type PathAttributes,
  createDecodeContext,
  decodeBgpMessage,
  decodePathAttributes,
  encodeBgpMessage,
  encodePathAttributes,
  walkUpdate,
} from '../../../src/wire/bgp/index.js';

function contextArb(): fc.Arbitrary<BgpDecodeContext> {
  return fc.boolean().map((addPath) => createDecodeContext({ fourOctetAs: true, addPath: addPath ? FAMILIES : [], extendedMessage: true }));
}

test('UPDATE: encode -> decode gives the same data (4-octet AS, with and without ADD-PATH)', () => {
  fc.assert(
    fc.property(
      contextArb().chain((ctx) =>
        rec({
          ctx: fc.constant(ctx),
          attributes: attributesArb(ctx.addPath.size > 0),
          announced: fc.array(nlriArb(1, 1, ctx.addPath.size > 0), { maxLength: 5 }),
          withdrawn: fc.array(nlriArb(1, 1, ctx.addPath.size > 0), { maxLength: 5 }),
        }),
      ),
      ({ ctx, attributes, announced, withdrawn }) => {
        const message: BgpMessage = { type: 'update', withdrawn, attributes, announced, errors: [], treatAsWithdraw: false, unknownFamilies: 0 };
        const bytes = encodeBgpMessage(message, ctx);
        const decoded = decodeBgpMessage(bytes, 0, ctx);
        assert.equal(decoded.type, 'update');
        if (decoded.type !== 'update') return;
        // Mandatory-attribute errors are expected when a generated UPDATE lacks them.
        assert.ok(decoded.errors.every((e) => e.attributeType === -1), decoded.errors.map((e) => e.message).join('; '));
        const expected = { ...attributes };
        if (expected.mpReach) expected.mpReach = { ...expected.mpReach, nextHopBytes: decoded.attributes.mpReach!.nextHopBytes };
        assert.deepEqual(decoded.attributes, expected);
        assert.deepEqual(decoded.announced, announced);
        assert.deepEqual(decoded.withdrawn, withdrawn);
        // The decoded form re-encodes to the same bytes.
        assert.deepEqual(encodeBgpMessage(decoded, ctx), bytes);
        // walkUpdate agrees on the route count.
        let routes = 0;
        walkUpdate(bytes, 0, ctx, { attributes() {}, announce: () => void routes++, withdraw: () => void routes++ });
        const mp = (attributes.mpReach?.nlri.length ?? 0) + (attributes.mpUnreach?.nlri.length ?? 0);
        assert.equal(routes, announced.length + withdrawn.length + mp);
      },
    ),
    { numRuns: 300 },
  );
});

test('UPDATE on a 2-octet session: 4-octet ASNs travel in AS4_PATH / AS4_AGGREGATOR and come back', () => {
  const ctx = createDecodeContext({ fourOctetAs: false, extendedMessage: true });
  const pathArb = fc.array(
    rec({ type: fc.constantFrom(1, 2) as fc.Arbitrary<1 | 2>, asns: fc.array(fc.oneof(u16, u32), { minLength: 1, maxLength: 5 }) }),
    { maxLength: 4 },
  );
  fc.assert(
    fc.property(pathArb, fc.option(rec({ asn: u32, address: u32 }), { nil: undefined }), (asPath, aggregator) => {
      const attributes: PathAttributes = { origin: 0, asPath, nextHop: new Address(4, 1), ...(aggregator ? { aggregator } : {}) };
      const bytes = encodePathAttributes(attributes, ctx);
      const decoded = decodePathAttributes(bytes, 0, bytes.length, ctx);
      assert.deepEqual(decoded.errors, []);
      assert.deepEqual(decoded.attributes.aggregator, aggregator);
      assert.deepEqual(decoded.attributes.asPath!.flatMap((s) => s.asns), asPath.flatMap((s) => s.asns));
      assert.deepEqual(decoded.attributes.asPath!.map((s) => s.type).filter((t, i, a) => i === 0 || t !== 2 || a[i - 1] !== 2), asPath.map((s) => s.type).filter((t, i, a) => i === 0 || t !== 2 || a[i - 1] !== 2));
    }),
    { numRuns: 300 },
  );
});

test('encodePathAttributes is deterministic: decode -> encode reproduces the bytes', () => {
  const ctx = createDecodeContext({ fourOctetAs: true });
  fc.assert(
    fc.property(attributesArb(false), (attributes) => {
      const bytes = encodePathAttributes(attributes, ctx);
      const decoded = decodePathAttributes(bytes, 0, bytes.length, ctx);
      assert.deepEqual(encodePathAttributes(decoded.attributes, ctx), bytes);
      // Without NLRI (the interning form) routes are left out and the next hop stays.
      const interned = decodePathAttributes(encodePathAttributes(attributes, ctx, { nlri: false }), 0, encodePathAttributes(attributes, ctx, { nlri: false }).length, ctx);
      assert.equal(interned.attributes.mpUnreach, undefined);
      if (attributes.mpReach) {
        assert.deepEqual(interned.attributes.mpReach!.nlri, []);
        assert.deepEqual(interned.attributes.mpReach!.nextHop, attributes.mpReach.nextHop);
      }
    }),
    { numRuns: 300 },
  );
});

const capabilityArb: fc.Arbitrary<Capability> = fc.oneof(
  rec({ kind: fc.constant('multiprotocol' as const), code: fc.constant(1 as const), afi: u16, safi: u8 }),
  fc.constant({ kind: 'route-refresh' as const, code: 2 as const }),
  fc.constant({ kind: 'extended-message' as const, code: 6 as const }),
  rec({
    kind: fc.constant('graceful-restart' as const),
    code: fc.constant(64 as const),
    flags: fc.integer({ min: 0, max: 15 }),
    restartTime: fc.integer({ min: 0, max: 0xfff }),
    families: fc.array(rec({ afi: u16, safi: u8, flags: u8 }), { maxLength: 4 }),
  }),
  rec({ kind: fc.constant('four-octet-as' as const), code: fc.constant(65 as const), asn: u32 }),
  rec({
    kind: fc.constant('add-path' as const),
    code: fc.constant(69 as const),
    families: fc.array(rec({ afi: u16, safi: u8, sendReceive: fc.integer({ min: 1, max: 3 }) }), { maxLength: 4 }),
  }),
  rec({ kind: fc.constant('unknown' as const), code: fc.constantFrom(70, 73, 128, 200), value: fc.uint8Array({ maxLength: 20 }) }),
);

test('OPEN: encode -> decode gives the same data, including RFC 9072 extended parameters', () => {
  fc.assert(
    fc.property(
      fc.array(capabilityArb, { maxLength: 40 }),
      u16,
      u16,
      u32,
      fc.array(rec({ type: fc.constantFrom(1, 3, 200), value: fc.uint8Array({ maxLength: 8 }) }), { maxLength: 2 }),
      (capabilities, myAs, holdTime, bgpId, otherParameters) => {
        const open: BgpMessage = { type: 'open', version: 4, myAs, asn: myAs, holdTime, bgpId, capabilities, otherParameters };
        const four = capabilities.find((c) => c.kind === 'four-octet-as');
        if (four && four.kind === 'four-octet-as') open.asn = four.asn;
        const decoded = decodeBgpMessage(encodeBgpMessage(open), 0, createDecodeContext());
        assert.deepEqual(decoded, open);
      },
    ),
    { numRuns: 300 },
  );
});
