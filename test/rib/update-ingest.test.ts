/**
 * UPDATE ingest through wire/bgp: real encoded UPDATEs (IPv4 NLRI field, IPv6 and VPNv4
 * MP_REACH, ADD-PATH, withdrawals, End-of-RIB, treat-as-withdraw) applied both through the
 * allocation-free walkUpdate visitor and through decoded BgpUpdate objects give the same
 * RIB, with attributes in the API's JSON form.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Address, parseAddress } from '../../src/ip/address.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import { createDecodeContext } from '../../src/wire/bgp/context.js';
import { decodeUpdate, encodeUpdate, walkUpdate } from '../../src/wire/bgp/update.js';
import type { Nlri, PathAttributes } from '../../src/wire/bgp/types.js';
import { Rib } from '../../src/rib/rib.js';
import { RibUpdateVisitor, applyUpdate, type UpdateTarget } from '../../src/rib/update-ingest.js';
import { decodeRouteAttributes, encodeRouteAttributes, routeAttributes } from '../../src/rib/attribute-codec.js';

const ctx = createDecodeContext({ fourOctetAs: true, addPath: [{ afi: 2, safi: 1 }] });
const target: UpdateTarget = {
  router: '192.0.2.254',
  peer: { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 0xc0000201 },
  view: 'adj-rib-in-post',
};
const nlri = (p: string, pathId?: number, rd?: Nlri['rd']): Nlri => ({ prefix: parsePrefix(p), pathId, labels: rd ? [0x000641] : undefined, rd });

const base: PathAttributes = {
  origin: 0,
  asPath: [
    { type: 2, asns: [65001, 4200000000] },
    { type: 1, asns: [64500, 64501] },
  ],
  nextHop: new Address(4, 0xc0000201),
  med: 10,
  localPref: 200,
  communities: [((65000 << 16) | 1) >>> 0, ((65000 << 16) | 2) >>> 0],
  largeCommunities: [[65000, 1, 2]],
  extendedCommunities: [[0x00020000 | 65000, 100]],
};
const v6Reach = (nlriList: Nlri[]): PathAttributes => ({
  origin: 2,
  asPath: [{ type: 2, asns: [65001, 65010] }],
  mpReach: { afi: 2, safi: 1, nextHop: parseAddress('2001:db8::1'), linkLocalNextHop: undefined, nextHopRd: undefined, nextHopBytes: new Uint8Array(0), nlri: nlriList, unknownNlri: undefined },
});
const vpnReach = (nlriList: Nlri[]): PathAttributes => ({
  origin: 0,
  asPath: [{ type: 2, asns: [65020] }],
  mpReach: { afi: 1, safi: 128, nextHop: parseAddress('192.0.2.9'), linkLocalNextHop: undefined, nextHopRd: { type: 0, admin: 0, assigned: 0 }, nextHopBytes: new Uint8Array(0), nlri: nlriList, unknownNlri: undefined },
});

const messages: Uint8Array[] = [
  encodeUpdate({ attributes: base, announced: [nlri('198.51.100.0/24'), nlri('203.0.113.0/24'), nlri('198.51.100.128/25')] }, ctx),
  encodeUpdate({ attributes: v6Reach([nlri('2001:db8:1::/48', 1), nlri('2001:db8:1::/48', 2), nlri('2001:db8:2::/48', 1)]) }, ctx),
  encodeUpdate({ attributes: vpnReach([nlri('10.0.0.0/8', undefined, { type: 0, admin: 65000, assigned: 100 })]) }, ctx),
  encodeUpdate({ withdrawn: [nlri('203.0.113.0/24')] }, ctx),
  encodeUpdate({ attributes: { ...base, localPref: 50 }, announced: [nlri('198.51.100.128/25')] }, ctx),
];

function loadByWalk(rib: Rib): void {
  const visitor = new RibUpdateVisitor(rib, target);
  for (const m of messages) visitor.finish(walkUpdate(m, 0, ctx, visitor));
}
function loadByObjects(rib: Rib): void {
  for (const m of messages) applyUpdate(rib, target, decodeUpdate(m, 0, ctx));
}

for (const [name, load] of [['walkUpdate visitor', loadByWalk], ['decoded BgpUpdate', loadByObjects]] as const) {
  test(`UPDATEs applied through the ${name} land with their attributes`, () => {
    const rib = new Rib({ now: () => 1_700_000_000_500 });
    load(rib);
    const hit = rib.lookup('198.51.100.200');
    assert.equal(hit?.prefix, '198.51.100.128/25');
    const route = hit!.routes[0]!;
    assert.deepEqual(
      { ...route },
      {
        router: '192.0.2.254',
        peer: { address: '192.0.2.1', asn: 65001, bgpId: '192.0.2.1', type: 'global', distinguisher: '0:0' },
        view: 'adj-rib-in-post',
        afiSafi: 'ipv4-unicast',
        rd: null,
        pathId: 0,
        stale: false,
        restored: false,
        receivedAt: '2023-11-14T22:13:20.000Z',
        changedAt: '2023-11-14T22:13:20.000Z',
        nextHop: '192.0.2.1',
        origin: 'igp',
        asPath: [65001, 4200000000, [64500, 64501]],
        originAs: null,
        med: 10,
        localPref: 50,
        lostAt: null,
        communities: ['65000:1', '65000:2'],
        largeCommunities: ['65000:1:2'],
        extendedCommunities: ['rt 65000:100'],
        atomicAggregate: false,
        aggregator: null,
        originatorId: null,
        clusterList: [],
        otc: null,
        unknownAttributes: [],
      },
    );
    assert.equal(rib.routes('203.0.113.0/24'), undefined, 'withdrawn');
    const v6 = rib.routes('2001:db8:1::/48');
    assert.deepEqual(v6?.routes.map((r) => [r.pathId, r.nextHop, r.afiSafi, r.originAs, r.origin]), [
      [1, '2001:db8::1', 'ipv6-unicast', 65010, 'incomplete'],
      [2, '2001:db8::1', 'ipv6-unicast', 65010, 'incomplete'],
    ]);
    assert.equal(rib.lookup('10.1.2.3'), undefined, 'VPN routes stay out of the global table');
    const vpn = rib.lookup('10.1.2.3', { rd: '0:65000:100' });
    assert.equal(vpn?.prefix, '10.0.0.0/8');
    assert.equal(vpn?.routes[0]?.afiSafi, 'ipv4-vpn');
    assert.equal(vpn?.routes[0]?.rd, '0:65000:100');
    assert.deepEqual(rib.originatedBy(65010).map((p) => p.prefix), ['2001:db8:1::/48', '2001:db8:2::/48']);
    assert.deepEqual(rib.peers('192.0.2.254')?.[0]?.routesByAfiSafi, { 'ipv4-unicast': 2, 'ipv6-unicast': 3, 'ipv4-vpn': 1 });
    // Two attribute sets for the IPv4 routes (local-pref 200 and 50), one IPv6, one VPN.
    assert.equal(rib.stats().attributeSets, 4);
  });
}

test('End-of-RIB sweeps the stale routes the new session did not re-announce', () => {
  const rib = new Rib();
  loadByWalk(rib);
  rib.routerDown(target.router);
  rib.routerUp(target.router);
  assert.equal(rib.routes('198.51.100.0/24')?.routes[0]?.stale, true);
  const visitor = new RibUpdateVisitor(rib, target);
  const again = encodeUpdate({ attributes: base, announced: [nlri('198.51.100.0/24')] }, ctx);
  visitor.finish(walkUpdate(again, 0, ctx, visitor));
  assert.equal(rib.routes('198.51.100.0/24')?.routes.length, 1, 'replaced, not doubled');
  assert.equal(rib.routes('198.51.100.0/24')?.routes[0]?.stale, false);
  assert.equal(rib.routes('198.51.100.128/25')?.routes[0]?.stale, true, 'kept until End-of-RIB');
  const eor = encodeUpdate({}, ctx);
  visitor.finish(walkUpdate(eor, 0, ctx, visitor));
  assert.equal(rib.routes('198.51.100.128/25'), undefined, 'IPv4 stale routes swept at End-of-RIB');
  assert.equal(rib.routes('2001:db8:1::/48')?.routes.length, 2, 'other families wait for their own End-of-RIB');
  const eor6 = encodeUpdate({ attributes: { mpUnreach: { afi: 2, safi: 1, nlri: [], unknownNlri: undefined } } }, ctx);
  applyUpdate(rib, target, decodeUpdate(eor6, 0, ctx));
  assert.equal(rib.routes('2001:db8:1::/48'), undefined);
  while (rib.sweepStep());
  assert.equal(rib.stats().routes, 2, 'the re-announced IPv4 route and the VPN route');
});

test('treat-as-withdraw UPDATEs withdraw their announcements', () => {
  const rib = new Rib();
  loadByObjects(rib);
  const update = decodeUpdate(messages[0]!, 0, ctx);
  applyUpdate(rib, target, { ...update, treatAsWithdraw: true });
  assert.equal(rib.routes('198.51.100.0/24'), undefined);
});

test('canonical attribute bytes round-trip to the query form and ignore NLRI', () => {
  const a = routeAttributes(v6Reach([nlri('2001:db8:1::/48', 1)]), true);
  const b = routeAttributes(v6Reach([nlri('2001:db8:9::/48', 7)]), true);
  assert.deepEqual(encodeRouteAttributes(a), encodeRouteAttributes(b));
  const json = decodeRouteAttributes(encodeRouteAttributes(a));
  assert.equal(json.nextHop, '2001:db8::1');
  assert.deepEqual(json.asPath, [65001, 65010]);
});

test('every path attribute reaches the route JSON: AGGREGATOR, ATOMIC_AGGREGATE, ORIGINATOR_ID, CLUSTER_LIST, OTC, unknown ones as hex', () => {
  const rib = new Rib();
  const attributes: PathAttributes = {
    ...base,
    atomicAggregate: true,
    aggregator: { asn: 4200000001, address: 0xc0000209 },
    originatorId: 0x0a000001,
    clusterList: [0x0a0000fe, 0x0a0000fd],
    otc: 65002,
    unknown: [{ flags: 0xc0, type: 99, value: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) }],
  };
  const visitor = new RibUpdateVisitor(rib, target);
  visitor.finish(walkUpdate(encodeUpdate({ attributes, announced: [nlri('192.0.2.0/24')] }, ctx), 0, ctx, visitor));
  const route = rib.lookup('192.0.2.9')!.routes[0]!;
  assert.equal(route.atomicAggregate, true);
  assert.deepEqual(route.aggregator, { asn: 4200000001, address: '192.0.2.9' });
  assert.equal(route.originatorId, '10.0.0.1');
  assert.deepEqual(route.clusterList, ['10.0.0.254', '10.0.0.253']);
  assert.equal(route.otc, 65002);
  assert.deepEqual(route.unknownAttributes, [{ type: 99, flags: 0xc0, value: 'deadbeef' }]);
  // A route without them: the empty forms.
  visitor.finish(walkUpdate(encodeUpdate({ attributes: base, announced: [nlri('198.51.100.0/24')] }, ctx), 0, ctx, visitor));
  const plain = rib.lookup('198.51.100.1')!.routes[0]!;
  assert.deepEqual(
    [plain.atomicAggregate, plain.aggregator, plain.originatorId, plain.clusterList, plain.otc, plain.unknownAttributes],
    [false, null, null, [], null, []],
  );
});
