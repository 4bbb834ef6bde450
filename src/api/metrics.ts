/**
 * Prometheus metrics of the service (`GET /metrics`), built on prom-client.
 *
 * Nothing is counted twice: the collector and the RIB keep their own plain counters on their
 * hot paths, and every metric here reads them at scrape time (`collect`). A scrape therefore
 * costs a few object reads, and the hot paths carry no prom-client calls.
 *
 * Metric names (all prefixed `ribstore_`): `bmp_sessions` (open now), `bmp_sessions_accepted_total`,
 * `bmp_messages_total{type}`, `bmp_bytes_total`, `bmp_queue_bytes`, `bmp_queue_messages`,
 * `collector_errors_total{kind}`, `bmp_prefix_updates_total{action}`, `bmp_treat_as_withdraw_total`,
 * `routes`, `prefixes`, `routers`, `peers`; with a data directory `snapshot_last_success_timestamp_seconds`,
 * `snapshot_last_duration_seconds`, `snapshot_last_bytes`, `snapshot_writes_total{result}`,
 * `snapshot_restored_routes`; with `--publish` `bus_connected`, `bus_published_messages_total`,
 * `bus_published_bytes_total`, `bus_dropped_total`, `bus_errors_total`, `bus_disconnects_total`,
 * `bus_worker_restarts_total`,
 * `bus_queue_messages`, `bus_queue_bytes`, `bus_lag_seconds`; with `--follow` `follow_connected`,
 * `follow_last_sequence`, `follow_pending_records`, `follow_lag_seconds`, `follow_applied_total`,
 * `follow_skipped_total`, `follow_disconnects_total`; `api_thread_info{thread}` (1 for the thread
 * that serves HTTP, `main` or `worker`), `api_http_worker_running`, `api_http_worker_restarts_total`; plus prom-client's default process
 * metrics (memory, CPU, event-loop lag, GC) prefixed `ribstore_`.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { SnapshotStatusJson } from './snapshot-status.js';
import type { BmpPublisherStatistics } from '../bus/publisher.js';
import type { BmpFollowerStatistics } from '../bus/follower.js';
import type { ApiThreadStatistics } from './http-thread.js';
import type { ReaderPoolStatistics } from './reader-pool.js';
import { BMP_MESSAGE_KINDS_COUNTED, COLLECTOR_ERROR_KINDS, type CollectorTotals } from '../collector/statistics.js';

/** Where the metrics read their values at scrape time. */
export interface MetricsSources {
  /** Collector totals (absent when the service runs without a BMP listener). */
  collector?: () => { totals: CollectorTotals; queueBytes: number; queueMessages: number };
  /** RIB sizes. */
  rib: () => { routes: number; prefixes: number; routers: number; peers: number };
  /** Persistence figures (absent without a data directory). */
  snapshots?: () => SnapshotStatusJson;
  /** Bus publisher figures (absent without --publish). */
  publisher?: () => BmpPublisherStatistics;
  /** Bus follower figures (absent without --follow). */
  follower?: () => BmpFollowerStatistics;
  /** The API's reader workers (absent without --api-workers). */
  readerPool?: () => ReaderPoolStatistics;
  /** Which thread serves HTTP (`--api-thread`). */
  apiThread?: () => ApiThreadStatistics;
}

