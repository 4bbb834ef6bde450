/**
 * Concurrent RIB benchmark (`npm run bench:concurrent`): worker-thread readers answer lookups
 * from the RIB's shared memory while the writer (this thread) applies churn; then the same
 * question through HTTP (bench/concurrent-http.ts).
 *
 * Data: the full table (1.06 M prefixes) from 10 peers = 10.6 M routes, built as bench:rib
 * builds it (bench/support/rib-workload.ts). Churn: the writer withdraws and re-announces
 * IPv4 routes peer after peer, prefix after prefix, at its best rate (two route writes per
 * prefix; every prefix keeps routes from the other peers, so churn touches slot versions
 * only). Readers: R = 0, 1, 2, 4 workers (SharedRibReader), each looking up random addresses
 * inside stored IPv4 prefixes (best route + all routes of the longest match, attributes
 * decoded: the API's lookup answer).
 *
 * Per R, each round measures an idle phase (readers, no writer) and a churn phase (readers
 * and the writer flat out), DURATION_MS each (default 2000), and for R = 0, 1, 2 a paced churn
 * phase: the writer held to PACED_RATE route writes/s (default 300,000, sleeping between
 * batches), so that it leaves the readers most of the 2 cores: the flat-out vs paced pair shows
 * how much of the readers' scaling the writer's core takes. Every phase records the CPU time
 * each thread got (/proc per-thread times). ROUNDS rounds (default 3) run every phase in turn,
 * so all see the same machine conditions; the tables give medians over rounds, and the chart
 * (read p99 and reads/s vs readers) is written to bench/results/concurrent.svg.
 *
 * PARTS=rib,http (default both): which halves to run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { runHttpPart } from './concurrent-http.js';
import { Address } from '../src/ip/address.js';
import type { Rib } from '../src/rib/rib.js';
import { addressesInsidePrefixes } from './support/addresses.js';
import { startReaderThreads } from './support/reader-threads.js';
import { loadFullTableOrExit, projectRoot } from './support/full-table.js';
import { machineLine } from './support/machine.js';
import { threadCpuSeconds } from './support/thread-cpu.js';
import { formatCount, formatNs, formatRate, markdownTable } from './support/markdown.js';
import { SeededRandom } from './support/random.js';
import { lineChartSvg } from './support/svg-chart.js';
import { PEERS, buildWorkloadRib, prepareRibWorkload } from './support/rib-workload.js';
import { median } from './support/timing.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const DURATION_MS = Number(process.env['DURATION_MS'] ?? 2000);
const READERS = [0, 1, 2, 4];
/** Readers of the paced-writer phases. */
const PACED_READERS = [0, 1, 2];
/** Route writes per second the paced writer is held to. */
const PACED_RATE = Number(process.env['PACED_RATE'] ?? 300_000);
const PARTS = new Set((process.env['PARTS'] ?? 'rib,http').split(','));
/** Where the chart goes: bench/results/ of the source tree. */
const RESULTS = join(projectRoot, 'bench/results');

interface Phase {
  /** Lookups per second, all readers. */
  reads: number;
  p50: number;
  p99: number;
  max: number;
  /** Writer route writes per second (churn phases). */
  writes: number;
  /** Writer thread's CPU seconds per wall second, and CPU ns per route write (churn phases). */
  writerShare: number;
  writerCpuNs: number;
  /** Mean over the readers of each reader thread's CPU seconds per wall second. */
  readerShare: number;
  retries: number;
}

/** The churn cursor: which peer and prefix the writer touches next. */
interface Churn {
  rib: Rib;
  peerViews: number[];
  ids: Uint32Array[];
  words: Uint32Array;
  lengths: Uint8Array;
  count: number;
  peer: number;
  index: number;
}

/** Sleeps of the paced writer (Atomics.wait on a word nobody notifies). */
const pauseWord = new Int32Array(new SharedArrayBuffer(4));

/**
 * Withdraw + re-announce routes until `ms` passed, flat out or (with `pace`) at most `pace`
 * route writes per second, sleeping once a batch is ahead of schedule; returns route writes
 * per second and the writer thread's CPU use (/proc per-thread times): a lower rate at the
 * same CPU per route means the thread got less CPU, a higher CPU per route means each write
 * got slower.
 */
