/**
 * `npm run bench:fanout`: what publishing the BMP stream to NATS JetStream costs the collector.
 *
 * Input: the ingest benchmark's real-attribute stream (Tier-1 IPv4 prefixes with AS3856's real
 * attribute sets, packed UPDATEs; bench/support/real-routes.ts), one router over TCP. Each round
 * runs, in the same process and alternating, (a) `serve` alone and (b) `serve --publish` to a
 * real `nats-server -js` (fresh store per run): time from the first byte until every route is
 * in the RIB, and for (b) until JetStream acknowledged every message. Medians of RUNS rounds.
 *
 * Not measured here (not built yet): the replica side (`--follow`) and its lag.
 */
import { connect } from 'node:net';
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
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
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
      const started = performance.now();
      await stream(service, built.bytes);
      withPublishIngest.push((performance.now() - started) / 1000);
      while (service.publisher!.statistics().published < messages) await new Promise((resolve) => setTimeout(resolve, 5));
      withPublishAcked.push((performance.now() - started) / 1000);
      if (service.rib.stats().routes !== built.routes) throw new Error(`publish: ${service.rib.stats().routes} routes, expected ${built.routes}`);
      await service.close();
      await nats.dispose();
    }
    process.stderr.write(`  round ${round + 1}: alone ${alone.at(-1)!.toFixed(2)} s, with --publish ${withPublishIngest.at(-1)!.toFixed(2)} s (acked ${withPublishAcked.at(-1)!.toFixed(2)} s)\n`);
  }
  const rate = (seconds: number): string => `${Math.round(built.routes / seconds / 1000)} k routes/s`;
  const a = median(alone);
  const p = median(withPublishIngest);
  const acked = median(withPublishAcked);
  console.log('| run | seconds | rate | vs alone |\n|---|---|---|---|');
  console.log(`| ingest alone (reference) | ${a.toFixed(2)} | ${rate(a)} | 1.00 |`);
  console.log(`| ingest with --publish, routes in RIB | ${p.toFixed(2)} | ${rate(p)} | ${(a / p).toFixed(2)} |`);
  console.log(`| with --publish, all acked by JetStream | ${acked.toFixed(2)} | ${rate(acked)} | ${(a / acked).toFixed(2)} |`);
}

await main();
