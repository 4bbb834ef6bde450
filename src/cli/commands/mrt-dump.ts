/**
 * `ribstore mrt dump FILE…`: print MRT files in Debian `bgpdump -m` format.
 *
 * The text comes from `formatBgpdumpLines` (wire/mrt/bgpdump-format.ts); this file only
 * reads files, buffers output (one write per batch of records, honouring back-pressure)
 * and reports errors. A truncated file prints every complete record, then the error.
 */
import { parseArgs } from 'node:util';
import { RibstoreError } from '../../errors.js';
import { formatBgpdumpLines } from '../../wire/mrt/bgpdump-format.js';
import { readMrtFile } from '../../wire/mrt/file-reader.js';
import type { Command } from '../commands.js';

const HELP = `Usage: ribstore mrt dump [options] FILE...

Print the routes, updates, withdrawals and state changes of MRT files (RFC 6396), one line
each, exactly as Debian's \`bgpdump -m\` (1.6.2) prints them:

  TABLE_DUMP2|time|B|peer IP|peer AS|prefix|AS path|origin|next hop|local pref|MED|communities|AG/NAG|aggregator|
  BGP4MP|time|A|peer IP|peer AS|prefix|AS path|origin|next hop|local pref|MED|communities|AG/NAG|aggregator|
  BGP4MP|time|W|peer IP|peer AS|prefix
  BGP4MP|time|STATE|peer IP|peer AS|old state|new state

ADD-PATH records (TABLE_DUMP2_AP, BGP4MP_AP) add the path identifier after the prefix;
BGP4MP_ET records print microseconds after the time. Records bgpdump does not print
(PEER_INDEX_TABLE, multicast and RIB_GENERIC RIBs, OPEN/KEEPALIVE/NOTIFICATION) print nothing.

Files may be plain, gzip or bzip2 (detected from their first bytes; bzip2 needs the bzip2
command). Several files are printed one after the other.

Options:
  -h, --help   show this help

Exit status: 0 when every file was read to its end; 1 when a file is missing, corrupt or
truncated (the complete records before the damage are printed first); 2 for usage errors.`;

/**
 * Buffered stdout: text is written as ASCII into a 1 MiB byte buffer, handed to the stream
 * when full (a fresh buffer then, since the stream may still hold the old one), waiting for
 * 'drain' when the pipe is full. This keeps one write call per megabyte and no large strings.
 */
class OutputBuffer {
  private static readonly SIZE = 1 << 20;
  private buffer = Buffer.allocUnsafe(OutputBuffer.SIZE);
  private length = 0;
  private waiting: Promise<void> | undefined;
  constructor(private readonly stream: NodeJS.WritableStream) {}

  add(text: string): void {
    if (text.length > OutputBuffer.SIZE - this.length) {
      this.hand();
      if (text.length > OutputBuffer.SIZE) {
        this.pass(Buffer.from(text, 'latin1'));
        return;
      }
    }
    this.length += this.buffer.write(text, this.length, 'latin1');
  }

  /** Wait while the stream is over its high-water mark. */
  async flush(force = false): Promise<void> {
    if (force) this.hand();
    if (this.waiting) await this.waiting;
  }

  private hand(): void {
    if (this.length === 0) return;
    const full = this.buffer.subarray(0, this.length);
    this.buffer = Buffer.allocUnsafe(OutputBuffer.SIZE);
    this.length = 0;
    this.pass(full);
  }

  private pass(bytes: Buffer): void {
    if (!this.stream.write(bytes) && !this.waiting) {
      this.waiting = new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        this.stream.once('error', onError);
        this.stream.once('drain', () => {
          this.stream.off('error', onError);
          this.waiting = undefined;
          resolve();
        });
      });
    }
  }
}

async function run(args: string[]): Promise<number> {
  let files: string[];
  try {
    files = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true }).positionals;
  } catch (error) {
    throw new RibstoreError('INVALID_ARGUMENT', `${(error as Error).message}\n\n${HELP}`);
  }
  if (files.length === 0) throw new RibstoreError('INVALID_ARGUMENT', `mrt dump needs at least one FILE\n\n${HELP}`);
  const out = new OutputBuffer(process.stdout);
  let failed: unknown;
  for (const file of files) {
    try {
      for await (const batch of readMrtFile(file)) {
        for (let i = 0; i < batch.length; i++) out.add(formatBgpdumpLines(batch[i]!));
        await out.flush();
      }
    } catch (error) {
      await out.flush(true);
      if (!(error instanceof RibstoreError)) throw error;
      process.stderr.write(`ribstore: ${error.message} (${error.code})\n`);
      failed = error;
    }
  }
  await out.flush(true);
  return failed ? 1 : 0;
}

/** The `mrt dump` command. */
export const command: Command = {
  name: ['mrt', 'dump'],
  summary: 'print MRT files (plain, .gz, .bz2) in bgpdump -m format',
  help: HELP,
  run,
};
