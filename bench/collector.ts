/**
 * Collector benchmark: BMP end to end (TCP socket → framing → decode → RIB, visible in the API)
 * in routes per second, on streams built from real routes, with same-run references, and the
 * HTTP API's latency while a router streams a full table.
 *
 * Streams (bench/support/real-routes.ts, bmp-stream.ts), one router over loopback TCP into an
 * in-process `ribstore serve` (the same `startService` the command runs):
 * - the Tier-1 full table's 901,899 IPv4 prefixes, each with the attribute set AS3856 really
 *   sent for it (or its covering prefix) in ../shared/data/mrt/updates.et-header.2015.gz,
 *   one prefix per UPDATE (as GoBGP and FRR send over BMP) and packed by attribute set (as a
 *   BGP speaker's adj-rib-out sends);
 * - every peer of the multi-peer IPv6 RIB dump rib.bz2 (27 peers, real attributes), one
 *   prefix per UPDATE;
 * - with SYNTHETIC=1 also the earlier synthetic stream (20,000 made-up AS paths in runs of
 *   1-40 prefixes), labelled as such: its attribute-block cache hits far more often than on
 *   real routes, so its figure is not what a user gets.
 *
 * For each stream it prints how realistic it is (distinct attribute sets, runs of consecutive
 * prefixes sharing a set) and the attribute-block cache hit rate, then medians of RUNS runs of:
 * - decode only: framing, BMP decode and UPDATE walk with a counting visitor, in-process
 *   (the reference: what any collector spends before it stores anything);
 * - in-process ingest: the same into a Rib through the collector's RouteFeed;
 * - socket to visible: a fresh service per run; the clock runs from the first byte written to
 *   the moment the collector has applied the last message (the client closes the session
 *   after the stream; the collector closes its side once every queued byte is in the RIB).
 * While the first stream goes over the socket, a client in a worker thread sends lookups one
 * after the other and records their latency (PROBE=0 turns that off, e.g. for profiling), and
 * a LoopWatch (support/loop-watch.ts) notes the service's event-loop gaps over 50 ms with the
 * GC pauses and CPU time inside them: what held a slow request, JavaScript, GC or the OS.
 *
 * Many routers at once: the Tier-1 one-prefix stream sent concurrently by MANY_ROUTERS
 * routers (default 10; one loopback source address each, so each is its own router and the
 * RIB holds the table once per router), as after a collector restart: total routes/s, growth
 * of the process's RSS per route, and the lookup client's latencies meanwhile.
 *
 * PROBE=more-specifics: the client sends `/api/v1/routes?match=more-specifics&limit=100` of
 * the /16 around each lookup address instead of lookups (the scans `--api-workers` serves).
 * API_WORKERS=0,1,2: the probed stream's socket runs are made with each of these
 * `--api-workers` counts in turn, round after round (interleaved), and a table gives per count
 * the medians over the rounds of each run's lookup p50/p99/max; the other figures come from the
 * first count's runs. Default 0 (the lookups answered on the service's thread). An entry
 * `thread` runs `--api-thread worker` (the HTTP server in a worker thread), e.g. API_WORKERS=0,thread.
 * PROBE_PACE_MS=N: the client starts at most one request every N ms (default 0: back to back),
 * so arrangements that answer faster do not also get more requests (fair ingest comparison).
 *
 * Run: `npm run bench:collector` (RUNS=3, ROUTES=N to cut every stream to N routes per peer,
 * STREAMS=a,b to pick streams by key: tier1-one, tier1-packed, rib6-one, synthetic).
 */
import { pino } from 'pino';
import { startService } from '../src/service/service.js';
import { parseAddress } from '../src/ip/address.js';
import { Prefix } from '../src/ip/prefix.js';
import type { PathAttributes } from '../src/wire/bgp/types.js';
import { ApiProbe, apiArrangement, arrangementLabel, percentile, probeAddresses } from './support/api-probe.js';
import { decodeOnly, ingestInProcess } from './support/bmp-pipelines.js';
import { sendBmp } from './support/bmp-send.js';
import { type BmpStream, buildBmpStream } from './support/bmp-stream.js';
import { loadFullTableOrExit } from './support/full-table.js';
import { type LoopGap, LoopWatch, describeGaps } from './support/loop-watch.js';
import { machineLine } from './support/machine.js';
import { formatCount, formatRate, markdownTable } from './support/markdown.js';
import { AS3856_DUMP, RIB_DUMP, type RealRoutes, type Realism, loadAs3856Table, loadRibPeers, missingRealData, realism, tier1WithRealAttributes } from './support/real-routes.js';

