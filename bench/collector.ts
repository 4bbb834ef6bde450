/**
 * Collector benchmark: BMP end to end (TCP socket → framing → decode → RIB) in routes per
 * second, and HTTP API latency while a router streams a full table.
 *
 * Data: the IPv4 part of the real full table (../shared/data/tables, 901,899 prefixes), sent as
 * one router with one peer over loopback TCP into an in-process `ribstore serve` (the same
 * `startService` the command runs). Attributes: 20,000 distinct AS paths with communities,
 * assigned to prefixes in runs, so UPDATEs share attribute sets as on a real session. Two
 * packings: one prefix per UPDATE (what GoBGP's post-policy and Loc-RIB monitoring send) and
 * up to 20 prefixes per UPDATE (what routers pack when attributes repeat).
 *
 * Each figure is the median of several runs, each on a fresh service. The clock runs from the
 * first byte written to the moment the collector has applied the last message (the session is
 * closed by the client after the stream; the collector closes its side only once every queued
 * byte is in the RIB). While the one-prefix run streams, a client sends lookups one after the
 * other and records their latency.
 *
 * Run: `npm run bench:collector`.
 */
import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { startService } from '../src/api/service.js';
import { parseAddress } from '../src/ip/address.js';
import { Prefix } from '../src/ip/prefix.js';
import { encodeOpen } from '../src/wire/bgp/open.js';
import type { PathAttributes } from '../src/wire/bgp/types.js';
import { encodeUpdate } from '../src/wire/bgp/update.js';
import { encodeBmpMessage, textTlv } from '../src/wire/bmp/encode.js';
import { BmpPeerHeader } from '../src/wire/bmp/peer-header.js';
import { loadFullTableOrExit } from './support/full-table.js';
import { machineLine } from './support/machine.js';
import { formatCount, formatRate, markdownTable } from './support/markdown.js';
import { concatBytes } from '../test/support/bytes.js';

const RUNS = Number(process.env['RUNS'] ?? 3);
/** Stream only the first ROUTES prefixes (default: the whole table), e.g. for profiling. */
const ROUTES = Number(process.env['ROUTES'] ?? Infinity);
const ROUTER = '127.0.0.1';
const ctx = { fourOctetAs: true, addPath: new Set<number>(), extendedMessage: true };

/** The lookup client: sequential GETs until told to stop, then posts the latencies (ms). */
const PROBE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false;
parentPort.once('message', () => { stop = true; });
(async () => {
  const latencies = [];
  let n = 0;
  while (!stop) {
    const address = workerData.lookups[n++ % workerData.lookups.length];
    const started = performance.now();
    const response = await fetch(workerData.url + '/api/v1/lookup?address=' + address);
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
  }
  parentPort.postMessage(latencies);
})();
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Attribute sets: a deterministic pool of AS paths and communities. */
function attributePool(size: number): PathAttributes[] {
  const pool: PathAttributes[] = [];
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) >>> 0);
  for (let i = 0; i < size; i++) {
    const length = 2 + (next() % 5);
    const asns = [64500];
    for (let j = 1; j < length; j++) asns.push(1 + (next() % 400_000));
    pool.push({
      origin: 0,
      asPath: [{ type: 2, asns }],
      nextHop: parseAddress('192.0.2.1'),
      med: next() % 3 === 0 ? next() % 1000 : undefined,
      communities: [64500 * 65536 + (next() % 200), 64500 * 65536 + 1000 + (next() % 50)],
    } as PathAttributes);
  }
  return pool;
}

/** The whole BMP stream of one router with one peer announcing every prefix. */
function buildStream(networks: Uint32Array, lengths: Uint8Array, count: number, perUpdate: number): { bytes: Uint8Array; routes: number; messages: number } {
  const peer = new BmpPeerHeader(0, 0x40, 0, 0, parseAddress('192.0.2.1'), 64500, parseAddress('192.0.2.1').w0, 1_700_000_000, 0);
  const open = (asn: number, id: string): Uint8Array =>
    encodeOpen({
      version: 4,
      myAs: 23456,
      holdTime: 90,
      bgpId: parseAddress(id).w0,
      capabilities: [
        { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
        { kind: 'four-octet-as', code: 65, asn },
      ],
      otherParameters: [],
    });
  const parts: Uint8Array[] = [
    encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'bench-router')] }),
    encodeBmpMessage({ kind: 'peerUp', peer, localAddress: parseAddress('192.0.2.254'), localPort: 179, remotePort: 50000, sentOpen: open(64512, '192.0.2.254'), receivedOpen: open(64500, '192.0.2.1'), information: [] }),
  ];
  const pool = attributePool(20_000);
  let routes = 0;
  let i = 0;
  let set = 0;
  while (i < count) {
    // Runs of 1..40 consecutive prefixes share one attribute set, as aggregated announcements do.
    const run = 1 + (set * 7919) % 40;
    const attributes = pool[set++ % pool.length]!;
    const end = Math.min(count, i + run);
    while (i < end) {
      const take = Math.min(perUpdate, end - i);
      const announced = [];
      for (let k = 0; k < take; k++, i++) announced.push({ prefix: new Prefix(4, networks[i]!, 0, 0, 0, lengths[i]!), pathId: undefined, labels: undefined, rd: undefined });
      parts.push(encodeBmpMessage({ kind: 'routeMonitoring', peer, update: encodeUpdate({ attributes, announced }, ctx) }));
      routes += take;
    }
  }
  return { bytes: concatBytes(parts), routes, messages: parts.length };
}

