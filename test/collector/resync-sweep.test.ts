/**
 * The sweep after a reconnect covers every view the router re-sent, Loc-RIB included: a
 * router (our own BMP encoder, over a real socket) announces 10.1.0.0/16 and 10.1.2.0/24 in
 * Adj-RIB-In and Loc-RIB, disconnects, and while it is away 10.1.2.0/24 is withdrawn; it
 * reconnects and re-sends only 10.1.0.0/16. With a keep time of an hour, the /24 must leave
 * as soon as the re-send is complete: Adj-RIB-In on its End-of-RIB, Loc-RIB on its End-of-RIB
 * when sent (RFC 9069) or else after the Loc-RIB quiet period (GoBGP sends none). A peer the
 * router no longer re-sends (down while it was away) leaves once every re-sent Adj-RIB-In
 * peer-view has sent End-of-RIB; with no such signal nothing is swept early.
 */
import assert from 'node:assert/strict';
import { type Socket, connect } from 'node:net';
import { test } from 'node:test';
import { parseAddress } from '../../src/ip/address.js';
import type { Service } from '../../src/service/service.js';
import type { PathAttributes } from '../../src/wire/bgp/types.js';
import { encodeUpdate } from '../../src/wire/bgp/update.js';
import { encodeBmpMessage, textTlv } from '../../src/wire/bmp/encode.js';
import { capabilities, open, peerHeader, peerUp, route, routeMonitoring } from '../wire/bmp/build.js';
import { startTestService, waitFor } from '../e2e/support-service.js';

const ROUTER = '127.0.0.1';
const ADJ_PEER = peerHeader('192.0.2.1', 0, 0, 65001);
/** RFC 9069 Loc-RIB instance peer: type 3, zero address. */
const LOC_RIB = peerHeader('0.0.0.0', 0, 3, 64512);
const ATTRIBUTES: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [65001, 65020] }], nextHop: parseAddress('192.0.2.1') };
const ENCODING = { fourOctetAs: true };

/** A second Adj-RIB-In peer, which goes down while the router is away. */
const GONE_PEER = peerHeader('192.0.2.7', 0, 0, 65007);

/**
 * One session's stream: Initiation, Peer Ups, `prefixes` in both views (and from
 * `GONE_PEER` too when `withGonePeer`), End-of-RIB as asked.
 */
function stream(prefixes: string[], endOfRib: { adj: boolean; locRib: boolean }, withGonePeer = false): Uint8Array {
  const peers = withGonePeer ? [ADJ_PEER, GONE_PEER, LOC_RIB] : [ADJ_PEER, LOC_RIB];
  const messages = [encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'resync-router'), textTlv(1, 'ribstore resync test')] })];
  for (const peer of peers) messages.push(encodeBmpMessage(peerUp(peer, open(64512, capabilities(64512)), open(peer.peerAs, capabilities(peer.peerAs)))));
  for (const peer of peers) {
    messages.push(encodeBmpMessage(routeMonitoring(peer, { attributes: ATTRIBUTES, announced: prefixes.map((p) => route(p)) }, ENCODING)));
    if (peer === LOC_RIB ? endOfRib.locRib : endOfRib.adj) {
      // IPv4 unicast End-of-RIB (RFC 4724): an UPDATE with nothing in it.
      messages.push(encodeBmpMessage({ kind: 'routeMonitoring', peer, update: encodeUpdate({}, { fourOctetAs: true, addPath: new Set() }) }));
    }
  }
  return Buffer.concat(messages);
}

function send(service: Service, bytes: Uint8Array): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: service.bmpPort, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    socket.once('connect', () => socket.write(bytes, () => resolve(socket)));
    socket.once('error', reject);
  });
}

/** The views that hold 10.1.2.0/24 (stale included), sorted. */
function viewsOf24(service: Service): string[] {
  return (service.rib.routes('10.1.2.0/24')?.routes ?? []).map((r) => `${r.view}${r.stale ? ' (stale)' : ''}`).sort();
}

/** Run the reconnect scenario; returns the service with the second session connected and re-sent. */
async function reconnect(service: Service, resent: { adj: boolean; locRib: boolean }): Promise<Socket> {
  const first = await send(service, stream(['10.1.0.0/16', '10.1.2.0/24'], { adj: true, locRib: false }));
  await waitFor('first table', () => viewsOf24(service).length === 2);
  first.end();
  await waitFor('disconnect', () => service.collector.routers.get(ROUTER)?.state === 'disconnected');
  assert.deepEqual(viewsOf24(service), ['adj-rib-in-pre (stale)', 'loc-rib (stale)']);
  // While away, 10.1.2.0/24 was withdrawn: the router re-sends only the /16.
  const second = await send(service, stream(['10.1.0.0/16'], resent));
  await waitFor('the /16 re-sent in both views', () => {
    const routes = service.rib.routes('10.1.0.0/16')?.routes ?? [];
    return routes.length === 2 && routes.every((r) => !r.stale);
  });
  return second;
}

