/**
 * Streaming, crash-safe writer of one snapshot container file (format: FORMAT.md), for
 * files too big to build in memory first or to write in one blocking step.
 *
 * ```
 * open      temp file beside the target, 12 zero bytes where the header goes
 * section   checksum, then 12-byte head + payload at the end of the file  (repeated)
 * commit    real header at offset 0 -> fsync -> close -> rename -> fsync directory
 * ```
 * Invariant: the target path is untouched until commit's rename, which happens only after
 * the complete file (header included) is fsynced, so a crash at any moment leaves the old
 * target whole (and at most a temp file that `removeStaleTempFiles` removes). The bytes
 * written are exactly `encodeContainer` of the same sections, so `decodeContainer` reads
 * them. Calls are queued and run one after another, so overlapping calls are safe; sections
 * queued while a write is in flight go to the file together, in one vectored write.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { AtomicTempFile } from './atomic-file.js';
import { encodeHeader, HEADER_BYTES, MAX_SECTIONS, SECTION_HEAD_BYTES, sectionName } from './container.js';
import { crc32c } from './crc32c.js';

/**
 * Payload bytes checksummed per step. Between steps the writer yields, so the event loop
 * runs; at ~1.5 GB/s of CRC-32C a step blocks it for about 3 ms.
 */
const CHUNK_BYTES = 4 << 20;

/** A section waiting for its batch's write. */
interface QueuedSection {
  readonly id: number;
  readonly payload: Uint8Array;
  /** Its checksum if the caller computed it (`sectionChecksum`, container.ts), else undefined. */
  readonly crc: number | undefined;
  readonly done: { resolve: () => void; reject: (error: unknown) => void };
}

/**
 * Writes a container file section by section while the event loop keeps running.
 *
 * ```ts
 * const writer = await ContainerFileWriter.open('rib.snap');
 * try {
 *   await writer.section(sectionId('META'), meta);
 *   await writer.section(sectionId('ENTS'), entries);
 *   await writer.commit();
 * } finally {
 *   await writer.abort(); // no-op after a successful commit
 * }
 * ```
 * Always end with {@link ContainerFileWriter.commit} or {@link ContainerFileWriter.abort}:
 * until then the writer holds an open file descriptor and a temp file.
 */
export class ContainerFileWriter {
  /** The file this writer will replace on commit. */
  readonly path: string;
  private readonly file: AtomicTempFile;
  /** Where the next section starts: header, then the sections written so far. */
  private position = HEADER_BYTES;
  private count = 0;
  /** The previous call's completion; each call runs after it, never overlapping. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Sections whose write is queued but not started: they are written together. */
  private batch: QueuedSection[] | undefined;

  private constructor(file: AtomicTempFile) {
    this.file = file;
    this.path = file.path;
  }

  /**
   * Start writing a container that will replace `path`: creates the temp file in the
   * directory of `path` (named as for `writeFileAtomic`) and reserves the header.
   * @throws RibstoreError `FILE_ERROR` naming `path` and the step (e.g. the directory does
   *   not exist); no temp file is left.
   */
  static async open(path: string): Promise<ContainerFileWriter> {
    const file = await AtomicTempFile.create(path);
    // Zeros until commit: a crash-left temp file never carries a valid-looking header.
    await file.write(new Uint8Array(HEADER_BYTES), 0, 'write placeholder header');
    return new ContainerFileWriter(file);
  }

  /** Sections written so far. */
  get sectionCount(): number {
    return this.count;
  }

