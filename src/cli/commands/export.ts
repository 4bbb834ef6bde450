/**
 * `ribstore export --format mrt … OUTPUT`: write a RIB as an MRT TABLE_DUMP_V2 file.
 *
 * Two inputs today, each an {@link ExportSource}; adding one (e.g. a snapshot directory) is
 * one more branch in {@link selectSource} and one more source function:
 *  - `--mrt FILE…`: load the dumps into an in-process RIB, then export it (a converter:
 *    update files applied on a RIB dump give the table as of the last update);
 *  - `--url URL`: stream `GET /api/v1/export/mrt` of a running `ribstore serve`.
 *
 * The output is written crash-safely without holding it in memory: the bytes go to
 * `OUTPUT.tmp-PID` beside OUTPUT, which is fsynced and renamed over OUTPUT (then the directory
 * is fsynced), so OUTPUT is always either its previous content or the complete export. A
 * failure removes the temp file; a crash can leave it behind (delete it by hand).
 */
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { type MrtExportSummary, exportMrt } from '../../collector/mrt-export.js';
import { type MrtLoadSummary, loadMrtFiles } from '../../collector/mrt-loader.js';
import { RibstoreError } from '../../errors.js';
import { type View, VIEWS, viewRank } from '../../rib/peer-registry.js';
import { Rib } from '../../rib/rib.js';
import type { Command } from '../commands.js';

const HELP = `Usage: ribstore export --format mrt [options] --mrt FILE [--mrt FILE...] OUTPUT
       ribstore export --format mrt [options] --url http://HOST:PORT OUTPUT

Write a RIB as an MRT TABLE_DUMP_V2 file (RFC 6396): a PEER_INDEX_TABLE, then one
RIB_IPV4_UNICAST / RIB_IPV6_UNICAST record per prefix (the RFC 8050 ADD-PATH subtypes for
routes with a path id), readable by bgpdump and by ribstore itself (load, mrt dump).

Only IPv4/IPv6 unicast routes of the global table are written (VPN tables and other
families are skipped and counted). Each peer contributes one view per family: its most
preferred one (loc-rib, adj-rib-in-post, adj-rib-in-pre, adj-rib-out-post, adj-rib-out-pre)
unless --view names one. Record times and originated times are the export time (the RIB
does not keep when routes were received).

Input (exactly one):
  --mrt FILE       load this MRT dump (plain, .gz or .bz2; RIB dumps and update files, in
                   order) into a fresh RIB and export it; repeatable. Loaded routes are in
                   the adj-rib-in-post view.
  --url URL        export from a running \`ribstore serve\`: its HTTP API base URL, e.g.
                   http://127.0.0.1:8080 (the file streams from GET /api/v1/export/mrt)

Options:
  --format FORMAT  the output format; required; only mrt for now
  --router NAME    only this router's routes (with --mrt: the router name the dumps are
                   loaded under, default mrt); also the PEER_INDEX_TABLE view name
  --view VIEW      only this view (see above)
  --json           print the summary as JSON
  -h, --help       show this help

OUTPUT is replaced atomically: the data goes to OUTPUT.tmp-PID, which is renamed over OUTPUT
when complete. A summary (peers, prefixes, routes, records, bytes, time) goes to stdout.

Examples:
  ribstore export --format mrt --mrt bview.20240101.0000.gz --mrt updates.20240101.0005.gz rib.mrt
  ribstore export --format mrt --url http://127.0.0.1:8080 --router 192.0.2.254 router.mrt
`;

/** The formats `--format` takes. */
const FORMATS = ['mrt'] as const;

/** What an export produced, as far as the source knows. */
interface ExportReport {
  /** Bytes written to OUTPUT. */
  bytes: number;
  /** The export's own figures, when it ran in this process. */
  export?: MrtExportSummary;
  /** What loading the input dumps did (`--mrt`). */
  load?: MrtLoadSummary;
}

