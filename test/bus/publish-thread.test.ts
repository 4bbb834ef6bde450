/**
 * The publisher's two placements of the NATS client, `thread: 'worker'` (default: a worker thread
 * fed through shared memory) and `thread: 'inline'` (the collector's thread, kept for
 * bench:fanout's comparison), store the same stream: every message once, in order, the same
 * OpenBMP records apart from their collection times.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeOpenBmpRecord } from '../../src/bus/openbmp.js';
import { BmpPublisher } from '../../src/bus/publisher.js';
import { RibstoreError } from '../../src/errors.js';
import { BmpFramer } from '../../src/wire/bmp/framer.js';
import { replay } from '../e2e/bmp-replay.js';
import { startTestService, waitFor } from '../e2e/support-service.js';
import { NatsServer, natsSkipReason, storedMessages } from '../support/nats.js';
import { skipOrFail } from '../support/requirements.js';
import { sharedData, skipUnlessShared } from '../support/shared-data.js';

const STREAM = ['204-BMP-CISCO-peer_down', 'traffic-00.s0.bmp'];
const skip = natsSkipReason() || skipOrFail(skipUnlessShared('bmp', STREAM[0]!));

/** Subject, record length and BMP bytes of every stored record, in stream order. */
async function storedRecords(url: string): Promise<string[]> {
  const { messages } = await storedMessages(url);
  return messages.map((message) => {
    const record = decodeOpenBmpRecord(message.data);
    return `${message.subject} ${message.data.length} ${record.header.routerAddress} ${Buffer.from(record.bmp).toString('hex')}`;
  });
}

test('publish: the worker-thread and the inline publisher store the same records, in order', { skip, timeout: 60_000 }, async () => {
  const bytes = new Uint8Array(readFileSync(sharedData('bmp', ...STREAM)));
  const total = [...new BmpFramer().push(bytes)].length + 1; // + the Termination added at the close
  const stored: Record<string, string[]> = {};
  for (const thread of ['worker', 'inline'] as const) {
    const nats = await NatsServer.create();
    await nats.start();
    const service = await startTestService({ publish: { servers: nats.url, collectorName: 'rc1', overflow: 'pause', thread } });
    try {
      assert.equal(service.publisher!.thread, thread);
      await replay(bytes, service.bmpPort, '127.0.0.1');
      const stats = await waitFor(`${thread}: everything published`, () => {
        const s = service.publisher!.statistics();
        return s.published === total ? s : null;
      }, 30_000);
      assert.equal(stats.queuedMessages, 0);
      assert.equal(stats.queuedBytes, 0);
      assert.equal(stats.lagMs, 0);
      assert.equal(stats.dropped, 0);
      stored[thread] = await storedRecords(nats.url);
      assert.equal(stored[thread]!.length, total);
      assert.equal(stored[thread]!.reduce((n, line) => n + Number(line.split(' ')[1]), 0), stats.publishedBytes, `${thread}: publishedBytes counts the stored records' bytes`);
    } finally {
      await service.close();
      await nats.dispose();
    }
  }
  assert.deepEqual(stored['worker'], stored['inline']);
});

test('publish: with NATS unreachable, the worker publisher\'s figures show the queue, its age and the failures', { skip, timeout: 60_000 }, async () => {
  const nats = await NatsServer.create(); // never started
  const service = await startTestService({ publish: { servers: nats.url, collectorName: 'rc1', overflow: 'pause' } });
  try {
    const bytes = new Uint8Array(readFileSync(sharedData('bmp', ...STREAM)));
    await replay(bytes, service.bmpPort, '127.0.0.1');
    const total = [...new BmpFramer().push(bytes)].length + 1;
    await waitFor('everything queued', () => service.publisher!.statistics().queuedMessages === total);
    const queuedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stats = await waitFor('a failure reported by the worker', () => {
      const s = service.publisher!.statistics();
      return s.errors > 0 && s.lastError ? s : null;
    });
    assert.equal(stats.connected, false);
    assert.equal(stats.published, 0);
    assert.ok(stats.queuedBytes > bytes.length, 'framed records are longer than the BMP bytes');
    assert.ok(stats.lagMs >= Date.now() - queuedAt - 50 && stats.lagMs >= 300, `lag ${stats.lagMs} ms: at least the time since everything was queued`);
    const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
    assert.match(metrics, /^ribstore_bus_connected 0$/m);
    assert.match(metrics, new RegExp(`^ribstore_bus_queue_messages ${total}$`, 'm'));
  } finally {
    await service.close();
    await nats.dispose();
  }
});

test('publish: an unknown thread placement is a typed error', () => {
  assert.throws(() => new BmpPublisher({ servers: 'nats://127.0.0.1:4222', thread: 'fibre' as 'worker' }), RibstoreError);
});

test('publish: a record larger than the server\'s max_payload is left out and counted, and does not stall what follows (worker and inline)', { skip, timeout: 60_000 }, async () => {
  const MAX_PAYLOAD = 512;
  const bytes = new Uint8Array(readFileSync(sharedData('bmp', ...STREAM)));
  const input = [...new BmpFramer().push(bytes)].map((m) => Buffer.from(m.bytes).toString('hex'));
  for (const thread of ['worker', 'inline'] as const) {
    const nats = await NatsServer.create({ maxPayload: MAX_PAYLOAD });
    await nats.start();
    const service = await startTestService({ publish: { servers: nats.url, collectorName: 'rc1', overflow: 'pause', thread } });
    try {
      await replay(bytes, service.bmpPort, '127.0.0.1');
      const stats = await waitFor(`${thread}: every message published or left out`, () => {
        const s = service.publisher!.statistics();
        return s.published + s.dropped === input.length + 1 && s.queuedMessages === 0 ? s : null;
      }, 30_000);
      assert.ok(stats.dropped > 0, 'the capture has messages over 512 bytes framed');
      assert.equal(stats.queuedBytes, 0);
      const stored = (await storedRecords(nats.url)).map((line) => line.split(' ')[3]!);
      assert.equal(stored.length, stats.published);
      // The stored messages are the capture's, in order, without the left-out ones (+ the added Termination).
      let at = 0;
      for (const hex of stored.slice(0, -1)) {
        while (at < input.length && input[at] !== hex) {
          assert.ok(input[at]!.length / 2 + 81 > MAX_PAYLOAD - 100, `message ${at} (${input[at]!.length / 2} bytes) is small enough and was left out`);
          at++;
        }
        assert.ok(at < input.length, 'stored in capture order');
        at++;
      }
      for (; at < input.length; at++) assert.ok(input[at]!.length / 2 + 81 > MAX_PAYLOAD - 100, `message ${at} left out`);
      assert.ok(stored.every((hex) => hex.length / 2 + 81 <= MAX_PAYLOAD), 'nothing over the limit was stored');
    } finally {
      await service.close();
      await nats.dispose();
    }
  }
});