const RUNS = Number(process.env['RUNS'] ?? 3);
/** Routers streaming the Tier-1 one-prefix table at once in the many-routers run (0: no such run). */
const MANY_ROUTERS = Number(process.env['MANY_ROUTERS'] ?? 10);
/** Cut every stream to its first ROUTES routes per peer (default: whole tables), e.g. for profiling. */
const ROUTES = Number(process.env['ROUTES'] ?? Infinity);
const ROUTER = '127.0.0.1';
/** API arrangements of the probed runs: `--api-workers` counts, or `thread` for `--api-thread worker` (see the module doc). */
const API_WORKERS = (process.env['API_WORKERS'] ?? '0').split(',');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The synthetic stream kept for comparison (SYNTHETIC=1): made-up AS paths in runs of 1-40 prefixes. */
function syntheticRoutes(networks: Uint32Array, lengths: Uint8Array, count: number): RealRoutes {
  const attributes: PathAttributes[] = [];
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) >>> 0);
  for (let i = 0; i < 20_000; i++) {
    const length = 2 + (next() % 5);
    const asns = [64500];
    for (let j = 1; j < length; j++) asns.push(1 + (next() % 400_000));
    attributes.push({
      origin: 0,
      asPath: [{ type: 2, asns }],
      nextHop: parseAddress('192.0.2.1'),
      med: next() % 3 === 0 ? next() % 1000 : undefined,
      communities: [64500 * 65536 + (next() % 200), 64500 * 65536 + 1000 + (next() % 50)],
    } as PathAttributes);
  }
  const prefixes: Prefix[] = [];
  const sets = new Uint32Array(count);
  let set = 0;
  for (let i = 0; i < count; ) {
    const end = Math.min(count, i + 1 + ((set * 7919) % 40));
    for (; i < end; i++) {
      prefixes.push(new Prefix(4, networks[i]!, 0, 0, 0, lengths[i]!));
      sets[i] = set % attributes.length;
    }
    set++;
  }
  return { source: 'SYNTHETIC: made-up AS paths, runs of 1-40 prefixes', attributes, peers: [{ address: parseAddress('192.0.2.1'), asn: 64500, prefixes, sets }] };
}

/** Cut every peer of `routes` to its first `limit` routes. */
function cut(routes: RealRoutes, limit: number): RealRoutes {
  if (!Number.isFinite(limit)) return routes;
  return { ...routes, peers: routes.peers.map((p) => ({ ...p, prefixes: p.prefixes.slice(0, limit), sets: p.sets.slice(0, limit) })) };
}

/** What one socket run measured. */
interface SocketRun {
  seconds: number;
  latenciesMs: number[];
  firstMs: number;
  /** Growth of the process's resident set from before the service started to the last route applied, per route. */
  rssPerRoute: number;
  /** Event-loop gaps over 50 ms while the stream went in (the lookup client's latencies' cause). */
  loopGaps: LoopGap[];
}

/**
 * One run: a fresh service, the stream over TCP from each of `sources` (a loopback address
 * per router, all at once: each router sends the same table, so the RIB holds it once per
 * router); optional lookups while it streams.
 */
