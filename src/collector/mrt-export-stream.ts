/**
 * The MRT export as a Node `Readable` stream (for HTTP responses and pipes): backpressure
 * from the stream's reader reaches the export, and destroying the stream stops it.
 */
import { Readable } from 'node:stream';
import { RibstoreError } from '../errors.js';
import type { Rib } from '../rib/rib.js';
import { DEFAULT_CHUNK_BYTES, checkExportOptions, exportMrt, type MrtExportOptions, type MrtExportSummary } from './mrt-export.js';

/**
 * {@link exportMrt} as a Node `Readable` of MRT bytes, for HTTP responses and pipes. The
 * export starts (and its freeze is taken) when the stream is made; it writes only as fast as
 * the stream is read (a chunk waits while the stream is over its high-water mark), so memory
 * stays bounded. Destroying the stream stops the export and releases the freeze; an export
 * error destroys the stream with it. `summary` settles when the export ends.
 */
export class MrtExportStream extends Readable {
  /** What the export wrote; rejects when it failed or the stream was destroyed first. */
  readonly summary: Promise<MrtExportSummary>;
  private wake: (() => void) | undefined;
  private cancelled = false;

  /** @throws RibstoreError `INVALID_ARGUMENT` at once for an unknown router or view or a bad option. */
  constructor(rib: Rib, options: MrtExportOptions = {}) {
    super({ highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK_BYTES });
    checkExportOptions(rib, options);
    this.summary = exportMrt(rib, (chunk) => this.offer(chunk), options).then(
      (summary) => {
        if (!this.cancelled) this.push(null);
        return summary;
      },
      (error: unknown) => {
        if (!this.cancelled) this.destroy(error instanceof Error ? error : new Error(String(error)));
        throw error;
      },
    );
    // The stream reports the failure; a caller that never looks at `summary` must not get an unhandled rejection.
    this.summary.catch(() => undefined);
  }

  private offer(chunk: Uint8Array): Promise<void> | void {
    if (this.cancelled) throw cancelledError();
    if (this.push(chunk)) return;
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    }).then(() => {
      if (this.cancelled) throw cancelledError();
    });
  }

  override _read(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.cancelled = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    callback(error);
  }
}

function cancelledError(): RibstoreError {
  return new RibstoreError('INVALID_ARGUMENT', 'the MRT export stream was destroyed before the export ended');
}
