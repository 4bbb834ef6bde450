/**
 * NATS goes away while a router streams, then comes back: the collector never stops collecting
 * (`--publish-overflow pause`), the replica says it is disconnected, and once NATS is back it
 * converges: equal to the collector, every record applied once.
 */
import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { test } from 'node:test';
import { parseAddress } from '../../src/ip/address.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import { encodeBmpMessage, textTlv } from '../../src/wire/bmp/encode.js';
import { encodeUpdate } from '../../src/wire/bgp/update.js';
import { PEER_A, header, peerUp } from '../api/synthetic-router.js';
import { startTestService, waitFor } from '../e2e/support-service.js';
import { NatsServer, natsSkipReason } from '../support/nats.js';
import { assertEqual, caughtUp } from './replica-support.js';

const skip = natsSkipReason();
const ctx = { fourOctetAs: true, addPath: new Set<number>() };

function announce(i: number): Uint8Array {
  const nlri = [{ prefix: parsePrefix(`10.${(i >> 8) & 255}.${i & 255}.0/24`), pathId: undefined, labels: undefined, rd: undefined }];
  return encodeBmpMessage({ kind: 'routeMonitoring', peer: header(PEER_A, false), update: encodeUpdate({ attributes: { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: parseAddress('192.0.2.1') }, announced: nlri }, ctx) });
}

test('follow: NATS down mid-stream and back: the collector keeps collecting, the replica converges', { skip, timeout: 120_000 }, async () => {
  const nats = await NatsServer.create();
  await nats.start();
  const collector = await startTestService({ publish: { servers: nats.url, collectorName: 'rc1', overflow: 'pause' } });
  const replica = await startTestService({ follow: { servers: nats.url, subject: 'ribstore.bmp.rc1.>' } });
  let live: Socket | undefined;
  try {
    live = await new Promise<Socket>((resolve, reject) => {
      const s = tcpConnect({ port: collector.bmpPort, host: '127.0.0.1', localAddress: '127.0.0.6' }, () => resolve(s));
      s.once('error', reject);
    });
    live.write(encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'outage-router')] }));
    live.write(peerUp(PEER_A));
    for (let i = 0; i < 500; i++) live.write(announce(i));
    await caughtUp(nats.url, collector, replica);
    await nats.stop();
    await waitFor('the replica sees NATS gone', () => !replica.follower!.statistics().connected, 20_000);
    for (let i = 500; i < 1000; i++) live.write(announce(i));
    await waitFor('the collector keeps collecting', () => collector.rib.stats().routes === 1000, 20_000);
    await nats.start();
    await caughtUp(nats.url, collector, replica);
    await assertEqual(collector, replica);
    const stats = replica.follower!.statistics();
    assert.equal(stats.applied, stats.lastSequence, 'every record applied once');
    assert.ok(stats.disconnects >= 1);
    assert.equal(stats.connected, true);
  } finally {
    live?.destroy();
    await replica.close();
    await collector.close();
    await nats.dispose();
  }
});
