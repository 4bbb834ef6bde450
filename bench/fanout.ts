/**
 * `npm run bench:fanout`: what publishing the BMP stream to NATS JetStream costs the collector,
 * and how fast a replica (`serve --follow`) gets the table from the stream.
 *
 * Input: the ingest benchmark's real-attribute stream (Tier-1 IPv4 prefixes with AS3856's real
 * attribute sets, packed UPDATEs; bench/support/real-routes.ts): the full table, 901,899 routes
 * (ROUTES=N cuts it to the first N), one router over TCP. Each round
 * runs, in the same process: (a) `serve` alone; then for each placement of the publisher's NATS
 * client — `worker` (a worker thread fed through shared memory, the default) and `inline` (the
 * collector's own thread, as before) — alternating which goes first each round and each with a
 * fresh `nats-server -js` and store: (b) `serve --publish` with a replica, `ribstore serve
 * --follow` as a child process (its own event loop, as in production), following the stream:
 * time from the first byte until every route is in the RIB, until JetStream acknowledged every
 * message, and until every route is in the replica's RIB, and its lag (age of the record it is
 * applying, `/api/v1/stats` `follower.lagMs`) sampled every 50 ms while it catches up (p50 /
 * p99), the time from the collector's last route to the replica's last route, and when, after
 * the collector's last route, the lag was back under 1 s for good (the time of the first sample
 * after the last one at or over 1 s; 0 if none was); after the worker run a cold replica reads the whole stored stream (time from its start
 * until every route is in its RIB, polled every 20 ms, process start-up excluded): the replica's
 * own rate; (c) `serve --publish` with no replica running: the publishing cost alone, and the CPU
 * time of each thread (collector main thread, the threads the publisher started, nats-server)
 * from the first byte to the last acknowledgement, read from /proc. Medians of RUNS rounds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startService, type Service } from '../src/service/service.js';
import { BmpFramer } from '../src/wire/bmp/framer.js';
import { sendBmp } from './support/bmp-send.js';
import { buildBmpStream } from './support/bmp-stream.js';
import { loadFullTableOrExit } from './support/full-table.js';
import { machineLine } from './support/machine.js';
import { processCpuSeconds, threadCpuSeconds, threadIds } from './support/thread-cpu.js';
import { AS3856_DUMP, loadAs3856Table, missingRealData, tier1WithRealAttributes } from './support/real-routes.js';
import { NatsServer, natsSkipReason } from '../test/support/nats.js';

const RUNS = Number(process.env['RUNS'] ?? 3);
/** Cut the table to its first ROUTES routes (default: all of it). */
const ROUTES = Number(process.env['ROUTES'] ?? Infinity);
/** The replica is caught up once its lag is under this (issue 13: within 2 s after a full table). */
const CAUGHT_UP_MS = 1000;

