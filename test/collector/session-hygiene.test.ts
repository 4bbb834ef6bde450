/**
 * Session hygiene of the collector, over real loopback sockets: a half-sent Initiation is
 * closed after the Initiation timeout; a bare TCP connect from a router's address does not
 * replace its live session; a silent session is closed after the idle timeout; idle
 * connections are evicted (oldest first) when the pending or per-address limit is reached
 * instead of locking a router out; every close has its reason in the log and the API; the end
 * of a closed router's keep time (its stale routes flushed) is logged.
 */
import assert from 'node:assert/strict';
import { type Socket, connect } from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Service } from '../../src/service/service.js';
import { encodeBmpMessage, textTlv } from '../../src/wire/bmp/encode.js';
import { getJson, startTestService, waitFor } from '../e2e/support-service.js';

const INITIATION = encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'hygiene-router'), textTlv(1, 'ribstore test')] });

/** A service whose log lines are kept (parsed) in `logs`. */
async function loggedService(hygiene: NonNullable<Parameters<typeof startTestService>[0]>['sessionHygiene'], maxSessions = 256, keepMs?: number): Promise<{ service: Service; logs: any[] }> {
  const logs: any[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.startsWith('{')) logs.push(JSON.parse(line));
      done();
    },
  });
  const service = await startTestService({ logger: pino({ level: 'debug' }, stream), sessionHygiene: hygiene, maxSessions, ...(keepMs === undefined ? {} : { keepMs }) });
  return { service, logs };
}

