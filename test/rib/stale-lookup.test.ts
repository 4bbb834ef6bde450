/**
 * Stale-aware longest-prefix lookups (issue 14): after a router reconnects, a more-specific it
 * withdrew while away stays stale until the sweep, and must not hide the router's live
 * covering route; it answers only where nothing live covers the address, or with
 * `stale: 'include'`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rib } from '../../src/rib/rib.js';
import { emptySummary } from '../../src/rib/attribute-pool.js';
import { parseIPv4 } from '../../src/ip/address.js';

const PEER = { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 1 };
const V16 = 0x64400000; // 100.64.0.0/16
const V24 = 0x64400100; // 100.64.1.0/24

function reconnected(): Rib {
  const rib = new Rib({ keepMs: 300_000 });
  const key = { router: 'r1', peer: PEER, view: 'loc-rib' as const, afi: 1, safi: 1 };
  const attr = rib.internAttributes(new Uint8Array([1, 2, 3, 4]), 0, 4, emptySummary());
  let pv = rib.peerView(key);
  rib.announceWords(pv, 0, 4, V16, 0, 0, 0, 16, 0, attr);
  rib.announceWords(pv, 0, 4, V24, 0, 0, 0, 24, 0, attr);
  // The router goes away, withdraws the /24 meanwhile, comes back and re-sends only the /16.
  rib.routerDown('r1');
  rib.routerUp('r1');
  pv = rib.peerView(key);
  rib.announceWords(pv, 0, 4, V16, 0, 0, 0, 16, 0, attr);
  rib.releaseAttributes(attr);
  return rib;
}

test('lookup answers the live covering prefix, not a longer stale-only one', () => {
  const rib = reconnected();
  const answer = rib.lookup('100.64.1.1');
  assert.equal(answer?.prefix, '100.64.0.0/16');
  assert.deepEqual(answer?.routes.map((r) => r.stale), [false]);
  const handle = rib.bestRouteV4(parseIPv4('100.64.1.1'));
  assert.ok(handle >= 0);
  assert.equal(rib.routes('100.64.0.0/16')?.routes.length, 1);
  assert.equal(rib.entryPeerView(handle), rib.peerView({ router: 'r1', peer: PEER, view: 'loc-rib', afi: 1, safi: 1 }), 'the live route');
  assert.equal(rib.lookup('100.64.1.1', { router: 'r1' })?.prefix, '100.64.0.0/16');
  // The stale /24 is still there for those who ask for it.
  assert.equal(rib.lookup('100.64.1.1', { stale: 'include' })?.prefix, '100.64.1.0/24');
  assert.equal(rib.lookup('100.64.1.1', { stale: 'include' })?.routes[0]?.stale, true);
  assert.equal(rib.routes('100.64.1.0/24')?.routes[0]?.stale, true);
});

test('a stale-only prefix answers where nothing live covers the address', () => {
  const rib = new Rib();
  const key = { router: 'r1', peer: PEER, view: 'loc-rib' as const, afi: 1, safi: 1 };
  const attr = rib.internAttributes(new Uint8Array([1, 2, 3, 4]), 0, 4, emptySummary());
  const pv = rib.peerView(key);
  rib.announceWords(pv, 0, 4, V16, 0, 0, 0, 16, 0, attr);
  rib.announceWords(pv, 0, 4, V24, 0, 0, 0, 24, 0, attr);
  rib.releaseAttributes(attr);
  rib.routerDown('r1');
  const answer = rib.lookup('100.64.1.1');
  assert.equal(answer?.prefix, '100.64.1.0/24', 'all stale: the longest prefix as before');
  assert.equal(answer?.routes[0]?.stale, true);
  assert.ok(rib.bestRouteV4(parseIPv4('100.64.1.1')) >= 0);
});