function median(values: number[]): number {
  return quantile(values, 0.5);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

/** `ribstore serve --follow URL` as a child process; resolves with its HTTP URL once it serves. */
function startReplica(url: string): Promise<{ child: ChildProcess; http: string }> {
  const main = join(import.meta.dirname, '../src/cli/main.js');
  const child = spawn(process.execPath, [main, 'serve', '--follow', url, '--bmp-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--keep', '1h'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}: ${text.slice(-1000)}`)));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      text = (text + chunk).slice(-100_000);
      const match = /"http":"(http:\/\/[^"]+)"[^\n]*"msg":"ribstore serving"/.exec(text);
      if (match) resolve({ child, http: match[1]! });
    });
  });
}

async function replicaStats(http: string): Promise<{ routes: number; lagMs: number; lastSequence: number }> {
  const body = (await (await fetch(`${http}/api/v1/stats`)).json()) as { rib: { routes: number }; follower: { lagMs: number; lastSequence: number } };
  return { routes: body.rib.routes, lagMs: body.follower.lagMs, lastSequence: body.follower.lastSequence };
}

const stream = (service: Service, bytes: Uint8Array): Promise<void> => sendBmp(service, bytes);

/** A fresh nats-server and a collector publishing to it (`--publish`, overflow pause), once it is connected. */
async function startPublishing(thread: Thread): Promise<{ nats: NatsServer; service: Service }> {
  const nats = await NatsServer.create();
  await nats.start();
  const service = await startService({
    bmpListen: { host: '127.0.0.1', port: 0 },
    httpListen: { host: '127.0.0.1', port: 0 },
    logger: pino({ level: 'silent' }),
    keepMs: 3_600_000,
    publish: { servers: nats.url, collectorName: 'bench', overflow: 'pause', bufferBytes: 256 * 1024 * 1024, thread },
  });
  while (!service.publisher!.statistics().connected) await new Promise((resolve) => setTimeout(resolve, 10));
  return { nats, service };
}

type Thread = 'worker' | 'inline';

/** CPU seconds so far of this process's main thread, of the given other threads, and of nats-server. */
function cpuNow(threads: readonly number[], natsPid: number | null): { main: number; others: number; nats: number } {
  return {
    main: threadCpuSeconds(process.pid) ?? Number.NaN,
    others: threads.reduce((sum, tid) => sum + (threadCpuSeconds(tid) ?? 0), 0),
    nats: natsPid === null ? Number.NaN : (processCpuSeconds(natsPid) ?? Number.NaN),
  };
}

/** Figures of one placement of the publisher over the rounds. */
interface PublishFigures {
  ingest: number[];
  acked: number[];
  replicaDone: number[];
  replicaAfterAck: number[];
  /** Collector's last route to the replica's last route, s. */
  replicaAfterIngest: number[];
  /** After the collector's last route, when the replica's lag was under CAUGHT_UP_MS for good, s. */
  caughtUp: number[];
  lagMax: number[];
  lagP50: number[];
  lagP99: number[];
  onlyIngest: number[];
  onlyAcked: number[];
  /** Publish-only runs, first byte to last acknowledgement: CPU seconds of the main thread, the threads the publisher started, nats-server. */
  cpuMain: number[];
  cpuWorker: number[];
  cpuNats: number[];
  workerThreads: number[];
}

function emptyFigures(): PublishFigures {
  return { ingest: [], acked: [], replicaDone: [], replicaAfterAck: [], replicaAfterIngest: [], caughtUp: [], lagMax: [], lagP50: [], lagP99: [], onlyIngest: [], onlyAcked: [], cpuMain: [], cpuWorker: [], cpuNats: [], workerThreads: [] };
}

async function waitPublished(service: Service, messages: number): Promise<void> {
  while (service.publisher!.statistics().published < messages) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** `serve --publish` with a replica following: ingest, acknowledgement and replica times. Returns the nats-server (for a cold replica), still running. */
async function runWithReplica(thread: Thread, bytes: Uint8Array, routes: number, messages: number, into: PublishFigures): Promise<{ nats: NatsServer; service: Service }> {
  const { nats, service } = await startPublishing(thread);
  const replica = await startReplica(nats.url);
  const started = performance.now();
  // The replica is polled from here on (every 50 ms) until it holds every route.
  const lags: number[] = [];
  const lagTimes: number[] = [];
  let doneAt = 0;
  const polling = (async () => {
    for (;;) {
      const stats = await replicaStats(replica.http).catch(() => null);
      if (stats && stats.lastSequence > 0) {
        lags.push(stats.lagMs);
        lagTimes.push(performance.now());
      }
      if (stats && stats.routes === routes) {
        doneAt = performance.now();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await stream(service, bytes);
  const ingestedAt = performance.now();
  into.ingest.push((ingestedAt - started) / 1000);
  await waitPublished(service, messages);
  const ackedAt = performance.now();
  into.acked.push((ackedAt - started) / 1000);
  await polling;
  into.replicaDone.push((doneAt - started) / 1000);
  into.replicaAfterAck.push(Math.max(0, doneAt - ackedAt) / 1000);
  into.replicaAfterIngest.push((doneAt - ingestedAt) / 1000);
  let lastLate = lags.length - 1;
  while (lastLate >= 0 && lags[lastLate]! < CAUGHT_UP_MS) lastLate--;
  const settledAt = lastLate < 0 ? ingestedAt : (lagTimes[lastLate + 1] ?? doneAt);
  into.caughtUp.push(Math.max(0, settledAt - ingestedAt) / 1000);
  into.lagMax.push(Math.max(0, ...lags) / 1000);
  into.lagP50.push(quantile(lags, 0.5) / 1000);
  into.lagP99.push(quantile(lags, 0.99) / 1000);
  replica.child.kill('SIGKILL');
  if (service.rib.stats().routes !== routes) throw new Error(`publish (${thread}): ${service.rib.stats().routes} routes, expected ${routes}`);
  return { nats, service };
}

/** `serve --publish` with no replica: ingest and acknowledgement times, CPU per thread. */
async function runPublishOnly(thread: Thread, bytes: Uint8Array, routes: number, messages: number, into: PublishFigures): Promise<void> {
  const before = new Set(threadIds());
  const { nats, service } = await startPublishing(thread);
  const added = threadIds().filter((tid) => !before.has(tid));
  const cpu0 = cpuNow(added, nats.pid);
  const started = performance.now();
  await stream(service, bytes);
  into.onlyIngest.push((performance.now() - started) / 1000);
  await waitPublished(service, messages);
  into.onlyAcked.push((performance.now() - started) / 1000);
  const cpu1 = cpuNow(added, nats.pid);
  into.cpuMain.push(cpu1.main - cpu0.main);
  into.cpuWorker.push(cpu1.others - cpu0.others);
  into.cpuNats.push(cpu1.nats - cpu0.nats);
  into.workerThreads.push(added.length);
  if (service.rib.stats().routes !== routes) throw new Error(`publish only (${thread}): ${service.rib.stats().routes} routes, expected ${routes}`);
  await service.close();
  await nats.dispose();
}

async function main(): Promise<void> {
  const missing = missingRealData(AS3856_DUMP) || natsSkipReason();
  if (missing) {
    process.stderr.write(`benchmark requirement missing: ${missing}\n`);
    process.exit(2);
  }
  const table = loadFullTableOrExit();
  const limited = tier1WithRealAttributes(table.v4, await loadAs3856Table(), Math.min(ROUTES, table.v4.count));
  const built = buildBmpStream(limited, 'packed');
  const messages = [...new BmpFramer({ maxMessageLength: 1 << 20 }).push(built.bytes)].length;
  console.log(`# ribstore fan-out benchmark\n\n${machineLine()}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n\n${built.routes} routes, ${messages} BMP messages, ${(built.bytes.length / 1e6).toFixed(1)} MB; ${RUNS} rounds, medians.\n`);
  const alone: number[] = [];
  const aloneCpu: number[] = [];
  const replicaCold: number[] = [];
  const figures: Record<Thread, PublishFigures> = { worker: emptyFigures(), inline: emptyFigures() };
  for (let round = 0; round < RUNS; round++) {
    // The two placements alternate which goes first, so neither always runs in the same slot.
    const order: Thread[] = round % 2 === 0 ? ['worker', 'inline'] : ['inline', 'worker'];
    {
      const service = await startService({ bmpListen: { host: '127.0.0.1', port: 0 }, httpListen: { host: '127.0.0.1', port: 0 }, logger: pino({ level: 'silent' }), keepMs: 3_600_000 });
      const cpu0 = threadCpuSeconds(process.pid) ?? Number.NaN;
      const started = performance.now();
      await stream(service, built.bytes);
      alone.push((performance.now() - started) / 1000);
      aloneCpu.push((threadCpuSeconds(process.pid) ?? Number.NaN) - cpu0);
      if (service.rib.stats().routes !== built.routes) throw new Error(`alone: ${service.rib.stats().routes} routes, expected ${built.routes}`);
      await service.close();
    }
    for (const thread of order) {
      const { nats, service } = await runWithReplica(thread, built.bytes, built.routes, messages, figures[thread]);
      if (thread === 'worker') {
        // A cold replica reading the whole stored stream: the replica's own rate.
        const cold = await startReplica(nats.url);
        const coldStarted = performance.now();
        while ((await replicaStats(cold.http).catch(() => null))?.routes !== built.routes) await new Promise((resolve) => setTimeout(resolve, 20));
        replicaCold.push((performance.now() - coldStarted) / 1000);
        cold.child.kill('SIGKILL');
      }
      await service.close();
      await nats.dispose();
    }
    for (const thread of order) await runPublishOnly(thread, built.bytes, built.routes, messages, figures[thread]);
    const w = figures.worker;
    const i = figures.inline;
    process.stderr.write(
      `  round ${round + 1}: alone ${alone.at(-1)!.toFixed(2)} s; with replica: worker ${w.ingest.at(-1)!.toFixed(2)} s (acked ${w.acked.at(-1)!.toFixed(2)}), inline ${i.ingest.at(-1)!.toFixed(2)} s (acked ${i.acked.at(-1)!.toFixed(2)}); no replica: worker ${w.onlyIngest.at(-1)!.toFixed(2)} s (acked ${w.onlyAcked.at(-1)!.toFixed(2)}), inline ${i.onlyIngest.at(-1)!.toFixed(2)} s (acked ${i.onlyAcked.at(-1)!.toFixed(2)}); cold replica ${replicaCold.at(-1)!.toFixed(2)} s; load ${loadavg()[0]!.toFixed(2)}\n`,
    );
  }
  const rate = (seconds: number): string => `${Math.round(built.routes / seconds / 1000)} k routes/s`;
  const a = median(alone);
  const row = (label: string, seconds: number): void => console.log(`| ${label} | ${seconds.toFixed(2)} | ${rate(seconds)} | ${(a / seconds).toFixed(2)} |`);
  console.log('| run | seconds | rate | vs alone |\n|---|---|---|---|');
  row('ingest alone (reference)', a);
  for (const thread of ['worker', 'inline'] as const) {
    const f = figures[thread];
    row(`--publish (${thread}), replica running: routes in RIB`, median(f.ingest));
    row(`--publish (${thread}), replica running: all acked by JetStream`, median(f.acked));
    row(`--publish (${thread}), no replica: routes in RIB`, median(f.onlyIngest));
    row(`--publish (${thread}), no replica: all acked`, median(f.onlyAcked));
    row(`replica (--follow, own process) of the ${thread} publisher: every route in its RIB`, median(f.replicaDone));
  }
  row('cold replica reading the stored stream: every route in its RIB', median(replicaCold));
  const us = (seconds: number): string => `${((seconds / messages) * 1e6).toFixed(1)} µs`;
  console.log(`\nCPU per BMP message, first byte to last acknowledgement, no replica (medians; /proc per-thread times, 10 ms ticks):\n`);
  console.log('| publisher | collector main thread | main thread minus ingest alone | threads the publisher started | nats-server |\n|---|---|---|---|---|');
  const aloneMain = median(aloneCpu);
  console.log(`| none (ingest alone) | ${us(aloneMain)} | — | — | — |`);
  for (const thread of ['worker', 'inline'] as const) {
    const f = figures[thread];
    console.log(`| ${thread} | ${us(median(f.cpuMain))} | ${us(median(f.cpuMain) - aloneMain)} | ${us(median(f.cpuWorker))} (${median(f.workerThreads)} thread(s)) | ${us(median(f.cpuNats))} |`);
  }
  for (const thread of ['worker', 'inline'] as const) {
    const f = figures[thread];
    console.log(
      `\nReplica of the ${thread} publisher: every route ${median(f.replicaAfterIngest).toFixed(2)} s after the collector's last route, ${median(f.replicaAfterAck).toFixed(2)} s after the last JetStream acknowledgement; lag while catching up (age of the record being applied, sampled every 50 ms): p50 ${median(f.lagP50).toFixed(2)} s, p99 ${median(f.lagP99).toFixed(2)} s, max ${median(f.lagMax).toFixed(2)} s; under ${CAUGHT_UP_MS / 1000} s for good ${median(f.caughtUp).toFixed(2)} s after the collector's last route (medians over rounds; per round ${f.caughtUp.map((v) => v.toFixed(2)).join(', ')} s).`,
    );
  }
  console.log(`\nLoad average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

await main();