async function run(stream: Uint8Array, expectedRoutes: number, lookups: string[] | null, sources: readonly string[] = [ROUTER], api = '0'): Promise<SocketRun> {
  const rssBefore = process.memoryUsage().rss;
  const service = await startService({ bmpListen: { host: '127.0.0.1', port: 0 }, httpListen: { host: '127.0.0.1', port: 0 }, logger: pino({ level: 'silent' }), keepMs: 3_600_000, ...apiArrangement(api) });
  try {
    const kind = process.env['PROBE'] === 'more-specifics' ? 'more-specifics' : 'lookup';
    const prober = lookups ? await ApiProbe.start(service.httpUrl, lookups, { kind, paceMs: Number(process.env['PROBE_PACE_MS'] ?? 0) }) : null;
    const watch = new LoopWatch();
    watch.start();
    const started = performance.now();
    await sendBmp(service, stream, sources);
    const seconds = (performance.now() - started) / 1000;
    const loopGaps = watch.stop();
    const rssPerRoute = (process.memoryUsage().rss - rssBefore) / expectedRoutes;
    const probed = await prober?.stop();
    const latenciesMs = probed?.latenciesMs ?? [];
    const firstMs = probed?.firstMs ?? 0;
    const routes = service.rib.stats().routes;
    if (routes !== expectedRoutes) throw new Error(`the RIB holds ${routes} routes, expected ${expectedRoutes}`);
    for (const source of sources) {
      const router = service.collector.routers.get(source)!;
      if (router.sessions !== 1 || router.lastError !== null) throw new Error(`router ${source}: ${router.sessions} sessions, last error ${router.lastError}`);
    }
    return { seconds, latenciesMs, firstMs, rssPerRoute, loopGaps };
  } finally {
    await service.close();
  }
}

/**
 * One stream to measure: its bytes and what was learnt of its routes while building it (the
 * routes themselves are not kept, see {@link prepare}).
 */
interface StreamCase {
  readonly key: string;
  readonly label: string;
  readonly source: string;
  readonly real: Realism;
  readonly stream: BmpStream;
}

/** Median seconds of `RUNS` calls of `work`, which must return `expected` routes. */
function timeRuns(what: string, expected: number, work: () => number): number {
  const seconds: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const started = performance.now();
    const routes = work();
    seconds.push((performance.now() - started) / 1000);
    if (routes !== expected) throw new Error(`${what}: ${routes} routes, expected ${expected}`);
  }
  return median(seconds);
}

/**
 * Build the streams and the lookup addresses. Only the stream bytes (off the JS heap) and a
 * summary of each stream's routes leave this function: the full table, the donor dumps and the
 * route objects (~260 MB of live JS heap) become garbage before anything is measured, so the
 * collector's major GCs do not mark the benchmark's own data, which a `ribstore serve`
 * process does not hold.
 */
async function prepare(): Promise<{ cases: StreamCase[]; lookups: string[] }> {
  const wanted = new Set((process.env['STREAMS'] ?? `tier1-one,tier1-packed,rib6-one${process.env['SYNTHETIC'] === '1' ? ',synthetic' : ''}`).split(','));
  const table = loadFullTableOrExit();
  const v4 = table.v4;
  const as3856 = await loadAs3856Table();
  const tier1 = cut(tier1WithRealAttributes(v4, as3856), ROUTES);
  const cases: StreamCase[] = [];
  const add = (key: string, label: string, routes: RealRoutes, packing: 'one' | 'packed'): void => {
    if (wanted.has(key)) cases.push({ key, label, source: routes.source, real: realism(routes), stream: buildBmpStream(routes, packing) });
  };
  add('tier1-one', 'IPv4 full table, real attributes, 1 prefix/UPDATE', tier1, 'one');
  add('tier1-packed', 'IPv4 full table, real attributes, packed', tier1, 'packed');
  if (wanted.has('rib6-one')) add('rib6-one', 'rib.bz2: 27 peers IPv6, real attributes, 1 prefix/UPDATE', cut(await loadRibPeers(), ROUTES), 'one');
  add('synthetic', 'SYNTHETIC IPv4, made-up attributes, 1 prefix/UPDATE', syntheticRoutes(v4.words, v4.lengths, Math.min(v4.count, ROUTES)), 'one');

  const lookups = probeAddresses(v4.words, Math.min(v4.count, ROUTES));
  return { cases, lookups };
}

/** Per-run figures of the probed runs with one `--api-workers` count. */
interface WorkerRuns {
  requests: number[];
  p50: number[];
  p99: number[];
  max: number[];
  seconds: number[];
}

function addWorkerRun(runs: Map<string, WorkerRuns>, workers: string, result: SocketRun): void {
  let entry = runs.get(workers);
  if (entry === undefined) runs.set(workers, (entry = { requests: [], p50: [], p99: [], max: [], seconds: [] }));
  const l = result.latenciesMs;
  entry.requests.push(l.length);
  entry.seconds.push(result.seconds);
  if (l.length === 0) return;
  entry.p50.push(percentile(l, 50));
  entry.p99.push(percentile(l, 99));
  entry.max.push(Math.max(...l));
}

