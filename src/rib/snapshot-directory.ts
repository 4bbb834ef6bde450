/**
 * SnapshotDirectory: where a service keeps its RIB snapshots, and which one it restores.
 *
 * ```
 *  DIR/rib-20261202T041500.000Z.snap     newest first by name (UTC time of writing)
 *  DIR/rib-20261202T041000.000Z.snap     the last `keep` complete ones stay (default 3)
 *  DIR/.rib-….snap.tmp-PID-RAND          a write in progress (or one a crash cut short)
 * ```
 * Each snapshot is its own file, written by {@link writeRibSnapshot} (temp file, fsync,
 * rename, directory fsync), and older ones are deleted only after a newer one is complete,
 * so a crash at any moment leaves at least the last complete snapshot. Restoring tries the
 * files newest first and takes the first that restores cleanly; every rejected file is
 * reported (which file, which section, why) and left in place for inspection, and a
 * directory with no usable file starts an empty RIB instead of failing: the service never
 * crash-loops on a bad file.
 */
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { RibstoreError } from '../errors.js';
import { tempFileTarget } from '../store/atomic-file.js';
import type { Rib, RibOptions } from './rib.js';
import { type RestoredRib, readRibSnapshot } from './snapshot-restore.js';
import { type SnapshotReport, type SnapshotWriteOptions, writeRibSnapshot } from './snapshot-write.js';

const NAME = /^rib-\d{8}T\d{6}\.\d{3}Z\.snap$/;

/** The file name of a snapshot written at `ms`: `rib-YYYYMMDDTHHMMSS.mmmZ.snap`, sortable. */
export function snapshotFileName(ms: number): string {
  return `rib-${new Date(ms).toISOString().replace(/[-:]/g, '')}.snap`;
}

/** The time in a {@link snapshotFileName} (ms since epoch), NaN for other names. */
export function snapshotFileTime(name: string): number {
  const m = /^rib-(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d\.\d{3})Z\.snap$/.exec(name);
  return m === null ? Number.NaN : Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

/** A restored snapshot and the file it came from. */
export interface RestoredSnapshot extends RestoredRib {
  readonly path: string;
}

/** Options of {@link SnapshotDirectory}. */
export interface SnapshotDirectoryOptions {
  /** Complete snapshots kept (older ones are deleted after each write). Default 3, at least 1. */
  keep?: number;
  /** Clock for file names (ms since epoch). Default `Date.now`. */
  now?: () => number;
}

/** A directory of RIB snapshots; see the module doc. */
export class SnapshotDirectory {
  readonly dir: string;
  private readonly keep: number;
  private readonly now: () => number;
  /** Time in the newest file name used or found: names only ever increase, even if the clock steps back. */
  private lastMs = 0;
  private writing: Promise<SnapshotReport> | undefined;

  constructor(dir: string, options: SnapshotDirectoryOptions = {}) {
    this.dir = dir;
    this.keep = Math.max(1, options.keep ?? 3);
    this.now = options.now ?? Date.now;
  }

  /**
   * Create the directory if needed and delete temp files an interrupted write left. Call
   * once at start-up, before any write.
   * @throws RibstoreError `FILE_ERROR` when the directory cannot be created or read.
   */
  async prepare(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      for (const name of await readdir(this.dir)) {
        const target = tempFileTarget(name);
        if (target !== undefined && NAME.test(target)) await unlink(join(this.dir, name)).catch(() => undefined);
        else if (NAME.test(name)) this.lastMs = Math.max(this.lastMs, snapshotFileTime(name));
      }
    } catch (error) {
      throw new RibstoreError('FILE_ERROR', `${this.dir}: cannot use as the data directory: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Paths of the complete snapshot files, newest first. */
  async list(): Promise<string[]> {
    const names = (await readdir(this.dir)).filter((n) => NAME.test(n));
    return names.sort().reverse().map((n) => join(this.dir, n));
  }

  /**
   * Restore the newest snapshot that is intact. `onRejected` hears of each file that is not
   * (a `RibstoreError` naming file, section and reason). Undefined when no file restores.
   */
  async restoreNewest(options: RibOptions, onRejected: (path: string, error: Error) => void): Promise<RestoredSnapshot | undefined> {
    for (const path of await this.list()) {
      try {
        return { ...(await readRibSnapshot(path, options)), path };
      } catch (error) {
        onRejected(path, error as Error);
      }
    }
    return undefined;
  }

  /**
   * Write a snapshot of `rib` as a new file, then delete all but the newest `keep` files.
   * Concurrent calls share the running write.
   */
  write(rib: Rib, options: SnapshotWriteOptions = {}): Promise<SnapshotReport> {
    this.writing ??= (async () => {
      try {
        this.lastMs = Math.max(this.now(), this.lastMs + 1);
        const report = await writeRibSnapshot(rib, join(this.dir, snapshotFileName(this.lastMs)), options);
        for (const old of (await this.list()).slice(this.keep)) await unlink(old).catch(() => undefined);
        return report;
      } finally {
        this.writing = undefined;
      }
    })();
    return this.writing;
  }
}
