/**
 * Router identity over real sockets: two BMP sessions from one address (127.0.0.1) with
 * different sysNames stay two routers with separate RIBs (`--router-id-from auto`); the same
 * sysName reconnecting replaces its own session; with `address` naming, a second sysName is
 * refused while the live session is active and replaces it once it has been quiet past
 * `replaceQuietMs`; `sysname` naming; the name rule itself.
 */
import assert from 'node:assert/strict';
import { type Socket, connect } from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Service } from '../../src/service/service.js';
import { RouterNames, parseRouterIdMode } from '../../src/collector/router-identity.js';
import { encodeBmpMessage, textTlv } from '../../src/wire/bmp/encode.js';
import { syntheticStream } from '../api/synthetic-router.js';
import { replay } from '../e2e/bmp-replay.js';
import { getJson, startTestService, waitFor } from '../e2e/support-service.js';

const initiation = (sysName: string): Uint8Array => encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, sysName), textTlv(1, 'ribstore identity test')] });

/** The synthetic router's stream (test/api/synthetic-router.ts) with its Initiation's sysName replaced. */
function streamAs(sysName: string): Uint8Array {
  const stream = syntheticStream();
  const original = encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'synthetic-router'), textTlv(1, 'ribstore test stream')] });
  return Buffer.concat([initiation(sysName), stream.subarray(original.length)]);
}

