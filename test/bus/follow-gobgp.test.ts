/**
 * Replicas of a collector fed by real routers: a GoBGP pair (test/support/gobgp.ts; the
 * injector originates IPv4 and IPv6 routes, the monitored router sends BMP with pre-policy,
 * post-policy and Loc-RIB monitoring) feeds a collector with `--publish`; two replicas follow
 * the stream. Once the table is in, each replica's routes (attributes included), lookups,
 * routers and peers equal the collector's; a withdrawal and a Peer Down reach both.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from '../../src/service/service.js';
import { startTestService } from '../e2e/support-service.js';
import { freePortBlock, gobgpSkipReason, startGobgpPair, waitFor } from '../support/gobgp.js';
import { NatsServer, natsSkipReason } from '../support/nats.js';
import { allRoutes, assertEqual, caughtUp } from './replica-support.js';

const skip = natsSkipReason() || gobgpSkipReason();
const V4 = 60;

test('follow: a GoBGP router\'s table, a withdrawal and a Peer Down reach two replicas, equal to the collector', { skip, timeout: 240_000 }, async () => {
  const nats = await NatsServer.create();
  await nats.start();
  const ports = await freePortBlock(5, 23000, 23999);
  const collector = await startTestService({ bmpListen: { host: '127.0.0.1', port: ports + 4 }, publish: { servers: nats.url, collectorName: 'rc1', overflow: 'pause' } });
  const replicas: Service[] = [];
  let pair: Awaited<ReturnType<typeof startGobgpPair>> | undefined;
  try {
    for (let i = 0; i < 2; i++) replicas.push(await startTestService({ follow: { servers: nats.url, subject: 'ribstore.bmp.rc1.>' } }));
    pair = await startGobgpPair({ portBase: ports, bmpPort: ports + 4, bmpPolicy: 'all' });
    const injector = pair.injector;
    for (let i = 0; i < V4; i++) await injector.cli('global', 'rib', '-a', 'ipv4', 'add', `10.${i}.0.0/16`, 'nexthop', '192.0.2.10', 'aspath', `65100,${65200 + i}`, 'community', `65000:${i}`);
    await injector.cli('global', 'rib', '-a', 'ipv6', 'add', '2001:db8:10::/48', 'nexthop', '2001:db8::10', 'aspath', '65100,{65300,65301}', 'large-community', '65000:3:4');
    const has = async (service: Service, prefix: string): Promise<number> => (await allRoutes(service)).filter((r) => r.startsWith(`["${prefix}"`)).length;
    // pre-policy, post-policy and Loc-RIB of every prefix at the collector
    await waitFor(async () => (await allRoutes(collector)).length === (V4 + 1) * 3, 60_000, 'the table at the collector');
    const settle = async (): Promise<void> => {
      for (const replica of replicas) await caughtUp(nats.url, collector, replica);
      for (const replica of replicas) await assertEqual(collector, replica);
    };
    await settle();
    assert.equal((await allRoutes(replicas[1]!)).length, (V4 + 1) * 3);

    await injector.cli('global', 'rib', '-a', 'ipv4', 'del', '10.7.0.0/16');
    await waitFor(async () => (await has(collector, '10.7.0.0/16')) === 0, 60_000, 'the withdrawal at the collector');
    await settle();
    for (const replica of replicas) assert.equal(await has(replica, '10.7.0.0/16'), 0, 'the withdrawal reached the replica');

    await pair.router.cli('neighbor', pair.injectorAddress, 'disable');
    await waitFor(async () => (await allRoutes(collector)).every((r) => !r.includes(`"address":"${pair!.injectorAddress}"`)), 60_000, 'the Peer Down at the collector');
    await settle();
    for (const replica of replicas) {
      const peer = [...replica.collector.routers.values()].flatMap((r) => [...r.peers.values()]).find((p) => p.address === pair!.injectorAddress);
      assert.equal(peer?.counters.state, 'down', 'the Peer Down reached the replica');
    }
  } finally {
    await pair?.stop();
    for (const replica of replicas) await replica.close();
    await collector.close();
    await nats.dispose();
  }
});
