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
 */
import { open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RibstoreError } from '../errors.js';

function tempPrefix(path: string): string {
  return `.${basename(path)}.tmp-`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Replace `path` with `data` atomically and durably (see the file comment).
 * @throws RibstoreError `FILE_ERROR` naming the file if any step fails; the previous
 *   file is then untouched and the temp file removed.
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `${tempPrefix(path)}${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  let step = 'create temp file';
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      step = 'write temp file';
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await handle.write(data, written, data.length - written);
        written += bytesWritten;
      }
      step = 'fsync temp file';
      await handle.sync();
    } finally {
      await handle.close();
    }
    step = 'rename temp file over the target';
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new RibstoreError('FILE_ERROR', `${path}: cannot write atomically (${step}): ${describe(error)}`, { cause: error });
  }
  try {
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  } catch (error) {
    throw new RibstoreError('FILE_ERROR', `${path}: written, but fsync of directory ${dir} failed: ${describe(error)}`, { cause: error });
  }
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
 * Delete temp files that an interrupted {@link writeFileAtomic} of `path` left behind;
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