function churnFor(c: Churn, ms: number, pace = 0): { rate: number; share: number; cpuNs: number } {
  const { rib, words, lengths, count } = c;
  const cpuBefore = threadCpuSeconds(process.pid) ?? NaN;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let writes = 0;
  let now = start;
  while (now < end) {
    const pv = c.peerViews[c.peer]!;
    const ids = c.ids[c.peer]!;
    for (let k = 0; k < 1024; k++) {
      const i = c.index;
      rib.withdrawWords(pv, 0, 4, words[i]!, 0, 0, 0, lengths[i]!, 0);
      rib.announceWords(pv, 0, 4, words[i]!, 0, 0, 0, lengths[i]!, 0, ids[i]!);
      if (++c.index === count) {
        c.index = 0;
        c.peer = (c.peer + 1) % PEERS;
        break;
      }
    }
    writes += 2048;
    now = process.hrtime.bigint();
    if (pace > 0) {
      const aheadMs = (writes / pace) * 1e3 - Number(now - start) / 1e6;
      if (aheadMs > 0.05) Atomics.wait(pauseWord, 0, 0, Math.min(aheadMs, Number(end - now) / 1e6));
      now = process.hrtime.bigint();
    }
  }
  const cpu = (threadCpuSeconds(process.pid) ?? NaN) - cpuBefore;
  const wall = Number(now - start) / 1e9;
  return { rate: writes / wall, share: cpu / wall, cpuNs: (cpu * 1e9) / writes };
}

/**
 * The reference: the same lookups on the writer's thread with `RibReader.lookup` (no workers,
 * no writes), for `ms`: lookups per second and latency percentiles.
 */
function mainThreadLookups(rib: Rib, addresses: Uint32Array, ms: number): Phase {
  const targets = Array.from(addresses, (w) => new Address(4, w));
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let last = start;
  for (let i = 0; last < end; i++) {
    rib.lookup(targets[i % targets.length]!);
    const now = process.hrtime.bigint();
    latencies.push(Number(now - last));
    last = now;
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { reads: (latencies.length * 1e9) / Number(last - start), p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1]!, writes: 0, writerShare: NaN, writerCpuNs: NaN, readerShare: NaN, retries: 0 };
}

/** Start `r` readers, run one phase (idle, churn flat out, or churn paced), return what it measured. */
async function phase(c: Churn, r: number, churn: 'idle' | 'flat' | 'paced', addresses: Uint32Array): Promise<Phase> {
  const readers = await startReaderThreads(c.rib, addresses, r);
  let writer = { rate: 0, share: NaN, cpuNs: NaN };
  if (churn !== 'idle') writer = churnFor(c, DURATION_MS, churn === 'paced' ? PACED_RATE : 0);
  else await new Promise((resolve) => setTimeout(resolve, DURATION_MS));
  const done = await readers.stop();
  const reads = done.reduce((sum, d) => sum + (d.lookups * 1e9) / d.elapsedNs, 0);
  return {
    reads,
    p50: median(done.map((d) => d.p50)),
    p99: Math.max(0, ...done.map((d) => d.p99)),
    max: Math.max(0, ...done.map((d) => d.max)),
    writes: writer.rate,
    writerShare: writer.share,
    writerCpuNs: writer.cpuNs,
    readerShare: r === 0 ? NaN : done.reduce((sum, d) => sum + d.cpuSeconds / (d.elapsedNs / 1e9), 0) / r,
    retries: done.reduce((sum, d) => sum + d.retries, 0),
  };
}

type Phases = Map<number, Phase[]>;

function record(into: Phases, r: number, p: Phase): void {
  (into.get(r) ?? into.set(r, []).get(r)!).push(p);
}

const med = (list: Phase[] | undefined, f: (p: Phase) => number): number => (list === undefined || list.length === 0 ? NaN : median(list.map(f)));
const percent = (share: number): string => (Number.isFinite(share) ? `${(100 * share).toFixed(0)}%` : '-');
/** Latency in three significant digits, for the chart's labels. */
const compactNs = (ns: number): string => (ns >= 1e6 ? `${+(ns / 1e6).toPrecision(3)} ms` : ns >= 1e3 ? `${+(ns / 1e3).toPrecision(3)} µs` : `${Math.round(ns)} ns`);
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