function open(service: Service, bytes: Uint8Array): Promise<Socket & { closedAt?: number }> {
  return new Promise((resolve, reject) => {
    const socket: Socket & { closedAt?: number } = connect({ port: service.bmpPort, host: '127.0.0.1', localAddress: '127.0.0.1' });
    socket.on('error', () => undefined);
    socket.on('close', () => (socket.closedAt = Date.now()));
    socket.once('connect', () => {
      socket.write(bytes);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

test('the name rule: address, sysname, auto', () => {
  const auto = new RouterNames('auto');
  assert.equal(auto.nameOf('192.0.2.1', 'frr'), '192.0.2.1');
  assert.equal(auto.nameOf('192.0.2.1', 'gobgp'), 'gobgp@192.0.2.1');
  assert.equal(auto.nameOf('192.0.2.1', 'frr'), '192.0.2.1');
  assert.equal(auto.nameOf('192.0.2.1', null), 'unnamed@192.0.2.1');
  assert.equal(auto.nameOf('192.0.2.2', null), '192.0.2.2');
  assert.equal(new RouterNames('address').nameOf('192.0.2.1', 'gobgp'), '192.0.2.1');
  assert.equal(new RouterNames('sysname').nameOf('192.0.2.1', 'gobgp'), 'gobgp');
  assert.equal(new RouterNames('sysname').nameOf('192.0.2.1', null), '192.0.2.1');
  assert.equal(parseRouterIdMode('sysname'), 'sysname');
  assert.throws(() => parseRouterIdMode('bgp-id'), /expected one of address, sysname, auto/);
});

test('auto: two sessions from one address with different sysNames stay two routers; the same sysName replaces its own', async () => {
  const service = await startTestService({ keepMs: 3_600_000 });
  const sockets: (Socket & { closedAt?: number })[] = [];
  try {
    // Both send the same table: with separate RIBs each router holds all of it.
    sockets.push(await open(service, streamAs('router-a')));
    await waitFor('router-a', () => service.collector.routers.get('127.0.0.1')?.state === 'connected');
    sockets.push(await open(service, streamAs('router-b')));
    await waitFor('router-b', () => service.collector.routers.get('router-b@127.0.0.1')?.state === 'connected');
    const routes = async (): Promise<Record<string, number>> => Object.fromEntries((await getJson(service, '/api/v1/routers')).body.routers.map((r: any) => [r.name, r.routes]));
    await waitFor('both tables', async () => {
      const counts = await routes();
      return counts['127.0.0.1']! > 0 && counts['127.0.0.1'] === counts['router-b@127.0.0.1'] ? counts : undefined;
    });
    assert.equal(sockets[0]!.closedAt, undefined, 'router-a was not evicted by router-b');
    const routers = (await getJson(service, '/api/v1/routers')).body.routers;
    const named = Object.fromEntries(routers.map((r: any) => [r.name, r.bmp]));
    assert.equal(named['127.0.0.1'].sysName, 'router-a');
    assert.equal(named['router-b@127.0.0.1'].sysName, 'router-b');
    assert.equal(named['router-b@127.0.0.1'].address, '127.0.0.1');
    const a = await getJson(service, '/api/v1/lookup?address=10.1.2.3&router=127.0.0.1');
    assert.ok(a.body.routes.length > 0 && a.body.routes.every((r: any) => r.router === '127.0.0.1'), 'router-a answers with its own routes');
    const b = await getJson(service, `/api/v1/lookup?address=10.1.2.3&router=${encodeURIComponent('router-b@127.0.0.1')}`);
    assert.equal(b.body.fallback, false);
    assert.ok(b.body.routes.every((r: any) => r.router === 'router-b@127.0.0.1'));
    assert.equal(a.body.routes.length, b.body.routes.length);
    // router-a reconnects: its new session replaces its old one, router-b is untouched.
    sockets.push(await open(service, initiation('router-a')));
    await waitFor('the old router-a session to be replaced', () => sockets[0]!.closedAt !== undefined);
    assert.equal(service.collector.routers.get('127.0.0.1')!.sessions, 2);
    assert.match(service.collector.routers.get('127.0.0.1')!.state, /connected/);
    assert.equal(sockets[1]!.closedAt, undefined);
    assert.equal(service.collector.routers.size, 2);
  } finally {
    for (const socket of sockets) socket.destroy();
    await service.close();
  }
});

test('address naming: another sysName is refused while the live session is active, and replaces it once it is quiet', async () => {
  const service = await startTestService({ sessionHygiene: { routerIdFrom: 'address', replaceQuietMs: 800 } });
  const sockets: (Socket & { closedAt?: number })[] = [];
  try {
    sockets.push(await open(service, initiation('router-a')));
    await waitFor('router-a', () => service.collector.routers.get('127.0.0.1')?.state === 'connected');
    sockets.push(await open(service, initiation('router-b')));
    await waitFor('router-b to be refused', () => sockets[1]!.closedAt !== undefined);
    assert.equal(sockets[0]!.closedAt, undefined, 'the live session keeps the router');
    assert.equal(service.collector.routers.get('127.0.0.1')!.sysName, 'router-a');
    assert.equal(service.collector.totals.errors.rejected, 1);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // router-a quiet past 800 ms
    sockets.push(await open(service, initiation('router-b')));
    await waitFor('the quiet session to be replaced', () => sockets[0]!.closedAt !== undefined);
    await waitFor('router-b to be the router', () => service.collector.routers.get('127.0.0.1')?.sysName === 'router-b');
    assert.equal(service.collector.routers.size, 1);
  } finally {
    for (const socket of sockets) socket.destroy();
    await service.close();
  }
});

test('sysname naming: the router is named by its sysName', async () => {
  const service = await startTestService({ sessionHygiene: { routerIdFrom: 'sysname' } });
  const sockets: Socket[] = [];
  try {
    sockets.push(await open(service, initiation('edge-1')));
    await waitFor('edge-1', () => service.collector.routers.get('edge-1')?.state === 'connected');
    assert.equal((await getJson(service, '/api/v1/routers')).body.routers[0].name, 'edge-1');
  } finally {
    for (const socket of sockets) socket.destroy();
    await service.close();
  }
});

test('a dual-stack [::] listener names an IPv4 router 127.0.0.1, not ::ffff:127.0.0.1; Peer Up and Peer Down are logged', async () => {
  const logs: any[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.startsWith('{')) logs.push(JSON.parse(line));
      done();
    },
  });
  const service = await startTestService({ bmpListen: { host: '::', port: 0 }, keepMs: 3_600_000, logger: pino({ level: 'info' }, stream) });
  try {
    await replay(syntheticStream(), service.bmpPort, '127.0.0.1');
    await waitFor('the router to finish', () => service.collector.routers.get('127.0.0.1')?.state === 'disconnected');
    assert.deepEqual([...service.collector.routers.keys()], ['127.0.0.1']);
    assert.equal((await getJson(service, '/api/v1/routers')).body.routers[0].name, '127.0.0.1');
    const peerUps = logs.filter((l) => l.msg === 'BMP Peer Up');
    assert.ok(peerUps.length >= 2, 'each Peer Up is logged');
    assert.ok(peerUps.every((l) => l.router === '127.0.0.1' && typeof l.peer === 'string'));
  } finally {
    await service.close();
  }
});
