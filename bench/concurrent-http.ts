/**
 * The HTTP half of `npm run bench:concurrent`: API lookups/s and latency per API arrangement,
 * with the RIB idle and while a router streams a full table.
 *
 * For each arrangement (API=0,1,2,4,thread by default: `--api-workers 0, 1, 2, 4` with the
 * server on the main thread, and `--api-thread worker`, the HTTP server in a worker thread
 * answering from shared memory; bench/support/api-probe.ts), each round starts a fresh
 * in-process service (the `startService` that `ribstore serve` runs), loads the IPv4 full
 * table with real attributes over BMP from one router (untimed: the RIB the lookups read),
 * then for each client count in CLIENTS (default 1,4: requests in flight at once):
 * - idle: the client sends lookups for HTTP_MS (default 2000) ms, nothing else runs;
 * - streaming: a new router (its own loopback address) sends the same table, one prefix per
 *   UPDATE, while the client sends lookups; measured from its first byte until every route is
 *   applied.
 * The client is a worker thread of this process (bench/support/api-probe.ts), so on this
 * 2-core machine it competes for the cores with the service's threads, as a co-located client
 * would. Arrangements run in turn within every round (the first one rotating), so each sees the
 * same machine conditions; tables give medians over ROUNDS rounds of each run's figures.
 * PROBE=more-specifics sends 100-prefix more-specifics pages instead (the scans --api-workers
 * serves: with the server on the main thread, lookups are always answered there).
 * HTTP_ROUTES=N cuts the table to its first N prefixes (for a quick run).
 */
import { loadavg } from 'node:os';
import { pino } from 'pino';
import { startService } from '../src/service/service.js';
import { ApiProbe, type ProbeKind, type ProbeResult, apiArrangement, arrangementLabel, percentile, probeAddresses } from './support/api-probe.js';
import { sendBmp } from './support/bmp-send.js';
import { buildBmpStream } from './support/bmp-stream.js';
import { loadFullTableOrExit } from './support/full-table.js';
import { formatCount, formatRate, markdownTable } from './support/markdown.js';
import { AS3856_DUMP, loadAs3856Table, missingRealData, tier1WithRealAttributes } from './support/real-routes.js';
import { median } from './support/timing.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const HTTP_MS = Number(process.env['HTTP_MS'] ?? 2000);
const ARRANGEMENTS = (process.env['API'] ?? '0,1,2,4,thread').split(',');
const CLIENTS = (process.env['CLIENTS'] ?? '1,4').split(',').map(Number);
const PROBE: ProbeKind = process.env['PROBE'] === 'more-specifics' ? 'more-specifics' : 'lookup';
const HTTP_ROUTES = Number(process.env['HTTP_ROUTES'] ?? Infinity);
/** The bar for API latency while a full table streams. */
const P99_TARGET_MS = 20;
const MAX_TARGET_MS = 100;

/** One measured phase's figures. */
interface HttpRun {
  rate: number;
  p50: number;
  p99: number;
  max: number;
  over100: number;
  failed: number;
  /** Streaming phases: first byte to every route applied. */
  seconds: number;
}

