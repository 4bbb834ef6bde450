/**
 * MRT benchmark (`npm run bench:wire`): ribstore against Debian's `bgpdump -m`, same files,
 * same run, this machine.
 *
 * For rib.bz2 (609k IPv6 RIB entries) and updates.et-header.2015.gz (578k IPv4 updates):
 * - `bgpdump -m FILE > /dev/null` (a process, wall time);
 * - ribstore decoding into route records: `readMrtFile` + `forEachMrtRoute` (every RIB
 *   entry's / UPDATE's path attributes decoded by wire/bgp), in this process, wall time,
 *   decompression included (bzip2 runs as a child on the other core, gzip in-process);
 * - `ribstore mrt dump FILE > /dev/null` (a process, wall time: the same text as bgpdump);
 * - `bzip2 -dc` / `gzip -dc` alone, for scale.
 * Medians of `--runs N` runs (default 3). Prints a markdown table with the targets.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readMrtFile } from '../src/wire/mrt/file-reader.js';
import { forEachMrtRoute } from '../src/wire/mrt/routes.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = resolve(root, '../shared/data/mrt');
const cli = join(root, 'dist/src/cli/main.js');

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Math.max(1, Number(values.runs));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Run a command with stdout to /dev/null; resolves to its wall time in seconds. */
function timeCommand(command: string, args: string[]): Promise<number> {
  return new Promise((resolveTime, reject) => {
    const devNull = openSync('/dev/null', 'w');
    const start = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', devNull, 'ignore'] });
    child.on('error', reject);
    child.on('close', () => {
      closeSync(devNull);
      resolveTime((performance.now() - start) / 1000);
    });
  });
}

async function timeDecode(path: string): Promise<{ seconds: number; routes: number }> {
  const start = performance.now();
  let routes = 0;
  const count = () => {
    routes++;
  };
  for await (const batch of readMrtFile(path)) for (const record of batch) forEachMrtRoute(record, count);
  return { seconds: (performance.now() - start) / 1000, routes };
}

async function available(command: string): Promise<boolean> {
  try {
    await timeCommand(command, ['--help']);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  if (!existsSync(dataDir)) {
    console.log(`bench wire-mrt: skipped, needs ${dataDir} (the project's ../shared data folder)`);
    return;
  }
  if (!(await available('bgpdump'))) {
    console.log('bench wire-mrt: skipped, bgpdump (Debian package) is not installed');
    return;
  }
  const cases = [
    { file: 'rib.bz2', decompress: 'bzip2', decodeTarget: 10 },
    { file: 'updates.et-header.2015.gz', decompress: 'gzip', decodeTarget: 3 },
  ];
  const rows: string[] = [];
  for (const c of cases) {
    const path = join(dataDir, c.file);
    const t = { bgpdump: [] as number[], decode: [] as number[], dump: [] as number[], decompress: [] as number[] };
    let routes = 0;
    for (let run = 0; run < runs; run++) {
      t.decompress.push(await timeCommand(c.decompress, ['-dc', path]));
      t.bgpdump.push(await timeCommand('bgpdump', ['-m', path]));
      const d = await timeDecode(path);
      routes = d.routes;
      t.decode.push(d.seconds);
      t.dump.push(await timeCommand(process.execPath, [cli, 'mrt', 'dump', path]));
      console.error(`  ${c.file} run ${run + 1}/${runs}: bgpdump ${t.bgpdump.at(-1)!.toFixed(2)} s, decode ${t.decode.at(-1)!.toFixed(2)} s, mrt dump ${t.dump.at(-1)!.toFixed(2)} s`);
    }
    const b = median(t.bgpdump);
    const d = median(t.decode);
    const m = median(t.dump);
    const ok = (x: boolean) => (x ? 'met' : '**missed**');
    rows.push(
      `| ${c.file} | ${routes.toLocaleString('en-US')} | ${median(t.decompress).toFixed(2)} | ${b.toFixed(2)} | ${d.toFixed(2)} | ${(b / d).toFixed(1)}× (≥ ${c.decodeTarget}×: ${ok(b / d >= c.decodeTarget)}) | ${m.toFixed(2)} | ${(b / m).toFixed(1)}× (≥ 1×: ${ok(b / m >= 1)}) |`,
    );
  }
  console.log(`\n### MRT decoding vs bgpdump -m (median of ${runs} runs, wall seconds; ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version})\n`);
  console.log('| file | routes | decompress alone | `bgpdump -m` | ribstore decode → routes | speed-up | `ribstore mrt dump` | speed-up |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
}

await main();
