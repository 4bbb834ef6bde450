/**
 * Random RIB operation sequences for property tests: the operation model (announce,
 * withdraw, peer up/down, router down/up/flush, End-of-RIB, keep-time ticks, partial
 * sweeps over a few routers, peers, views, families and RDs, skewed so routes collide) and a
 * {@link Harness} that applies each operation to a real Rib and to the golden model and
 * compares every query.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAddress } from '../../../src/ip/address.js';
import { parsePrefix } from '../../../src/ip/prefix.js';
import { emptySummary } from '../../../src/rib/attribute-pool.js';
import { type PeerKey, VIEWS, type View, afiSafiName } from '../../../src/rib/peer-registry.js';
import { Rib, type PeerViewKey, type RouteFilter } from '../../../src/rib/rib.js';
import type { AttributesJson, RouteJson } from '../../../src/rib/route-json.js';
import type { PrefixIndex } from '../../../src/rib/prefix-index.js';
import { PrefixTable } from '../../../src/table/prefix-table.js';
import { GoldenRib } from './golden-rib.js';
import { decodeTestAttributes, makeAttributes, testBytes, testSummary } from './test-attributes.js';

export const KEEP = 1000;
export const ROUTERS = ['r1', 'r2'];
const PEERS: PeerKey[] = [
  { type: 0, distinguisher: '0:0', address: '10.255.0.1', asn: 65001, bgpId: 0x0a0a0a0a },
  { type: 0, distinguisher: '0:0', address: '2001:db8::2', asn: 65002, bgpId: 0x0a0a0a0a },
  { type: 3, distinguisher: '0:0', address: '0.0.0.0', asn: 65000, bgpId: 0x01010101 },
];
const VIEWS_USED: View[] = ['loc-rib', 'adj-rib-in-pre', 'adj-rib-in-post'];
const FAMILIES = [
  { afi: 1, safi: 1, v6: false },
  { afi: 2, safi: 1, v6: true },
  { afi: 1, safi: 2, v6: false },
];
export const V4 = ['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '10.1.1.0/24', '10.1.1.128/25', '10.1.1.1/32', '10.2.0.0/16', '192.0.2.0/24'];
export const V6 = ['::/0', '2001:db8::/32', '2001:db8:1::/48', '2001:db8:1::1/128'];
export const RDS = [null, '65000:1'];
export const ADDRESSES = ['10.1.1.1', '10.1.1.200', '10.1.2.3', '10.2.3.4', '10.9.9.9', '192.0.2.77', '8.8.8.8', '2001:db8:1::1', '2001:db8:1::2', '2001:db8:2::1', '2002::1'];
export const FILTERS: RouteFilter[] = [
  {},
  { router: 'r1' },
  { router: 'r2', view: 'loc-rib' },
  { rd: '65000:1' },
  { peer: '10.255.0.1', afiSafi: 'ipv4-unicast' },
  { router: 'r3' },
];

export type Op =
  | { kind: 'announce'; router: number; peer: number; view: number; family: number; rd: number; prefix: number; pathId: number; attrs: AttributesJson }
  | { kind: 'reannounce'; index: number }
  | { kind: 'withdraw'; router: number; peer: number; view: number; family: number; rd: number; prefix: number; pathId: number }
  | { kind: 'peerUp' | 'peerDown'; router: number; peer: number }
  | { kind: 'routerDown' | 'routerUp' | 'flushRouter'; router: number }
  | { kind: 'endOfRib'; router: number; peer: number; view: number; family: number }
  | { kind: 'tick'; advance: number }
  | { kind: 'sweep'; budget: number };

const attrsArb = fc
  .tuple(fc.constantFrom(64496, 64497, 64498), fc.integer({ min: 1, max: 3 }), fc.constantFrom(null, 100, 200), fc.constantFrom(null, 0, 10), fc.integer({ min: 0, max: 3 }))
  .map(([o, len, lp, med, c]) => makeAttributes(o, len, lp, med, c));
/** Skewed towards a few values so routes collide often (re-announce, withdraw, stale twins). */
const skewed = (max: number): fc.Arbitrary<number> =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: Math.min(1, max) }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max }) });
const routeArb = {
  router: fc.integer({ min: 0, max: 1 }),
  peer: skewed(2),
  view: skewed(2),
  family: skewed(2),
  rd: skewed(1),
  prefix: fc.integer({ min: 0, max: 7 }),
  pathId: skewed(2),
};
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('announce' as const), ...routeArb, attrs: attrsArb }) },
  // An existing route (current or stale) sent again with the attributes it has: identical re-announcements.
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('reannounce' as const), index: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), ...routeArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('peerUp' as const, 'peerDown' as const), router: routeArb.router, peer: routeArb.peer }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('routerDown' as const, 'routerUp' as const, 'flushRouter' as const), router: routeArb.router }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('endOfRib' as const), router: routeArb.router, peer: routeArb.peer, view: routeArb.view, family: routeArb.family }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), advance: fc.constantFrom(0, KEEP / 2, KEEP + 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sweep' as const), budget: fc.integer({ min: 1, max: 20 }) }) },
);