/** The chart of read p99 and reads/s vs readers, from the medians; returns its path. */
function writeChart(idle: Phases, busy: Phases, paced: Phases, notes: string[]): string {
  const xs = READERS.filter((r) => r > 0);
  const series = (phases: Phases, f: (p: Phase) => number): number[] => xs.map((r) => med(phases.get(r), f));
  const svg = lineChartSvg({
    title: 'ribstore: worker-thread readers of the shared RIB (full table x 10 peers)',
    panels: [
      {
        title: 'lookups/s, all readers',
        xLabel: 'reader threads',
        yLabel: 'lookups per second',
        xs,
        format: (v) => (v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)}k` : v.toFixed(0)),
        series: [
          { name: 'idle (no writer)', values: series(idle, (p) => p.reads) },
          { name: 'writer flat out', values: series(busy, (p) => p.reads) },
          { name: `writer paced to ${formatRate(PACED_RATE)}`, values: series(paced, (p) => p.reads), dashed: true },
        ],
      },
      {
        title: 'read latency p99 (log scale)',
        xLabel: 'reader threads',
        yLabel: 'p99 per lookup',
        xs,
        logY: true,
        format: compactNs,
        series: [
          { name: 'idle (no writer)', values: series(idle, (p) => p.p99) },
          { name: 'writer flat out', values: series(busy, (p) => p.p99) },
          { name: `writer paced to ${formatRate(PACED_RATE)}`, values: series(paced, (p) => p.p99), dashed: true },
        ],
      },
    ],
    notes,
  });
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, 'concurrent.svg');
  writeFileSync(path, svg);
  return path;
}

/** Worker-thread readers of the shared RIB vs one writer on this thread. */
async function runRibPart(): Promise<void> {
  const table = loadFullTableOrExit();
  console.log(`data: the real Tier-1 full table, ${table.path} (${formatCount(table.v4.count + table.v6.count)} prefixes) x ${PEERS} peers\n`);
  const random = new SeededRandom(42);
  const workload = prepareRibWorkload(table, random);
  const built = buildWorkloadRib(workload);
  const addresses = addressesInsidePrefixes(table.v4, 200_000, random).words;
  const churn: Churn = {
    rib: built.rib,
    peerViews: built.peerViews,
    ids: built.attrIds.map((perFamily) => perFamily[0]!),
    words: table.v4.words,
    lengths: table.v4.lengths,
    count: table.v4.count,
    peer: 0,
    index: 0,
  };
  const loadBefore = load();
  console.log(`built: ${formatCount(built.rib.stats().routes)} routes; load average before the runs ${loadBefore}\n`);

  const idle: Phases = new Map();
  const busy: Phases = new Map();
  const paced: Phases = new Map();
  const reference: Phase[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    reference.push(mainThreadLookups(built.rib, addresses, DURATION_MS));
    for (const r of READERS) {
      if (r > 0) record(idle, r, await phase(churn, r, 'idle', addresses));
      record(busy, r, await phase(churn, r, 'flat', addresses));
      if (PACED_READERS.includes(r)) record(paced, r, await phase(churn, r, 'paced', addresses));
    }
    console.log(`round ${round + 1}/${ROUNDS} done, load average ${load()}`);
  }

  const writerAlone = med(busy.get(0), (p) => p.writes);
  const rows = READERS.map((r) => {
    const b = busy.get(r);
    const i = idle.get(r);
    return [
      String(r),
      r === 0 ? '-' : formatRate(med(i, (p) => p.reads)),
      r === 0 ? '-' : formatNs(med(i, (p) => p.p99)),
      r === 0 ? '-' : formatRate(med(b, (p) => p.reads)),
      r === 0 ? '-' : formatRate(med(b, (p) => p.reads) / r),
      r === 0 ? '-' : `${formatNs(med(b, (p) => p.p50))} / ${formatNs(med(b, (p) => p.p99))} / ${formatNs(med(b, (p) => p.max))}`,
      formatRate(med(b, (p) => p.writes)),
      `${((100 * med(b, (p) => p.writes)) / writerAlone).toFixed(0)}%`,
      `${percent(med(b, (p) => p.writerShare))} / ${formatNs(med(b, (p) => p.writerCpuNs))}`,
      r === 0 ? '-' : `${percent(med(i, (p) => p.readerShare))} / ${percent(med(b, (p) => p.readerShare))}`,
      r === 0 ? '-' : formatCount(med(b, (p) => p.retries)),
    ];
  });
  console.log(`\n## Readers vs one writer flat out (medians of ${ROUNDS} rounds, ${DURATION_MS} ms phases)\n`);
  console.log(
    markdownTable(
      ['readers', 'idle reads/s', 'idle p99', 'churn reads/s (all)', 'per reader', 'churn p50 / p99 / max', 'writer routes/s', 'writer vs alone', 'writer CPU share / CPU per route', 'CPU share per reader, idle / churn', 'retried attempts'],
      rows,
      Array(11).fill('right'),
    ),
  );
  console.log(
    `\nreference, same rounds: RibReader.lookup on the writer's thread, no workers, no writes: ${formatRate(med(reference, (p) => p.reads))} lookups, p50 / p99 / max ${formatNs(med(reference, (p) => p.p50))} / ${formatNs(med(reference, (p) => p.p99))} / ${formatNs(med(reference, (p) => p.max))}`,
  );

  // Flat out vs paced: the same readers, the writer held to PACED_RATE.
  const pacedRows = PACED_READERS.map((r) => {
    const p = paced.get(r);
    const b = busy.get(r);
    const cores = (list: Phase[] | undefined): number => med(list, (x) => x.writerShare + (r === 0 ? 0 : r * x.readerShare));
    return [
      String(r),
      r === 0 ? '-' : `${formatRate(med(b, (x) => x.reads))} / ${formatRate(med(p, (x) => x.reads))}`,
      r === 0 ? '-' : `${formatNs(med(b, (x) => x.p99))} / ${formatNs(med(p, (x) => x.p99))}`,
      `${formatRate(med(b, (x) => x.writes))} / ${formatRate(med(p, (x) => x.writes))}`,
      `${percent(med(b, (x) => x.writerShare))} / ${percent(med(p, (x) => x.writerShare))}`,
      r === 0 ? '-' : `${percent(med(b, (x) => x.readerShare))} / ${percent(med(p, (x) => x.readerShare))}`,
      `${cores(b).toFixed(2)} / ${cores(p).toFixed(2)}`,
    ];
  });
  console.log(`\n## Writer flat out vs paced to ${formatRate(PACED_RATE)} route writes (same rounds; each cell flat out / paced)\n`);
  console.log(
    markdownTable(['readers', 'reads/s (all)', 'read p99', 'writer routes/s', 'writer CPU share', 'CPU share per reader', 'cores used by these threads'], pacedRows, Array(7).fill('right')),
  );

  const p99Ratio = med(busy.get(1), (p) => p.p99) / med(idle.get(1), (p) => p.p99);
  const scale = med(busy.get(2), (p) => p.reads) / med(busy.get(1), (p) => p.reads);
  const scalePaced = med(paced.get(2), (p) => p.reads) / med(paced.get(1), (p) => p.reads);
  const scaleIdle = med(idle.get(2), (p) => p.reads) / med(idle.get(1), (p) => p.reads);
  const writer2 = med(busy.get(2), (p) => p.writes) / writerAlone;
  console.log(
    `\ntargets: read p99 under churn / idle (1 reader) ${p99Ratio.toFixed(2)}x (target <= 2x); reads 2 vs 1 reader ${scale.toFixed(2)}x under churn (target >= 1.8x; idle ${scaleIdle.toFixed(2)}x, writer paced ${scalePaced.toFixed(2)}x); writer with 2 readers ${(100 * writer2).toFixed(0)}% of alone (target >= 70%)`,
  );
  const loadAfter = load();
  console.log(`load average after: ${loadAfter}`);
  const chart = writeChart(idle, busy, paced, [
    `${machineLine()}`,
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; medians of ${ROUNDS} interleaved rounds of ${DURATION_MS} ms phases; load average ${loadBefore} before, ${loadAfter} after.`,
    `Readers: SharedRibReader lookups (best route + all routes, attributes decoded) of random addresses inside stored IPv4 prefixes.`,
    `Writer: withdraw + re-announce, flat out or paced to ${formatRate(PACED_RATE)}. Targets: p99 churn <= 2x idle; 2 vs 1 readers >= 1.8x; writer >= 70% of alone.`,
  ]);
  console.log(`chart: ${chart}`);
}

async function main(): Promise<void> {
  console.log(`# ribstore concurrent RIB benchmark\n\n${machineLine()}\n`);
  if (PARTS.has('rib')) await runRibPart();
  if (PARTS.has('http')) await runHttpPart();
}

await main();