/** One run: a fresh service, the stream over TCP; optional lookups while it streams. */
async function run(stream: Uint8Array, expectedRoutes: number, lookups: string[] | null): Promise<{ seconds: number; latenciesMs: number[] }> {
  const service = await startService({ bmpListen: { host: '127.0.0.1', port: 0 }, httpListen: { host: '127.0.0.1', port: 0 }, logger: pino({ level: 'silent' }), keepMs: 3_600_000 });
  try {
    // The API client runs in a worker thread, so its own HTTP work does not share the
    // service's event loop (as a real client on another host would not).
    const prober = lookups ? new Worker(PROBE_SOURCE, { eval: true, workerData: { url: service.httpUrl, lookups } }) : null;
    const latencies = prober
      ? new Promise<number[]>((resolve, reject) => {
          prober.once('message', (values: number[]) => resolve(values));
          prober.once('error', reject);
        })
      : Promise.resolve([]);
    if (prober) await new Promise((resolve) => prober.once('online', resolve));
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ port: service.bmpPort, host: ROUTER });
      socket.on('error', reject);
      socket.on('connect', () => {
        socket.end(stream);
      });
      socket.on('close', () => resolve());
      socket.resume();
    });
    while (service.collector.routers.get(ROUTER)?.state !== 'disconnected') await new Promise((resolve) => setImmediate(resolve));
    const seconds = (performance.now() - started) / 1000;
    prober?.postMessage('stop');
    const latenciesMs = await latencies;
    await prober?.terminate();
    const routes = service.rib.stats().routes;
    if (routes !== expectedRoutes) throw new Error(`the RIB holds ${routes} routes, expected ${expectedRoutes}`);
    return { seconds, latenciesMs };
  } finally {
    await service.close();
  }
}

async function main(): Promise<void> {
  const table = loadFullTableOrExit();
  const v4 = table.v4;
  const count = Math.min(v4.count, ROUTES);
  const lookups: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const n = v4.words[(i * 7919) % count]!;
    lookups.push(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${(n & 255) | 1}`);
  }
  console.log(`# ribstore collector benchmark\n\n${machineLine()}\n\nData: ${table.path}, ${formatCount(count)} IPv4 prefixes as one peer's table; ${RUNS} runs, medians.\n`);
  const rows: string[][] = [];
  let latencyRow: string[] | null = null;
  for (const perUpdate of [1, 20]) {
    const { bytes, routes, messages } = buildStream(v4.words, v4.lengths, count, perUpdate);
    const seconds: number[] = [];
    const latencies: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const result = await run(bytes, routes, perUpdate === 1 && process.env['PROBE'] !== '0' ? lookups : null);
      seconds.push(result.seconds);
      latencies.push(...result.latenciesMs);
      process.stderr.write(`  ${perUpdate} prefix(es)/UPDATE run ${r + 1}: ${result.seconds.toFixed(2)} s\n`);
    }
    const s = median(seconds);
    rows.push([`${perUpdate} prefix${perUpdate > 1 ? 'es' : ''} per UPDATE`, formatCount(messages), `${(bytes.length / 2 ** 20).toFixed(0)} MiB`, `${s.toFixed(2)} s`, formatRate(routes / s)]);
    if (perUpdate === 1 && latencies.length > 0) {
      latencyRow = [formatCount(latencies.length), `${percentile(latencies, 50).toFixed(2)} ms`, `${percentile(latencies, 99).toFixed(2)} ms`, `${Math.max(...latencies).toFixed(2)} ms`];
    }
  }
  console.log('## BMP end to end (socket → decode → RIB), target ≥ 1.5 M routes/s\n');
  console.log(markdownTable(['stream', 'BMP messages', 'bytes', 'time (median)', 'routes/s'], rows, ['left', 'right', 'right', 'right', 'right']));
  if (latencyRow) {
    console.log('\n## API latency while the one-prefix-per-UPDATE table streams (GET /api/v1/lookup, sequential), target p99 < 50 ms\n');
    console.log(markdownTable(['requests', 'p50', 'p99', 'max'], [latencyRow], ['right', 'right', 'right', 'right']));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