function key(op: { router: number; peer: number; view: number; family: number }): PeerViewKey {
  const f = FAMILIES[op.family]!;
  return { router: ROUTERS[op.router]!, peer: PEERS[op.peer]!, view: VIEWS_USED[op.view]!, afi: f.afi, safi: f.safi };
}
function prefixOf(op: { family: number; prefix: number }): string {
  const list = FAMILIES[op.family]!.v6 ? V6 : V4;
  return list[op.prefix % list.length]!;
}

/** What tells one route of a prefix from another. */
interface RouteIdentity {
  router: string;
  peer: string;
  view: string;
  afiSafi: string;
  pathId: number;
}

function routeIdentity(r: RouteJson): RouteIdentity {
  return { router: r.router, peer: r.peer.address, view: r.view, afiSafi: r.afiSafi, pathId: r.pathId };
}

/** A real Rib and the golden model, fed the same operations. */
export class Harness {
  /** The clock (ms): a real epoch time, so route ages are known (0 s would read as unknown). */
  now = 1_700_000_000_000;
  readonly rib: Rib;
  constructor(createIndex: () => PrefixIndex = () => new PrefixTable({ shared: true })) {
    // The attribute pool compacts at any garbage past 3/4 of its bytes, a set or two per paced
    // step: compaction runs interleaved with the script's announces, withdraws and sweeps.
    const attributePool = { compactAfterBytes: 0, compactPace: 24 };
    this.rib = new Rib({ keepMs: KEEP, now: () => this.now, decodeAttributes: decodeTestAttributes, createIndex, attributeCacheSize: 8, attributePool });
  }
  readonly golden = new GoldenRib(KEEP, true);
  private readonly summary = emptySummary();

  /**
   * Apply `op` to the real Rib and the golden model, or with `sides` 'golden' to the golden
   * model only (a worker replaying the script a writer applies, concurrent-readers.test.ts).
   */
  apply(op: Op, sides: 'both' | 'golden' = 'both'): void {
    const golden = this.golden;
    const rib = sides === 'both' ? this.rib : undefined;
    switch (op.kind) {
      case 'announce': {
        // Time passes between announcements, so first-seen and last-changed times differ.
        this.now += 1000;
        const k = key(op);
        const rd = RDS[op.rd]!;
        const p = parsePrefix(prefixOf(op));
        if (rib !== undefined) {
          const bytes = testBytes(op.attrs);
          const attr = rib.internAttributes(bytes, 0, bytes.length, testSummary(op.attrs, this.summary));
          rib.announce(rib.peerView(k), rib.table(rd), p, op.pathId, attr);
          rib.releaseAttributes(attr);
        }
        golden.announce(k, rd, p, op.pathId, op.attrs, Math.floor(this.now / 1000));
        break;
      }
      case 'reannounce': {
        this.now += 1000;
        const route = golden.existingRoute(op.index);
        if (route === undefined) break;
        if (rib !== undefined) {
          const bytes = testBytes(route.attrs);
          const attr = rib.internAttributes(bytes, 0, bytes.length, testSummary(route.attrs, this.summary));
          rib.announce(rib.peerView(route.key), rib.table(route.rd), route.prefix, route.pathId, attr);
          rib.releaseAttributes(attr);
        }
        golden.announce(route.key, route.rd, route.prefix, route.pathId, route.attrs, Math.floor(this.now / 1000));
        break;
      }
      case 'withdraw': {
        const k = key(op);
        const rd = RDS[op.rd]!;
        const p = parsePrefix(prefixOf(op));
        const a = rib?.withdraw(rib.peerView(k), rib.table(rd), p, op.pathId);
        const b = golden.withdraw(k, rd, p, op.pathId);
        if (rib !== undefined) assert.equal(a, b, 'withdraw result');
        break;
      }
      case 'peerUp':
        rib?.peerUp(ROUTERS[op.router]!, PEERS[op.peer]!);
        golden.peerUp(ROUTERS[op.router]!, PEERS[op.peer]!);
        break;
      case 'peerDown':
        rib?.peerDown(ROUTERS[op.router]!, PEERS[op.peer]!);
        golden.peerDown(ROUTERS[op.router]!, PEERS[op.peer]!);
        break;
      case 'routerDown':
        rib?.routerDown(ROUTERS[op.router]!);
        golden.routerDown(ROUTERS[op.router]!, this.now);
        break;
      case 'routerUp':
        rib?.routerUp(ROUTERS[op.router]!);
        golden.routerUp(ROUTERS[op.router]!, this.now);
        break;
      case 'flushRouter':
        rib?.flushRouter(ROUTERS[op.router]!);
        golden.flushRouter(ROUTERS[op.router]!);
        break;
      case 'endOfRib': {
        const k = key(op);
        rib?.endOfRib(rib.peerView(k));
        golden.endOfRib(k);
        break;
      }
      case 'tick':
        this.now += op.advance;
        rib?.tick(this.now);
        golden.tick(this.now);
        break;
      case 'sweep':
        rib?.sweepStep(op.budget);
        break;
    }
  }

