/**
 * `ribstore export --format mrt … OUTPUT`: write a RIB as an MRT TABLE_DUMP_V2 file.
 *
 * Three inputs, each an {@link ExportSource} (adding one is one more branch in
 * {@link selectSource} and one more source function):
 *  - `--mrt FILE…`: load the dumps into an in-process RIB, then export it (a converter:
 *    update files applied on a RIB dump give the table as of the last update);
 *  - `--url URL`: stream `GET /api/v1/export/mrt` of a running `ribstore serve`;
 *  - `--data-dir DIR`: the newest intact snapshot of `ribstore serve --data-dir DIR`.
 *
 * The output is written crash-safely without holding it in memory (store/'s AtomicTempFile):
 * the bytes go to a temp file `.OUTPUT.tmp-PID-RAND` beside OUTPUT, which is fsynced and
 * renamed over OUTPUT (then the directory is fsynced), so OUTPUT is always either its previous
 * content or the complete export. A failure removes the temp file; a crash can leave it
 * behind (delete it by hand).
 */
import { parseArgs } from 'node:util';
import { type MrtExportSummary, exportMrt } from '../../collector/mrt-export.js';
import { type MrtLoadSummary, loadMrtFiles } from '../../collector/mrt-loader.js';
import { RibstoreError } from '../../errors.js';
import { type View, VIEWS, viewRank } from '../../rib/peer-registry.js';
import { Rib } from '../../rib/rib.js';
import { SnapshotDirectory } from '../../rib/snapshot-directory.js';
import { AtomicTempFile } from '../../store/atomic-file.js';
import type { Command } from '../commands.js';

const HELP = `Usage: ribstore export --format mrt [options] --mrt FILE [--mrt FILE...] OUTPUT
       ribstore export --format mrt [options] --url http://HOST:PORT OUTPUT
       ribstore export --format mrt [options] --data-dir DIR OUTPUT

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
  --data-dir DIR   export the newest intact snapshot in a \`ribstore serve --data-dir\`
                   directory (damaged files are skipped with a message on stderr)

Options:
  --format FORMAT  the output format; required; only mrt for now
  --router NAME    only this router's routes (with --mrt: the router name the dumps are
                   loaded under, default mrt); also the PEER_INDEX_TABLE view name
  --view VIEW      only this view (see above)
  --json           print the summary as JSON
  -h, --help       show this help

OUTPUT is replaced atomically: the data goes to a temp file beside it (.OUTPUT.tmp-PID-RAND),
which is renamed over OUTPUT when complete. A summary (peers, prefixes, routes, records, bytes, time) goes to stdout.

Examples:
  ribstore export --format mrt --mrt bview.20240101.0000.gz --mrt updates.20240101.0005.gz rib.mrt
  ribstore export --format mrt --url http://127.0.0.1:8080 --router 192.0.2.254 router.mrt
  ribstore export --format mrt --data-dir /var/lib/ribstore rib.mrt
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

/** `--data-dir DIR`: restore the newest intact snapshot of a (stopped or running) service, export it. */
function dataDirSource(dir: string, selection: Selection): ExportSource {
  return {
    async run(write) {
      const snapshots = new SnapshotDirectory(dir);
      const restored = await snapshots.restoreNewest({}, (file, error) => process.stderr.write(`ribstore: skipping ${file}: ${error.message}\n`));
      if (restored === undefined) throw new RibstoreError('FILE_ERROR', `${dir}: no intact RIB snapshot to export (see ribstore serve --data-dir)`);
      process.stderr.write(`ribstore: exporting ${restored.path} (taken ${new Date(restored.takenAt).toISOString()})\n`);
      const summary = await exportMrt(restored.rib, write, {
        ...(selection.router !== undefined ? { router: selection.router } : {}),
        ...(selection.view !== undefined ? { view: selection.view } : {}),
      });
      return { bytes: summary.bytes, export: summary };
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
function selectSource(values: { mrt: string[]; url: string | undefined; 'data-dir': string | undefined }, selection: Selection): ExportSource {
  const given = [
    values.mrt.length > 0 ? '--mrt' : undefined,
    values.url !== undefined ? '--url' : undefined,
    values['data-dir'] !== undefined ? '--data-dir' : undefined,
  ].filter((x) => x !== undefined);
  if (given.length !== 1) {
    throw new RibstoreError(
      'INVALID_ARGUMENT',
      `${given.length === 0 ? 'no input given' : `give one input, not ${given.join(' and ')}`}: use --mrt FILE, --url URL or --data-dir DIR; see ribstore export --help`,
    );
  }
  if (values.url !== undefined) return urlSource(values.url, selection);
  if (values['data-dir'] !== undefined) return dataDirSource(values['data-dir'], selection);
  return mrtFilesSource(values.mrt, selection);
}

/**
 * Write `output` crash-safely from a producer of chunks (see the file comment). Resolves to
 * what `produce` resolved to.
 * @throws RibstoreError `FILE_ERROR` naming the file when a file step fails; errors of
 *   `produce` pass through. Either way the temp file is removed and `output` is untouched.
 */
async function writeOutput<T>(output: string, produce: (write: (chunk: Uint8Array) => Promise<void>) => Promise<T>): Promise<T> {
  const file = await AtomicTempFile.create(output);
  try {
    let position = 0;
    const result = await produce(async (chunk) => {
      await file.write(chunk, position, 'write the export');
      position += chunk.length;
    });
    await file.commit();
    return result;
  } finally {
    await file.discard();
  }
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
  summary: 'write a RIB (from MRT dumps, a running service or a snapshot) as an MRT TABLE_DUMP_V2 file',
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
          'data-dir': { type: 'string' },
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
    const source = selectSource({ mrt: values.mrt!, url: values.url, 'data-dir': values['data-dir'] }, selection);
    const output = positionals[0]!;
    const started = performance.now();
    const report = await writeOutput(output, (write) => source.run(write));
    const elapsedMs = performance.now() - started;
    if (values.json) console.log(JSON.stringify({ output, bytes: report.bytes, export: report.export ?? null, elapsedMs }, null, 2));
    else console.log(summaryText(output, report, elapsedMs));
    return 0;
  },
};