  /**
   * Append one section: `payload` then its head (id, length, CRC-32C of id ‖ length ‖
   * payload). `payload` may be a view into a buffer the caller reuses: it has been fully
   * written when the promise resolves, and must not change before then. `crc`, when given,
   * is the section's checksum as `sectionChecksum(id, payload)` (container.ts) computes it:
   * for a caller that checksums in its own time slices (a RIB snapshot); otherwise the
   * writer computes it.
   * @throws RibstoreError `FILE_ERROR` naming the file and the section if the write fails,
   *   the payload is 4 GiB or more, or this would be section MAX_SECTIONS + 1; the temp
   *   file is then removed and the writer unusable.
   */
  section(id: number, payload: Uint8Array, crc?: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.batch === undefined) {
        // Sections that arrive until this write starts join it: one disk round trip for all.
        // Why: a snapshot written while sessions keep the event loop busy is bound by round
        // trips, one loop turn each (src/rib/snapshot-write.ts).
        const batch: QueuedSection[] = [];
        this.enqueue(() => {
          if (this.batch === batch) this.batch = undefined;
          return this.writeSections(batch);
        }).then(
          () => batch.forEach((s) => s.done.resolve()),
          (error: unknown) => batch.forEach((s) => s.done.reject(error)),
        );
        this.batch = batch;
      }
      this.batch.push({ id: id >>> 0, payload, crc, done: { resolve, reject } });
    });
  }

  /**
   * Finish: write the real header at offset 0, fsync, close, rename over the target,
   * fsync the directory. The writer is unusable afterwards.
   * (The limit of MAX_SECTIONS sections is enforced by {@link ContainerFileWriter.section},
   * before the extra section is written.)
   * @throws RibstoreError `FILE_ERROR` naming the file and the step. If it fails before
   *   the rename the target is untouched and the temp file removed.
   */
  commit(): Promise<void> {
    return this.enqueue(async () => {
      await this.file.write(encodeHeader(this.count), 0, 'write header');
      await this.file.commit();
    });
  }

  /**
   * Give up: close and delete the temp file; the target stays as it was. Waits for a
   * pending call to finish first. Idempotent and never throws; a no-op after a
   * successful commit or a failed step (which already removed the temp file).
   */
  abort(): Promise<void> {
    return this.enqueue(() => this.file.discard());
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    // A section queued after this call is written after it, so it starts a batch of its own.
    this.batch = undefined;
    const run = this.queue.then(operation);
    // The next call runs after this one either way; its own failure is reported by run.
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Write `batch`: each section's checksum first (a chunk at a time, the event loop let in
   * between chunks), then every head and payload in one vectored write. One disk round trip
   * per batch is what bounds a snapshot written while sessions keep the loop busy (measured
   * per section: 5.6 s with a payload write and a separate head write, 2.5 s with one write;
   * and see the commit that batched the sections).
   */
  private async writeSections(batch: readonly QueuedSection[]): Promise<void> {
    const first = this.count;
    const parts: Uint8Array[] = [];
    let position = this.position;
    let sinceYield = 0;
    for (const { id, payload, crc: given } of batch) {
      const index = first + parts.length / 2;
      const step = `write section ${index} (${sectionName(id)}) at offset ${position}`;
      if (index >= MAX_SECTIONS) await this.file.fail(step, `a container holds at most ${MAX_SECTIONS} sections`);
      if (payload.length > 0xffffffff) await this.file.fail(step, `payload of ${payload.length} bytes is 4 GiB or more`);
      const head = new Uint8Array(SECTION_HEAD_BYTES);
      const view = new DataView(head.buffer);
      view.setUint32(0, id);
      view.setUint32(4, payload.length);
      let crc = given ?? crc32c(head, 0, 8);
      for (let at = 0; given === undefined && at < payload.length; ) {
        if (sinceYield >= CHUNK_BYTES) {
          await yieldToLoop();
          sinceYield = 0;
        }
        const end = Math.min(at + CHUNK_BYTES - sinceYield, payload.length);
        crc = crc32c(payload, at, end, crc);
        sinceYield += end - at;
        at = end;
      }
      view.setUint32(8, crc);
      parts.push(head, payload);
      position += SECTION_HEAD_BYTES + payload.length;
    }
    const step = `write section ${first} (${sectionName(batch[0]!.id)})${batch.length > 1 ? ` and ${batch.length - 1} more` : ''} at offset ${this.position}`;
    await this.file.write(parts, this.position, step);
    this.position = position;
    this.count = first + batch.length;
  }
}
