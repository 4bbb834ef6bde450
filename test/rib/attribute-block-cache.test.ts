/**
 * RibUpdateVisitor's remembered attribute blocks (walkUpdate's `recallAttributes`): an UPDATE
 * whose attribute block equals one decoded before under the same context skips the decode and
 * the canonical re-encode. These tests check that it changes nothing but the work done: the
 * same RIB as decoded BgpUpdate objects give, for random streams that mix contexts, NLRI
 * field and MP_REACH routes, withdrawals, treat-as-withdraw and attribute errors; hits where
 * only the NLRI differs (including MP_REACH NLRI of another length); no hit across contexts
 * or for blocks with errors; and no attribute-pool reference held once routes are gone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Address, parseAddress } from '../../src/ip/address.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import { createDecodeContext, type BgpDecodeContext } from '../../src/wire/bgp/context.js';
import { decodeUpdate, encodeUpdate, walkUpdate } from '../../src/wire/bgp/update.js';
import type { Nlri, PathAttributes } from '../../src/wire/bgp/types.js';
import { Rib } from '../../src/rib/rib.js';
import { RibUpdateVisitor, applyUpdate, type UpdateTarget } from '../../src/rib/update-ingest.js';
import { BmpSession } from '../../src/wire/bmp/index.js';
import { capabilities, open, peerHeader, peerUp, routeMonitoring } from '../wire/bmp/build.js';

const four = createDecodeContext({ fourOctetAs: true, addPath: [{ afi: 2, safi: 1 }] });
const two = createDecodeContext();
const target: UpdateTarget = {
  router: '192.0.2.254',
  peer: { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 0xc0000201 },
  view: 'adj-rib-in-post',
};
const nlri = (p: string, pathId?: number): Nlri => ({ prefix: parsePrefix(p), pathId, labels: undefined, rd: undefined });

const v4: PathAttributes = {
  origin: 0,
  asPath: [{ type: 2, asns: [65001, 65002] }],
  nextHop: new Address(4, 0xc0000201),
  localPref: 100,
  communities: [((65000 << 16) | 1) >>> 0],
};
const v6Reach = (list: Nlri[]): PathAttributes => ({
  origin: 2,
  asPath: [{ type: 2, asns: [65001, 65010] }],
  mpReach: { afi: 2, safi: 1, nextHop: parseAddress('2001:db8::1'), linkLocalNextHop: undefined, nextHopRd: undefined, nextHopBytes: new Uint8Array(0), nlri: list, unknownNlri: undefined },
});

/** Attribute sets the random streams draw from; some decode with errors. */
const VARIANTS: PathAttributes[] = [
  v4,
  { ...v4, localPref: 200 },
  { ...v4, unknown: [{ flags: 0xc0, type: 99, value: new Uint8Array([1, 2, 3]) }] },
  // No NEXT_HOP: fine for MP_REACH-only UPDATEs, treat-as-withdraw with an NLRI field.
  { origin: 0, asPath: [{ type: 2, asns: [65003] }] },
  // ATOMIC_AGGREGATE of length 1: attribute-discard.
  { ...v4, unknown: [{ flags: 0x40, type: 6, value: new Uint8Array([1]) }] },
  // ORIGIN value 7: treat-as-withdraw.
  { ...v4, origin: undefined, unknown: [{ flags: 0x40, type: 1, value: new Uint8Array([7]) }] },
  // A 4-byte ASN: on a 2-octet session as AS_TRANS plus AS4_PATH.
  { ...v4, asPath: [{ type: 2, asns: [65001, 4200000000] }] },
];
const V4_PREFIXES = ['198.51.100.0/24', '203.0.113.0/24', '198.51.100.128/25', '10.0.0.0/8', '10.1.0.0/16'];
const V6_PREFIXES = ['2001:db8:1::/48', '2001:db8:2::/48', '2001:db8::/32', '2001:db8:1:2::/64'];

function walk(visitor: RibUpdateVisitor, message: Uint8Array, ctx: BgpDecodeContext): void {
  let result;
  try {
    result = walkUpdate(message, 0, ctx, visitor);
  } catch (error) {
    visitor.finish();
    throw error;
  }
  visitor.finish(result);
}

function snapshot(rib: Rib): unknown[] {
  return [...V4_PREFIXES, ...V6_PREFIXES].map((p) => rib.routes(p)?.routes ?? null);
}

