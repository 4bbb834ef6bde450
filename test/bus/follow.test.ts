/**
 * `serve --follow` against a real nats-server -js: a collector publishes what its routers send
 * (`--publish`), a replica follows the stream, and the replica's answers equal the collector's
 * (every route with its attributes, lookups, routers and their peers), under the routers' real
 * addresses; a withdrawal and a Peer Down sent later reach the replica too; hostile records are
 * skipped and counted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { test } from 'node:test';
import { connect } from 'nats';
import { parsePrefix } from '../../src/ip/prefix.js';
import { parseAddress } from '../../src/ip/address.js';
import { encodeOpenBmpRecord } from '../../src/bus/openbmp.js';
import type { Service } from '../../src/service/service.js';
import { encodeBmpMessage } from '../../src/wire/bmp/encode.js';
import { encodeUpdate } from '../../src/wire/bgp/update.js';
import { PEER_A, PEER_B, header, syntheticStream } from '../api/synthetic-router.js';
import { replay } from '../e2e/bmp-replay.js';
import { getJson, startTestService, waitFor } from '../e2e/support-service.js';
import { NatsServer, natsSkipReason } from '../support/nats.js';
import { skipOrFail } from '../support/requirements.js';
import { sharedData, skipUnlessShared } from '../support/shared-data.js';
import { allRoutes, assertEqual, caughtUp } from './replica-support.js';

const STREAM_A = ['204-BMP-CISCO-peer_down', 'traffic-00.s0.bmp'];
const STREAM_B = ['205-BMP-6wind-FRR-peer_down', 'traffic-00.s0.bmp'];
const skip = natsSkipReason() || skipOrFail(skipUnlessShared('bmp', STREAM_A[0]!)) || skipOrFail(skipUnlessShared('bmp', STREAM_B[0]!));

/** A live BMP session from `localAddress` (kept open until destroyed). */
function openSession(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ port, host: '127.0.0.1', localAddress });
    socket.once('error', reject);
    socket.once('connect', () => resolve(socket));
  });
}

test('follow: a replica equals its collector; a withdrawal and a Peer Down reach it', { skip, timeout: 120_000 }, async () => {
  const nats = await NatsServer.create();
  await nats.start();
  // The replica starts first: no stream yet, it retries until the collector creates it.
  const replica = await startTestService({ follow: { servers: nats.url, subject: 'ribstore.bmp.rc1.>' } });
  const collector = await startTestService({ publish: { servers: nats.url, collectorName: 'rc1', overflow: 'pause' } });
  let live: Socket | undefined;
  try {
    await replay(new Uint8Array(readFileSync(sharedData('bmp', ...STREAM_A))), collector.bmpPort, '127.0.0.1');
    await replay(new Uint8Array(readFileSync(sharedData('bmp', ...STREAM_B))), collector.bmpPort, '127.0.0.2');
    live = await openSession(collector.bmpPort, '127.0.0.3');
    live.write(syntheticStream());
    await waitFor('live router up on the collector', () => collector.collector.routers.get('127.0.0.3')?.state === 'connected');
    const last = await caughtUp(nats.url, collector, replica);

    const routes = await assertEqual(collector, replica);
    assert.ok(routes.length > 100, `the table is in (${routes.length} routes)`);
    const names = (await getJson(replica, '/api/v1/routers')).body.routers.map((r: { name: string }) => r.name).sort();
    assert.deepEqual(names, ['127.0.0.1', '127.0.0.2', '127.0.0.3'], 'routers under their real addresses');
    const states = Object.fromEntries([...replica.collector.routers].map(([name, r]) => [name, r.state]));
    assert.deepEqual(states, { '127.0.0.1': 'disconnected', '127.0.0.2': 'disconnected', '127.0.0.3': 'connected' }, 'ended sessions end on the replica too');

    // A withdrawal on the live session reaches the replica.
    const has = async (service: Service, prefix: string): Promise<number> => (await allRoutes(service)).filter((r) => r.startsWith(`["${prefix}"`)).length;
    assert.equal(await has(replica, '10.1.2.0/24'), 2, 'pre and post policy');
    const withdraw = encodeUpdate({ withdrawn: [{ prefix: parsePrefix('10.1.2.0/24'), pathId: undefined, labels: undefined, rd: undefined }] }, { fourOctetAs: true, addPath: new Set<number>() });
    live.write(encodeBmpMessage({ kind: 'routeMonitoring', peer: header(PEER_A, false), update: withdraw }));
    await caughtUp(nats.url, collector, replica);
    assert.equal(await has(replica, '10.1.2.0/24'), 1, 'the pre-policy route is withdrawn on the replica');
    await assertEqual(collector, replica);

    // A Peer Down on the live session reaches the replica: the peer is down, its routes gone.
    assert.ok((await has(replica, '2001:db8:100::/40')) > 0);
    live.write(encodeBmpMessage({ kind: 'peerDown', peer: header(PEER_B, false), reason: 4 }));
    await caughtUp(nats.url, collector, replica);
    await waitFor('peer B routes flushed on the replica', async () => (await has(replica, '2001:db8:100::/40')) === 0);
    const peerB = [...replica.collector.routers.get('127.0.0.3')!.peers.values()].find((p) => p.address === PEER_B.address)!;
    assert.equal(peerB.counters.state, 'down');
    assert.equal(peerB.counters.lastDownReason, 4);
    await assertEqual(collector, replica);

    // Hostile records: an unreadable one, and a router's record outside any session (no
    // Initiation before it). Both are skipped and counted; the replica carries on, unchanged.
    const nc = await connect({ servers: nats.url });
    try {
      const js = nc.jetstream();
      await js.publish('ribstore.bmp.rc1.junk', Uint8Array.of(0x4f, 0x42, 0x4d, 0x50, 1, 7, 0, 200, 0, 0, 0, 9));
      const stray = encodeBmpMessage({ kind: 'routeMonitoring', peer: header(PEER_A, false), update: withdraw });
      await js.publish('ribstore.bmp.rc1.192_0_2_99', encodeOpenBmpRecord({ collectorAdminId: 'rc1', routerAddress: parseAddress('192.0.2.99'), timestampSeconds: 1, timestampMicroseconds: 0 }, stray));
      const end = (await (await nc.jetstreamManager()).streams.info('RIBSTORE_BMP')).state.last_seq;
      await waitFor('hostile records consumed', () => replica.follower!.statistics().lastSequence === end);
    } finally {
      await nc.close();
    }
    assert.equal(replica.follower!.statistics().skipped, 2);
    assert.equal(replica.collector.routers.has('192.0.2.99'), false);
    await assertEqual(collector, replica);

    // Follow state in /api/v1/stats and /metrics.
    const stats = (await getJson(replica, '/api/v1/stats')).body.follower;
    assert.equal(stats.connected, true);
    assert.equal(stats.stream, 'RIBSTORE_BMP');
    assert.ok(stats.lastSequence > last);
    assert.equal(stats.pending, 0);
    assert.equal(stats.skipped, 2);
    const metrics = await (await fetch(`${replica.httpUrl}/metrics`)).text();
    assert.match(metrics, /^ribstore_follow_connected 1$/m);
    assert.match(metrics, new RegExp(`^ribstore_follow_last_sequence ${stats.lastSequence}$`, 'm'));
    assert.match(metrics, new RegExp(`^ribstore_follow_applied_total ${stats.applied}$`, 'm'));
  } finally {
    live?.destroy();
    await replica.close();
    await collector.close();
    await nats.dispose();
  }
});
