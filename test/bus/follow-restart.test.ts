/**
 * A replica killed with SIGKILL mid-stream and restarted goes on from its snapshot exactly:
 * the snapshot records the last stream sequence applied with the routes it produced, the
 * restart resumes the router sessions live then and consumes from that sequence + 1. Checked:
 * the first sequence applied after the restart is the snapshot's + 1, every route announced
 * after it is applied once (the replica's announcement counter equals the count in those
 * records), and the replica ends equal to the collector (routes, lookups, routers and peers).
 */
import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { test } from 'node:test';
import { decodeOpenBmpRecord } from '../../src/bus/openbmp.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import { Rib } from '../../src/rib/rib.js';
import { SnapshotDirectory } from '../../src/rib/snapshot-directory.js';
import { encodeBmpMessage, textTlv } from '../../src/wire/bmp/encode.js';
import { encodeUpdate } from '../../src/wire/bgp/update.js';
import type { PathAttributes } from '../../src/wire/bgp/types.js';
import { parseAddress } from '../../src/ip/address.js';
import { PEER_A, header, peerUp } from '../api/synthetic-router.js';
import { startTestService, waitFor } from '../e2e/support-service.js';
import { NatsServer, natsSkipReason, storedMessages } from '../support/nats.js';
import { ServeChild } from '../support/serve-child.js';
import { withTempDir } from '../support/temp-dir.js';
import { addressesOf, allRoutes, comparable, lookups, routersAndPeers } from './replica-support.js';

const skip = natsSkipReason();
const PER_MESSAGE = 10;
const ctx = { fourOctetAs: true, addPath: new Set<number>() };
async function json(url: string): Promise<any> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return response.json();
}

/** The answers compared, for a service in process or a child at `url`. */
const asService = (url: string) => ({ httpUrl: url }) as any;

/** Route Monitoring announcing `PER_MESSAGE` /24s from 10.(i>>5).(i&31)*8.0 on. */
function announce(i: number): Uint8Array {
  const attributes: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [65001, 65100 + (i % 50)] }], nextHop: parseAddress('192.0.2.1') };
  const nlri = Array.from({ length: PER_MESSAGE }, (_, k) => {
    const n = i * PER_MESSAGE + k;
    return { prefix: parsePrefix(`10.${(n >> 8) & 255}.${n & 255}.0/24`), pathId: undefined, labels: undefined, rd: undefined };
  });
  return encodeBmpMessage({ kind: 'routeMonitoring', peer: header(PEER_A, false), update: encodeUpdate({ attributes, announced: nlri }, ctx) });
}

function withdraw(i: number): Uint8Array {
  const n = i * PER_MESSAGE;
  const nlri = [{ prefix: parsePrefix(`10.${(n >> 8) & 255}.${n & 255}.0/24`), pathId: undefined, labels: undefined, rd: undefined }];
  return encodeBmpMessage({ kind: 'routeMonitoring', peer: header(PEER_A, false), update: encodeUpdate({ withdrawn: nlri }, ctx) });
}

