/**
 * A worker thread reads a snapshot through SharedArrayBuffer while the main thread keeps
 * inserting and deleting: every lookup matches the table as it was at snapshot time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Prefix, PrefixTable, PrefixTableReader } from '../../src/index.js';
import { GoldenPrefixMap } from '../support/golden-prefix-map.js';
import { lcg, sampleAddresses } from './tables.js';

function randomPrefixes(count: number, random: () => number): Prefix[] {
  const out: Prefix[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 4 !== 0) out.push(new Prefix(4, random() & 0x3fffffff, 0, 0, 0, 8 + (random() % 25)));
    else out.push(new Prefix(6, 0x20010000 | (random() & 0xff), random(), random(), random(), 16 + (random() % 113)));
  }
  return out;
}

test('a worker reads a shared snapshot correctly while the main thread writes', async () => {
  const random = lcg(42);
  const table = new PrefixTable({ shared: true, initialBytes: 1 << 16 });
  const golden = new GoldenPrefixMap<number>();
  const initial = randomPrefixes(20_000, random);
  initial.forEach((p, i) => {
    table.set(p, i);
    golden.set(p, i);
  });
  const addresses = sampleAddresses(initial, 4000, random);
  const v4 = addresses.filter((a) => a.family === 4);
  const v6 = addresses.filter((a) => a.family === 6);
  const v4Words = Uint32Array.from(v4, (a) => a.w0);
  const v6Words = new Uint32Array(4 * v6.length);
  v6.forEach((a, i) => v6Words.set([a.w0, a.w1, a.w2, a.w3], 4 * i));
  const expected4 = v4.map((a) => golden.lookup(a) ?? -1);
  const expected6 = v6.map((a) => golden.lookup(a) ?? -1);

  const snapshot = table.snapshot();
  const descriptor = snapshot.share();
  // [0]: write batches done so far, shared with the worker (which records it around each round);
  // [1]: set by the worker once its reader is built (loading the worker can take longer than
  // every write batch on a loaded machine, so writing starts when it is ready to read).
  const progress = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL('./fixtures/snapshot-reader-worker.js', import.meta.url), {
    workerData: { descriptor, v4: v4Words, v6: v6Words, rounds: 20, progress },
  });
  const done = new Promise<{ v4: Int32Array; v6: Int32Array; valid: boolean; size: number; batchesBefore: number; batchesAfter: number }[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  let finished = false;
  void done.then(() => (finished = true), () => (finished = true));

  while (!finished && Atomics.load(progress, 1) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  // Keep writing (growing the shared arena too) until the worker is done.
  let writes = 0;
  const later = randomPrefixes(200_000, random);
  while (!finished && writes < later.length) {
    for (let k = 0; k < 500 && writes < later.length; k++, writes++) {
      table.set(later[writes]!, 1_000_000 + writes);
      if (writes % 3 === 0) table.delete(initial[writes % initial.length]!);
    }
    Atomics.add(progress, 0, 1);
    Atomics.notify(progress, 0);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const rounds = await done;
  await worker.terminate();
  assert.equal(rounds.length, 20);
  // Overlap: write batches landed between the worker's first and last reads, and between most
  // consecutive rounds (the worker waits up to 1 s for each next batch).
  assert.ok(rounds[19]!.batchesAfter > rounds[0]!.batchesBefore, `the main thread wrote while the worker read (batches ${rounds[0]!.batchesBefore} -> ${rounds[19]!.batchesAfter})`);
  let interleaved = 0;
  for (let i = 1; i < rounds.length; i++) if (rounds[i]!.batchesBefore > rounds[i - 1]!.batchesAfter) interleaved++;
  assert.ok(interleaved >= 10, `writes landed between only ${interleaved} of 19 pairs of read rounds`);
  for (const round of rounds) {
    assert.equal(round.valid, true);
    assert.equal(round.size, golden.size);
    assert.deepEqual([...round.v4], expected4);
    assert.deepEqual([...round.v6], expected6);
  }

  // Released: the worker-side view is detected as stale by generation.
  const stale = PrefixTableReader.fromShared(descriptor);
  assert.equal(stale.valid(), true);
  snapshot.release();
  assert.equal(stale.valid(), false);
  // A newer shared snapshot reusing the slot does not make the old view valid again.
  const next = table.snapshot();
  const nextDescriptor = next.share();
  assert.equal(nextDescriptor.slot, descriptor.slot);
  assert.equal(stale.valid(), false);
  assert.equal(PrefixTableReader.fromShared(nextDescriptor).valid(), true);
  next.release();
  assert.equal(table.stats().retiredBlocks, 0);
});
