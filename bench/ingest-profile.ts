/**
 * Where one router's full-table ingest spends its CPU: the in-process ingest of the collector
 * benchmark (bench/support/bmp-pipelines.ts: framing, Route Monitoring read in place, UPDATE walk,
 * RouteFeed into a fresh Rib; no socket) under the inspector's sampling CPU profiler, which runs
 * only around the ingest runs (stream building is left out), and a table of self-time shares by
 * function, the garbage collector included.
 *
 * Run: `npm run bench:ingest-profile` (STREAM=tier1-one | tier1-packed, RUNS=3 ingest runs
 * profiled after one warm-up run, TOP=25 rows, CPUPROFILE=path to also write the profile for
 * Chrome DevTools, INGEST_FROM=dir to profile the ingest of another build's `dist` folder on
 * the same stream, e.g. a copy of the build of the commit before a change).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';
import { type InProcessIngest, ingestInProcess as ownIngest } from './support/bmp-pipelines.js';
import { buildBmpStream } from './support/bmp-stream.js';
import { loadFullTableOrExit } from './support/full-table.js';
import { machineLine } from './support/machine.js';
import { formatCount, markdownTable } from './support/markdown.js';
import { AS3856_DUMP, loadAs3856Table, missingRealData, realism, tier1WithRealAttributes } from './support/real-routes.js';

const STREAM = process.env['STREAM'] ?? 'tier1-one';
const RUNS = Number(process.env['RUNS'] ?? 3);
const TOP = Number(process.env['TOP'] ?? 25);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

/** The stream's bytes; everything else it was built from is garbage when this returns. */
async function stream(): Promise<{ bytes: Uint8Array; routes: number; label: string }> {
  if (STREAM !== 'tier1-one' && STREAM !== 'tier1-packed') throw new Error(`STREAM must be tier1-one or tier1-packed, not ${STREAM}`);
  const missing = missingRealData(AS3856_DUMP);
  if (missing !== null) {
    process.stderr.write(`benchmark data missing: ${missing}\n`);
    process.exit(2);
  }
  const routes = tier1WithRealAttributes(loadFullTableOrExit().v4, await loadAs3856Table());
  const real = realism(routes);
  const built = buildBmpStream(routes, STREAM === 'tier1-one' ? 'one' : 'packed');
  return { bytes: built.bytes, routes: built.routes, label: `${STREAM}: ${routes.source}; ${formatCount(real.distinctSets)} distinct sets, runs ${real.meanRun.toFixed(2)} mean` };
}

/**
 * The stage a function's file belongs to. Self time of a function includes the callees V8
 * inlined into it, which may live in another folder: compare stages, not single functions,
 * across builds.
 */
function stage(url: string, name: string): string {
  if (url === '') return name === '(garbage collector)' ? 'garbage collector' : 'other (VM, idle, program)';
  if (url.includes('/src/wire/bmp/')) return 'BMP: framing, peer headers, session (wire/bmp)';
  if (url.includes('/src/wire/bgp/')) return 'UPDATE walk, block key, attribute decode (wire/bgp)';
  if (url.includes('/src/table/')) return 'prefix table insert (table)';
  if (url.includes('/src/rib/')) return 'RIB: interning, canonical sets, route slots (rib)';
  if (url.includes('/src/collector/')) return 'route feed (collector)';
  if (url.includes('/bench/')) return "message loop (the bench's stand-in for the collector's runSlice)";
  if (url.includes('/src/')) return 'other ribstore code';
  return 'Node.js internals';
}

/** Self time per function (name and file:line) and per stage, as shares of all samples. */
function shares(profile: Profile): { rows: string[][]; stages: string[][]; samples: number } {
  const byNode = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byNode.set(n.id, n);
  const self = new Map<string, number>();
  const byStage = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // Counted in samples, not time deltas: a sample after a stall (the sampler thread starved
    // on a loaded machine, or the profiler's own stop) would carry the stall's whole length.
    const node = byNode.get(profile.samples[i]!)!;
    const f = node.callFrame;
    const file = f.url.replace(/^.*\/dist\//, '');
    const key = f.url === '' ? f.functionName || '(anonymous)' : `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    const st = stage(f.url, f.functionName);
    byStage.set(st, (byStage.get(st) ?? 0) + 1);
    total++;
  }
  const sorted = [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  const share = ([name, n]: [string, number]): string[] => [name, `${((100 * n) / total).toFixed(1)} %`];
  return { rows: sorted.map(share), stages: [...byStage].sort((a, b) => b[1] - a[1]).map(share), samples: total };
}

async function main(): Promise<void> {
  const from = process.env['INGEST_FROM'];
  const ingestInProcess: (bytes: Uint8Array) => InProcessIngest = from ? ((await import(pathToFileURL(`${from}/bench/support/bmp-pipelines.js`).href)) as { ingestInProcess: (bytes: Uint8Array) => InProcessIngest }).ingestInProcess : ownIngest;
  const s = await stream();
  const warm = ingestInProcess(s.bytes);
  if (warm.rib.stats().routes !== s.routes) throw new Error(`ingest kept ${warm.rib.stats().routes} routes, expected ${s.routes}`);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const seconds: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const started = performance.now();
    ingestInProcess(s.bytes);
    seconds.push((performance.now() - started) / 1000);
  }
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  session.disconnect();
  if (process.env['CPUPROFILE']) writeFileSync(process.env['CPUPROFILE'], JSON.stringify(profile));
  const sorted = [...seconds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const { rows, stages, samples } = shares(profile);
  console.log(`# In-process ingest profile${from ? ` of ${from}` : ''}\n\n${machineLine()}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n${s.label}\n`);
  console.log(`${RUNS} runs profiled (100 µs sampling): median ${median.toFixed(2)} s, ${formatCount(Math.round(s.routes / median))} routes/s under the profiler; ${formatCount(samples)} samples.\n`);
  console.log(markdownTable(['stage (self time of its functions, samples)', 'share'], stages, ['left', 'right']));
  console.log('');
  console.log(markdownTable(['function (self time, samples)', 'share'], rows, ['left', 'right']));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