function workerRows(runs: Map<string, WorkerRuns>): string[][] {
  const ms = (values: number[]): string => (values.length === 0 ? '-' : `${median(values).toFixed(2)} ms`);
  return [...runs].map(([workers, r]) => [arrangementLabel(workers), formatCount(median(r.requests)), ms(r.p50), ms(r.p99), ms(r.max), `${median(r.seconds).toFixed(2)} s`]);
}

async function main(): Promise<void> {
  for (const name of [AS3856_DUMP, RIB_DUMP]) {
    const missing = missingRealData(name);
    if (missing !== null) {
      process.stderr.write(`benchmark data missing: ${missing}\n`);
      process.exit(2);
    }
  }
  const { cases, lookups } = await prepare();
  console.log(`# ribstore collector benchmark\n\n${machineLine()}\n\n${RUNS} runs per figure, medians; every stream is one router, its peers one after another.\n`);
  const realismRows: string[][] = [];
  const rateRows: string[][] = [];
  let latencyRow: string[] | null = null;
  const loopLines: string[] = [];
  const workerRuns = new Map<string, WorkerRuns>();
  for (const c of cases) {
    const { stream } = c;
    const real = c.real;
    const ingest = ingestInProcess(stream.bytes);
    if (ingest.rib.stats().routes !== stream.routes) throw new Error(`${c.key}: in-process ingest kept ${ingest.rib.stats().routes} routes, expected ${stream.routes}`);
    realismRows.push([
      c.label,
      c.source,
      formatCount(stream.routes),
      formatCount(stream.updates),
      formatCount(real.distinctSets),
      `${real.meanRun.toFixed(2)} / ${real.medianRun}`,
      `${((100 * ingest.blockHits) / Math.max(1, ingest.updates)).toFixed(1)} %`,
    ]);
    const decodeSeconds = timeRuns(`${c.key} decode only`, stream.routes, () => decodeOnly(stream.bytes));
    const inProcessSeconds = timeRuns(`${c.key} in-process ingest`, stream.routes, () => ingestInProcess(stream.bytes).rib.stats().routes);
    const seconds: number[] = [];
    const latencies: number[] = [];
    const firsts: number[] = [];
    const probe = c === cases[0] && process.env['PROBE'] !== '0';
    if (probe) loopLines.length = 0;
    for (let r = 0; r < RUNS; r++) {
      for (const workers of probe ? API_WORKERS : ['0']) {
        const result = await run(stream.bytes, stream.routes, probe ? lookups : null, [ROUTER], workers);
        if (probe) addWorkerRun(workerRuns, workers, result);
        process.stderr.write(`  ${c.key} socket run ${r + 1}${probe ? ` --api-workers ${workers}` : ''}: ${result.seconds.toFixed(2)} s\n`);
        if (workers !== (probe ? API_WORKERS[0] : '0')) continue;
        seconds.push(result.seconds);
        latencies.push(...result.latenciesMs);
        if (probe) firsts.push(result.firstMs);
        if (probe) loopLines.push(`run ${r + 1}: ${describeGaps(result.loopGaps)}`);
      }
    }
    const socketSeconds = median(seconds);
    rateRows.push([
      c.label,
      `${(stream.bytes.length / 2 ** 20).toFixed(0)} MiB`,
      formatRate(stream.routes / decodeSeconds),
      formatRate(stream.routes / inProcessSeconds),
      `${socketSeconds.toFixed(2)} s`,
      formatRate(stream.routes / socketSeconds),
      `${((100 * decodeSeconds) / socketSeconds).toFixed(0)} %`,
    ]);
    if (probe && latencies.length > 0) {
      latencyRow = [
        c.label,
        formatCount(latencies.length),
        `${percentile(latencies, 50).toFixed(2)} ms`,
        `${percentile(latencies, 99).toFixed(2)} ms`,
        `${Math.max(...latencies).toFixed(2)} ms`,
        `${median(firsts).toFixed(0)} ms`,
      ];
    }
  }
  console.log('## Streams: how realistic they are\n');
  console.log('Runs: consecutive routes of a peer that share one attribute set (mean / median length). Cache hits: UPDATEs whose attribute block the collector recalled instead of decoding.\n');
  console.log(markdownTable(['stream', 'routes from', 'routes', 'UPDATEs', 'distinct sets', 'run length', 'block cache hits'], realismRows, ['left', 'left', 'right', 'right', 'right', 'right', 'right']));
  console.log('\n## Ingest rates (target socket to visible ≥ 1.5 M routes/s one prefix per UPDATE, ≥ 3 M packed)\n');
  console.log('Decode only: framing + BMP decode + UPDATE walk, counting routes (same run, the reference). Last column: decode-only time as a share of socket-to-visible time.\n');
  console.log(markdownTable(['stream', 'bytes', 'decode only', 'in-process ingest', 'socket to visible', 'routes/s', 'decode share'], rateRows, ['left', 'right', 'right', 'right', 'right', 'right', 'right']));
  if (latencyRow) {
    console.log('\n## API latency while the first stream goes over the socket (GET /api/v1/lookup, sequential), target p99 < 50 ms\n');
    console.log('Last column: the client\'s first request (median over the runs), sent to the idle server before the stream and left out of the other columns: a fresh client loads and compiles undici and connects, the server answers its first lookup cold.\n');
    console.log(markdownTable(['stream', 'requests', 'p50', 'p99', 'max', 'first request'], [latencyRow], ['left', 'right', 'right', 'right', 'right', 'right']));
    if (API_WORKERS.length > 1) {
      console.log(`\n### By API arrangement (${API_WORKERS.join(', ')}; runs interleaved round by round; medians over ${RUNS} runs of each run's figure)\n`);
      console.log(markdownTable(['arrangement', 'requests / run', 'p50', 'p99', 'max', 'socket to visible'], workerRows(workerRuns), ['right', 'right', 'right', 'right', 'right', 'right']));
    }
    console.log('\nThe service\'s event loop in those runs (bench/support/loop-watch.ts: gaps between 10 ms timer ticks; GC pauses and process CPU time inside them):\n');
    for (const line of loopLines) console.log(`- ${line}`);
  }
  const tier1 = cases.find((c) => c.key === 'tier1-one');
  if (MANY_ROUTERS > 0 && tier1 !== undefined) {
    const sources = Array.from({ length: MANY_ROUTERS }, (_, i) => `127.0.0.${i + 2}`);
    const expected = MANY_ROUTERS * tier1.stream.routes;
    const runs: SocketRun[] = [];
    for (let r = 0; r < RUNS; r++) {
      const result = await run(tier1.stream.bytes, expected, process.env['PROBE'] !== '0' ? lookups : null, sources);
      runs.push(result);
      process.stderr.write(`  ${MANY_ROUTERS} routers socket run ${r + 1}: ${result.seconds.toFixed(2)} s, RSS +${result.rssPerRoute.toFixed(1)} B/route\n`);
    }
    const seconds = median(runs.map((r) => r.seconds));
    const latencies = runs.flatMap((r) => r.latenciesMs);
    console.log(`\n## Many routers at once: ${MANY_ROUTERS} routers each send the IPv4 full table (real attributes, 1 prefix/UPDATE) concurrently\n`);
    console.log('Targets: ≥ 1.5 M routes/s in total, RSS ≤ 48 B/route, API p99 < 50 ms. RSS: growth of the whole process (service and benchmark client) from before the service started to the last route applied, per route, in the first run (later runs start with the memory the previous service freed still resident). Latencies: every lookup of every run.\n');
    console.log(
      markdownTable(
        ['routers', 'routes', 'socket to visible', 'routes/s', 'RSS / route', 'lookups', 'p50', 'p99', 'max'],
        [
          [
            String(MANY_ROUTERS),
            formatCount(expected),
            `${seconds.toFixed(2)} s`,
            formatRate(expected / seconds),
            `${runs[0]!.rssPerRoute.toFixed(1)} B`,
            formatCount(latencies.length),
            latencies.length > 0 ? `${percentile(latencies, 50).toFixed(2)} ms` : '-',
            latencies.length > 0 ? `${percentile(latencies, 99).toFixed(2)} ms` : '-',
            latencies.length > 0 ? `${Math.max(...latencies).toFixed(2)} ms` : '-',
          ],
        ],
        ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