/** Open a TCP connection from `localAddress`, optionally writing `bytes`; resolves once connected. */
function open(service: Service, localAddress = '127.0.0.1', bytes?: Uint8Array): Promise<Socket & { closedAt?: number }> {
  return new Promise((resolve, reject) => {
    const socket: Socket & { closedAt?: number } = connect({ port: service.bmpPort, host: '127.0.0.1', localAddress });
    socket.on('error', () => undefined); // closed by the collector: expected
    socket.on('close', () => (socket.closedAt = Date.now()));
    socket.once('connect', () => {
      if (bytes) socket.write(bytes);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

test('a half-sent Initiation is closed after the Initiation timeout, with the reason logged', async () => {
  const { service, logs } = await loggedService({ initiationTimeoutMs: 300 });
  try {
    const opened = Date.now();
    const socket = await open(service, '127.0.0.1', INITIATION.subarray(0, INITIATION.length >> 1));
    await waitFor('the half-sent Initiation to be closed', () => socket.closedAt !== undefined, 5000);
    assert.ok(socket.closedAt! - opened >= 290, `closed after ${socket.closedAt! - opened} ms`);
    assert.ok(socket.closedAt! - opened < 3000, `closed after ${socket.closedAt! - opened} ms`);
    const line = await waitFor('the close log line', () => logs.find((l) => l.msg === 'BMP connection closed before its Initiation'));
    assert.equal(line.reason, 'no Initiation within 300ms');
    assert.equal(service.collector.routers.size, 0, 'a connection without Initiation is no router');
    assert.equal(service.collector.totals.sessionsOpen, 0);
  } finally {
    await service.close();
  }
});

test("a bare connect from a router's address does not replace its live session; silence past the idle timeout closes it", async () => {
  const { service } = await loggedService({ initiationTimeoutMs: 200, idleTimeoutMs: 1500 });
  try {
    const live = await open(service, '127.0.0.1', INITIATION);
    await waitFor('the router to connect', () => service.collector.routers.get('127.0.0.1')?.state === 'connected');
    const bare = await open(service, '127.0.0.1');
    await waitFor('the bare connection to time out', () => bare.closedAt !== undefined, 5000);
    const router = service.collector.routers.get('127.0.0.1')!;
    assert.equal(router.state, 'connected', 'the live session survived the bare connect');
    assert.equal(router.sessions, 1);
    assert.equal(live.closedAt, undefined);
    // Nothing more is sent: the idle timeout closes the live session.
    await waitFor('the idle session to be closed', () => live.closedAt !== undefined, 10_000);
    const routers = await getJson(service, '/api/v1/routers');
    const status = routers.body.routers.find((r: any) => r.name === '127.0.0.1');
    assert.equal(status.bmp.state, 'disconnected');
    assert.match(status.bmp.lastCloseReason, /^nothing received for .* \(idle timeout\)$/);
  } finally {
    await service.close();
  }
});

test('idle connections are evicted oldest first at the pending and per-address limits; a router still gets in', async () => {
  const { service, logs } = await loggedService({ initiationTimeoutMs: 60_000, maxPendingSessions: 8, maxSessionsPerAddress: 4 }, 16);
  const sockets: (Socket & { closedAt?: number })[] = [];
  try {
    // 20 idle connections from 20 addresses: only the 8 newest stay (pending limit).
    for (let i = 0; i < 20; i++) sockets.push(await open(service, `127.0.2.${i + 1}`));
    await waitFor('the oldest to be evicted', () => sockets.slice(0, 12).every((s) => s.closedAt !== undefined));
    assert.equal(service.collector.totals.sessionsOpen, 8);
    assert.ok(sockets.slice(12).every((s) => s.closedAt === undefined), 'the 8 newest are held');
    assert.equal(service.collector.totals.errors.rejected, 0, 'nobody was refused');
    assert.ok(logs.some((l) => /8 connections are waiting for their Initiation/.test(l.reason ?? '')));
    // 6 idle connections from one address: at most 4 from it are held.
    const same: (Socket & { closedAt?: number })[] = [];
    for (let i = 0; i < 6; i++) same.push(await open(service, '127.0.3.1'));
    await waitFor('per-address eviction', () => same.slice(0, 2).every((s) => s.closedAt !== undefined));
    assert.ok(same.slice(2).every((s) => s.closedAt === undefined));
    sockets.push(...same);
    // A router from the crowded address still connects and stays.
    const router = await open(service, '127.0.3.1', INITIATION);
    sockets.push(router);
    await waitFor('the router to connect', () => service.collector.routers.get('127.0.3.1')?.state === 'connected');
    assert.equal(router.closedAt, undefined);
  } finally {
    for (const socket of sockets) socket.destroy();
    await service.close();
  }
});

test('established sessions are never evicted: at the session limit with none pending, a new connection is refused', async () => {
  const { service } = await loggedService({ initiationTimeoutMs: 60_000 }, 3);
  const sockets: (Socket & { closedAt?: number })[] = [];
  try {
    for (let i = 1; i <= 3; i++) sockets.push(await open(service, `127.0.4.${i}`, INITIATION));
    await waitFor('three routers', () => [...service.collector.routers.values()].filter((r) => r.state === 'connected').length === 3);
    const refused = await open(service, '127.0.4.9');
    sockets.push(refused);
    await waitFor('the fourth connection to be refused', () => refused.closedAt !== undefined);
    assert.equal(service.collector.totals.errors.rejected, 1);
    assert.ok(sockets.slice(0, 3).every((s) => s.closedAt === undefined), 'the routers stay');
  } finally {
    for (const socket of sockets) socket.destroy();
    await service.close();
  }
});

test('when the keep time of a closed router ends, the flush of its stale routes is logged with the router', async () => {
  const { service, logs } = await loggedService({}, 256, 300);
  try {
    const socket = await open(service, '127.0.0.1', INITIATION);
    await waitFor('the router to be up', () => service.collector.routers.size === 1);
    const closedAt = Date.now();
    socket.destroy();
    const line = await waitFor('the keep-time flush log line', () => logs.find((l) => l.msg === 'keep time ended: the stale routes of the router are flushed'), 5000);
    assert.equal(line.router, '127.0.0.1');
    assert.ok(Date.now() - closedAt >= 290, 'not before the keep time');
  } finally {
    await service.close();
  }
});
