/**
 * `npm run bench:fanout`: what publishing the BMP stream to NATS JetStream costs the collector,
 * and how fast a replica (`serve --follow`) gets the table from the stream.
 *
 * Input: the ingest benchmark's real-attribute stream (Tier-1 IPv4 prefixes with AS3856's real
 * attribute sets, packed UPDATEs; bench/support/real-routes.ts), one router over TCP. Each round
 * runs, in the same process and alternating, (a) `serve` alone and (b) `serve --publish` to a
 * real `nats-server -js` (fresh store per run): time from the first byte until every route is
 * in the RIB, and for (b) until JetStream acknowledged every message. In (b) a replica, `ribstore
 * serve --follow` as a child process (its own event loop, as in production), follows the stream:
 * time from the first byte until every route is in the replica's RIB, how long after the last
 * acknowledgement that is, and its lag (age of the record it is applying, `/api/v1/stats`
 * `follower.lagMs`) sampled every 50 ms while it catches up (p50 / p99); then a cold replica
 * reads the whole stored stream (time from its start until every route is in its RIB, polled
 * every 20 ms, process start-up excluded): the replica's own rate. (c) `serve --publish` again
 * with no replica running: the publishing cost alone, without a replica on the same cores.
 * Medians of RUNS rounds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { startService, type Service } from '../src/service/service.js';
import { BmpFramer } from '../src/wire/bmp/framer.js';
import { buildBmpStream } from './support/bmp-stream.js';
import { loadFullTableOrExit } from './support/full-table.js';
import { machineLine } from './support/machine.js';
import { AS3856_DUMP, loadAs3856Table, missingRealData, tier1WithRealAttributes } from './support/real-routes.js';
import { NatsServer, natsSkipReason } from '../test/support/nats.js';

const RUNS = Number(process.env['RUNS'] ?? 3);
const ROUTES = Number(process.env['ROUTES'] ?? 300_000);

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

async function stream(service: Service, bytes: Uint8Array): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ port: service.bmpPort, host: '127.0.0.1' });
    socket.on('error', reject);
    socket.on('connect', () => socket.end(bytes));
    socket.on('close', () => resolve());
    socket.resume();
  });
  while (service.collector.routers.size === 0 || [...service.collector.routers.values()][0]!.state !== 'disconnected') {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A fresh nats-server and a collector publishing to it (`--publish`, overflow pause), once it is connected. */
async function startPublishing(): Promise<{ nats: NatsServer; service: Service }> {
  const nats = await NatsServer.create();
  await nats.start();
  const service = await startService({
    bmpListen: { host: '127.0.0.1', port: 0 },
    httpListen: { host: '127.0.0.1', port: 0 },
    logger: pino({ level: 'silent' }),
    keepMs: 3_600_000,
    publish: { servers: nats.url, collectorName: 'bench', overflow: 'pause', bufferBytes: 256 * 1024 * 1024 },
  });
  while (!service.publisher!.statistics().connected) await new Promise((resolve) => setTimeout(resolve, 10));
  return { nats, service };
}

