/**
 * The shared byte ring and the publish feed on it: against a plain byte queue (golden model) for
 * random puts and takes, and across two threads with a ring far smaller than the messages (the
 * writer's spill), which must arrive complete, in order, with their routers and times.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { ByteRingReader, ByteRingWriter, createByteRing } from '../../src/bus/byte-ring.js';
import { PublishFeedWriter, SharedFeedCounters } from '../../src/bus/publish-feed.js';
import { RibstoreError } from '../../src/errors.js';

test('byte ring: random puts and takes read back exactly what a plain byte queue holds', () => {
  const op = fc.oneof(
    fc.record({ put: fc.uint8Array({ maxLength: 300 }), offset: fc.nat(20) }),
    fc.record({ take: fc.nat(300) }),
  );
  fc.assert(
    fc.property(fc.constantFrom(16, 32, 64, 128, 256), fc.array(op, { maxLength: 60 }), (capacity, ops) => {
      const memory = createByteRing(capacity);
      const writer = new ByteRingWriter(memory);
      const reader = new ByteRingReader(memory);
      const golden: number[] = [];
      for (const o of ops) {
        if ('put' in o) {
          const offset = Math.min(o.offset, o.put.length);
          const expected = Math.min(o.put.length - offset, capacity - golden.length);
          assert.equal(writer.free(), capacity - golden.length);
          assert.equal(writer.put(o.put, offset), expected);
          golden.push(...o.put.subarray(offset, offset + expected));
          writer.publish();
          assert.equal(reader.unread(), golden.length);
        } else {
          const target = new Uint8Array(o.take + 3);
          const count = reader.take(target, 3, o.take);
          assert.equal(count, Math.min(o.take, golden.length));
          assert.deepEqual([...target.subarray(3, 3 + count)], golden.splice(0, count));
        }
      }
    }),
  );
});

test('byte ring: bytes put are invisible to the reader until published', () => {
  const memory = createByteRing(16);
  const writer = new ByteRingWriter(memory);
  const reader = new ByteRingReader(memory);
  assert.equal(writer.put(new Uint8Array([1, 2, 3])), 3);
  assert.equal(reader.take(new Uint8Array(3), 0, 3), 0);
  writer.publish();
  const out = new Uint8Array(3);
  assert.equal(reader.take(out, 0, 3), 3);
  assert.deepEqual([...out], [1, 2, 3]);
});

test('byte ring: waiting for space returns at once while there is space (no wait for a read that already happened)', { timeout: 10_000 }, async () => {
  const memory = createByteRing(16);
  const writer = new ByteRingWriter(memory);
  const reader = new ByteRingReader(memory);
  writer.put(new Uint8Array(16));
  writer.publish();
  reader.take(new Uint8Array(16), 0, 16); // the reader freed everything before the writer waits
  await writer.waitForSpace(60_000); // waiting for READ to change again would hang past the test's timeout
  assert.equal(writer.free(), 16);
  await reader.waitForData(0);
  assert.equal(reader.unread(), 0);
});

test('byte ring: a capacity that is not a power of two from 16 to 2^30 is refused with a typed error', () => {
  for (const capacity of [0, 8, 100, 2 ** 31, 1.5, Number.NaN]) assert.throws(() => createByteRing(capacity), RibstoreError);
});

test('publish feed: messages larger than the ring cross to a worker thread whole, in order, with router and time', async () => {
  const ring = createByteRing(64);
  const counters = new SharedFeedCounters();
  const sent: { router: string; timeMs: number; body: Uint8Array }[] = [];
  const routers = ['192.0.2.1', '2001:db8::1', '198.51.100.7'];
  for (let i = 0; i < 200; i++) {
    const body = new Uint8Array((i * 37) % 300);
    for (let j = 0; j < body.length; j++) body[j] = (i + j * 7) & 0xff;
    sent.push({ router: routers[i % 3]!, timeMs: 1_700_000_000_000 + i * 1.5, body });
  }
  const worker = new Worker(new URL('./fixtures/feed-reader-worker.js', import.meta.url), { workerData: { ring, counters: counters.buffer, count: sent.length } });
  try {
    const received = new Promise<{ router: string; timeMs: number; room: number[]; body: Uint8Array }[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const stored = counters.changed(10_000);
    const feed = new PublishFeedWriter(ring);
    for (const m of sent) {
      const scratch = new Uint8Array(m.body.length + 4);
      scratch.set(m.body, 2);
      feed.send(m.router, m.timeMs, scratch.subarray(2, 2 + m.body.length));
      scratch.fill(0xee); // the feed copied what it needs: the caller's view may be reused at once
    }
    assert.ok(feed.spilled > 0, 'a 64-byte ring cannot take 200 messages at once: the rest waits in the spill');
    const messages = await received;
    await feed.drained(1000);
    assert.equal(feed.spilled, 0);
    assert.equal(messages.length, sent.length);
    messages.forEach((m, i) => {
      assert.equal(m.router, sent[i]!.router, `message ${i}: router`);
      assert.equal(m.timeMs, sent[i]!.timeMs, `message ${i}: time`);
      assert.deepEqual(m.room, new Array(sent[i]!.router.length).fill(0), `message ${i}: room before the body`);
      assert.deepEqual([...m.body], [...sent[i]!.body], `message ${i}: bytes`);
    });
    await stored;
    assert.deepEqual(counters.load(), { published: 200, publishedBytes: 7, duplicates: 1, errors: 2, disconnects: 3, connected: true, rejected: 4, rejectedBytes: 5 });
    assert.equal(counters.settled(), 204);
    assert.equal(counters.settledBytes(), 12);
  } finally {
    await worker.terminate();
  }
});

test('publish feed: stop() drops the spill of a reader that is gone and ends its drain loop', async () => {
  const feed = new PublishFeedWriter(createByteRing(16)); // no reader: the spill can never drain
  feed.send('192.0.2.1', 0, new Uint8Array(100));
  assert.ok(feed.spilled > 0);
  feed.stop();
  assert.equal(feed.spilled, 0);
  feed.send('192.0.2.1', 0, new Uint8Array(100));
  assert.equal(feed.spilled, 0, 'nothing is written after stop');
  // The test ends (node:test waits for the event loop): no drain-loop timer is left running.
  await feed.drained(10);
});
