/**
 * The publish worker dying (a bug; here the test hook that makes it throw) does not stop
 * publishing: the collector keeps collecting, a new worker starts after the back-off, messages
 * received meanwhile and after are stored in order, what the dead worker held is counted as
 * dropped, and a collector held by a full `pause` queue resumes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { decodeOpenBmpRecord } from '../../src/bus/openbmp.js';
import { BmpPublisher } from '../../src/bus/publisher.js';
import type { Service } from '../../src/service/service.js';
import { BmpFramer } from '../../src/wire/bmp/framer.js';
import { startTestService, waitFor } from '../e2e/support-service.js';
import { NatsServer, freePort, natsSkipReason, storedMessages } from '../support/nats.js';
import { skipOrFail } from '../support/requirements.js';
import { sharedData, skipUnlessShared } from '../support/shared-data.js';

const STREAM = ['204-BMP-CISCO-peer_down', 'traffic-00.s0.bmp'];
const skip = natsSkipReason() || skipOrFail(skipUnlessShared('bmp', STREAM[0]!));

/** The BMP bytes of every stored record, hex, in stream order. */
async function storedBmp(url: string): Promise<string[]> {
  const { messages } = await storedMessages(url);
  return messages.map((m) => Buffer.from(decodeOpenBmpRecord(m.data).bmp).toString('hex'));
}

function openSession(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ port, host: '127.0.0.1' });
    socket.once('error', reject);
    socket.once('connect', () => resolve(socket));
    socket.resume();
  });
}

function collected(service: Service): number {
  return Object.values(service.collector.totals.messages as unknown as Record<string, number>).reduce((n, v) => n + v, 0);
}

const messages = (): Uint8Array[] => [...new BmpFramer().push(new Uint8Array(readFileSync(sharedData('bmp', ...STREAM))))].map((m) => m.bytes.slice());

test('publish: a publish worker that dies mid-stream is restarted; the stream goes on in order', { skip, timeout: 60_000 }, async () => {
  const input = messages();
  const a = Math.floor(input.length / 3);
  const b = Math.floor((2 * input.length) / 3);
  const nats = await NatsServer.create();
  await nats.start();
  const service = await startTestService({ publish: { servers: nats.url, collectorName: 'rc1', overflow: 'pause' } });
  const publisher = service.publisher!;
  try {
    const socket = await openSession(service.bmpPort);
    for (const m of input.slice(0, a)) socket.write(m);
    await waitFor('the first third published', () => publisher.statistics().published === a, 20_000);

    publisher.crashWorkerForTest('test: publish worker crash');
    await waitFor('the death seen', () => !publisher.statistics().connected);
    // Received while no worker runs: collected, queued for the next worker.
    for (const m of input.slice(a, b)) socket.write(m);
    await waitFor('the second third collected', () => collected(service) === b);
    assert.equal(publisher.statistics().lastError, 'test: publish worker crash', 'the worker\'s failure is reported');

    await waitFor('the new worker published the second third', () => publisher.statistics().published === b, 20_000);
    assert.equal(publisher.statistics().workerRestarts, 1);
    for (const m of input.slice(b)) socket.write(m);
    socket.end();
    const total = input.length + 1; // + the Termination the collector adds when the session ends
    const stats = await waitFor('everything published', () => {
      const s = publisher.statistics();
      return s.published === total && s.queuedMessages === 0 ? s : null;
    }, 30_000);
    assert.equal(stats.dropped, 0, 'nothing was unacknowledged when the worker died');
    assert.equal(stats.connected, true);
    const stored = await storedBmp(nats.url);
    assert.equal(stored.length, total, 'no message stored twice or left out (the new worker\'s ids are new)');
    assert.deepEqual(stored.slice(0, -1), input.map((m) => Buffer.from(m).toString('hex')), 'stored in arrival order across the restart');
    const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
    assert.match(metrics, /^ribstore_bus_worker_restarts_total 1$/m);
    const api = (await (await fetch(`${service.httpUrl}/api/v1/stats`)).json()) as { publisher: { workerRestarts: number } };
    assert.equal(api.publisher.workerRestarts, 1);
  } finally {
    await service.close();
    await nats.dispose();
  }
});

test('publish: ingest held by a full pause queue resumes when the worker dies; its messages count as dropped', { skip, timeout: 60_000 }, async () => {
  const input = messages();
  const BOUND = 16 * 1024; // the capture is ~56 KB: held before the crash and again after it
  const nats = await NatsServer.create(); // never started: nothing is acknowledged
  const service = await startTestService({ publish: { servers: nats.url, collectorName: 'rc1', overflow: 'pause', bufferBytes: BOUND } });
  const publisher = service.publisher!;
  try {
    const socket = await openSession(service.bmpPort);
    for (const m of input) socket.write(m);
    const held = await waitFor('ingest held', () => {
      const s = publisher.statistics();
      return s.holding ? s : null;
    });
    const before = collected(service);
    assert.ok(before < input.length, 'held before the end of the capture');

    publisher.crashWorkerForTest('test: publish worker crash');
    await waitFor('the held collector resumes', () => collected(service) > before);
    const after = await waitFor('a new worker', () => {
      const s = publisher.statistics();
      return s.workerRestarts === 1 ? s : null;
    });
    assert.ok(after.dropped >= held.queuedMessages, `${after.dropped} dropped: at least the ${held.queuedMessages} the dead worker held`);
    // The new worker's queue fills and holds ingest again (NATS is still down): bounded, not lost.
    await waitFor('held again within the bound', () => publisher.statistics().holding);
    const largest = Math.max(...input.map((m) => m.length));
    assert.ok(publisher.statistics().queuedBytes <= BOUND + largest + 200, 'the bound holds after the restart');
    socket.destroy();
  } finally {
    await service.close();
    await nats.dispose();
  }
});

test('publish: worker restarts back off (0.25 s, then 0.5 s, ...), each logged with its reason; close during a back-off ends cleanly', { timeout: 30_000 }, async () => {
  const lines: { msg: string; err?: string; restartInMs?: number; restarts?: number }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  // No NATS needed: the worker runs (and retries its connection) whether or not one answers.
  const port = await freePort();
  const publisher = new BmpPublisher({ servers: `nats://127.0.0.1:${port}`, logger: pino({ level: 'info' }, stream) });
  publisher.start();
  try {
    for (const [n, reason] of ['first crash', 'second crash'].entries()) {
      publisher.crashWorkerForTest(reason); // queued on the port of a worker still starting
      await waitFor(`restart ${n + 1}`, () => publisher.statistics().workerRestarts === n + 1, 5_000);
    }
    const died = lines.filter((l) => l.msg.startsWith('bus: publish worker died'));
    assert.deepEqual(died.map((l) => [l.err, l.restartInMs]), [['first crash', 250], ['second crash', 500]]);
    assert.deepEqual(lines.filter((l) => l.msg === 'bus: publish worker restarted').map((l) => l.restarts), [1, 2]);
    publisher.crashWorkerForTest('third crash');
    await waitFor('the third death', () => lines.some((l) => l.err === 'third crash' && l.restartInMs === 1000));
  } finally {
    await publisher.close(100); // inside the 1 s back-off: no worker starts after it
  }
  await new Promise((resolve) => setTimeout(resolve, 1200));
  assert.equal(publisher.statistics().workerRestarts, 2, 'no restart after close');
});
