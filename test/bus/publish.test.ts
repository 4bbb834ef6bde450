/**
 * `serve --publish` against a real nats-server -js: every BMP message a router sends lands on
 * the JetStream stream, OpenBMP framed, byte for byte and in order, exactly once, whether NATS
 * was down at start or went away mid-stream; collecting never stops meanwhile; a full buffer with
 * `drop` counts its drops and still ingests everything.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeOpenBmpRecord } from '../../src/bus/openbmp.js';
import { BmpFramer } from '../../src/wire/bmp/framer.js';
import { decodeBmpMessage } from '../../src/wire/bmp/decode.js';
import { tlvText } from '../../src/wire/bmp/encode.js';
import { replay } from '../e2e/bmp-replay.js';
import { getJson, startTestService, waitFor } from '../e2e/support-service.js';
import { NatsServer, natsSkipReason, storedMessages } from '../support/nats.js';
import { sharedData, skipUnlessShared } from '../support/shared-data.js';
import { skipOrFail } from '../support/requirements.js';

const STREAM_A = ['204-BMP-CISCO-peer_down', 'traffic-00.s0.bmp'];
const STREAM_B = ['205-BMP-6wind-FRR-peer_down', 'traffic-00.s0.bmp'];
const skip = natsSkipReason() || skipOrFail(skipUnlessShared('bmp', STREAM_A[0]!)) || skipOrFail(skipUnlessShared('bmp', STREAM_B[0]!));

function messageCount(bytes: Uint8Array): number {
  return [...new BmpFramer().push(bytes)].length;
}

/** Every record of the stream, in stream order: subject, router and the BMP bytes. */
async function readStream(url: string): Promise<{ subject: string; router: string; bmp: Uint8Array }[]> {
  const { messages } = await storedMessages(url);
  return messages.map((message) => {
    const record = decodeOpenBmpRecord(message.data);
    assert.equal(record.header.collectorAdminId, 'rc1');
    return { subject: message.subject, router: record.header.routerAddress.toString(), bmp: record.bmp.slice() };
  });
}

function concatOf(records: { bmp: Uint8Array }[]): Buffer {
  return Buffer.concat(records.map((r) => r.bmp));
}

/**
 * A router's records without the last, which must be the Termination the collector adds when a
 * session ends without one (the replayed streams end with a TCP close).
 */
function withoutAddedTermination(records: { bmp: Uint8Array }[]): { bmp: Uint8Array }[] {
  const last = decodeBmpMessage(records.at(-1)!.bmp);
  assert.equal(last.kind, 'termination');
  assert.match(last.kind === 'termination' ? tlvText(last.information[0]!) : '', /^ended without Termination \(added by the collector\): closed by the router$/);
  return records.slice(0, -1);
}