/** Mostly the first variant and the encoding context, so blocks repeat as on a real session. */
const opArb = fc.record({
  variant: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.nat(VARIANTS.length - 1), weight: 2 }),
  v4: fc.subarray(V4_PREFIXES),
  v6: fc.subarray(V6_PREFIXES),
  withdrawV4: fc.subarray(V4_PREFIXES, { maxLength: 2 }),
  mp: fc.boolean(),
  /** Decode under the other context than it was encoded with (a mislabelled session). */
  swapContext: fc.nat(4).map((n) => n === 0),
  twoOctet: fc.boolean(),
});

test('remembered attribute blocks give the RIB decoded UPDATEs give, and hold no reference', () => {
  let hits = 0;
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 10, maxLength: 40 }), (ops) => {
      // One fixed clock for both RIBs: their routes' ages must not differ by a second boundary.
      const now = () => 1_700_000_000_000;
      const cached = new Rib({ now });
      const plain = new Rib({ now });
      const visitor = new RibUpdateVisitor(cached, target);
      for (const op of ops) {
        const encodeCtx = op.twoOctet ? two : four;
        const ctx = op.swapContext ? (op.twoOctet ? four : two) : encodeCtx;
        const variant = VARIANTS[op.variant]!;
        const attributes: PathAttributes = op.mp ? { ...variant, mpReach: v6Reach(op.v6.map((p, i) => nlri(p, i + 1))).mpReach } : variant;
        const message = encodeUpdate({ withdrawn: op.withdrawV4.map((p) => nlri(p)), attributes, announced: op.v4.map((p) => nlri(p)) }, encodeCtx);
        let decoded;
        try {
          decoded = decodeUpdate(message, 0, ctx);
        } catch {
          assert.throws(() => walk(visitor, message, ctx));
          continue;
        }
        applyUpdate(plain, target, decoded);
        walk(visitor, message, ctx);
        assert.deepEqual(snapshot(cached), snapshot(plain));
        assert.equal(cached.stats().attributeSets, plain.stats().attributeSets);
      }
      hits += visitor.blockHits;
      assert.equal(cached.stats().routes, plain.stats().routes);
      // Drop every route: no attribute set may stay alive for the remembered blocks.
      cached.flushRouter(target.router);
      while (cached.sweepStep(5));
      assert.equal(cached.attributes.size, 0, 'no live attribute set');
      for (let id = 1; id < cached.attributes.idBound; id++) assert.equal(cached.attributes.refCount(id), 0);
    }),
    { numRuns: 200 },
  );
  assert.ok(hits > 500, `remembered blocks were recalled ${hits} times`);
});

test('a block is recalled when only the NLRI differs, under the same context only, and never with errors', () => {
  const rib = new Rib();
  const visitor = new RibUpdateVisitor(rib, target);
  walk(visitor, encodeUpdate({ attributes: v4, announced: [nlri('198.51.100.0/24')] }, four), four);
  walk(visitor, encodeUpdate({ attributes: v4, announced: [nlri('203.0.113.0/24'), nlri('10.0.0.0/8')] }, four), four);
  assert.equal(visitor.blockHits, 1, 'same attributes, other NLRI field');
  walk(visitor, encodeUpdate({ attributes: v6Reach([nlri('2001:db8:1::/48', 1)]) }, four), four);
  walk(visitor, encodeUpdate({ attributes: v6Reach([nlri('2001:db8:2::/48', 1), nlri('2001:db8:1:2::/64', 7)]) }, four), four);
  assert.equal(visitor.blockHits, 2, 'same attributes, MP_REACH NLRI of another length');
  assert.deepEqual(rib.routes('2001:db8:1:2::/64')?.routes.map((r) => [r.pathId, r.nextHop, r.origin]), [[7, '2001:db8::1', 'incomplete']]);
  assert.equal(rib.stats().attributeSets, 2);

  // The same bytes under another context are another key.
  const bytes = encodeUpdate({ attributes: v4, announced: [nlri('10.1.0.0/16')] }, four);
  const other = createDecodeContext({ fourOctetAs: true });
  walk(visitor, bytes, other);
  assert.equal(visitor.blockHits, 2);
  walk(visitor, bytes, other);
  assert.equal(visitor.blockHits, 3);

  // Attribute errors are reported on every UPDATE: such blocks are never remembered.
  const broken = encodeUpdate({ attributes: VARIANTS[4]!, announced: [nlri('10.0.0.0/8')] }, four);
  for (let i = 0; i < 2; i++) {
    const result = walkUpdate(broken, 0, four, visitor);
    visitor.finish(result);
    assert.equal(result.decoded.errors.length, 1);
  }
  const withdraw = encodeUpdate({ attributes: VARIANTS[5]!, announced: [nlri('10.0.0.0/8')] }, four);
  for (let i = 0; i < 2; i++) {
    const result = walkUpdate(withdraw, 0, four, visitor);
    visitor.finish(result);
    assert.equal(result.decoded.treatAsWithdraw, true);
  }
  assert.equal(visitor.blockHits, 3);
  assert.equal(rib.routes('10.0.0.0/8'), undefined, 'treat-as-withdraw withdrew it');

  // Missing NEXT_HOP is fine with MP_REACH only, not with an NLRI field: the key tells them apart.
  const noNextHop = VARIANTS[3]!;
  walk(visitor, encodeUpdate({ attributes: { ...noNextHop, mpReach: v6Reach([nlri('2001:db8::/32', 1)]).mpReach } }, four), four);
  const result = walkUpdate(encodeUpdate({ attributes: { ...noNextHop, mpReach: v6Reach([]).mpReach }, announced: [nlri('10.1.0.0/16')] }, four), 0, four, visitor);
  visitor.finish(result);
  assert.equal(result.decoded.treatAsWithdraw, true);
  assert.equal(rib.routes('10.1.0.0/16'), undefined);
});

