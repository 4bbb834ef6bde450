/**
 * Concurrent RIB benchmark (`npm run bench:concurrent`): worker-thread readers answer lookups
 * from the RIB's shared memory while the writer (this thread) applies churn.
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
 * and the writer), DURATION_MS each (default 2000); ROUNDS rounds (default 3) run R = 0, 1, 2,
 * 4 in turn, so every R sees the same machine conditions; the tables give medians over rounds.
 */
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Address } from '../src/ip/address.js';
import type { Rib } from '../src/rib/rib.js';
import { addressesInsidePrefixes } from './support/addresses.js';
import { CONTROL_WORDS, GO, READY, STOP } from './support/concurrent-control.js';
import { loadFullTableOrExit } from './support/full-table.js';
import { machineLine } from './support/machine.js';
import { threadCpuSeconds } from './support/thread-cpu.js';
import { formatCount, formatNs, formatRate, markdownTable } from './support/markdown.js';
import { SeededRandom } from './support/random.js';
import { PEERS, buildWorkloadRib, prepareRibWorkload } from './support/rib-workload.js';
import { median } from './support/timing.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const DURATION_MS = Number(process.env['DURATION_MS'] ?? 2000);
const READERS = [0, 1, 2, 4];

interface ReaderReport {
  lookups: number;
  elapsedNs: number;
  p50: number;
  p99: number;
  max: number;
  retries: number;
}

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

/**
 * Withdraw + re-announce routes until `ms` passed; returns route writes per second and the
 * writer thread's CPU use (/proc per-thread times): a lower rate at the same CPU per route
 * means the thread got less CPU, a higher CPU per route means each write got slower.
 */
function churnFor(c: Churn, ms: number): { rate: number; share: number; cpuNs: number } {
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
  return { reads: (latencies.length * 1e9) / Number(last - start), p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1]!, writes: 0, writerShare: NaN, writerCpuNs: NaN, retries: 0 };
}

/** Start `r` readers, run one phase (with churn or idle), return what it measured. */
async function phase(c: Churn, r: number, churn: boolean, addresses: Uint32Array): Promise<Phase> {
  const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  const reports: Promise<ReaderReport>[] = [];
  const workers: Worker[] = [];
  for (let i = 0; i < r; i++) {
    const descriptor = c.rib.share();
    const worker = new Worker(new URL('./concurrent-reader.js', import.meta.url), {
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
  while (Atomics.load(control, READY) < r) await new Promise((resolve) => setTimeout(resolve, 20));
  Atomics.store(control, GO, 1);
  Atomics.notify(control, GO);
  let writer = { rate: 0, share: NaN, cpuNs: NaN };
  if (churn) writer = churnFor(c, DURATION_MS);
  else await new Promise((resolve) => setTimeout(resolve, DURATION_MS));
  Atomics.store(control, STOP, 1);
  const done = await Promise.all(reports);
  await Promise.all(workers.map((w) => w.terminate()));
  const reads = done.reduce((sum, d) => sum + (d.lookups * 1e9) / d.elapsedNs, 0);
  return {
    reads,
    p50: median(done.map((d) => d.p50)),
    p99: Math.max(0, ...done.map((d) => d.p99)),
    max: Math.max(0, ...done.map((d) => d.max)),
    writes: writer.rate,
    writerShare: writer.share,
    writerCpuNs: writer.cpuNs,
    retries: done.reduce((sum, d) => sum + d.retries, 0),
  };
}

async function main(): Promise<void> {
  console.log(`# ribstore concurrent RIB benchmark\n\n${machineLine()}\n`);
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
  console.log(`built: ${formatCount(built.rib.stats().routes)} routes; load average before the runs ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

  const idle = new Map<number, Phase[]>();
  const busy = new Map<number, Phase[]>();
  const reference: Phase[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    reference.push(mainThreadLookups(built.rib, addresses, DURATION_MS));
    for (const r of READERS) {
      if (r > 0) (idle.get(r) ?? idle.set(r, []).get(r)!).push(await phase(churn, r, false, addresses));
      (busy.get(r) ?? busy.set(r, []).get(r)!).push(await phase(churn, r, true, addresses));
    }
    console.log(`round ${round + 1}/${ROUNDS} done, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  }

  const med = (list: Phase[] | undefined, f: (p: Phase) => number): number => (list === undefined || list.length === 0 ? NaN : median(list.map(f)));
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
      `${(100 * med(b, (p) => p.writerShare)).toFixed(0)}% / ${formatNs(med(b, (p) => p.writerCpuNs))}`,
      r === 0 ? '-' : formatCount(med(b, (p) => p.retries)),
    ];
  });
  console.log(`\n## Readers vs one writer (medians of ${ROUNDS} rounds, ${DURATION_MS} ms phases)\n`);
  console.log(
    markdownTable(
      ['readers', 'idle reads/s', 'idle p99', 'churn reads/s (all)', 'per reader', 'churn p50 / p99 / max', 'writer routes/s', 'writer vs alone', 'writer CPU share / CPU per route', 'retried attempts'],
      rows,
      ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  console.log(
    `\nreference, same rounds: RibReader.lookup on the writer's thread, no workers, no writes: ${formatRate(med(reference, (p) => p.reads))} lookups, p50 / p99 / max ${formatNs(med(reference, (p) => p.p50))} / ${formatNs(med(reference, (p) => p.p99))} / ${formatNs(med(reference, (p) => p.max))}`,
  );
  const p99Ratio = med(busy.get(1), (p) => p.p99) / med(idle.get(1), (p) => p.p99);
  const scale = med(busy.get(2), (p) => p.reads) / med(busy.get(1), (p) => p.reads);
  const writer2 = med(busy.get(2), (p) => p.writes) / writerAlone;
  console.log(`\ntargets: read p99 under churn / idle (1 reader) ${p99Ratio.toFixed(2)}x (target <= 2x); reads 2 vs 1 reader ${scale.toFixed(2)}x (target >= 1.8x); writer with 2 readers ${(100 * writer2).toFixed(0)}% of alone (target >= 70%)`);
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

await main();