  /** The identity of the route bestRouteV4 answers for `address`, or undefined for none. */
  private bestRouteV4(address: string): RouteIdentity | undefined {
    const { rib } = this;
    const handle = rib.bestRouteV4(parseAddress(address).w0);
    if (handle < 0) return undefined;
    const reg = rib.registry;
    const pv = rib.entryPeerView(handle);
    const peer = reg.peerById(reg.pvPeer[pv]!);
    return {
      router: reg.routerById(peer.router).name,
      peer: peer.address,
      view: VIEWS[reg.pvView[pv]!]!,
      afiSafi: afiSafiName(reg.pvAfi[pv]!, reg.pvSafi[pv]!),
      pathId: rib.entryPathId(handle),
    };
  }

  check(): void {
    const { rib, golden } = this;
    for (const f of FILTERS) {
      for (const a of ADDRESSES) assert.deepEqual(rib.lookup(a, f), golden.lookup(a, f), `lookup ${a} ${JSON.stringify(f)}`);
      for (const a of ADDRESSES) {
        const g = { ...f, stale: 'include' as const };
        assert.deepEqual(rib.lookup(a, g), golden.lookup(a, g), `lookup ${a} ${JSON.stringify(g)}`);
      }
      for (const p of [...V4, ...V6]) assert.deepEqual(rib.routes(p, f), golden.routes(p, f), `routes ${p} ${JSON.stringify(f)}`);
      for (const p of ['0.0.0.0/0', '10.1.0.0/16', '::/0']) {
        assert.deepEqual([...rib.moreSpecifics(p, f)], golden.moreSpecifics(p, f), `moreSpecifics ${p} ${JSON.stringify(f)}`);
      }
      for (const p of ['10.1.1.1/32', '10.1.1.0/24', '2001:db8:1::1/128']) {
        assert.deepEqual([...rib.lessSpecifics(p, f)], golden.lessSpecifics(p, f), `lessSpecifics ${p} ${JSON.stringify(f)}`);
      }
    }
    // The numeric fast path answers the first route of lookup(address) in the global table.
    for (const a of ADDRESSES) {
      if (a.includes(':')) continue;
      const expected = golden.lookup(a, {})?.routes[0];
      assert.deepEqual(this.bestRouteV4(a), expected && routeIdentity(expected), `bestRouteV4 ${a}`);
    }
    for (const asn of [64496, 64497, 64498, 1]) {
      assert.deepEqual(rib.originatedBy(asn), golden.originatedBy(asn, RDS), `originatedBy ${asn}`);
    }
    for (const r of [...ROUTERS, 'r3']) {
      const got = rib.peers(r)?.map(({ address, state, routes, staleRoutes }) => ({ address, state, routes, staleRoutes }));
      assert.deepEqual(got, golden.peers(r), `peers ${r}`);
    }
    assert.equal(rib.stats().routes, golden.counts().routes, 'route count');
    assert.deepEqual(rib.routers().map((r) => r.name), golden.routerNames());
  }
}