/** Build a registry with every ribstore metric reading from `sources`. */
export function createMetricsRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ribstore_' });

  const collector = sources.collector;
  if (collector) {
    new Gauge({
      name: 'ribstore_bmp_sessions',
      help: 'BMP sessions open now',
      registers: [registry],
      collect() {
        this.set(collector().totals.sessionsOpen);
      },
    });
    counter(registry, 'ribstore_bmp_sessions_accepted_total', 'BMP sessions accepted since start', [], () => [[{}, collector().totals.sessionsAccepted]]);
    counter(registry, 'ribstore_bmp_messages_total', 'BMP messages received, by message type', ['type'], () => {
      const messages = collector().totals.messages;
      return BMP_MESSAGE_KINDS_COUNTED.map((type) => [{ type }, messages[type]]);
    });
    counter(registry, 'ribstore_bmp_bytes_total', 'Bytes read from BMP sessions', [], () => [[{}, collector().totals.bytes]]);
    counter(registry, 'ribstore_bmp_prefix_updates_total', 'Prefixes announced or withdrawn by Route Monitoring messages', ['action'], () => {
      const totals = collector().totals;
      return [
        [{ action: 'announce' }, totals.announcements],
        [{ action: 'withdraw' }, totals.withdrawals],
      ];
    });
    counter(registry, 'ribstore_bmp_treat_as_withdraw_total', 'UPDATEs with attribute errors handled as withdrawals (RFC 7606)', [], () => [[{}, collector().totals.treatAsWithdraw]]);
    counter(registry, 'ribstore_collector_errors_total', 'Collector errors by kind (decode, protocol, limit, rejected, socket)', ['kind'], () => {
      const errors = collector().totals.errors;
      return COLLECTOR_ERROR_KINDS.map((kind) => [{ kind }, errors[kind]]);
    });
    new Gauge({
      name: 'ribstore_bmp_queue_bytes',
      help: 'Bytes received from routers and not yet applied to the RIB, summed over sessions',
      registers: [registry],
      collect() {
        this.set(collector().queueBytes);
      },
    });
    new Gauge({
      name: 'ribstore_bmp_queue_chunks',
      help: 'TCP chunks received from routers and not yet applied to the RIB, summed over sessions',
      registers: [registry],
      collect() {
        this.set(collector().queueMessages);
      },
    });
  }

  const rib = sources.rib;
  new Gauge({
    name: 'ribstore_routes',
    help: 'Routes held in the RIB (every router, peer, view and path)',
    registers: [registry],
    collect() {
      this.set(rib().routes);
    },
  });
  new Gauge({
    name: 'ribstore_prefixes',
    help: 'Distinct prefixes (per route distinguisher table) held in the RIB',
    registers: [registry],
    collect() {
      this.set(rib().prefixes);
    },
  });
  new Gauge({
    name: 'ribstore_routers',
    help: 'Routers known to the RIB',
    registers: [registry],
    collect() {
      this.set(rib().routers);
    },
  });
  new Gauge({
    name: 'ribstore_peers',
    help: 'Monitored peers known to the RIB',
    registers: [registry],
    collect() {
      this.set(rib().peers);
    },
  });
  const snapshots = sources.snapshots;
  if (snapshots) {
    new Gauge({
      name: 'ribstore_snapshot_last_success_timestamp_seconds',
      help: 'When the last snapshot that was written completely was taken (0: none since start)',
      registers: [registry],
      collect() {
        const last = snapshots().lastWrite;
        this.set(last === null ? 0 : Date.parse(last.takenAt) / 1000);
      },
    });
    new Gauge({
      name: 'ribstore_snapshot_last_duration_seconds',
      help: 'How long the last complete snapshot took to write',
      registers: [registry],
      collect() {
        this.set(snapshots().lastWrite?.seconds ?? 0);
      },
    });
    new Gauge({
      name: 'ribstore_snapshot_last_bytes',
      help: 'Size of the last complete snapshot file',
      registers: [registry],
      collect() {
        this.set(snapshots().lastWrite?.bytes ?? 0);
      },
    });
    counter(registry, 'ribstore_snapshot_writes_total', 'Snapshot writes since start, by result', ['result'], () => [
      [{ result: 'ok' }, snapshots().writes],
      [{ result: 'failed' }, snapshots().failures],
    ]);
    new Gauge({
      name: 'ribstore_snapshot_restored_routes',
      help: 'Routes restored from a snapshot at start (0: none)',
      registers: [registry],
      collect() {
        this.set(snapshots().restored?.routes ?? 0);
      },
    });
  }
  const publisher = sources.publisher;
  if (publisher) {
    const gauge = (name: string, help: string, read: (s: BmpPublisherStatistics) => number): void => {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read(publisher()));
        },
      });
    };
    gauge('ribstore_bus_connected', 'Whether the publisher is connected to NATS JetStream (1) or not (0)', (s) => (s.connected ? 1 : 0));
    gauge('ribstore_bus_queue_messages', 'BMP messages waiting for their JetStream acknowledgement', (s) => s.queuedMessages);
    gauge('ribstore_bus_queue_bytes', 'Bytes of OpenBMP records waiting for their JetStream acknowledgement', (s) => s.queuedBytes);
    gauge('ribstore_bus_lag_seconds', 'Age of the oldest unacknowledged BMP message', (s) => s.lagMs / 1000);
    counter(registry, 'ribstore_bus_published_messages_total', 'BMP messages stored by JetStream', [], () => [[{}, publisher().published]]);
    counter(registry, 'ribstore_bus_published_bytes_total', 'Bytes of OpenBMP records stored by JetStream', [], () => [[{}, publisher().publishedBytes]]);
    counter(registry, 'ribstore_bus_dropped_total', 'BMP messages not published (full queue with --publish-overflow drop, a router address that is not an IP, or a record over the NATS server max_payload)', [], () => [[{}, publisher().dropped]]);
    counter(registry, 'ribstore_bus_errors_total', 'Failed publish attempts (retried)', [], () => [[{}, publisher().errors]]);
    counter(registry, 'ribstore_bus_disconnects_total', 'NATS connections lost', [], () => [[{}, publisher().disconnects]]);
    counter(registry, 'ribstore_bus_worker_restarts_total', 'Publish worker threads started again after the previous one died (logged; what it held is counted in ribstore_bus_dropped_total)', [], () => [[{}, publisher().workerRestarts]]);
  }
  const follower = sources.follower;
  if (follower) {
    const gauge = (name: string, help: string, read: (s: BmpFollowerStatistics) => number): void => {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read(follower()));
        },
      });
    };
    gauge('ribstore_follow_connected', 'Whether the replica follows its JetStream stream (1) or not (0)', (s) => (s.connected ? 1 : 0));
    gauge('ribstore_follow_last_sequence', 'The last stream sequence applied to the RIB', (s) => s.lastSequence);
    gauge('ribstore_follow_pending_records', 'Records in the stream after the last one applied', (s) => s.pending);
    gauge('ribstore_follow_lag_seconds', 'Age of the last record applied when it was applied', (s) => s.lagMs / 1000);
    counter(registry, 'ribstore_follow_applied_total', 'Stream records applied', [], () => [[{}, follower().applied]]);
    counter(registry, 'ribstore_follow_skipped_total', 'Stream records skipped (unreadable, or outside a router session)', [], () => [[{}, follower().skipped]]);
    counter(registry, 'ribstore_follow_disconnects_total', 'NATS connections lost by the follower', [], () => [[{}, follower().disconnects]]);
  }
  const pool = sources.readerPool;
  if (pool) {
    new Gauge({
      name: 'ribstore_api_workers',
      help: 'API reader worker threads running now (--api-workers)',
      registers: [registry],
      collect() {
        this.set(pool().workers);
      },
    });
    counter(registry, 'ribstore_api_worker_requests_total', 'Requests answered by API reader workers', [], () => [[{}, pool().answered]]);
    counter(registry, 'ribstore_api_worker_unavailable_total', 'Requests answered 503 UNAVAILABLE because their reader worker died or did not answer in time', [], () => [[{}, pool().failed]]);
    counter(registry, 'ribstore_api_worker_replaced_total', 'API reader workers started again after one died or hung (logged)', [], () => [[{}, pool().replaced]]);
  }
  const apiThread = sources.apiThread;
  if (apiThread) {
    new Gauge({
      name: 'ribstore_api_thread_info',
      help: 'Which thread serves HTTP (serve --api-thread): 1 for the running arrangement',
      labelNames: ['thread'],
      registers: [registry],
      collect() {
        this.reset();
        this.set({ thread: apiThread().thread }, 1);
      },
    });
    new Gauge({
      name: 'ribstore_api_http_worker_running',
      help: 'Whether the HTTP worker thread runs now (1) or not (0; always 0 with --api-thread main)',
      registers: [registry],
      collect() {
        this.set(apiThread().workerRunning ? 1 : 0);
      },
    });
    counter(registry, 'ribstore_api_http_worker_restarts_total', 'HTTP worker threads started again after one died (logged)', [], () => [[{}, apiThread().workerRestarts]]);
  }
  return registry;
}

/** A counter whose values are read from `read` at scrape time. */
function counter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => [Record<string, string>, number][],
): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value);
    },
  });
}
