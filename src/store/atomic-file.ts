/**
 * Crash-safe file replacement.
 *
 * Invariant: at every instant the target path holds either the complete previous file or
 * the complete new one, never a missing or half-written file. The recipe:
 *
 * ```
 * write DIR/.NAME.tmp-PID-RAND  ->  fsync it  ->  rename over DIR/NAME  ->  fsync DIR
 * ```
 * The temp file sits in the target's directory so the rename stays on one file system
 * (rename is atomic there); the file fsync puts its data on disk before the name points
 * at it; the directory fsync makes the rename itself durable. A crash can leave a stray
 * temp file, which {@link removeStaleTempFiles} deletes.
 *
 * {@link AtomicTempFile} is that recipe as steps (create, positional writes, commit or
 * discard); {@link writeFileAtomic} and the streaming `ContainerFileWriter` are both built
 * on it, so the temp-name scheme and the fsync/rename order exist once.
 */
import { type FileHandle, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RibstoreError } from '../errors.js';

function tempPrefix(path: string): string {
  return `.${basename(path)}.tmp-`;
}

/**
 * The file name a temp file of an atomic write (`.NAME.tmp-PID-RAND`) was to replace, or
 * undefined when `name` is not such a temp file. For cleaning a directory whose targets are
 * known by a pattern rather than by name.
 */