test('a recalled block whose attribute set was freed and its id reused by other attributes interns its own set again', () => {
  const rib = new Rib();
  const visitor = new RibUpdateVisitor(rib, target);
  const other: PathAttributes = { ...v4, localPref: 200 };
  walk(visitor, encodeUpdate({ attributes: v4, announced: [nlri('198.51.100.0/24')] }, four), four);
  const first = rib.routes('198.51.100.0/24')!.routes[0]!;
  walk(visitor, encodeUpdate({ withdrawn: [nlri('198.51.100.0/24')] }, four), four);
  assert.equal(rib.stats().attributeSets, 0, 'the set is freed');
  walk(visitor, encodeUpdate({ attributes: other, announced: [nlri('203.0.113.0/24')] }, four), four);
  walk(visitor, encodeUpdate({ attributes: v4, announced: [nlri('10.0.0.0/8')] }, four), four);
  assert.equal(visitor.blockHits, 1, 'the first block was recalled');
  assert.equal(rib.routes('203.0.113.0/24')!.routes[0]!.localPref, 200);
  const again = rib.routes('10.0.0.0/8')!.routes[0]!;
  assert.equal(again.localPref, 100, 'its own attributes, not those that took the freed id');
  assert.deepEqual({ ...again, prefix: undefined }, { ...first, prefix: undefined });
  assert.equal(rib.stats().attributeSets, 2);
  // Recalled while its set is live: the same set, one more route on it.
  walk(visitor, encodeUpdate({ attributes: v4, announced: [nlri('10.1.0.0/16')] }, four), four);
  assert.equal(visitor.blockHits, 2);
  assert.equal(rib.stats().attributeSets, 2);
});

test('through a BMP session: blocks are recalled, also after the AS-size fallback, under the context that decoded them', () => {
  const session = new BmpSession();
  const peer = peerHeader('192.0.2.5', 0x40);
  session.receive(peerUp(peer, open(65000, capabilities(65000)), open(65001, capabilities(65001))));
  const rib = new Rib();
  const visitor = new RibUpdateVisitor(rib, target);
  const walkBmp = (m: ReturnType<typeof routeMonitoring>): void => visitor.finish(session.walkUpdate(m, visitor));
  walkBmp(routeMonitoring(peer, { announced: [nlri('198.51.100.0/24')], attributes: v4 }, { fourOctetAs: true }));
  walkBmp(routeMonitoring(peer, { announced: [nlri('203.0.113.0/24')], attributes: v4 }, { fourOctetAs: true }));
  assert.equal(visitor.blockHits, 1);
  // A 2-byte AS_PATH on a 4-octet session (FRR post-policy): decoded by the fallback context,
  // remembered under it; the next one fails under the session's context first, as before.
  const legacy = { ...v4, asPath: [{ type: 2 as const, asns: [65001, 65002, 65003] }] };
  walkBmp(routeMonitoring(peer, { announced: [nlri('10.0.0.0/8')], attributes: legacy }, { fourOctetAs: false }));
  walkBmp(routeMonitoring(peer, { announced: [nlri('10.1.0.0/16')], attributes: legacy }, { fourOctetAs: false }));
  assert.equal(session.asSizeFallbacks, 2);
  assert.equal(visitor.blockHits, 2);
  for (const p of ['10.0.0.0/8', '10.1.0.0/16']) assert.deepEqual(rib.routes(p)?.routes.map((r) => r.asPath), [[65001, 65002, 65003]]);
  assert.deepEqual(rib.routes('203.0.113.0/24')?.routes.map((r) => r.asPath), [[65001, 65002]]);
});