function summarise(result: ProbeResult, seconds: number): HttpRun {
  const l = result.latenciesMs;
  return {
    rate: (l.length * 1000) / result.elapsedMs,
    p50: percentile(l, 50),
    p99: percentile(l, 99),
    max: l.length === 0 ? NaN : Math.max(...l),
    over100: l.filter((ms) => ms > MAX_TARGET_MS).length,
    failed: result.failed,
    seconds,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The HTTP half: see the module doc. */
export async function runHttpPart(): Promise<void> {
  const missing = missingRealData(AS3856_DUMP);
  if (missing !== null) {
    console.log(`\n## Through HTTP: skipped (${missing})`);
    return;
  }
  const table = loadFullTableOrExit();
  const routes = tier1WithRealAttributes(table.v4, await loadAs3856Table(), Math.min(table.v4.count, HTTP_ROUTES));
  const stream = buildBmpStream(routes, 'one');
  const addresses = probeAddresses(table.v4.words, Math.min(table.v4.count, HTTP_ROUTES));
  const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(
    `\n## Through HTTP: ${PROBE === 'lookup' ? 'GET /api/v1/lookup' : 'GET /api/v1/routes?match=more-specifics&limit=100'} per API arrangement\n\nstream: ${routes.source}; ${formatCount(stream.routes)} routes, one prefix per UPDATE, ${(stream.bytes.length / 2 ** 20).toFixed(0)} MiB; load average before ${loadBefore}\n`,
  );
  const runs = new Map<string, HttpRun[]>();
  const record = (key: string, run: HttpRun): void => void (runs.get(key) ?? runs.set(key, []).get(key)!).push(run);
  for (let round = 0; round < ROUNDS; round++) {
    const order = ARRANGEMENTS.map((_, i) => ARRANGEMENTS[(i + round) % ARRANGEMENTS.length]!);
    for (const spec of order) {
      const service = await startService({ bmpListen: { host: '127.0.0.1', port: 0 }, httpListen: { host: '127.0.0.1', port: 0 }, logger: pino({ level: 'silent' }), keepMs: 3_600_000, ...apiArrangement(spec) });
      try {
        await sendBmp(service, stream.bytes, ['127.0.0.1']);
        for (const clients of CLIENTS) {
          const probe = await ApiProbe.start(service.httpUrl, addresses, { kind: PROBE, clients });
          await sleep(HTTP_MS);
          record(`${spec}|${clients}|idle`, summarise(await probe.stop(), NaN));
        }
        for (const [k, clients] of CLIENTS.entries()) {
          const probe = await ApiProbe.start(service.httpUrl, addresses, { kind: PROBE, clients });
          const started = performance.now();
          await sendBmp(service, stream.bytes, [`127.0.0.${k + 2}`]);
          const seconds = (performance.now() - started) / 1000;
          record(`${spec}|${clients}|stream`, summarise(await probe.stop(), seconds));
        }
        const held = service.rib.stats().routes;
        if (held !== (1 + CLIENTS.length) * stream.routes) throw new Error(`${arrangementLabel(spec)}: the RIB holds ${held} routes, expected ${(1 + CLIENTS.length) * stream.routes}`);
      } finally {
        await service.close();
      }
    }
    console.log(`HTTP round ${round + 1}/${ROUNDS} done, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  }

  const med = (key: string, f: (r: HttpRun) => number): number => median((runs.get(key) ?? []).map(f));
  const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(value < 10 ? 2 : 1)} ms` : '-');
  const rows: string[][] = [];
  for (const spec of ARRANGEMENTS) {
    for (const clients of CLIENTS) {
      const idle = `${spec}|${clients}|idle`;
      const busy = `${spec}|${clients}|stream`;
      rows.push([
        arrangementLabel(spec),
        String(clients),
        formatRate(med(idle, (r) => r.rate)),
        `${ms(med(idle, (r) => r.p50))} / ${ms(med(idle, (r) => r.p99))} / ${ms(med(idle, (r) => r.max))}`,
        formatRate(med(busy, (r) => r.rate)),
        `${ms(med(busy, (r) => r.p50))} / ${ms(med(busy, (r) => r.p99))} / ${ms(med(busy, (r) => r.max))}`,
        formatCount(med(busy, (r) => r.over100)),
        formatCount(med(busy, (r) => r.failed) + med(idle, (r) => r.failed)),
        `${med(busy, (r) => r.seconds).toFixed(2)} s`,
      ]);
    }
  }
  console.log(`\nMedians over ${ROUNDS} rounds of each run's figures; idle phases ${HTTP_MS} ms; 'streaming' = while a second router sends the full table (first byte to every route applied). Target while a table streams: p99 < ${P99_TARGET_MS} ms, no request over ${MAX_TARGET_MS} ms.\n`);
  console.log(
    markdownTable(
      ['arrangement', 'clients', 'idle requests/s', 'idle p50 / p99 / max', 'streaming requests/s', 'streaming p50 / p99 / max', `streaming > ${MAX_TARGET_MS} ms`, 'errors', 'stream applied in'],
      rows,
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}
