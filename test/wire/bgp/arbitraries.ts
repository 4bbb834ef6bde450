/**
 * fast-check arbitraries of BGP data (attribute sets, NLRI, AS paths, addresses), shared by
 * the wire/bgp property tests and the RIB's canonical-bytes tests. Every generated value
 * encodes (with 4-octet ASNs), and decodes back to itself.
 */
import fc from 'fast-check';
import { Address } from '../../../src/ip/address.js';
import { Prefix } from '../../../src/ip/prefix.js';
import { type AsPathSegment, type MpReach, type Nlri, type PathAttributes, labelEntry } from '../../../src/wire/bgp/index.js';

/** fc.record with ordinary objects (fast-check's default prototype-less ones differ under deepStrictEqual). */
export function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }, options: { requiredKeys?: [] } = {}): fc.Arbitrary<T> {
  return fc.record(model, { ...options, noNullPrototype: true }) as fc.Arbitrary<T>;
}

export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u8 = fc.integer({ min: 0, max: 255 });

export const FAMILIES = [1, 2].flatMap((afi) => [1, 2, 4, 128].map((safi) => ({ afi, safi })));

export function prefixArb(family: 4 | 6): fc.Arbitrary<Prefix> {
  const max = family === 4 ? 32 : 128;
  return fc.tuple(u32, u32, u32, u32, fc.integer({ min: 0, max })).map(([a, b, c, d, len]) => new Prefix(family, a, b, c, d, len));
}

export const rdArb = fc.oneof(
  rec({ type: fc.constant(0), admin: u16, assigned: u32 }),
  rec({ type: fc.constantFrom(1, 2), admin: u32, assigned: u16 }),
);

/** Label stacks that decode back as written: the last entry has bottom-of-stack set. */
export const labelsArb = fc
  .array(fc.integer({ min: 16, max: 0xfffff }), { minLength: 1, maxLength: 3 })
  .map((labels) => labels.map((l, i) => labelEntry(l, i === labels.length - 1)));

export function nlriArb(afi: number, safi: number, addPath: boolean): fc.Arbitrary<Nlri> {
  return rec({
    prefix: prefixArb(afi === 1 ? 4 : 6),
    pathId: addPath ? u32 : fc.constant(undefined),
    labels: safi === 4 || safi === 128 ? labelsArb : fc.constant(undefined),
    rd: safi === 128 ? rdArb : fc.constant(undefined),
  }).filter((n) => n.prefix.length + 24 * (n.labels?.length ?? 0) + (n.rd ? 64 : 0) <= 255);
}

export const segmentArb: fc.Arbitrary<AsPathSegment> = rec({
  type: fc.constantFrom(1, 2, 3, 4) as fc.Arbitrary<1 | 2 | 3 | 4>,
  asns: fc.array(u32, { minLength: 1, maxLength: 6 }),
});

export const v4 = u32.map((w) => new Address(4, w));
export const v6 = fc.tuple(u32, u32, u32, u32).map(([a, b, c, d]) => new Address(6, a, b, c, d));

export function mpReachArb(addPath: boolean): fc.Arbitrary<MpReach> {
  return fc.constantFrom(...FAMILIES).chain(({ afi, safi }) =>
    fc
      .record({
        nextHop: afi === 1 ? fc.oneof(v4, v6) : v6,
        linkLocal: fc.option(v6, { nil: undefined }),
        nlri: fc.array(nlriArb(afi, safi, addPath), { maxLength: 4 }),
        nhRd: fc.constant({ type: 0, admin: 0, assigned: 0 }),
      })
      .map(({ nextHop, linkLocal, nlri, nhRd }) => ({
        afi,
        safi,
        nextHop,
        linkLocalNextHop: nextHop.family === 6 ? linkLocal : undefined,
        nextHopRd: safi === 128 ? nhRd : undefined,
        nextHopBytes: new Uint8Array(0),
        nlri,
        unknownNlri: undefined,
      })),
  );
}

export function attributesArb(addPath: boolean): fc.Arbitrary<PathAttributes> {
  return rec(
    {
      origin: fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>,
      asPath: fc.array(segmentArb, { maxLength: 4 }),
      nextHop: v4,
      med: u32,
      localPref: u32,
      atomicAggregate: fc.constant(true),
      aggregator: rec({ asn: u32, address: u32 }),
      communities: fc.array(u32, { minLength: 1, maxLength: 5 }),
      originatorId: u32,
      clusterList: fc.array(u32, { minLength: 1, maxLength: 3 }),
      mpReach: mpReachArb(addPath),
      mpUnreach: fc.constantFrom(...FAMILIES).chain(({ afi, safi }) =>
        rec({ afi: fc.constant(afi), safi: fc.constant(safi), nlri: fc.array(nlriArb(afi, safi, addPath), { maxLength: 3 }), unknownNlri: fc.constant(undefined) }),
      ),
      extendedCommunities: fc.array(fc.tuple(u32, u32), { minLength: 1, maxLength: 3 }),
      largeCommunities: fc.array(fc.tuple(u32, u32, u32), { minLength: 1, maxLength: 3 }),
      otc: u32,
      unknown: fc
        .uniqueArray(
          rec({
            flags: fc.constantFrom(0xc0, 0xe0, 0x80),
            type: fc.integer({ min: 36, max: 255 }),
            value: fc.uint8Array({ maxLength: 300 }),
          }),
          { selector: (a) => a.type, minLength: 1, maxLength: 3 },
        )
        .map((list) => list.sort((a, b) => a.type - b.type)),
    },
    { requiredKeys: [] },
  );
}
