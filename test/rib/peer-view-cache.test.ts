/**
 * The RibUpdateVisitor's per-target peer-view cache: repeated UPDATEs of one target resolve
 * their peer-view without `Rib.peerView`, and Peer Down, Peer Up, router down and router
 * flush make the next UPDATE resolve a fresh peer-view (routes land where the uncached path
 * would put them).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Address } from '../../src/ip/address.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import { Rib } from '../../src/rib/rib.js';
import { RibUpdateVisitor, type UpdateTarget } from '../../src/rib/update-ingest.js';
import { createDecodeContext } from '../../src/wire/bgp/context.js';
import type { PathAttributes } from '../../src/wire/bgp/types.js';
import { encodeUpdate, walkUpdate } from '../../src/wire/bgp/update.js';

const ctx = createDecodeContext({ fourOctetAs: true });
const target: UpdateTarget = {
  router: '192.0.2.254',
  peer: { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 0xc0000201 },
  view: 'adj-rib-in-pre',
};
const attributes: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [65001, 65002] }], nextHop: new Address(4, 0xc0000201) };
const announce = (p: string): Uint8Array => encodeUpdate({ attributes, announced: [{ prefix: parsePrefix(p), pathId: undefined, labels: undefined, rd: undefined }] }, ctx);
const withdraw = (p: string): Uint8Array => encodeUpdate({ withdrawn: [{ prefix: parsePrefix(p), pathId: undefined, labels: undefined, rd: undefined }] }, ctx);

function feed(visitor: RibUpdateVisitor, message: Uint8Array): void {
  visitor.finish(walkUpdate(message, 0, ctx, visitor));
}

test('repeated UPDATEs of one target resolve the peer-view once', () => {
  const rib = new Rib();
  const visitor = new RibUpdateVisitor(rib, target);
  for (let i = 0; i < 50; i++) feed(visitor, announce(`10.${i}.0.0/16`));
  feed(visitor, withdraw('10.0.0.0/16'));
  assert.equal(visitor.peerViewMisses, 1);
  assert.equal(rib.stats().routes, 49);
  // A second target object (another view) has its own entry; switching back still hits.
  const post: UpdateTarget = { ...target, view: 'adj-rib-in-post' };
  visitor.target = post;
  feed(visitor, announce('10.0.0.0/16'));
  visitor.target = target;
  feed(visitor, announce('10.0.0.0/16'));
  assert.equal(visitor.peerViewMisses, 2);
  assert.equal(rib.routes('10.0.0.0/16')?.routes.length, 2);
});

test('Peer Down and Peer Up make the next UPDATE use a fresh peer-view', () => {
  const rib = new Rib();
  const visitor = new RibUpdateVisitor(rib, target);
  feed(visitor, announce('10.1.0.0/16'));
  rib.peerDown(target.router, target.peer);
  feed(visitor, announce('10.2.0.0/16'));
  assert.equal(visitor.peerViewMisses, 2);
  assert.equal(rib.routes('10.1.0.0/16'), undefined, 'flushed by Peer Down');
  assert.equal(rib.routes('10.2.0.0/16')?.routes[0]?.stale, false, 'new route visible, not on the doomed peer-view');
  assert.equal(rib.peers(target.router)?.[0]?.state, 'up', 'a route after Peer Down brings the peer back up');
  rib.peerUp(target.router, target.peer);
  feed(visitor, announce('10.3.0.0/16'));
  assert.equal(visitor.peerViewMisses, 3);
  assert.equal(rib.routes('10.2.0.0/16')?.routes[0]?.stale, true, 'previous session routes are stale after Peer Up');
  assert.equal(rib.routes('10.3.0.0/16')?.routes[0]?.stale, false);
  while (rib.sweepStep());
  assert.equal(rib.stats().routes, 2);
});

test('router down and router flush make the next UPDATE use a fresh peer-view', () => {
  const rib = new Rib();
  const visitor = new RibUpdateVisitor(rib, target);
  feed(visitor, announce('10.1.0.0/16'));
  rib.routerDown(target.router);
  rib.routerUp(target.router);
  feed(visitor, announce('10.2.0.0/16'));
  assert.equal(visitor.peerViewMisses, 2);
  assert.equal(rib.routes('10.1.0.0/16')?.routes[0]?.stale, true);
  assert.equal(rib.routes('10.2.0.0/16')?.routes[0]?.stale, false);
  rib.flushRouter(target.router);
  feed(visitor, announce('10.3.0.0/16'));
  assert.equal(visitor.peerViewMisses, 3);
  while (rib.sweepStep());
  assert.equal(rib.routes('10.1.0.0/16'), undefined);
  assert.equal(rib.routes('10.2.0.0/16'), undefined);
  assert.equal(rib.routes('10.3.0.0/16')?.routes[0]?.stale, false);
  assert.equal(rib.stats().routes, 1);
});