/** Where the routes come from: writes the MRT bytes through `write`. */
interface ExportSource {
  run(write: (chunk: Uint8Array) => Promise<void>): Promise<ExportReport>;
}

/** The flags every source may use. */
interface Selection {
  router: string | undefined;
  view: View | undefined;
}

/** `--mrt FILE…`: load into a fresh RIB, export it. */
function mrtFilesSource(files: string[], selection: Selection): ExportSource {
  return {
    async run(write) {
      const rib = new Rib();
      const load = await loadMrtFiles(rib, files, { router: selection.router ?? 'mrt' });
      const summary = await exportMrt(rib, write, {
        ...(selection.router !== undefined ? { router: selection.router } : {}),
        ...(selection.view !== undefined ? { view: selection.view } : {}),
      });
      return { bytes: summary.bytes, export: summary, load };
    },
  };
}

/** `--url URL`: stream the export endpoint of a running service. */
function urlSource(base: string, selection: Selection): ExportSource {
  let url: URL;
  try {
    url = new URL('api/v1/export/mrt', base.endsWith('/') ? base : `${base}/`);
  } catch {
    throw new RibstoreError('INVALID_ARGUMENT', `--url ${JSON.stringify(base)} is not a URL; give the API base, e.g. http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RibstoreError('INVALID_ARGUMENT', `--url ${base}: only http and https URLs are supported`);
  if (selection.router !== undefined) url.searchParams.set('router', selection.router);
  if (selection.view !== undefined) url.searchParams.set('view', selection.view);
  return {
    async run(write) {
      let response: Response;
      try {
        response = await fetch(url);
      } catch (error) {
        const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
        throw new RibstoreError('FILE_ERROR', `cannot reach ${url.origin}: ${cause}`, { cause: error });
      }
      if (response.status !== 200 || response.body === null) {
        const text = await response.text().catch(() => '');
        let message = text.slice(0, 200);
        try {
          message = (JSON.parse(text) as { error: { code: string; message: string } }).error.message;
        } catch {
          // not the API's JSON error: show the start of the body
        }
        throw new RibstoreError('FILE_ERROR', `${url.href} answered ${response.status}: ${message}`);
      }
      let bytes = 0;
      const reader = response.body[Symbol.asyncIterator]();
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await reader.next();
        } catch (error) {
          // The server cut the response (its export failed, or it stopped): the file is incomplete.
          const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
          throw new RibstoreError('FILE_ERROR', `the export from ${url.origin} ended after ${bytes} bytes: ${cause}`, { cause: error });
        }
        if (next.done) break;
        await write(next.value);
        bytes += next.value.length;
      }
      return { bytes };
    },
  };
}

/** The one source the flags name. */
function selectSource(values: { mrt: string[]; url: string | undefined }, selection: Selection): ExportSource {
  const given = [values.mrt.length > 0 ? '--mrt' : undefined, values.url !== undefined ? '--url' : undefined].filter((x) => x !== undefined);
  if (given.length !== 1) {
    throw new RibstoreError('INVALID_ARGUMENT', `${given.length === 0 ? 'no input given' : `give one input, not ${given.join(' and ')}`}: use --mrt FILE or --url URL; see ribstore export --help`);
  }
  if (values.url !== undefined) return urlSource(values.url, selection);
  return mrtFilesSource(values.mrt, selection);
}

/**
 * Write `output` crash-safely from a producer of chunks (see the file comment). Resolves to
 * what `produce` resolved to.
 * @throws RibstoreError `FILE_ERROR` naming the file when a file step fails; errors of
 *   `produce` pass through. Either way the temp file is removed and `output` is untouched.
 */
async function writeOutput<T>(output: string, produce: (write: (chunk: Uint8Array) => Promise<void>) => Promise<T>): Promise<T> {
  const temp = `${output}.tmp-${process.pid}`;
  let step = 'create';
  const fileError = (error: unknown): RibstoreError =>
    error instanceof RibstoreError ? error : new RibstoreError('FILE_ERROR', `${output}: cannot write (${step} ${temp}): ${(error as Error).message}`, { cause: error });
  let handle: FileHandle;
  try {
    handle = await open(temp, 'w', 0o644);
  } catch (error) {
    throw fileError(error);
  }
  let result: T;
  try {
    try {
      result = await produce(async (chunk) => {
        step = 'write';
        let done = 0;
        while (done < chunk.length) done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
      });
      step = 'fsync';
      await handle.sync();
    } finally {
      await handle.close();
    }
    step = 'rename';
    await rename(temp, output);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw fileError(error);
  }
  try {
    const dir = await open(dirname(output), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch (error) {
    throw new RibstoreError('FILE_ERROR', `${output}: written, but fsync of its directory failed: ${(error as Error).message}`, { cause: error });
  }
  return result;
}

function summaryText(output: string, report: ExportReport, elapsedMs: number): string {
  const lines = [`output:       ${output}`];
  const s = report.export;
  if (s !== undefined) {
    lines.push(`peers:        ${s.peers}`, `prefixes:     ${s.prefixes}`, `routes:       ${s.routes}`, `records:      ${s.records}`);
    const skipped = s.skipped.rdTables + s.skipped.otherFamilies + s.skipped.unencodable;
    if (skipped > 0) {
      lines.push(`skipped:      ${skipped} routes (${s.skipped.rdTables} in VPN tables, ${s.skipped.otherFamilies} of other families, ${s.skipped.unencodable} unencodable)`);
    }
  }
  if (report.load !== undefined && report.load.skipped > 0) lines.push(`not loaded:   ${report.load.skipped} routes of the input (unsupported families or malformed attributes)`);
  lines.push(`bytes:        ${report.bytes}`, `time:         ${(elapsedMs / 1000).toFixed(2)} s`);
  return lines.join('\n');
}

/** The `export` command. */
export const command: Command = {
  name: ['export'],
  summary: 'write a RIB (from MRT dumps or a running service) as an MRT TABLE_DUMP_V2 file',
  help: HELP,
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          format: { type: 'string' },
          mrt: { type: 'string', multiple: true, default: [] },
          url: { type: 'string' },
          router: { type: 'string' },
          view: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      });
    } catch (error) {
      throw new RibstoreError('INVALID_ARGUMENT', `${(error as Error).message}; see ribstore export --help`);
    }
    const { values, positionals } = parsed;
    if (values.format === undefined) throw new RibstoreError('INVALID_ARGUMENT', `--format is required (one of: ${FORMATS.join(', ')}); see ribstore export --help`);
    if (!(FORMATS as readonly string[]).includes(values.format)) {
      throw new RibstoreError('INVALID_ARGUMENT', `unknown --format ${JSON.stringify(values.format)}: ribstore exports only ${FORMATS.join(', ')} for now`);
    }
    if (positionals.length !== 1) {
      throw new RibstoreError('INVALID_ARGUMENT', `give exactly one OUTPUT file${positionals.length > 1 ? ` (got ${positionals.length}: ${positionals.join(' ')}; inputs go after --mrt)` : ''}; see ribstore export --help`);
    }
    if (values.view !== undefined && !(VIEWS as readonly string[]).includes(values.view)) viewRank(values.view as View); // throws with the list of views
    const selection: Selection = { router: values.router, view: values.view as View | undefined };
    const source = selectSource({ mrt: values.mrt!, url: values.url }, selection);
    const output = positionals[0]!;
    const started = performance.now();
    const report = await writeOutput(output, (write) => source.run(write));
    const elapsedMs = performance.now() - started;
    if (values.json) console.log(JSON.stringify({ output, bytes: report.bytes, export: report.export ?? null, elapsedMs }, null, 2));
    else console.log(summaryText(output, report, elapsedMs));
    return 0;
  },
};
