/**
 * Worker side of bench/concurrent.ts: open the shared RIB, wait for the go word, then look up
 * addresses (best route + all routes of the longest match, as the API answers) until the stop
 * word, timing each lookup. Posts the count, the wall time, latency percentiles and the CPU
 * seconds this thread got meanwhile (/proc/thread-self: how much of a core the OS gave it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Address } from '../src/ip/address.js';
import { SharedRibReader, type SharedRibDescriptor } from '../src/rib/shared-rib-reader.js';
import { GO, READY, STOP } from './support/concurrent-control.js';
import { currentThreadCpuSeconds } from './support/thread-cpu.js';

interface Input {
  descriptor: SharedRibDescriptor;
  control: Int32Array;
  addresses: Uint32Array;
  offset: number;
}

const { descriptor, control, addresses, offset } = workerData as Input;
const reader = SharedRibReader.open(descriptor);
const targets = Array.from(addresses, (w) => new Address(4, w));
// Warm up (JIT, attribute cache) before the measured run.
for (let i = 0; i < 2000; i++) reader.lookup(targets[(offset + i) % targets.length]!);
Atomics.add(control, READY, 1);
Atomics.notify(control, READY);
while (Atomics.load(control, GO) === 0) Atomics.wait(control, GO, 0, 100);

const latencies = new Float64Array(1 << 22);
let n = 0;
let routes = 0;
const cpuStart = currentThreadCpuSeconds() ?? NaN;
const start = process.hrtime.bigint();
let last = start;
for (let i = offset; Atomics.load(control, STOP) === 0; i++) {
  const answer = reader.lookup(targets[i % targets.length]!);
  routes += answer?.routes.length ?? 0;
  const now = process.hrtime.bigint();
  if (n < latencies.length) latencies[n] = Number(now - last);
  n++;
  last = now;
}
const elapsedNs = Number(last - start);
const cpuSeconds = (currentThreadCpuSeconds() ?? NaN) - cpuStart;
const measured = latencies.subarray(0, Math.min(n, latencies.length)).sort();
const at = (q: number): number => measured[Math.min(measured.length - 1, Math.floor(q * measured.length))]!;
reader.close();
parentPort!.postMessage({ lookups: n, elapsedNs, p50: at(0.5), p99: at(0.99), max: measured[measured.length - 1] ?? 0, routes, retries: reader.retries, cpuSeconds });
