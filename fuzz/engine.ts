/**
 * The fuzz loop for one target, in the current thread.
 *
 * Every seed runs once as is, then `inputs` mutated inputs run (or until `timeMs` passes).
 * Each input is a seed with 1-3 stacked mutations (see mutators.ts); there is no corpus
 * growth, so memory stays flat. A non-{@link RibstoreError} exception or a run slower than
 * `slowMs` (in CPU time as well as wall time, so a loaded machine that descheduled the
 * process does not count as a slow input) is a finding; findings with the same message are counted once (the first input is
 * kept) so one bug does not flood the report.
 *
 * Hangs that never return and memory exhaustion cannot be caught from the same thread:
 * run.ts runs this loop in a worker and watches it (see `onInput`).
 */
import { performance } from 'node:perf_hooks';
import { RibstoreError } from '../src/errors.js';
import { mutate } from './mutators.js';
import { FuzzRandom } from './random.js';
import type { FuzzTarget } from './target.js';

/** What went wrong on one input. */
export interface FuzzFinding {
  target: string;
  /** `exception`: threw something other than RibstoreError; `slow`: exceeded `slowMs`;
   * `hang`: never returned (worker killed); `memory`: the worker ran out of heap. */
  kind: 'exception' | 'slow' | 'hang' | 'memory';
  /** The error message (with the top of its stack) or a description. */
  message: string;
  /** The input that caused it. */
  input: Uint8Array;
  /** How many inputs hit the same finding. */
  count: number;
}

/** Options for {@link fuzzTarget}. */
export interface FuzzOptions {
  /** Mutated inputs to run (after the seeds). */
  inputs: number;
  /** Stop after this many milliseconds even if `inputs` is not reached (0: no limit). */
  timeMs?: number;
  /** PRNG seed: same seed, same inputs. */
  seed: number;
  /**
   * A run slower than this is a `slow` finding (default 2000 ms): both its wall time and the
   * process's CPU time must exceed it. CPU time does not grow while the machine runs other
   * work, so a busy CI host does not produce findings; Node 20 has no per-thread CPU clock,
   * and the wall-time condition keeps other threads' CPU from producing one either.
   */
  slowMs?: number;
  /** Called before each run with the input (run.ts copies it where a watchdog can read it). */
  onInput?: (input: Uint8Array) => void;
  /** Stop keeping new distinct findings after this many (default 20). */
  maxFindings?: number;
}

/** The outcome of fuzzing one target. */
export interface FuzzResult {
  target: string;
  /** Inputs run, seeds included. */
  inputs: number;
  /** Inputs the decoder rejected with a RibstoreError. */
  rejected: number;
  durationMs: number;
  findings: FuzzFinding[];
}

/** Fuzz one target in this thread (see the module doc). */
export function fuzzTarget(target: FuzzTarget, options: FuzzOptions): FuzzResult {
  const seeds = target.seeds;
  if (seeds.length === 0) throw new RibstoreError('INVALID_ARGUMENT', `fuzz target ${target.name} has no seeds`);
  const maxLength = target.maxInputLength ?? 65536;
  const slowMs = options.slowMs ?? 2000;
  const maxFindings = options.maxFindings ?? 20;
  const random = new FuzzRandom(options.seed);
  const findings = new Map<string, FuzzFinding>();
  const started = performance.now();
  const deadline = options.timeMs ? started + options.timeMs : Infinity;
  let inputs = 0;
  let rejected = 0;

  const runOne = (input: Uint8Array) => {
    options.onInput?.(input);
    inputs++;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let failure: string | undefined;
    try {
      target.run(input);
    } catch (error) {
      if (error instanceof RibstoreError) rejected++;
      else failure = describe(error);
    }
    const elapsed = performance.now() - t0;
    const cpuDelta = process.cpuUsage(cpu0);
    const cpuMs = (cpuDelta.user + cpuDelta.system) / 1000;
    if (failure !== undefined) {
      // Stacks are off while fuzzing (building one per rejected input would dominate the
      // run time); run the input again with them on to name where it failed.
      Error.stackTraceLimit = 10;
      try {
        target.run(input);
      } catch (error) {
        if (!(error instanceof RibstoreError)) failure = describe(error);
      }
      Error.stackTraceLimit = 0;
      record(findings, maxFindings, target.name, 'exception', failure, input);
    }
    if (elapsed > slowMs && cpuMs > slowMs) record(findings, maxFindings, target.name, 'slow', `one input took ${Math.round(cpuMs)} ms of CPU time (limit ${slowMs} ms)`, input);
  };

  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (const seed of seeds) runOne(seed.length > maxLength ? seed.subarray(0, maxLength) : seed);
    for (let i = 0; i < options.inputs; i++) {
      if ((i & 1023) === 0 && performance.now() > deadline) break;
      const base = seeds[random.below(seeds.length)]!;
      const other = seeds[random.below(seeds.length)]!;
      runOne(mutate(base, other, random, maxLength));
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  return { target: target.name, inputs, rejected, durationMs: performance.now() - started, findings: [...findings.values()] };
}

function record(findings: Map<string, FuzzFinding>, max: number, target: string, kind: FuzzFinding['kind'], message: string, input: Uint8Array): void {
  const key = `${kind}:${message}`;
  const known = findings.get(key);
  if (known) {
    known.count++;
    return;
  }
  if (findings.size >= max) return;
  findings.set(key, { target, kind, message, input: new Uint8Array(input), count: 1 });
}

/** The message and the first stack frames of a thrown value: the finding's identity. */
function describe(error: unknown): string {
  if (error instanceof Error) {
    const frames = (error.stack ?? '').split('\n').filter((l) => l.trimStart().startsWith('at ')).slice(0, 3);
    return [`${error.name}: ${error.message}`, ...frames.map((f) => f.trim())].join('\n');
  }
  return `non-Error thrown: ${String(error)}`;
}
