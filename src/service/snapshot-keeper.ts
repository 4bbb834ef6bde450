/**
 * SnapshotKeeper: the service's persistence policy over a {@link SnapshotDirectory}.
 *
 * ```
 *  start:     restore the newest intact snapshot (bad files logged, older ones tried;
 *             none usable → empty RIB, never a crash loop)
 *  running:   every `intervalMs` write a snapshot while sessions and the API carry on
 *  stopping:  one last snapshot after the BMP listener is closed
 * ```
 * It keeps the figures `/api/v1/stats` and `/metrics` show: what was restored, the last
 * write, and how many writes failed (a failed write is logged and retried at the next
 * interval; the previous snapshot stays in place).
 */
import type { Logger } from 'pino';
import { Rib, type RibOptions } from '../rib/rib.js';
import { SnapshotDirectory } from '../rib/snapshot-directory.js';
import type { SnapshotReport } from '../rib/snapshot-write.js';
import type { SnapshotStreamPosition } from '../rib/snapshot-format.js';
import type { SnapshotStatusJson } from '../api/snapshot-status.js';

/** Options of {@link SnapshotKeeper}. */
export interface SnapshotKeeperOptions {
  readonly dataDir: string;
  /** Time between snapshots (ms); 0 writes only at stop. */
  readonly intervalMs: number;
  /** Complete snapshots kept on disk. Default 3. */
  readonly keep?: number;
  readonly logger: Logger;
}

/** Restores at start, writes periodically and at stop; see the module doc. */
export class SnapshotKeeper {
  private readonly directory: SnapshotDirectory;
  private readonly options: SnapshotKeeperOptions;
  private readonly status: SnapshotStatusJson;
  private timer: NodeJS.Timeout | undefined;
  private rib: Rib | undefined;
  private stream: (() => SnapshotStreamPosition) | undefined;
  /** The stream position the restored snapshot recorded (a bus replica's), else null. */
  restoredStream: SnapshotStreamPosition | null = null;

  constructor(options: SnapshotKeeperOptions) {
    this.options = options;
    this.directory = new SnapshotDirectory(options.dataDir, { keep: options.keep ?? 3 });
    this.status = {
      dataDir: options.dataDir,
      intervalSeconds: options.intervalMs / 1000,
      restored: null,
      rejected: [],
      lastWrite: null,
      lastError: null,
      writes: 0,
      failures: 0,
    };
  }

  /**
   * Prepare the directory and restore the newest intact snapshot into a new RIB made with
   * `ribOptions` (an empty one when there is none).
   * @throws RibstoreError `FILE_ERROR` when the directory cannot be created or read.
   */
  async restore(ribOptions: RibOptions): Promise<Rib> {
    const { logger } = this.options;
    await this.directory.prepare();
    const started = performance.now();
    const restored = await this.directory.restoreNewest(ribOptions, (file, error) => {
      this.status.rejected.push({ file, error: error.message });
      logger.error({ file, err: error.message }, 'snapshot file rejected; trying an older one');
    });
    if (restored === undefined) {
      logger.info({ dataDir: this.options.dataDir, rejected: this.status.rejected.length }, 'no snapshot to restore; starting with an empty RIB');
      return new Rib(ribOptions);
    }
    const { path, takenAt, routes, prefixes, routers } = restored;
    this.restoredStream = restored.stream;
    this.status.restored = { file: path, takenAt: new Date(takenAt).toISOString(), routes, prefixes, routers };
    logger.info({ file: path, takenAt: this.status.restored.takenAt, routes, prefixes, routers, ms: Math.round(performance.now() - started) }, 'RIB restored from snapshot');
    return restored.rib;
  }

  /**
   * Start writing a snapshot of `rib` every interval (none with interval 0: then only at stop).
   * `stream`, on a bus replica, gives its stream position, recorded with each snapshot.
   */
  start(rib: Rib, stream?: () => SnapshotStreamPosition): void {
    this.rib = rib;
    this.stream = stream;
    if (this.options.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.write(), this.options.intervalMs);
    this.timer.unref();
  }

  /**
   * Write a snapshot now (shares a write already running). Resolves with its report, or
   * undefined when it failed (logged and counted).
   */
  async write(): Promise<SnapshotReport | undefined> {
    const rib = this.rib;
    if (rib === undefined) return undefined;
    const { logger } = this.options;
    try {
      const report = await this.directory.write(rib, this.stream ? { stream: this.stream } : {});
      this.status.writes++;
      this.status.lastError = null;
      this.status.lastWrite = {
        file: report.path,
        takenAt: new Date(report.takenAt).toISOString(),
        routes: report.routes,
        bytes: report.bytes,
        seconds: report.elapsedMs / 1000,
        longestSliceMs: report.longestSliceMs,
      };
      logger.info({ file: report.path, routes: report.routes, bytes: report.bytes, ms: Math.round(report.elapsedMs) }, 'snapshot written');
      return report;
    } catch (error) {
      this.status.failures++;
      this.status.lastError = (error as Error).message;
      logger.error({ err: (error as Error).message }, 'snapshot failed; the previous one stays in place');
      return undefined;
    }
  }

  /** Stop the timer and write the final snapshot. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.write();
    this.rib = undefined;
  }

  /** Figures for `/api/v1/stats` and `/metrics`. */
  snapshotStatus(): SnapshotStatusJson {
    return this.status;
  }
}
