/**
 * `ribstore load FILE…`: load MRT dumps into an in-process RIB, with a progress bar on stderr,
 * and print a summary (routes, prefixes, peers, time, memory).
 */
import { parseArgs } from 'node:util';
import { RibstoreError } from '../../errors.js';
import { type MrtLoadProgress, type MrtLoadSummary, loadMrtFiles } from '../../collector/mrt-loader.js';
import { Rib } from '../../rib/rib.js';
import type { Command } from '../commands.js';

const help = `Usage: ribstore load [options] FILE...

Load MRT dumps into an in-process RIB and print a summary of what they hold: routes, prefixes,
peers, time taken and memory used. Reads TABLE_DUMP_V2 RIB dumps (RouteViews rib.*, RIPE RIS
bview.*, with or without ADD-PATH), TABLE_DUMP v1 and BGP4MP update files, plain, gzip or
bzip2 (by content, not by name). Files are applied in the order given, so a RIB dump followed
by update files gives the table as of the last update.

A progress bar is drawn on stderr when it is a terminal.

A truncated or corrupt file (a RouteViews dump cut mid-download, a broken gzip or bzip2
stream) loads every complete record before the damage; the summary and a warning on stderr say
which file was cut and where. The exit status is then still 0, unless --strict is given.

Exit status: 0 when loaded; 1 when a file is missing or unreadable, or with --strict when a
file was truncated; 2 for usage errors.

Options:
  --router NAME   the router name the routes are filed under (default: mrt)
  --json          print the summary as JSON on stdout
  --strict        exit 1 when a file is truncated or corrupt (its complete records are
                  still loaded and summarised)
  -h, --help      show this help

Examples:
  ribstore load rib.20240101.0000.bz2
  ribstore load bview.20240101.0000.gz updates.20240101.0005.gz --json
`;

/** Draws one progress line on a TTY; silent elsewhere. */
class ProgressLine {
  private readonly tty: boolean;
  private last = 0;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {
    this.tty = stream.isTTY === true;
  }

  update(progress: MrtLoadProgress, force = false): void {
    if (!this.tty) return;
    const now = performance.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const width = 30;
    let bar = '';
    if (progress.bytesTotal) {
      const fraction = Math.min(1, progress.bytesDone / progress.bytesTotal);
      const full = Math.round(fraction * width);
      bar = `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
    } else {
      bar = `${(progress.bytesDone / 1048576).toFixed(0)} MiB read `;
    }
    const line = `${progress.fileName} ${bar}${formatCount(progress.routes)} routes ${(progress.elapsedMs / 1000).toFixed(1)} s`;
    const columns = this.stream.columns || 100;
    this.stream.write(`\r${line.slice(0, columns - 1).padEnd(Math.min(columns - 1, line.length + 4))}`);
    this.drawn = true;
  }

  done(): void {
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  return String(n);
}

function formatBytes(n: number): string {
  return n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

/** The summary as text lines. */
export function summaryText(summary: MrtLoadSummary): string {
  const lines = [
    `files:        ${summary.files.length}`,
    `records:      ${summary.records}`,
    `routes:       ${summary.routes} (${summary.announcements} announced, ${summary.withdrawals} withdrawn)`,
    `prefixes:     ${summary.prefixes}`,
    `peers:        ${summary.peers}`,
    `attributes:   ${summary.attributeSets} distinct sets`,
    `time:         ${(summary.elapsedMs / 1000).toFixed(2)} s (${formatCount(Math.round(summary.announcements / Math.max(0.001, summary.elapsedMs / 1000)))} routes/s)`,
    `memory:       ${formatBytes(summary.memory.rss)} RSS, ${formatBytes(summary.memory.heapUsed)} heap, ${formatBytes(summary.memory.arrayBuffers)} array buffers`,
  ];
  for (const cut of summary.truncated) lines.push(`truncated:    ${cut.file} after ${cut.consumed} bytes of MRT data (what was whole is loaded)`);
  if (summary.skipped > 0) lines.push(`skipped:      ${summary.skipped} routes (unsupported families or malformed attributes)`);
  return lines.join('\n');
}

/** The `load` command. */
export const command: Command = {
  name: ['load'],
  summary: 'load MRT dumps (rib/bview/updates; gz, bz2) and print a summary',
  help,
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { router: { type: 'string', default: 'mrt' }, json: { type: 'boolean', default: false }, strict: { type: 'boolean', default: false } } });
    } catch (error) {
      throw new RibstoreError('INVALID_ARGUMENT', (error as Error).message);
    }
    const files = parsed.positionals;
    if (files.length === 0) throw new RibstoreError('INVALID_ARGUMENT', 'no MRT file given; usage: ribstore load FILE...');
    const rib = new Rib();
    const progress = new ProgressLine(process.stderr);
    let summary: MrtLoadSummary;
    try {
      summary = await loadMrtFiles(rib, files, { router: parsed.values.router!, truncated: 'keep', onProgress: (p) => progress.update(p) });
    } finally {
      progress.done();
    }
    if (parsed.values.json) console.log(JSON.stringify(summary, null, 2));
    else console.log(summaryText(summary));
    for (const cut of summary.truncated) console.error(`ribstore load: warning: ${cut.message}; the ${cut.consumed} bytes of complete records before it were loaded`);
    return parsed.values.strict && summary.truncated.length > 0 ? 1 : 0;
  },
};
