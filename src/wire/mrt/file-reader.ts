/**
 * Reading MRT files: plain, gzip or bzip2, detected by their first bytes.
 *
 * This is the one file of `wire/mrt` that does I/O; it only moves bytes into an
 * {@link MrtFramer}. gzip is inflated in-process by `node:zlib`; bzip2 by a child
 * `bzip2 -dc` process, which runs on another core while this one decodes (the bzip2
 * command must be installed; Node has no built-in bzip2).
 *
 * Records come out in batches (one array per decompressed chunk, typically hundreds of
 * records) so that a `for await` loop pays one promise per chunk, not per record.
 *
 * A truncated file yields every complete record, then throws a `FILE_ERROR`
 * {@link RibstoreError} naming the file, the stream offset of the incomplete record and
 * what the decompressor reported.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { DecodeError, RibstoreError } from '../../errors.js';
import { Bzip2TruncatedError, bunzip2 } from './bzip2.js';
import { MrtFramer, type MrtFramerOptions } from './framer.js';
import type { MrtRecord } from './records.js';

/** How a file is compressed. */
export type MrtCompression = 'none' | 'gzip' | 'bzip2';

/** Options of {@link readMrtFile}. */
export interface ReadMrtFileOptions extends MrtFramerOptions {
  /** Override detection by magic bytes. */
  compression?: MrtCompression;
}

