/**
 * The HTTP API client of the benchmarks (bench:collector, bench:concurrent): a worker thread
 * that sends `GET /api/v1/lookup` (or more-specifics pages) to a running service and records
 * each request's latency, so its own HTTP work does not share the service's event loop (as a
 * real client on another host would not). Also the API arrangements a benchmark compares, as
 * `startService` options.
 *
 * The client sends one warm-up request first (a fresh client's first fetch loads and compiles
 * undici and opens the connection, and the server's first lookup runs cold: measured apart,
 * never counted with the others; a lookup stall of 886 ms once blamed on the server was this
 * request counted with the rest), then `clients` request loops, each sending its next request
 * when the previous answer is read (keep-alive connections), until stopped. With `paceMs` each
 * loop starts at most one request per pace, so arrangements that answer faster do not also get
 * more requests.
 */
import { Worker } from 'node:worker_threads';
import type { ServiceOptions } from '../../src/service/service.js';

const PROBE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false;
parentPort.once('message', () => { stop = true; });
const path = (address) => workerData.scan
  ? '/api/v1/routes?match=more-specifics&limit=100&prefix=' + address.split('.').slice(0, 2).join('.') + '.0.0/16'
  : '/api/v1/lookup?address=' + address;
(async () => {
  const first = performance.now();
  await (await fetch(workerData.url + path(workerData.lookups[0]))).arrayBuffer();
  parentPort.postMessage({ firstMs: performance.now() - first });
  const latencies = [];
  let failed = 0;
  let n = 0;
  const started = performance.now();
  const loop = async () => {
    while (!stop) {
      const address = workerData.lookups[n++ % workerData.lookups.length];
      const sent = performance.now();
      const response = await fetch(workerData.url + path(address));
      await response.arrayBuffer();
      if (response.ok) latencies.push(performance.now() - sent);
      else failed++;
      if (workerData.paceMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(0, sent + workerData.paceMs - performance.now())));
    }
  };
  await Promise.all(Array.from({ length: workerData.clients }, loop));
  parentPort.postMessage({ latencies, failed, elapsedMs: performance.now() - started });
})();
`;

/** What kind of request the client sends. */
export type ProbeKind = 'lookup' | 'more-specifics';

/** Options of {@link ApiProbe.start}. */
export interface ProbeOptions {
  readonly kind?: ProbeKind;
  /** Request loops at once (requests in flight); default 1: sequential. */
  readonly clients?: number;
  /** Each loop starts at most one request per `paceMs` (default 0: back to back). */
  readonly paceMs?: number;
}

/** What the client measured. */
export interface ProbeResult {
  /** Latency of each answered request (2xx), ms, warm-up excluded. */
  readonly latenciesMs: number[];
  /** Requests answered with an error status. */
  readonly failed: number;
  /** From the first measured request to the stop, ms. */
  readonly elapsedMs: number;
  /** The warm-up request, ms. */
  readonly firstMs: number;
}

/** A running API client; {@link stop} ends it and returns its figures. */
export class ApiProbe {
  private constructor(
    private readonly worker: Worker,
    private readonly firstMs: number,
  ) {}

  /** Start the client against `url` (a service's httpUrl); resolves after the warm-up request. */
  static async start(url: string, addresses: readonly string[], options: ProbeOptions = {}): Promise<ApiProbe> {
    const worker = new Worker(PROBE_SOURCE, {
      eval: true,
      workerData: { url, lookups: addresses, scan: options.kind === 'more-specifics', clients: options.clients ?? 1, paceMs: options.paceMs ?? 0 },
    });
    const firstMs = await new Promise<number>((resolve, reject) => {
      worker.once('message', (m: { firstMs: number }) => resolve(m.firstMs));
      worker.once('error', reject);
    });
    return new ApiProbe(worker, firstMs);
  }

  /** Stop sending, wait for the requests in flight, return the figures. */
  async stop(): Promise<ProbeResult> {
    const result = new Promise<{ latencies: number[]; failed: number; elapsedMs: number }>((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
    });
    this.worker.postMessage('stop');
    const { latencies, failed, elapsedMs } = await result;
    await this.worker.terminate();
    return { latenciesMs: latencies, failed, elapsedMs, firstMs: this.firstMs };
  }
}

/**
 * An API arrangement: `N` (a count) = `--api-thread main --api-workers N`; `thread` =
 * `--api-thread worker` (the HTTP server in a worker thread, answering lookups and routes
 * queries from shared memory).
 */
export function apiArrangement(spec: string): Pick<ServiceOptions, 'apiThread' | 'apiWorkers'> {
  if (spec === 'thread') return { apiThread: 'worker' };
  const workers = Number(spec);
  if (!Number.isInteger(workers) || workers < 0) throw new Error(`API arrangement '${spec}': expected a worker count or 'thread'`);
  return { apiThread: 'main', apiWorkers: workers };
}

/** How an arrangement is named in tables: the serve flags it stands for. */
export function arrangementLabel(spec: string): string {
  return spec === 'thread' ? '--api-thread worker' : `--api-workers ${spec}`;
}

/** `n` lookup addresses inside the first `count` prefixes of a table's IPv4 network words (last bit set). */
export function probeAddresses(words: Uint32Array, count: number, n = 1000): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const w = words[(i * 7919) % count]!;
    out.push(`${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${(w & 255) | 1}`);
  }
  return out;
}

/** Percentile `p` (0-100) of `values` (nearest rank on a sorted copy). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
