/**
 * Reader threads over a RIB's shared memory, for the benchmarks that run readers beside a writer
 * (bench/concurrent.ts, bench/store.ts): `count` bench/concurrent-reader.ts workers, each with its
 * own SharedRibReader, let go together once every one has warmed up, stopped together.
 */
import { Worker } from 'node:worker_threads';
import type { Rib } from '../../src/rib/rib.js';
import { CONTROL_WORDS, GO, READY, type ReaderReport, STOP } from './concurrent-control.js';

/** Readers running, from {@link startReaderThreads}. */
export interface ReaderThreads {
  /** Tell every reader to stop; resolves with their reports, in start order, once the threads have ended. */
  stop(): Promise<ReaderReport[]>;
  /** End the threads without their reports (after a failure elsewhere). */
  terminate(): Promise<void>;
}

/**
 * Start `count` readers looking up `addresses` (reader i from index i x 7919, so they do not
 * walk in step), wait until all have opened the RIB and warmed up, then let them go.
 */
export async function startReaderThreads(rib: Rib, addresses: Uint32Array, count: number): Promise<ReaderThreads> {
  const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  const workers: Worker[] = [];
  const reports: Promise<ReaderReport>[] = [];
  for (let i = 0; i < count; i++) {
    const descriptor = rib.share();
    const worker = new Worker(new URL('../concurrent-reader.js', import.meta.url), {
      workerData: { descriptor, control, addresses, offset: i * 7919 },
      transferList: [descriptor.port],
    });
    workers.push(worker);
    reports.push(
      new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
    );
  }
  while (Atomics.load(control, READY) < count) await new Promise((resolve) => setTimeout(resolve, 20));
  Atomics.store(control, GO, 1);
  Atomics.notify(control, GO);
  const terminate = async (): Promise<void> => {
    await Promise.all(workers.map((w) => w.terminate()));
  };
  return {
    async stop() {
      Atomics.store(control, STOP, 1);
      try {
        return await Promise.all(reports);
      } finally {
        await terminate();
      }
    },
    terminate,
  };
}
