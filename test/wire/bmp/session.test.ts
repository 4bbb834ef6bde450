import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RibstoreError } from '../../../src/errors.js';
import type { NlriCursor } from '../../../src/wire/bgp/nlri.js';
import type { PathAttributes } from '../../../src/wire/bgp/types.js';
import { BmpSession } from '../../../src/wire/bmp/index.js';
import type { BmpRouteMonitoring } from '../../../src/wire/bmp/types.js';
import { capabilities, open, peerHeader, peerUp, route, routeMonitoring } from './build.js';

const attributes: PathAttributes = {
  origin: 0,
  asPath: [{ type: 2, asns: [65001, 4200000001] }],
  nextHop: undefined,
  med: 10,
};
const withNextHop = (): PathAttributes => ({ ...attributes, nextHop: peerHeader('192.0.2.9').address });

function announced(session: BmpSession, message: BmpRouteMonitoring): string[] {
  return session.decodeUpdate(message).announced.map((r) => `${r.prefix}${r.pathId === undefined ? '' : `#${r.pathId}`}`);
}

test('ADD-PATH applies when the sender may send and the receiver may receive, per view direction', () => {
  const session = new BmpSession();
  const peer = peerHeader('192.0.2.1');
  // router (sent OPEN) receives path ids for IPv4 unicast; the peer (received OPEN) sends them
  session.receive(peerUp(peer, open(65000, capabilities(65000, [{ afi: 1, safi: 1, sendReceive: 1 }])), open(65001, capabilities(65001, [{ afi: 1, safi: 1, sendReceive: 2 }]))));
  const inbound = routeMonitoring(peer, { announced: [route('198.51.100.0/24', 7)], attributes: withNextHop() }, { fourOctetAs: true, addPathIpv4: true });
  assert.deepStrictEqual(announced(session, inbound), ['198.51.100.0/24#7']);
  // post-policy Adj-RIB-In: same direction
  const post = { ...inbound, peer: peerHeader('192.0.2.1', 0x40) };
  assert.deepStrictEqual(announced(session, post), ['198.51.100.0/24#7']);
  // Adj-RIB-Out (O flag): the router sends, the peer does not receive: no path ids
  const out = routeMonitoring(peerHeader('192.0.2.1', 0x10), { announced: [route('203.0.113.0/24')], attributes: withNextHop() }, { fourOctetAs: true });
  assert.deepStrictEqual(announced(session, out), ['203.0.113.0/24']);
  assert.equal(session.addPathFallbacks, 0);
});

test('ADD-PATH in the wrong direction is not used', () => {
  const session = new BmpSession();
  const peer = peerHeader('192.0.2.1');
  // the peer only receives, the router only sends: inbound UPDATEs carry no path ids
  session.receive(peerUp(peer, open(65000, capabilities(65000, [{ afi: 1, safi: 1, sendReceive: 2 }])), open(65001, capabilities(65001, [{ afi: 1, safi: 1, sendReceive: 1 }]))));
  const inbound = routeMonitoring(peer, { announced: [route('198.51.100.0/24'), route('198.51.101.0/24')], attributes: withNextHop() }, { fourOctetAs: true });
  assert.deepStrictEqual(announced(session, inbound), ['198.51.100.0/24', '198.51.101.0/24']);
  // but Adj-RIB-Out does
  const out = routeMonitoring(peerHeader('192.0.2.1', 0x10), { announced: [route('203.0.113.0/24', 9)], attributes: withNextHop() }, { fourOctetAs: true, addPathIpv4: true });
  assert.deepStrictEqual(announced(session, out), ['203.0.113.0/24#9']);
});

test('4-octet AS: from the OPENs for pre-policy, the A flag overrides, 4-byte without a Peer Up', () => {
  const session = new BmpSession();
  const twoByte = peerHeader('192.0.2.2');
  // the peer did not offer 4-octet AS: its pre-policy UPDATEs use 2-byte AS numbers (+ AS4_PATH)
  session.receive(peerUp(twoByte, open(65000, capabilities(65000)), open(65002, [])));
  const pre = routeMonitoring(twoByte, { announced: [route('198.51.100.0/24')], attributes: withNextHop() }, { fourOctetAs: false });
  assert.deepStrictEqual(session.decodeUpdate(pre).attributes.asPath, [{ type: 2, asns: [65001, 4200000001] }]);
  // A flag set on a 4-octet peer
  const legacy = routeMonitoring(peerHeader('192.0.2.3', 0x20), { announced: [route('198.51.100.0/24')], attributes: withNextHop() }, { fourOctetAs: false });
  assert.deepStrictEqual(session.decodeUpdate(legacy).attributes.asPath, [{ type: 2, asns: [65001, 4200000001] }]);
  // unknown peer, no A flag: 4-byte
  const unknown = routeMonitoring(peerHeader('192.0.2.4'), { announced: [route('198.51.100.0/24')], attributes: withNextHop() }, { fourOctetAs: true });
  assert.deepStrictEqual(session.decodeUpdate(unknown).attributes.asPath, [{ type: 2, asns: [65001, 4200000001] }]);
  assert.equal(session.asSizeFallbacks, 0);
});

test('a 2-byte AS_PATH without the A flag (FRR post-policy, Loc-RIB) is decoded by the fallback', () => {
  const session = new BmpSession();
  const peer = peerHeader('192.0.2.5', 0x40);
  session.receive(peerUp(peer, open(65000, capabilities(65000)), open(65001, capabilities(65001))));
  const attrs: PathAttributes = { ...withNextHop(), asPath: [{ type: 2, asns: [65001, 65002] }] };
  const message = routeMonitoring(peer, { announced: [route('198.51.100.0/24')], attributes: attrs }, { fourOctetAs: false });
  const update = session.decodeUpdate(message);
  assert.deepStrictEqual(update.errors, []);
  assert.deepStrictEqual(update.attributes.asPath, [{ type: 2, asns: [65001, 65002] }]);
  assert.equal(session.asSizeFallbacks, 1);
  // the fast path agrees and delivers nothing twice
  const seen: string[] = [];
  const result = session.walkUpdate(message, {
    attributes: (decoded) => seen.push(`attrs ${decoded.errors.length}`),
    withdraw: (r: NlriCursor) => seen.push(`-${r.prefix()}`),
    announce: (r: NlriCursor) => seen.push(`+${r.prefix()}`),
  });
  assert.deepStrictEqual(seen, ['attrs 0', '+198.51.100.0/24']);
  assert.equal(result.announced, 1);
});

test('Loc-RIB Peer Ups per AFI/SAFI add up (Huawei); Peer Down forgets the peer', () => {
  const session = new BmpSession();
  const locRib = peerHeader('0.0.0.0', 0, 3);
  const v4 = capabilities(65000, [{ afi: 1, safi: 1, sendReceive: 3 }]);
  const v6 = capabilities(65000, [{ afi: 2, safi: 1, sendReceive: 3 }]);
  session.receive(peerUp(locRib, open(65000, v4), open(65000, v4)));
  session.receive(peerUp(locRib, open(65000, v6), open(65000, v6)));
  const message = routeMonitoring(locRib, { announced: [route('198.51.100.0/24', 1)], attributes: withNextHop() }, { fourOctetAs: true, addPathIpv4: true });
  assert.deepStrictEqual(announced(session, message), ['198.51.100.0/24#1']);
  assert.equal(session.addPathFallbacks, 0);
  assert.equal([...session.peers].length, 1);
  session.receive({ kind: 'peerDown', peer: locRib, reason: 4 });
  assert.equal([...session.peers].length, 0);
  assert.equal(session.peerState(locRib), undefined);
  // without the state the path ids are still found, by the fallback
  assert.deepStrictEqual(announced(session, message), ['198.51.100.0/24#1']);
  assert.equal(session.addPathFallbacks, 1);
});

test('a Peer Up with a broken OPEN is a DecodeError at its stream offset', () => {
  const session = new BmpSession();
  const peer = peerHeader('192.0.2.1');
  const bad = open(65001, []).slice();
  bad[19] = 9; // BGP version 9... and a hold time of 0 is fine; break the length of optional params
  bad[28] = 200;
  assert.throws(
    () => session.receive(peerUp(peer, open(65000, []), bad), 1000),
    (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'DECODE_ERROR' && (e as { messageType?: string }).messageType === 'BMP Peer Up',
  );
});

test('a session keeps at most maxPeers peers', () => {
  const session = new BmpSession({ maxPeers: 2 });
  const up = (address: string) => peerUp(peerHeader(address), open(65000, []), open(65001, []));
  session.receive(up('192.0.2.1'));
  session.receive(up('192.0.2.2'));
  session.receive(up('192.0.2.2')); // the same peer again is a replacement, not a third
  assert.throws(() => session.receive(up('192.0.2.3'), 500), (e: unknown) => e instanceof RibstoreError && e.code === 'LIMIT_EXCEEDED' && /offset 500/.test(e.message));
  session.receive({ kind: 'peerDown', peer: peerHeader('192.0.2.1'), reason: 4 });
  session.receive(up('192.0.2.3'));
  assert.equal([...session.peers].length, 2);
  assert.throws(() => new BmpSession({ maxPeers: 0 }), (e: unknown) => e instanceof RibstoreError && e.code === 'INVALID_ARGUMENT');
});