test('withdrawn while away leaves at once after the re-send: Adj-RIB-In on End-of-RIB, Loc-RIB after the quiet period', async () => {
  const service = await startTestService({ keepMs: 3_600_000, sessionHygiene: { locRibQuietMs: 400 } });
  let socket: Socket | undefined;
  try {
    const resentAt = Date.now();
    socket = await reconnect(service, { adj: true, locRib: false });
    // Adj-RIB-In: its End-of-RIB came with the re-send, so the stale /24 there is gone already;
    // GoBGP-like Loc-RIB (no End-of-RIB) keeps it until the quiet period has passed.
    await waitFor('Adj-RIB-In swept on End-of-RIB', () => !viewsOf24(service).includes('adj-rib-in-pre (stale)'));
    await waitFor('Loc-RIB swept after the quiet period', () => viewsOf24(service).length === 0, 5_000);
    const elapsed = Date.now() - resentAt;
    assert.ok(elapsed < 5_000, `swept ${elapsed} ms after the re-send, not after the keep time`);
    // Answered live at once: the live /16 in both views, nothing stale left under it.
    const answer = service.rib.lookup('10.1.2.3', { stale: 'include' });
    assert.equal(answer?.prefix, '10.1.0.0/16');
    assert.deepEqual(answer.routes.map((r) => `${r.view}${r.stale ? ' (stale)' : ''}`).sort(), ['adj-rib-in-pre', 'loc-rib']);
  } finally {
    socket?.destroy();
    await service.close();
  }
});

test('a Loc-RIB End-of-RIB (RFC 9069) sweeps the stale Loc-RIB at once, without waiting for the quiet period', async () => {
  const service = await startTestService({ keepMs: 3_600_000, sessionHygiene: { locRibQuietMs: 3_600_000 } });
  let socket: Socket | undefined;
  try {
    socket = await reconnect(service, { adj: true, locRib: true });
    await waitFor('both views swept on their End-of-RIBs', () => viewsOf24(service).length === 0, 3_000);
  } finally {
    socket?.destroy();
    await service.close();
  }
});

test('without End-of-RIB and before the quiet period, nothing not yet re-sent is swept', async () => {
  const service = await startTestService({ keepMs: 3_600_000, sessionHygiene: { locRibQuietMs: 3_600_000 } });
  let socket: Socket | undefined;
  try {
    socket = await reconnect(service, { adj: false, locRib: false });
    // Let several collector ticks (100 ms each) pass: no signal says the re-send is complete.
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.deepEqual(viewsOf24(service), ['adj-rib-in-pre (stale)', 'loc-rib (stale)']);
    // The default lookup still answers the live /16 (stale-only /24 under a live cover).
    assert.equal(service.rib.lookup('10.1.2.3')?.prefix, '10.1.0.0/16');
  } finally {
    socket?.destroy();
    await service.close();
  }
});

test('a peer that went down while the router was away leaves once every re-sent Adj-RIB-In peer-view has sent End-of-RIB', async () => {
  const service = await startTestService({ keepMs: 3_600_000, sessionHygiene: { locRibQuietMs: 3_600_000 } });
  let socket: Socket | undefined;
  try {
    const first = await send(service, stream(['10.1.0.0/16', '10.1.2.0/24'], { adj: true, locRib: false }, true));
    await waitFor('first table', () => viewsOf24(service).length === 3);
    first.end();
    await waitFor('disconnect', () => service.collector.routers.get(ROUTER)?.state === 'disconnected');
    // The second session has no Peer Up for GONE_PEER: no End-of-RIB will ever sweep its twin.
    socket = await send(service, stream(['10.1.0.0/16', '10.1.2.0/24'], { adj: true, locRib: true }));
    await waitFor('the gone peer swept', () => (service.rib.routes('10.1.0.0/16')?.routes ?? []).every((r) => r.peer.address !== '192.0.2.7' && !r.stale), 3_000);
    assert.deepEqual(viewsOf24(service), ['adj-rib-in-pre', 'loc-rib']);
  } finally {
    socket?.destroy();
    await service.close();
  }
});
