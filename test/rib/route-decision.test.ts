/**
 * route-decision: the `lostAt` step of every non-best route is the first step of the
 * documented preference order (README "Route order", route-order.ts) at which the route
 * differs from the best one, and the order of the answer agrees with it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parsePrefix } from '../../src/ip/prefix.js';
import { emptySummary } from '../../src/rib/attribute-pool.js';
import { VIEWS, type PeerKey, type View } from '../../src/rib/peer-registry.js';
import { Rib } from '../../src/rib/rib.js';
import { DECISION_STEPS, type DecisionStep, decisionStepOf } from '../../src/rib/route-decision.js';
import type { RouteJson } from '../../src/rib/route-json.js';
import { decodeTestAttributes, makeAttributes, testBytes, testSummary } from './support/test-attributes.js';

const PREFIX = '192.0.2.0/24';
const PEERS: PeerKey[] = [
  { type: 0, distinguisher: '0:0', address: '10.0.0.2', asn: 65001, bgpId: 0x0a000002 },
  { type: 0, distinguisher: '0:0', address: '10.0.0.1', asn: 65002, bgpId: 0x0a000002 },
  { type: 0, distinguisher: '0:0', address: '10.0.0.3', asn: 65003, bgpId: 0x01000000 },
];
const ROUTERS = ['r1', 'r2'];
const USED_VIEWS: View[] = ['loc-rib', 'adj-rib-in-post', 'adj-rib-in-pre'];

interface TestRoute {
  router: number;
  peer: number;
  view: number;
  pathId: number;
  originAs: number;
  pathLength: number;
  localPref: number | null;
  med: number | null;
  /** Also picks ORIGIN (community % 3) in makeAttributes. */
  community: number;
}

const routeArb: fc.Arbitrary<TestRoute> = fc.record({
  router: fc.integer({ min: 0, max: 1 }),
  peer: fc.integer({ min: 0, max: 2 }),
  view: fc.integer({ min: 0, max: 2 }),
  pathId: fc.integer({ min: 0, max: 2 }),
  originAs: fc.constantFrom(64496, 64497),
  pathLength: fc.integer({ min: 1, max: 3 }),
  localPref: fc.constantFrom(null, 100, 200),
  med: fc.constantFrom(null, 0, 10),
  community: fc.integer({ min: 0, max: 2 }),
});

/** The documented order as a key list, one entry per step, written from the README independently of route-order.ts. */
function stepKeys(route: RouteJson, routerIndex: number): (number | string)[] {
  const bgpId = route.peer.bgpId.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  return [
    VIEWS.indexOf(route.view),
    route.stale ? 1 : 0,
    -(route.localPref ?? 100),
    route.asPath.length,
    ['igp', 'egp', 'incomplete'].indexOf(route.origin ?? '') >>> 0,
    route.med ?? 0,
    bgpId,
    route.peer.address,
    routerIndex,
    route.pathId,
    route.afiSafi,
  ];
}

function firstDifference(best: RouteJson, other: RouteJson): { step: DecisionStep | null; bestFirst: boolean } {
  const a = stepKeys(best, ROUTERS.indexOf(best.router));
  const b = stepKeys(other, ROUTERS.indexOf(other.router));
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return { step: DECISION_STEPS[i]!, bestFirst: a[i]! < b[i]! };
  return { step: null, bestFirst: true };
}

function ribOf(routes: TestRoute[]): Rib {
  const rib = new Rib({ decodeAttributes: decodeTestAttributes });
  const summary = emptySummary();
  for (const r of routes) {
    const attrs = makeAttributes(r.originAs, r.pathLength, r.localPref, r.med, r.community);
    const bytes = testBytes(attrs);
    const attr = rib.internAttributes(bytes, 0, bytes.length, testSummary(attrs, summary));
    const pv = rib.peerView({ router: ROUTERS[r.router]!, peer: PEERS[r.peer]!, view: USED_VIEWS[r.view]!, afi: 1, safi: 1 });
    rib.announce(pv, rib.table(null), parsePrefix(PREFIX), r.pathId, attr);
    rib.releaseAttributes(attr);
  }
  return rib;
}

describe('route decision (lostAt)', () => {
  it('names the first step of the documented order at which each route differs from the best, best first', () => {
    fc.assert(
      fc.property(fc.array(routeArb, { minLength: 1, maxLength: 12 }), (routes) => {
        // Routers are registered in order r1, r2 so that the `router` step compares by that index.
        const rib = ribOf([...routes].sort((x, y) => x.router - y.router));
        const answer = rib.routes(PREFIX)!;
        const [best, ...others] = answer.routes;
        assert.equal(best!.lostAt, null);
        for (const other of others) {
          const expected = firstDifference(best!, other);
          assert.ok(expected.bestFirst, 'the first route is preferred to every other by the documented order');
          assert.equal(other.lostAt, expected.step);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('explains each step when two routes differ only there', () => {
    const base: TestRoute = { router: 0, peer: 0, view: 1, pathId: 0, originAs: 64496, pathLength: 2, localPref: 100, med: 5, community: 0 };
    const cases: [Partial<TestRoute>, DecisionStep][] = [
      [{ view: 2 }, 'view'],
      [{ localPref: 50 }, 'local-pref'],
      [{ pathLength: 3 }, 'as-path-length'],
      [{ community: 2 }, 'origin'],
      [{ med: 6 }, 'med'],
      [{ peer: 2 }, 'peer-bgp-id'],
      [{}, 'path-id'],
    ];
    for (const [change, step] of cases) {
      // Another path id, so a change within one peer-view adds a route instead of replacing it.
      const worse = { ...base, pathId: 1, ...change };
      // `peer-bgp-id`: peer 2 has the lower BGP ID, so there the changed route is the best.
      const rib = ribOf([base, worse]);
      const routes = rib.routes(PREFIX)!.routes;
      assert.equal(routes.length, 2, step);
      assert.equal(routes[1]!.lostAt, step, JSON.stringify(change));
    }
  });

  it('a stale route loses at `stale` to a current twin', () => {
    const rib = ribOf([{ router: 0, peer: 0, view: 1, pathId: 0, originAs: 64496, pathLength: 2, localPref: 100, med: 5, community: 0 }]);
    rib.routerDown('r1');
    rib.routerUp('r1');
    const attrs = makeAttributes(64496, 2, 100, 5, 0);
    const bytes = testBytes(attrs);
    const attr = rib.internAttributes(bytes, 0, bytes.length, testSummary(attrs, emptySummary()));
    const pv = rib.peerView({ router: 'r1', peer: PEERS[1]!, view: 'adj-rib-in-post', afi: 1, safi: 1 });
    rib.announce(pv, rib.table(null), parsePrefix(PREFIX), 0, attr);
    const routes = rib.routes(PREFIX)!.routes;
    assert.deepEqual(
      routes.map((r) => [r.stale, r.lostAt]),
      [
        [false, null],
        [true, 'stale'],
      ],
    );
  });

  it('decisionStepOf maps comparison answers to names', () => {
    assert.equal(decisionStepOf(0), null);
    assert.equal(decisionStepOf(-1), 'view');
    assert.equal(decisionStepOf(DECISION_STEPS.length), 'family');
    assert.throws(() => decisionStepOf(DECISION_STEPS.length + 1), RangeError);
  });
});