test('follow: SIGKILL mid-stream, restart: from the snapshot\'s sequence + 1, nothing applied twice, nothing lost', { skip, timeout: 180_000 }, async () => {
  await withTempDir('ribstore-follow-', async (dir) => {
    const nats = await NatsServer.create();
    await nats.start();
    const collector = await startTestService({ publish: { servers: nats.url, collectorName: 'rc1', overflow: 'pause' } });
    const args = ['--follow', nats.url, '--subjects', 'ribstore.bmp.rc1.>', '--data-dir', dir, '--snapshot-interval', '100ms', '--log-level', 'info'];
    let live: Socket | undefined;
    // Every replica started, so that a failed check does not leave one writing into `dir`.
    const replicas: ServeChild[] = [];
    const startReplica = async (): Promise<ServeChild> => {
      const child = await ServeChild.start(args);
      replicas.push(child);
      return child;
    };
    try {
      let replica = await startReplica();
      live = await new Promise<Socket>((resolve, reject) => {
        const s = tcpConnect({ port: collector.bmpPort, host: '127.0.0.1', localAddress: '127.0.0.5' }, () => resolve(s));
        s.once('error', reject);
      });
      live.write(encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'restart-router')] }));
      live.write(peerUp(PEER_A));
      // Stream in batches while the replica follows; kill it once it has a snapshot and is mid-stream.
      const MESSAGES = 3000;
      let killedAt = -1;
      for (let i = 0; i < MESSAGES; i++) {
        live.write(announce(i));
        if (i % 50 === 49) live.write(withdraw(i - 25));
        if (i % 100 === 99) await new Promise((r) => setTimeout(r, 15));
        // A snapshot with routes in it: one written before the first record applied records no position.
        if (killedAt < 0 && i > 600 && replica.logs.some((l) => l.msg === 'snapshot written' && l.routes > 0)) {
          const stats = (await json(`${replica.url}/api/v1/stats`)).follower;
          if (stats.lastSequence > 0) {
            replica.child.kill('SIGKILL');
            killedAt = stats.lastSequence;
            await new Promise((r) => replica.child.once('exit', r));
          }
        }
      }
      assert.ok(killedAt > 0, 'the replica was killed mid-stream');
      // What the restart will restore: the newest intact snapshot and its stream position.
      const restored = await new SnapshotDirectory(dir).restoreNewest({}, () => {});
      assert.ok(restored?.stream, 'the snapshot records the stream position');
      const position = restored!.stream!.positions['RIBSTORE_BMP']!;
      assert.ok(position > 0, `snapshot at ${position}`);
      assert.deepEqual(restored!.stream!.sessions.map((s) => s.router), ['127.0.0.5'], 'the live session is recorded');
      assert.ok(restored!.rib instanceof Rib);

      replica = await startReplica();
      // The collector publishes the rest; the replica catches up.
      await waitFor('publisher drained', () => collector.publisher!.statistics().queuedMessages === 0, 60_000);
      const { messages, last } = await storedMessages(nats.url, 'RIBSTORE_BMP', position + 1);
      let expectedAnnouncements = 0;
      for (const message of messages) {
        const bmp = decodeOpenBmpRecord(message.data).bmp;
        // Route Monitoring without withdrawn routes: one of ours announcing PER_MESSAGE routes.
        if (bmp[5] === 0 && bmp[6 + 42 + 19] === 0 && bmp[6 + 42 + 20] === 0) expectedAnnouncements += PER_MESSAGE;
      }
      assert.ok(position < last - 100, `the snapshot (${position}) is mid-stream (last ${last})`);
      const follower = await waitFor(`replica at ${last}`, async () => {
        const f = (await json(`${replica.url}/api/v1/stats`)).follower;
        return f.lastSequence === last ? f : null;
      }, 60_000);
      assert.equal(follower.firstSequence, position + 1, 'consumed from the snapshot\'s sequence + 1');
      assert.equal(follower.applied, last - position, 'every record after the snapshot applied once');
      assert.equal(follower.skipped, 0);
      const stats = await json(`${replica.url}/api/v1/stats`);
      assert.equal(stats.collector.announcements, expectedAnnouncements, 'no route applied twice, none missed');
      assert.ok(replica.logs.some((l) => l.msg === 'BMP session resumed from the snapshot' && l.router === '127.0.0.5'));

      const routes = await allRoutes(collector);
      assert.ok(routes.length > MESSAGES * PER_MESSAGE * 0.9, `${routes.length} routes`);
      assert.deepEqual(await allRoutes(asService(replica.url)), routes, 'every route, attributes included');
      const addresses = addressesOf(routes);
      assert.deepEqual(await lookups(asService(replica.url), addresses), await lookups(collector, addresses));
      // Counters of messages and routes count since each process started: not compared.
      const counters = (v: unknown): unknown => JSON.parse(JSON.stringify(comparable(v), (k, x) => (['messages', 'announcements', 'withdrawals', 'sessions'].includes(k) ? undefined : x)));
      assert.deepEqual(counters(await routersAndPeers(asService(replica.url))), counters(await routersAndPeers(collector)));
      replica.child.kill('SIGTERM');
      await new Promise((r) => replica.child.once('exit', r));
    } finally {
      live?.destroy();
      // A check that failed while the replica ran: stop it before its directory is removed.
      for (const { child } of replicas) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      await collector.close();
      await nats.dispose();
    }
  });
});