export function tempFileTarget(name: string): string | undefined {
  const m = /^\.(.+)\.tmp-\d+-[0-9a-z]+$/.exec(name);
  return m === null ? undefined : m[1];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A temp file beside a target path that replaces the target on
 * {@link AtomicTempFile.commit}: the one implementation of the crash-safe recipe in the
 * file comment. Internal to store/ (not exported from the package); use
 * {@link writeFileAtomic} or `ContainerFileWriter`.
 *
 * Invariant: the target is untouched until commit's rename. After any failed step the
 * temp file is closed and removed, and every later write or commit fails;
 * {@link AtomicTempFile.discard} is always safe and idempotent. Callers must not overlap
 * calls on one instance (await each one): a positional write is not ordered against a
 * concurrent close.
 */
export class AtomicTempFile {
  /** The file this one will replace. */
  readonly path: string;
  /** The temp file's path, `DIR/.NAME.tmp-PID-RAND`; {@link removeStaleTempFiles} matches it. */
  readonly tempPath: string;
  private handle: FileHandle | undefined;
  /** Why no more writes are accepted, once that is so (for the error message). */
  private closedBy: string | undefined;

  private constructor(path: string, tempPath: string, handle: FileHandle) {
    this.path = path;
    this.tempPath = tempPath;
    this.handle = handle;
  }

  /**
   * Create the temp file (exclusively, mode 0644) in the directory of `path`.
   * @throws RibstoreError `FILE_ERROR` naming `path` and the step if it cannot be created.
   */
  static async create(path: string): Promise<AtomicTempFile> {
    const temp = join(dirname(path), `${tempPrefix(path)}${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
    let handle: FileHandle;
    try {
      handle = await open(temp, 'wx', 0o644);
    } catch (error) {
      throw fileError(path, 'create temp file', error);
    }
    return new AtomicTempFile(path, temp, handle);
  }

  /**
   * Write all of `data` (one buffer, or several back to back) at byte `position` of the
   * temp file; it has been handed to the
   * kernel when the promise resolves, so the caller may then reuse the buffer.
   * `step` names the write in the error message (e.g. "write section 2 (ENTS)").
   * @throws RibstoreError `FILE_ERROR` naming the file and `step`; the temp file is removed.
   */
  async write(data: Uint8Array | readonly Uint8Array[], position: number, step: string): Promise<void> {
    const handle = this.usable(step);
    try {
      if (data instanceof Uint8Array) {
        await writeFully(handle, data, position);
        return;
      }
      // Several buffers back to back: one vectored write (one event-loop round trip), with
      // whatever a short write left over written piece by piece.
      let { bytesWritten: skip } = await handle.writev(data as Uint8Array[], position);
      let at = position;
      for (const part of data) {
        const done = Math.min(skip, part.length);
        skip -= done;
        if (done < part.length) await writeFully(handle, part.subarray(done), at + done);
        at += part.length;
      }
    } catch (error) {
      await this.fail(step, error);
    }
  }

  /**
   * Make the temp file durable and put it in place: fsync, close, rename over the
   * target, fsync the directory.
   * @throws RibstoreError `FILE_ERROR` naming the file and the step. Before the rename the
   *   target is untouched and the temp file removed; if only the directory fsync fails the
   *   new file is in place but the rename may not survive a power loss.
   */
  async commit(): Promise<void> {
    let step = 'fsync temp file';
    const handle = this.usable(step);
    try {
      await handle.sync();
      step = 'close temp file';
      this.handle = undefined;
      await handle.close();
      step = 'rename temp file over the target';
      await rename(this.tempPath, this.path);
    } catch (error) {
      await this.fail(step, error);
    }
    this.closedBy = 'commit';
    const dir = dirname(this.path);
    try {
      const dirHandle = await open(dir, 'r');
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
    } catch (error) {
      throw new RibstoreError('FILE_ERROR', `${this.path}: written, but fsync of directory ${dir} failed: ${describe(error)}`, { cause: error });
    }
  }

  /**
   * Close and remove the temp file, leaving the target as it was. Idempotent, never
   * throws; a no-op after a successful commit or a failed step (which already removed it).
   */
  async discard(): Promise<void> {
    if (this.closedBy === undefined) this.closedBy = 'discard';
    const handle = this.handle;
    this.handle = undefined;
    if (handle === undefined) return;
    await handle.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }

  /**
   * Remove the temp file, then throw `FILE_ERROR` naming the file, `step` and `reason`
   * (an error or a message): how every failure of this class and its users ends.
   */
  async fail(step: string, reason: unknown): Promise<never> {
    const handle = this.handle;
    this.handle = undefined;
    this.closedBy ??= `failed step "${step}"`;
    await handle?.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
    throw fileError(this.path, step, reason);
  }

  /** The open handle, or `FILE_ERROR` if commit, discard or a failure already closed it. */
  private usable(step: string): FileHandle {
    if (this.handle === undefined || this.closedBy !== undefined) {
      throw fileError(this.path, step, `the temp file is already closed (after ${this.closedBy ?? 'close'})`);
    }
    return this.handle;
  }
}

function fileError(path: string, step: string, reason: unknown): RibstoreError {
  const options = reason instanceof Error ? { cause: reason } : undefined;
  return new RibstoreError('FILE_ERROR', `${path}: cannot write atomically (${step}): ${describe(reason)}`, options);
}

/** Write all of `data` at `position` (a write may take fewer bytes than asked). */
async function writeFully(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written, position + written);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    written += bytesWritten;
  }
}

/**
 * Replace `path` with `data` atomically and durably (see the file comment).
 * @throws RibstoreError `FILE_ERROR` naming the file if any step fails; the previous
 *   file is then untouched and the temp file removed.
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const file = await AtomicTempFile.create(path);
  await file.write(data, 0, 'write temp file');
  await file.commit();
}

/**
 * Read a whole file.
 * @throws RibstoreError `FILE_ERROR` naming the file if it is missing or unreadable.
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : describe(error);
    throw new RibstoreError('FILE_ERROR', `${path}: cannot read: ${why}`, { cause: error });
  }
}

/**
 * Delete temp files that an interrupted {@link writeFileAtomic} or `ContainerFileWriter` of
 * `path` left behind;
 * returns how many. Call it at start-up, before any writer of `path` runs (it would also
 * delete a temp file that a running writer is still filling).
 */
export async function removeStaleTempFiles(path: string): Promise<number> {
  const dir = dirname(path);
  const prefix = tempPrefix(path);
  let removed = 0;
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix)) continue;
    await unlink(join(dir, name)).catch(() => undefined);
    removed++;
  }
  return removed;
}
