/**
 * 300 idle TCP connections (from 300 loopback addresses, none sending a byte) are open when a
 * real router, GoBGP (test/support/gobgp.ts), connects over BMP: it must get in and its routes
 * must arrive. Before session hygiene the idle connections held 255 of the 256 session slots
 * and the router was refused. The idle ones are not timed out here (Initiation timeout 60 s):
 * the pending-connection limit makes room by closing the oldest.
 */
import assert from 'node:assert/strict';
import { type Socket, connect } from 'node:net';
import { test } from 'node:test';
import { freePortBlock, gobgpSkipReason, startGobgpPair } from '../support/gobgp.js';
import { getJson, startTestService, waitFor } from './support-service.js';

test('300 idle connections do not stop a real router (GoBGP) from connecting', { skip: gobgpSkipReason(), timeout: 180_000 }, async () => {
  const service = await startTestService({ sessionHygiene: { initiationTimeoutMs: 60_000 } });
  const idle: Socket[] = [];
  let closedIdle = 0;
  const pair = { stop: async () => undefined } as { stop(): Promise<void> };
  try {
    for (let i = 0; i < 300; i++) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect({ port: service.bmpPort, host: '127.0.0.1', localAddress: `127.0.${10 + Math.floor(i / 200)}.${1 + (i % 200)}` });
        socket.on('error', () => undefined);
        socket.once('close', () => closedIdle++);
        socket.once('connect', () => resolve());
        socket.once('error', reject);
        idle.push(socket);
      });
    }
    await waitFor('the collector to settle at its pending limit', () => service.collector.totals.sessionsOpen === 64, 20_000);
    assert.equal(service.collector.totals.errors.rejected, 0, 'no connection was refused');

    const started = await startGobgpPair({ portBase: await freePortBlock(4, 23000, 23999), bmpPort: service.bmpPort, bmpPolicy: 'pre-policy' });
    pair.stop = () => started.stop();
    await started.injector.cli('global', 'rib', '-a', 'ipv4', 'add', '10.77.0.0/16', 'nexthop', '192.0.2.77', 'aspath', '65177');
    await waitFor('the GoBGP router to connect and send its route', async () => (await getJson(service, '/api/v1/lookup?address=10.77.1.1')).status === 200, 90_000);
    const routers = await getJson(service, '/api/v1/routers');
    const router = routers.body.routers.find((r: any) => r.bmp?.state === 'connected');
    assert.equal(router.name, '127.0.0.1');
    assert.ok(closedIdle >= 236, `${closedIdle} idle connections closed to make room`);
    assert.equal(service.collector.totals.errors.rejected, 0);
  } finally {
    for (const socket of idle) socket.destroy();
    await pair.stop();
    await service.close();
  }
});
