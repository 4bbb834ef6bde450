/**
 * `npm run fuzz`: run every registered target (fuzz/targets/index.ts) in a worker thread,
 * print a summary, save each finding's input, and exit 1 when there are findings.
 *
 * The parent watches each worker: if it starts no new input for `--hang-ms`, it is killed
 * and the input it was on is saved as a `hang`; if it exhausts its heap (`--memory-mb`),
 * the input is saved as `memory`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FuzzFinding, FuzzResult } from './engine.js';
import type { FuzzTarget } from './target.js';
import type { WorkerTask } from './worker.js';

/** The registry module every run uses unless --targets-module names another. */
const DEFAULT_TARGETS_MODULE = new URL('./targets/index.js', import.meta.url).href;

const HELP = `Usage: npm run fuzz -- [options]
       node dist/fuzz/run.js [options]

Mutation-fuzz every decoder target in fuzz/targets/index.ts. Each target runs in its own
worker thread; an input that throws anything but a RibstoreError, runs slower than
--slow-ms, hangs for --hang-ms, or exhausts --memory-mb is a finding. Findings are saved
as <out>/<target>-<kind>-<hash>.bin (the input) and .txt (what happened).

Options:
  --inputs N      mutated inputs per target (default: 1,000,000 split over the targets)
  --time S        stop each target after S seconds (with --inputs: whichever comes first)
  --target NAME   run only this target (repeatable); --list shows the names
  --seed N        PRNG seed, for reproducible runs (default 1)
  --out DIR       where findings are saved (default fuzz-findings)
  --slow-ms N     a single input slower than this (CPU and wall time) is a finding (default 2000)
  --hang-ms N     a worker stuck on one input this long is killed: a hang (default 10000)
  --memory-mb N   worker heap limit (default 512)
  --targets-module FILE
                  take the targets from FILE's \`targets\` export instead of the
                  registry (for testing the fuzzer itself)
  --list          print the target names and seed counts, and exit
  -h, --help      this text
Exit status: 0 no findings, 1 findings, 2 bad usage.`;

interface RunOptions {
  inputs: number;
  timeMs: number;
  seed: number;
  slowMs: number;
  hangMs: number;
  memoryMb: number;
}

function runInWorker(name: string, options: RunOptions, maxInputLength: number, targetsModule: string): Promise<FuzzResult> {
  const progress = new SharedArrayBuffer(4);
  const current = new SharedArrayBuffer(4 + maxInputLength);
  const task: WorkerTask = {
    target: name,
    options: { inputs: options.inputs, timeMs: options.timeMs, seed: options.seed, slowMs: options.slowMs },
    progress,
    current,
    targetsModule,
  };
  const counter = new Int32Array(progress);
  const currentInput = () => {
    const length = new Int32Array(current, 0, 1)[0]!;
    return new Uint8Array(current, 4, length).slice();
  };
  return new Promise((resolvePromise) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: task,
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
    });
    let last = -1;
    let stuckSince = Date.now();
    let done = false;
    const finish = (result: FuzzResult) => {
      if (done) return;
      done = true;
      clearInterval(watchdog);
      resolvePromise(result);
    };
    const failed = (kind: FuzzFinding['kind'], message: string) =>
      finish({
        target: name,
        inputs: Atomics.load(counter, 0),
        rejected: 0,
        durationMs: 0,
        findings: [{ target: name, kind, message, input: currentInput(), count: 1 }],
      });
    const watchdog = setInterval(() => {
      const now = Atomics.load(counter, 0);
      if (now !== last) {
        last = now;
        stuckSince = Date.now();
      } else if (Date.now() - stuckSince > options.hangMs) {
        const input = currentInput();
        void worker.terminate();
        finish({
          target: name,
          inputs: now,
          rejected: 0,
          durationMs: 0,
          findings: [{ target: name, kind: 'hang', message: `no progress for ${options.hangMs} ms on one input`, input, count: 1 }],
        });
      }
    }, 250);
    worker.on('message', (result: FuzzResult) => finish(result));
    worker.on('error', (error: Error & { code?: string }) => {
      const kind = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'exception';
      failed(kind, `worker died: ${error.name}: ${error.message}`);
    });
    worker.on('exit', (code) => {
      if (!done) failed('exception', `worker exited with code ${code} before reporting`);
    });
  });
}

