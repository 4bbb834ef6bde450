/**
 * Taking the page faults of memory about to be filled on another core.
 *
 * A RIB's arrays are growable SharedArrayBuffers: growing one commits address space, and the
 * kernel then faults each 4 KiB page in (zeroed) the first time it is written. On this
 * project's VMs a fault costs ~8-10 µs, so filling a 10.6 M-route RIB from a snapshot spent
 * about a third of its time in the kernel (minor faults, system time). A bulk load that knows
 * how much it will write can grow the arrays first and have a worker thread touch every page
 * of the range while the loading thread does other work (attribute sets) and then writes:
 * the faults are taken on the second core, and the loader finds the pages mapped.
 *
 * The touch is `Atomics.add(word, 0)`: a write fault that changes nothing, atomic so that a
 * word the loader writes meanwhile keeps the loader's value. The worker only touches what the
 * load is about to fill (no memory is committed that the load would not use).
 */
import { Worker } from 'node:worker_threads';
import type { PageRange } from './growable.js';

const TOUCH = `
const { workerData } = require('node:worker_threads');
for (const { buffer, start, end } of workerData) {
  const words = new Int32Array(buffer);
  for (let at = (start + 3) >>> 2, stop = Math.min(words.length, end >>> 2); at < stop; at += 1024) Atomics.add(words, at, 0);
}
`;

/**
 * Touch every 4 KiB page of `ranges` in a worker thread; resolves when it is done (or failed:
 * this is only ever an optimisation, so a worker that cannot start or fails is ignored).
 */
export function prefaultPages(ranges: readonly PageRange[]): Promise<void> {
  if (ranges.length === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(TOUCH, { eval: true, workerData: ranges });
    } catch {
      resolve();
      return;
    }
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  });
}