/** Detect the compression of a file from its first bytes (gzip 1f 8b, bzip2 "BZh"). */
export async function detectCompression(path: string): Promise<MrtCompression> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new RibstoreError('FILE_ERROR', `cannot open MRT file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const head = new Uint8Array(3);
    const { bytesRead } = await handle.read(head, 0, 3, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    if (bytesRead === 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
    return 'none';
  } finally {
    await handle.close();
  }
}

/** A decompressed byte source: the chunks (the iteration throws the decompressor's complaint). */
interface ByteSource {
  chunks: AsyncIterable<Uint8Array>;
  /** Stop early (the consumer broke out of its loop). */
  close(): void;
}

const CHUNK = 1 << 20;

function plainSource(path: string): ByteSource {
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  return { chunks: stream, close: () => stream.destroy() };
}

function gzipSource(path: string): ByteSource {
  const file = createReadStream(path, { highWaterMark: CHUNK });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  file.on('error', (error) => gunzip.destroy(error));
  file.pipe(gunzip);
  return {
    chunks: gunzip,
    close: () => {
      file.destroy();
      gunzip.destroy();
    },
  };
}

function bzip2Source(path: string): ByteSource {
  const child = spawn('bzip2', ['-dc', '--', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  let spawnError: Error | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      spawnError = error;
      resolve(null);
    });
    child.on('close', (code) => resolve(code));
  });
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let delivered = 0;
    for await (const chunk of child.stdout) {
      delivered += (chunk as Uint8Array).length;
      yield chunk as Uint8Array;
    }
    const code = await exited;
    if (spawnError) {
      const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
      throw new RibstoreError(
        'FILE_ERROR',
        missing
          ? `cannot read ${path}: it is bzip2-compressed and the bzip2 command is not installed (install the bzip2 package)`
          : `cannot read ${path}: starting bzip2 failed: ${spawnError.message}`,
        { cause: spawnError },
      );
    }
    if (code === 0) return;
    // bzip2 withholds the last bytes it decoded before the damage (see bzip2.ts): recover them.
    const complaint = stderr.split('\n').find((line) => line.startsWith('bzip2: ')) ?? `exit code ${code}`;
    let blocks: Uint8Array[] = [];
    try {
      blocks = bunzip2(await readFile(path));
    } catch (error) {
      if (!(error instanceof Bzip2TruncatedError)) throw new Error(`bzip2 failed (${complaint.trim()})`, { cause: error });
      blocks = error.output;
    }
    let skip = delivered;
    for (const block of blocks) {
      if (skip >= block.length) {
        skip -= block.length;
        continue;
      }
      yield block.subarray(skip);
      skip = 0;
    }
    throw new Error(complaint.replace(/^bzip2: /, '').replace(/;$/, '').trim());
  }
  return {
    chunks: chunks(),
    close: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

/**
 * A file whose MRT data ends early or whose compressed stream breaks off: every complete record
 * before the damage was yielded first, so a caller may keep what was read (`code` FILE_ERROR).
 */
export class MrtTruncatedError extends RibstoreError {
  /** The file that was cut. */
  readonly path: string;
  /** Bytes of MRT data (decompressed) in the complete records before the damage. */
  readonly consumed: number;

  constructor(path: string, consumed: number, message: string, options?: { cause?: unknown }) {
    super('FILE_ERROR', message, options);
    this.name = 'MrtTruncatedError';
    this.path = path;
    this.consumed = consumed;
  }
}

/**
 * Read the MRT records of a file, in batches.
 *
 * ```ts
 * for await (const batch of readMrtFile('rib.bz2')) for (const record of batch) ...
 * ```
 * @throws RibstoreError `FILE_ERROR` for a missing/unreadable file or a missing bzip2 command;
 *   {@link MrtTruncatedError} (also `FILE_ERROR`) for a corrupt or truncated compressed stream or
 *   a truncated last record, after yielding every complete record; DecodeError for a malformed record, after yielding the records
 *   before it (with `onDecodeError`, bad records are reported there and skipped instead).
 */
export async function* readMrtFile(path: string, options: ReadMrtFileOptions = {}): AsyncGenerator<MrtRecord[]> {
  const compression = options.compression ?? (await detectCompression(path));
  const source = compression === 'gzip' ? gzipSource(path) : compression === 'bzip2' ? bzip2Source(path) : plainSource(path);
  // Without a caller's handler, the first bad record ends the file, after the records before it.
  let failure: DecodeError | undefined;
  const framer = new MrtFramer({
    onDecodeError:
      options.onDecodeError ??
      ((error) => {
        failure ??= error;
      }),
  });
  let streamError: unknown;
  let finished = false;
  try {
    try {
      for await (const chunk of source.chunks) {
        const records = framer.push(chunk as Uint8Array);
        if (failure) {
          const bad = failure;
          const before = records.filter((r) => r.header.offset < bad.offset);
          if (before.length > 0) yield before;
          throw bad;
        }
        if (records.length > 0) yield records;
      }
    } catch (error) {
      if (error instanceof DecodeError || error instanceof RibstoreError) throw error;
      streamError = error;
    }
    finished = true;
  } finally {
    if (!finished) source.close();
  }
  const pending = framer.pendingRecord();
  if (streamError || pending) {
    const parts: string[] = [];
    if (pending) {
      parts.push(
        pending.size === undefined
          ? `the MRT header at offset ${pending.offset} is incomplete (${pending.present} of 12 bytes)`
          : `the ${pending.type} record at offset ${pending.offset} is incomplete (${pending.present} of ${pending.size} bytes)`,
      );
    }
    if (streamError) parts.push(`${compression === 'none' ? 'reading' : compression} failed: ${(streamError as Error).message}`);
    throw new MrtTruncatedError(path, framer.consumed, `${path} is truncated or corrupt after ${framer.consumed} bytes of MRT data: ${parts.join('; ')}`, {
      cause: streamError,
    });
  }
}

/**
 * Call `onRecord` for every record of a file; resolves when the file is done.
 * Same errors as {@link readMrtFile}.
 */
export async function forEachMrtRecord(
  path: string,
  onRecord: (record: MrtRecord) => void,
  options: ReadMrtFileOptions = {},
): Promise<void> {
  for await (const batch of readMrtFile(path, options)) {
    for (let i = 0; i < batch.length; i++) onRecord(batch[i]!);
  }
}