function saveFinding(dir: string, finding: FuzzFinding): string {
  const hash = createHash('sha256').update(finding.input).digest('hex').slice(0, 12);
  const base = join(dir, `${finding.target}-${finding.kind}-${hash}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${base}.bin`, finding.input);
  writeFileSync(`${base}.txt`, `${finding.kind} in ${finding.target} (${finding.count} inputs)\n${finding.message}\n`);
  return `${base}.bin`;
}

function positiveInt(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} wants a non-negative integer, got ${JSON.stringify(text)}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        inputs: { type: 'string' },
        time: { type: 'string' },
        target: { type: 'string', multiple: true },
        seed: { type: 'string' },
        out: { type: 'string' },
        'slow-ms': { type: 'string' },
        'hang-ms': { type: 'string' },
        'memory-mb': { type: 'string' },
        'targets-module': { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`fuzz: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const targetsModule = values['targets-module'] ? pathToFileURL(resolve(values['targets-module'])).href : DEFAULT_TARGETS_MODULE;
  const { targets } = (await import(targetsModule)) as { targets: readonly FuzzTarget[] };
  if (values.list) {
    for (const t of targets) console.log(`${t.name}\t${t.seeds.length} seeds`);
    return 0;
  }
  const selected = values.target ? targets.filter((t) => values.target!.includes(t.name)) : [...targets];
  const unknown = (values.target ?? []).filter((n) => !targets.some((t) => t.name === n));
  if (unknown.length > 0) {
    console.error(`fuzz: unknown target ${unknown.join(', ')}; known: ${targets.map((t) => t.name).join(', ')}`);
    return 2;
  }
  let options: RunOptions;
  try {
    const timeMs = positiveInt(values.time, 'time', 0) * 1000;
    const defaultInputs = values.time !== undefined ? Number.MAX_SAFE_INTEGER : Math.ceil(1_000_000 / Math.max(1, selected.length));
    options = {
      inputs: positiveInt(values.inputs, 'inputs', defaultInputs),
      timeMs,
      seed: positiveInt(values.seed, 'seed', 1),
      slowMs: positiveInt(values['slow-ms'], 'slow-ms', 2000),
      hangMs: positiveInt(values['hang-ms'], 'hang-ms', 10000),
      memoryMb: positiveInt(values['memory-mb'], 'memory-mb', 512),
    };
  } catch (error) {
    console.error(`fuzz: ${(error as Error).message}`);
    return 2;
  }
  const out = resolve(values.out ?? 'fuzz-findings');
  let total = 0;
  let findings = 0;
  console.log(`fuzz: ${selected.length} targets, seed ${options.seed}`);
  for (const target of selected) {
    const result = await runInWorker(target.name, options, target.maxInputLength ?? 65536, targetsModule);
    total += result.inputs;
    const rate = result.durationMs > 0 ? `${Math.round(result.inputs / (result.durationMs / 1000)).toLocaleString('en-US')}/s` : '-';
    console.log(
      `${target.name.padEnd(24)} ${result.inputs.toLocaleString('en-US').padStart(12)} inputs  ${String(result.rejected).padStart(10)} rejected  ${rate.padStart(10)}  ${result.findings.length} findings`,
    );
    for (const finding of result.findings) {
      findings++;
      const file = saveFinding(out, finding);
      console.log(`  ${finding.kind} (${finding.count}x): ${finding.message.split('\n')[0]}\n    saved ${file}`);
    }
  }
  console.log(`fuzz: ${total.toLocaleString('en-US')} inputs in total, ${findings} findings`);
  return findings > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