async function main(): Promise<void> {
  const missing = missingRealData(AS3856_DUMP) || natsSkipReason();
  if (missing) {
    process.stderr.write(`benchmark requirement missing: ${missing}\n`);
    process.exit(2);
  }
  const table = loadFullTableOrExit();
  const limited = tier1WithRealAttributes(table.v4, await loadAs3856Table(), ROUTES);
  const built = buildBmpStream(limited, 'packed');
  const messages = [...new BmpFramer({ maxMessageLength: 1 << 20 }).push(built.bytes)].length;
  console.log(`# ribstore fan-out benchmark\n\n${machineLine()}\n\n${built.routes} routes, ${messages} BMP messages, ${(built.bytes.length / 1e6).toFixed(1)} MB; ${RUNS} rounds, medians.\n`);
  const alone: number[] = [];
  const withPublishIngest: number[] = [];
  const withPublishAcked: number[] = [];
  const replicaDone: number[] = [];
  const replicaAfterAck: number[] = [];
  const replicaCold: number[] = [];
  const lagP50: number[] = [];
  const lagP99: number[] = [];
  const publishOnly: number[] = [];
  const publishOnlyAcked: number[] = [];
  for (let round = 0; round < RUNS; round++) {
    {
      const service = await startService({ bmpListen: { host: '127.0.0.1', port: 0 }, httpListen: { host: '127.0.0.1', port: 0 }, logger: pino({ level: 'silent' }), keepMs: 3_600_000 });
      const started = performance.now();
      await stream(service, built.bytes);
      alone.push((performance.now() - started) / 1000);
      if (service.rib.stats().routes !== built.routes) throw new Error(`alone: ${service.rib.stats().routes} routes, expected ${built.routes}`);
      await service.close();
    }
    {
      const { nats, service } = await startPublishing();
      const replica = await startReplica(nats.url);
      const started = performance.now();
      // The replica is polled from here on (every 50 ms) until it holds every route.
      const lags: number[] = [];
      let doneAt = 0;
      const polling = (async () => {
        for (;;) {
          const stats = await replicaStats(replica.http).catch(() => null);
          if (stats && stats.lastSequence > 0) lags.push(stats.lagMs);
          if (stats && stats.routes === built.routes) {
            doneAt = performance.now();
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      await stream(service, built.bytes);
      withPublishIngest.push((performance.now() - started) / 1000);
      while (service.publisher!.statistics().published < messages) await new Promise((resolve) => setTimeout(resolve, 5));
      const ackedAt = performance.now();
      withPublishAcked.push((ackedAt - started) / 1000);
      await polling;
      replicaDone.push((doneAt - started) / 1000);
      replicaAfterAck.push(Math.max(0, doneAt - ackedAt) / 1000);
      lagP50.push(quantile(lags, 0.5) / 1000);
      lagP99.push(quantile(lags, 0.99) / 1000);
      replica.child.kill('SIGKILL');
      // A cold replica reading the whole stored stream: the replica's own rate.
      const cold = await startReplica(nats.url);
      const coldStarted = performance.now();
      while ((await replicaStats(cold.http).catch(() => null))?.routes !== built.routes) await new Promise((resolve) => setTimeout(resolve, 20));
      replicaCold.push((performance.now() - coldStarted) / 1000);
      cold.child.kill('SIGKILL');
      if (service.rib.stats().routes !== built.routes) throw new Error(`publish: ${service.rib.stats().routes} routes, expected ${built.routes}`);
      await service.close();
      await nats.dispose();
    }
    {
      const { nats, service } = await startPublishing();
      const started = performance.now();
      await stream(service, built.bytes);
      publishOnly.push((performance.now() - started) / 1000);
      while (service.publisher!.statistics().published < messages) await new Promise((resolve) => setTimeout(resolve, 5));
      publishOnlyAcked.push((performance.now() - started) / 1000);
      if (service.rib.stats().routes !== built.routes) throw new Error(`publish only: ${service.rib.stats().routes} routes, expected ${built.routes}`);
      await service.close();
      await nats.dispose();
    }
    process.stderr.write(
      `  round ${round + 1}: alone ${alone.at(-1)!.toFixed(2)} s, with --publish ${withPublishIngest.at(-1)!.toFixed(2)} s (acked ${withPublishAcked.at(-1)!.toFixed(2)} s), replica has every route at ${replicaDone.at(-1)!.toFixed(2)} s, cold replica ${replicaCold.at(-1)!.toFixed(2)} s, lag p50 ${lagP50.at(-1)!.toFixed(2)} s p99 ${lagP99.at(-1)!.toFixed(2)} s; --publish without a replica ${publishOnly.at(-1)!.toFixed(2)} s (acked ${publishOnlyAcked.at(-1)!.toFixed(2)} s)\n`,
    );
  }
  const rate = (seconds: number): string => `${Math.round(built.routes / seconds / 1000)} k routes/s`;
  const a = median(alone);
  const p = median(withPublishIngest);
  const acked = median(withPublishAcked);
  console.log('| run | seconds | rate | vs alone |\n|---|---|---|---|');
  console.log(`| ingest alone (reference) | ${a.toFixed(2)} | ${rate(a)} | 1.00 |`);
  console.log(`| ingest with --publish, routes in RIB | ${p.toFixed(2)} | ${rate(p)} | ${(a / p).toFixed(2)} |`);
  console.log(`| with --publish, all acked by JetStream | ${acked.toFixed(2)} | ${rate(acked)} | ${(a / acked).toFixed(2)} |`);
  const po = median(publishOnly);
  const poa = median(publishOnlyAcked);
  console.log(`| ingest with --publish, no replica running, routes in RIB | ${po.toFixed(2)} | ${rate(po)} | ${(a / po).toFixed(2)} |`);
  console.log(`| with --publish, no replica running, all acked | ${poa.toFixed(2)} | ${rate(poa)} | ${(a / poa).toFixed(2)} |`);
  const r = median(replicaDone);
  console.log(`| replica (--follow, own process): every route in its RIB | ${r.toFixed(2)} | ${rate(r)} | ${(a / r).toFixed(2)} |`);
  const c = median(replicaCold);
  console.log(`| cold replica reading the stored stream: every route in its RIB | ${c.toFixed(2)} | ${rate(c)} | ${(a / c).toFixed(2)} |`);
  console.log(
    `\nReplica: every route ${median(replicaAfterAck).toFixed(2)} s after the last JetStream acknowledgement; lag while catching up (age of the record being applied, sampled every 50 ms): p50 ${median(lagP50).toFixed(2)} s, p99 ${median(lagP99).toFixed(2)} s (medians over rounds).`,
  );
}

await main();