test('publish: NATS down at start, then away mid-stream: collecting goes on, every message lands once, in order, byte for byte', { skip, timeout: 120_000 }, async () => {
  const nats = await NatsServer.create();
  const service = await startTestService({ publish: { servers: nats.url, collectorName: 'rc1', overflow: 'pause' } });
  try {
    const a = new Uint8Array(readFileSync(sharedData('bmp', ...STREAM_A)));
    const b = new Uint8Array(readFileSync(sharedData('bmp', ...STREAM_B)));
    const publisher = service.publisher!;
    // 1. NATS is not running: the router's stream is collected and queued.
    await replay(a, service.bmpPort, '127.0.0.1');
    await waitFor('stream A queued', () => publisher.statistics().queuedMessages === messageCount(a) + 1);
    assert.equal(publisher.statistics().connected, false);
    const routesA = service.rib.stats().routes;
    assert.ok(routesA > 0, 'collecting went on without NATS');
    // 2. NATS comes up: the queue drains into the stream.
    await nats.start();
    await waitFor('stream A published', () => publisher.statistics().published === messageCount(a) + 1, 30_000);
    // 3. NATS goes away while a second router streams, then comes back.
    await nats.stop();
    await waitFor('disconnect seen', () => !publisher.statistics().connected, 10_000);
    await replay(b, service.bmpPort, '127.0.0.2');
    await waitFor('stream B collected while NATS is down', () => publisher.statistics().queuedMessages === messageCount(b) + 1);
    assert.ok(service.rib.stats().routes > routesA || service.collector.routers.has('127.0.0.2'), 'collecting went on while NATS was down');
    await nats.start();
    await waitFor('stream B published', () => publisher.statistics().published === messageCount(a) + messageCount(b) + 2, 30_000);

    const records = await readStream(nats.url);
    const fromA = records.filter((r) => r.router === '127.0.0.1');
    const fromB = records.filter((r) => r.router === '127.0.0.2');
    assert.equal(records.length, fromA.length + fromB.length);
    assert.ok(fromA.every((r) => r.subject === 'ribstore.bmp.rc1.127_0_0_1'));
    assert.ok(fromB.every((r) => r.subject === 'ribstore.bmp.rc1.127_0_0_2'));
    assert.ok(concatOf(withoutAddedTermination(fromA)).equals(Buffer.from(a)), 'router A: every message once, in order, byte for byte');
    assert.ok(concatOf(withoutAddedTermination(fromB)).equals(Buffer.from(b)), 'router B: every message once, in order, byte for byte');

    const stats = await getJson(service, '/api/v1/stats');
    assert.equal(stats.body.publisher.published, records.length);
    assert.equal(stats.body.publisher.dropped, 0);
    assert.ok(stats.body.publisher.disconnects >= 1);
    const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
    assert.match(metrics, new RegExp(`^ribstore_bus_published_messages_total ${records.length}$`, 'm'));
    assert.match(metrics, /^ribstore_bus_connected 1$/m);
  } finally {
    await service.close();
    await nats.dispose();
  }
});

test('publish: a full buffer with --publish-overflow drop counts drops and never holds ingest', { skip, timeout: 60_000 }, async () => {
  const nats = await NatsServer.create(); // never started: everything queues until the bound
  const service = await startTestService({ publish: { servers: nats.url, collectorName: 'rc1', overflow: 'drop', bufferBytes: 4096 } });
  try {
    const a = new Uint8Array(readFileSync(sharedData('bmp', ...STREAM_A)));
    await replay(a, service.bmpPort, '127.0.0.1');
    const total = messageCount(a);
    const stats = await waitFor('every message queued or dropped', () => {
      const s = service.publisher!.statistics();
      return s.queuedMessages + s.dropped === total + 1 ? s : null; // + the Termination added at the close
    });
    assert.ok(stats.dropped > 0);
    assert.ok(stats.queuedBytes <= 4096);
    const messages = Object.values(service.collector.totals.messages).reduce((n: number, v) => n + (v as number), 0);
    assert.equal(messages, total, 'the collector processed every message');
  } finally {
    await service.close();
    await nats.dispose();
  }
});

test('publish: a full buffer with --publish-overflow pause holds ingest and loses nothing', { skip, timeout: 60_000 }, async () => {
  const nats = await NatsServer.create();
  const service = await startTestService({ publish: { servers: nats.url, collectorName: 'rc1', overflow: 'pause', bufferBytes: 4096 } });
  try {
    const a = new Uint8Array(readFileSync(sharedData('bmp', ...STREAM_A)));
    const total = messageCount(a);
    const sent = replay(a, service.bmpPort, '127.0.0.1');
    const held = await waitFor('ingest held', () => {
      const s = service.publisher!.statistics();
      return s.holding ? s : null;
    });
    assert.ok(held.queuedMessages < total, 'held before the whole stream was processed');
    assert.equal(held.dropped, 0);
    await nats.start();
    await sent;
    await waitFor('everything published', () => service.publisher!.statistics().published === total + 1, 30_000);
    assert.ok(concatOf(withoutAddedTermination(await readStream(nats.url))).equals(Buffer.from(a)));
    assert.equal(service.publisher!.statistics().dropped, 0);
  } finally {
    await service.close();
    await nats.dispose();
  }
});
